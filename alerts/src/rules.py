"""PortExporter's recording and alerting rules: the case's diagnosis, in PromQL over the raw evidence.

Expressions and annotations are written once here with ${tokens} that render.py fills from config.py:

  {${sel}}, {${sel}, ...}   the configured SELECTOR (braces dropped when it is empty)
  ${host_key}, ${port_key}  the labels of one host / one port of one host
  ${inside}, ${local_outside}, ${not_remote}   vantage regexes
  ${port_match} ${port_args}  printf matchers and arguments that select the alert's own port in a template query
  ${causes_before}          the causes the case checks before this alert's cause
  ${...}                    the thresholds of config.py (see TOKENS in render.py)

The root causes, in the order the case reasons (the exporter's Diagnoser uses the same order): the
first cause that holds for a port is the one that alerts, so one port pages with one cause.
"""

from textwrap import dedent

import config

# (cause label, alert name, case hypothesis) in the case's order.
CAUSES = [
    ("process_down", "PortProcessDown", "B"),
    ("not_listening", "PortNotListening", "B"),
    ("loopback_only", "PortListeningOnLoopbackOnly", "C"),
    ("wrong_address", "PortListeningOnWrongAddress", "C"),
    ("firewall_blocked", "PortBlockedByFirewall", "A"),
    ("selinux_denied", "PortDeniedBySelinux", "D"),
    ("nat_or_upstream", "PortNatOrUpstreamBlocked", "E"),
]

SYMPTOM_ALERT = "PortUnreachableFromOutside"


def _x(text):
    return dedent(text).strip("\n") + "\n"


def _ok(collector):
    """The host's `collector` read its evidence in this collection."""
    return f'(port_exporter_collector_success{{${{sel}}, collector="{collector}"}} == 1)'


# ---------------------------------------------------------------------------------------------
# Template snippets for annotations (Go templates; queries select the alert's own port on its host).

WHERE = "{{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) on {{ $labels.instance }}"

LISTENERS = (
    '{{ range $i, $l := query (printf `port_listener_info{${port_match}}` ${port_args}) | sortByLabel "address" }}'
    "{{ if $i }}, {{ end }}{{ $l.Labels.address }} ({{ $l.Labels.scope }}{{ with $l.Labels.process }}, {{ . }}{{ end }})"
    "{{ end }}"
)

OUTSIDE_FAILURES = (
    "{{ range $i, $p := query (printf `port_probe_failure_reason{${port_match}, vantage!~\"${inside}\"}"
    " unless on (${host_key}, vantage) port_vantage_up == 0` ${port_args}) | sortByLabel \"vantage\" }}"
    "{{ if $i }}; {{ end }}{{ $p.Labels.vantage }} -> {{ $p.Labels.address }}: {{ $p.Labels.reason }}"
    "{{ else }}no failure reason reported{{ end }}"
)

INSIDE_STATE = (
    "{{ with query (printf `port:port_probe_success_inside:min{${port_match}}` ${port_args}) }}"
    "{{ if eq (. | first | value) 1.0 }}reachable{{ else }}failing too{{ end }}"
    "{{ else }}not probed{{ end }}"
)

UNIT_STATE = (
    "{{ range query (printf `port_unit_info{${port_match}}` ${port_args}) }}"
    "; unit {{ .Labels.unit }} is {{ .Labels.active_state }} ({{ .Labels.sub_state }}){{ end }}"
)

FIREWALL_OUTSIDE = (
    "{{ range query (printf `port_firewall_verdict_info{${port_match}, source=\"outside\"}` ${port_args}) }}"
    "{{ .Labels.verdict }} by {{ .Labels.backend }} "
    "{{ if .Labels.table }}table {{ .Labels.table }} chain {{ .Labels.chain }}: {{ end }}{{ .Labels.rule }}"
    "{{ else }}verdict rule not reported{{ end }}"
)

FIREWALL_INSIDE = (
    "{{ range query (printf `port_firewall_verdict_info{${port_match}, source=\"inside\"}` ${port_args}) }}"
    "; from inside: {{ .Labels.verdict }}{{ end }}"
)

FIREWALL_DROPPED = (
    "{{ with query (printf `sum(port_firewall_dropped_packets_total{${port_match}})` ${port_args}) }}"
    "; the matching drop/reject rules have counted {{ . | first | value | humanize }} packets{{ end }}"
)

SELINUX_TYPE = (
    "{{ with query (printf `port_selinux_port_type_info{${port_match}}` ${port_args}) }}"
    '{{ . | first | label "type" }}{{ else }}unlabelled{{ end }}'
    "{{ with query (printf `port_selinux_label_ok{${port_match}} == 0` ${port_args}) }}"
    " (not the type the service needs){{ end }}"
)

SELINUX_DENIALS = (
    "{{ with query (printf `port_selinux_denials_total{${port_match}} > 0` ${port_args}) }}AVC denials: "
    '{{ range $i, $d := . | sortByLabel "permission" }}{{ if $i }}, {{ end }}'
    "{{ $d.Labels.permission }} x{{ $d.Value | humanize }}{{ end }}"
    "{{ else }}no AVC denial recorded{{ end }}"
)

DIAGNOSE = "port-exporter diagnose --port {{ $labels.port }}"

# ---------------------------------------------------------------------------------------------
# Recording rules: the case's signature per port, and every cause that holds (its findings).

RECORDING = [
    {
        "_comment": [
            "Outside view: 0 when a probe from outside failed, 1 when every one succeeded. Outside = the",
            "host's own probe of its external address and the probes of remote vantages that answered.",
            "Absent when the probes collector failed or no outside probe is configured.",
        ],
        "record": "port:port_probe_success_outside:min",
        "expr": _x(f"""
            min by (${{port_key}}) (
                port_probe_success{{${{sel}}, vantage=~"${{local_outside}}"}}
              or
                (
                    port_probe_success{{${{sel}}, vantage!~"${{not_remote}}"}}
                  and on (${{host_key}}, vantage)
                    (port_vantage_up{{${{sel}}}} == 1)
                )
            )
            and on (${{host_key}}) {_ok("probes")}
        """),
    },
    {
        "_comment": ["Inside view: 0 when a probe from the host itself (loopback, internal address) failed."],
        "record": "port:port_probe_success_inside:min",
        "expr": _x(f"""
            min by (${{port_key}}) (port_probe_success{{${{sel}}, vantage=~"${{inside}}"}})
            and on (${{host_key}}) {_ok("probes")}
        """),
    },
    {
        "_comment": ["Exposure: 1 when a listener accepts traffic on the path outside clients use."],
        "record": "port:port_exposed:max",
        "expr": _x(f"""
            max by (${{port_key}}) (port_exposed{{${{sel}}}})
            and on (${{host_key}}) {_ok("sockets")}
        """),
    },
    {
        "_comment": [
            "Blocked from outside: the firewall evaluator's verdict for a new outside connection",
            "(1 drop/reject, 0 accept), from a snapshot fresh enough to trust. Absent when unknown.",
        ],
        "record": "port:port_firewall_blocked_outside:max",
        "expr": _x(f"""
            max by (${{port_key}}) (port_firewall_blocked{{${{sel}}}})
            and on (${{host_key}}) {_ok("firewall")}
            and on (${{host_key}}) (port_firewall_snapshot_age_seconds{{${{sel}}}} <= ${{fw_max_age}})
        """),
    },
    {
        "_comment": ["The case's signature: 1 when the port fails from outside and works from inside."],
        "record": "port:port_unreachable_outside_only:bool",
        "expr": _x("""
            (1 - port:port_probe_success_outside:min)
            * on (${port_key})
            port:port_probe_success_inside:min
        """),
    },
    {
        "_comment": ["Findings: 1 for every cause that holds, each read only from evidence that was collected."],
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "process_down"},
        "expr": _x(f"""
            group by (${{port_key}}) (
                port_process_running{{${{sel}}}} == 0
              or
                port_unit_active{{${{sel}}}} == 0
            )
            and on (${{host_key}}) {_ok("processes")}
        """),
    },
    {
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "not_listening"},
        "expr": _x(f"""
            group by (${{port_key}}) (port_listening{{${{sel}}}} == 0)
            and on (${{host_key}}) {_ok("sockets")}
        """),
    },
    {
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "loopback_only"},
        "expr": _x(f"""
            group by (${{port_key}}) (port_listener_info{{${{sel}}, scope="loopback"}})
            unless on (${{port_key}}) port_listener_info{{${{sel}}, scope!="loopback"}}
            and on (${{host_key}}) {_ok("sockets")}
        """),
    },
    {
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "wrong_address"},
        "expr": _x(f"""
            group by (${{port_key}}) (port:port_exposed:max == 0)
            and on (${{port_key}}) port_listener_info{{${{sel}}, scope!="loopback"}}
            unless on (${{host_key}}) (port_exporter_collector_success{{${{sel}}, collector="network"}} == 0)
        """),
    },
    {
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "firewall_blocked"},
        "expr": _x("""
            group by (${port_key}) (port:port_firewall_blocked_outside:max == 1)
        """),
    },
    {
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "selinux_denied"},
        "expr": _x(f"""
            group by (${{port_key}}) (
                port_selinux_allowed{{${{sel}}}} == 0
              or
                port_selinux_label_ok{{${{sel}}}} == 0
            )
            and on (${{host_key}}) (port_host_selinux_current_mode{{${{sel}}}} == 1)
            and on (${{host_key}}) {_ok("selinux")}
        """),
    },
    {
        "_comment": [
            "NAT / upstream: outside fails, no local probe fails, the listener and the firewall verdict",
            "are known, and no local collector is failing on the host (never blame NAT on missing evidence).",
            "Hypothesis E means everything on the host is right: not a finding when a host cause (the",
            "findings recorded above in this group's evaluation) already explains the outside failure.",
        ],
        "record": "port:port_cause_findings:group",
        "labels": {"cause": "nat_or_upstream"},
        "expr": _x(f"""
            group by (${{port_key}}) (port:port_probe_success_outside:min == 0)
            unless on (${{port_key}}) (port:port_probe_success_inside:min == 0)
            and on (${{port_key}}) (port_listening{{${{sel}}}} == 1)
            and on (${{port_key}}) port:port_firewall_blocked_outside:max
            unless on (${{host_key}}) (port_exporter_collector_success{{${{sel}}, collector=~"${{local_collectors}}"}} == 0)
            unless on (${{port_key}}) port:port_cause_findings:group{{cause!="nat_or_upstream"}}
        """),
    },
]

# ---------------------------------------------------------------------------------------------
# Alerting rules on the ports: the case's symptom, then one root cause per hypothesis.

_CAUSE_TEXT = {
    "process_down": {
        "summary": WHERE + " is down: its process is not running",
        "description": (
            "The process or systemd unit configured for {{ $labels.service }} on {{ $labels.instance }} is not running"
            + UNIT_STATE
            + ". Nothing serves port {{ $labels.port }}/{{ $labels.protocol }}, from inside or outside (hypothesis B)."
        ),
    },
    "not_listening": {
        "summary": "Nothing listens on " + WHERE,
        "description": (
            "No socket on {{ $labels.instance }} listens on (UDP: is bound to) port {{ $labels.port }}/{{ $labels.protocol }}"
            " of {{ $labels.service }}"
            "{{ with query (printf `port_process_running{${port_match}} == 1` ${port_args}) }}"
            ", although its process is running: it failed to bind or uses another port{{ end }}."
            " Clients are refused from inside and outside (hypothesis B)."
        ),
    },
    "loopback_only": {
        "summary": WHERE + " listens only on loopback",
        "description": (
            "{{ $labels.service }} on {{ $labels.instance }} listens on port {{ $labels.port }}/{{ $labels.protocol }}"
            " only on loopback: " + LISTENERS + ". It answers on the host itself, not from the network"
            " (hypothesis C, bind address)."
        ),
    },
    "wrong_address": {
        "summary": WHERE + " listens on the wrong address",
        "description": (
            "{{ $labels.service }} on {{ $labels.instance }} listens on " + LISTENERS + ", but not on the address"
            " outside clients reach (the configured bind address, or the address of the interface outside traffic"
            " arrives on) (hypothesis C, bind address)."
        ),
    },
    "firewall_blocked": {
        "summary": "The firewall on {{ $labels.instance }} blocks {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) from outside",
        "description": (
            "New connections from outside to port {{ $labels.port }}/{{ $labels.protocol }} of {{ $labels.service }}"
            " on {{ $labels.instance }} are blocked: " + FIREWALL_OUTSIDE + FIREWALL_INSIDE + FIREWALL_DROPPED
            + " (hypothesis A)."
        ),
    },
    "selinux_denied": {
        "summary": "SELinux on {{ $labels.instance }} denies {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }})",
        "description": (
            "SELinux enforces on {{ $labels.instance }} and blocks {{ $labels.service }} on port"
            " {{ $labels.port }}/{{ $labels.protocol }}: port type " + SELINUX_TYPE + "; " + SELINUX_DENIALS
            + " (hypothesis D)."
        ),
    },
    "nat_or_upstream": {
        "summary": WHERE + " answers inside but is not forwarded from outside",
        "description": (
            "{{ $labels.service }} on {{ $labels.instance }} passes every local check (process, listener, bind address,"
            " firewall, SELinux) and answers the local probes, but the outside probes fail: " + OUTSIDE_FAILURES
            + ". The NAT port mapping, load balancer, security group or an upstream device does not forward"
            " port {{ $labels.port }}/{{ $labels.protocol }} (hypothesis E)."
        ),
    },
}


def _cause_alert(index):
    cause, name, hypothesis = CAUSES[index]
    before = [c for c, _, _ in CAUSES[:index]]
    if before:
        expr = _x(f"""
            port:port_cause_findings:group{{cause="{cause}"}}
            unless on (${{port_key}})
              port:port_cause_findings:group{{cause=~"{'|'.join(before)}"}}
        """)
        comment = f"Hypothesis {hypothesis}: fires only when none of {', '.join(before)} holds (the case's order)."
    else:
        expr = _x(f"""
            port:port_cause_findings:group{{cause="{cause}"}}
        """)
        comment = f"Hypothesis {hypothesis}: the first cause the case checks."
    return {
        "_comment": [comment],
        "alert": name,
        "expr": expr,
        "for": config.FOR_CAUSE,
        "labels": {"severity": config.SEVERITY_PAGE, "cause": cause},
        "annotations": {
            "summary": _CAUSE_TEXT[cause]["summary"],
            "description": _CAUSE_TEXT[cause]["description"],
            "runbook_url": "${runbook_base}" + name + ".md",
        },
    }


PORT_ALERTS = [
    {
        "_comment": [
            "The case's alert: the port cannot be reached from outside. A root-cause alert for the same",
            "port inhibits it in Alertmanager; alone, it means the cause is unknown.",
        ],
        "alert": SYMPTOM_ALERT,
        "expr": _x("""
            port:port_probe_success_outside:min == 0
        """),
        "for": config.FOR_SYMPTOM,
        "labels": {"severity": config.SEVERITY_PAGE},
        "annotations": {
            "summary": WHERE + " is unreachable from outside",
            "description": (
                "Outside probes of {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) on {{ $labels.instance }}"
                " fail: " + OUTSIDE_FAILURES + ". From inside the host: " + INSIDE_STATE + "."
                " A root-cause alert for this port inhibits this one; if none follows, the cause is unknown:"
                " check PortExporter's health alerts and run '" + DIAGNOSE + "' on the host."
            ),
            "runbook_url": "${runbook_base}" + SYMPTOM_ALERT + ".md",
        },
    },
] + [_cause_alert(i) for i in range(len(CAUSES))]

# ---------------------------------------------------------------------------------------------
# PortExporter's own health: when it fails, the port alerts go quiet instead of guessing.

EXPORTER_ALERTS = [
    {
        "alert": "PortExporterDown",
        "expr": _x("""
            up{${sel}} == 0
        """),
        "for": config.FOR_TARGET_DOWN,
        "labels": {"severity": config.SEVERITY_TICKET},
        "annotations": {
            "summary": "PortExporter {{ $labels.instance }} cannot be scraped",
            "description": (
                "Prometheus has not scraped {{ $labels.job }} target {{ $labels.instance }} for " + config.FOR_TARGET_DOWN
                + ": the ports of this host are not watched and no port alert can fire for them."
            ),
            "runbook_url": "${runbook_base}PortExporterDown.md",
        },
    },
    {
        "alert": "PortExporterCollectorFailing",
        "expr": _x("""
            avg_over_time(port_exporter_collector_success{${sel}}[${collector_window}]) < ${collector_ratio}
        """),
        "for": config.FOR_COLLECTOR_FAILING,
        "labels": {"severity": config.SEVERITY_TICKET},
        "annotations": {
            "summary": "PortExporter's {{ $labels.collector }} collector is failing on {{ $labels.instance }}",
            "description": (
                "The {{ $labels.collector }} collector of {{ $labels.instance }} succeeded in only"
                " {{ $value | humanizePercentage }} of its collections over the last ${collector_window}."
                " Its evidence is missing: the root-cause alerts that need it cannot fire and the diagnosis"
                " says unknown. The exporter logs why (one line per failure)."
            ),
            "runbook_url": "${runbook_base}PortExporterCollectorFailing.md",
        },
    },
    {
        "alert": "PortExporterVantageDown",
        "expr": _x("""
            max by (${host_key}, vantage) (port_vantage_up{${sel}}) == 0
        """),
        "for": config.FOR_VANTAGE_DOWN,
        "labels": {"severity": config.SEVERITY_TICKET},
        "annotations": {
            "summary": "Remote vantage {{ $labels.vantage }} does not answer {{ $labels.instance }}",
            "description": (
                "The remote PortExporter {{ $labels.vantage }} that gives {{ $labels.instance }} its outside view"
                " has not answered for " + config.FOR_VANTAGE_DOWN + ". Its probes are ignored: the outside view it"
                " gave is unknown, and neither " + SYMPTOM_ALERT + " nor PortNatOrUpstreamBlocked fires from it."
            ),
            "runbook_url": "${runbook_base}PortExporterVantageDown.md",
        },
    },
    {
        "alert": "PortExporterEvidenceStale",
        "expr": _x("""
            max by (${host_key}) (port_firewall_snapshot_age_seconds{${sel}}) > ${fw_max_age}
        """),
        "for": config.FOR_EVIDENCE_STALE,
        "labels": {"severity": config.SEVERITY_TICKET},
        "annotations": {
            "summary": "PortExporter's firewall evidence on {{ $labels.instance }} is too old",
            "description": (
                "The firewall snapshot of {{ $labels.instance }} is {{ $value | humanizeDuration }} old (it is"
                " refreshed every 30s; trusted up to ${fw_max_age}s). Until it refreshes, PortBlockedByFirewall"
                " cannot fire there and the firewall verdicts shown are out of date."
            ),
            "runbook_url": "${runbook_base}PortExporterEvidenceStale.md",
        },
    },
    {
        "alert": "PortExporterConfigReloadFailed",
        "expr": _x("""
            port_exporter_config_last_reload_successful{${sel}} == 0
        """),
        "for": config.FOR_RELOAD_FAILED,
        "labels": {"severity": config.SEVERITY_TICKET},
        "annotations": {
            "summary": "PortExporter on {{ $labels.instance }} failed to reload its config",
            "description": (
                "The last config reload of {{ $labels.instance }} failed; it still watches the ports of the"
                " previous config, so ports added or changed since are not watched. The exporter's log names"
                " the file, line and what was expected."
            ),
            "runbook_url": "${runbook_base}PortExporterConfigReloadFailed.md",
        },
    },
]


def groups():
    """The rule groups, in file order. Recording rules and the port alerts share one group so the
    alerts read the recordings of the same evaluation (rules of a group run in order)."""
    ports = {"name": "port-exporter.ports", "rules": RECORDING + PORT_ALERTS}
    exporter = {"name": "port-exporter.exporter", "rules": EXPORTER_ALERTS}
    if config.GROUP_INTERVAL:
        ports["interval"] = config.GROUP_INTERVAL
        exporter["interval"] = config.GROUP_INTERVAL
    return [ports, exporter]


def alert_names():
    return [r["alert"] for g in groups() for r in g["rules"] if "alert" in r]
