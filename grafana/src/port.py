"""PortExporter / Port: one port on one host, laid out as the case's troubleshooting steps."""

import config
import panels as p
from promql import cause_code, selector

HOST = ['job="$job"', 'instance="$instance"']
PORT = HOST + ['service="$service"', 'port="$port"', 'protocol="$protocol"']
PROBE_KEY = "vantage, address"


def _variables():
    return [
        p.datasource_variable(),
        p.label_values_variable("job", "job", config.EXPORTER_SERIES, [], "job",
                                description="The Prometheus job that scrapes PortExporter."),
        p.label_values_variable("instance", "instance", config.PORT_SERIES, ['job="$job"'], "host",
                                description="The PortExporter target (the host)."),
        p.label_values_variable("service", "service", config.PORT_SERIES, HOST, "service"),
        p.label_values_variable("port", "port", config.PORT_SERIES, HOST + ['service="$service"'], "port"),
        p.label_values_variable("protocol", "protocol", config.PORT_SERIES,
                                HOST + ['service="$service"', 'port="$port"'], "protocol"),
    ]


def _series(metric):
    return selector(metric, PORT)


def _verdict(layout):
    layout.row("Verdict")
    reach = p.yes_no("reachable", "unreachable")
    layout.add(p.stat(
        "Cause", "The root cause PortExporter names for this port now. The rows below walk its evidence "
        "in the case's order; the panel links lead to each cause's runbook.",
        [p.query(cause_code(PORT), instant=True)],
        mappings=p.cause_mappings(),
        links=p.runbook_links(*[c.runbook for c in config.CAUSES if c.runbook]),
    ), 6, 5)
    layout.add(p.stat(
        "From outside", "Outside probes (the host's external address, remote vantages that answer): "
        "reachable only when every one succeeds.",
        [p.query(_series("port:port_probe_success_outside:min"), instant=True)],
        mappings=reach, no_value="not probed",
        links=p.runbook_links(config.SYMPTOM_ALERT),
    ), 4, 5)
    layout.add(p.stat(
        "From inside", "Probes from the host itself (loopback, its internal addresses).",
        [p.query(_series("port:port_probe_success_inside:min"), instant=True)],
        mappings=reach, no_value="not probed",
        links=p.runbook_links(config.SYMPTOM_ALERT),
    ), 4, 5)
    layout.add(p.table(
        "Alerts for this port", "PortExporter's alerts for this port, pending and firing.",
        [p.query(selector("ALERTS", [f'alertname=~"{config.ALERT_NAME_REGEX}"'] + PORT), table=True)],
        organize={
            "exclude": ["Time", "Value", "__name__", "job", "instance", "service", "port", "protocol"],
            "order": ["alertname", "alertstate", "severity", "cause"],
        },
        overrides=[
            p.override("alertname", links=[p.data_link("Runbook", p.runbook_url("${__value.raw}"), new_tab=True)]),
            p.override("alertstate", mappings=p.value_mappings(config.ALERT_STATES), cell=p.colored_cell()),
            p.override("cause", mappings=p.cause_mappings(), cell=p.colored_cell()),
        ],
        sort=[("alertstate", False)],
        merge=False,
        links=p.runbook_links(config.SYMPTOM_ALERT),
    ), 10, 5)


def _listening(layout):
    layout.row("1. Listening: ss -tuln, lsof -i :PORT")
    layout.add(p.stat(
        "Listening", "Whether a socket listens on (UDP: is bound to) the port.",
        [p.query(_series("port_listening"), instant=True)],
        mappings=p.yes_no("listening", "not listening"),
        links=p.runbook_links("PortNotListening"),
    ), 4, 6)
    layout.add(p.table(
        "Listeners", "Every socket that listens on the port: its address, scope and process.",
        [p.query(f"max by (address, scope, process) ({_series('port_listener_info')})", table=True)],
        organize={"exclude": ["Time", "Value"], "order": ["address", "scope", "process"]},
        overrides=[p.override("scope", mappings=p.value_mappings(config.LISTENER_SCOPES), cell=p.colored_cell())],
        merge=False,
        links=p.runbook_links("PortNotListening", "PortListeningOnLoopbackOnly"),
    ), 20, 6)


def _process(layout):
    layout.row("2. Process and unit: ps aux, systemctl status, journalctl -u")
    layout.add(p.stat(
        "Process running", "Whether the process configured for the port runs.",
        [p.query(_series("port_process_running"), instant=True)],
        mappings=p.yes_no("running", "not running"), no_value="not configured",
        links=p.runbook_links("PortProcessDown"),
    ), 4, 5)
    layout.add(p.stat(
        "Unit active", "Whether the systemd unit configured for the port is active.",
        [p.query(_series("port_unit_active"), instant=True)],
        mappings=p.yes_no("active", "not active"), no_value="not configured",
        links=p.runbook_links("PortProcessDown"),
    ), 4, 5)
    layout.add(p.table(
        "Unit", "The configured systemd unit and its state, as systemctl shows it.",
        [p.query(f"max by (unit, active_state, sub_state) ({_series('port_unit_info')})", table=True)],
        organize={"exclude": ["Time", "Value"], "order": ["unit", "active_state", "sub_state"],
                  "rename": {"active_state": "active", "sub_state": "sub"}},
        overrides=[p.override("active", mappings=p.value_mappings(config.UNIT_STATES), cell=p.colored_cell())],
        merge=False,
        links=p.runbook_links("PortProcessDown"),
    ), 16, 5)


def _firewall(layout):
    layout.row("3. Firewall: iptables -L -n, nft list ruleset, firewall-cmd --list-all")
    layout.add(p.stat(
        "Outside verdict", "The firewall's verdict for a new connection from outside, simulated on the "
        "ruleset (no packet is sent).",
        [p.query(_series("port_firewall_blocked"), instant=True)],
        mappings=p.yes_no("blocked", "open", one_color="red", zero_color="green"), no_value="unknown",
        links=p.runbook_links("PortBlockedByFirewall"),
    ), 4, 7)
    layout.add(p.table(
        "Deciding rule: outside vs inside", "The rule (or chain policy) that decides a new connection from "
        "outside and from inside: blocked outside and open inside is the case's hypothesis A.",
        [p.query(f"max by (source, verdict, backend, table, chain, rule) ({_series('port_firewall_verdict_info')})",
                 table=True)],
        organize={"exclude": ["Time", "Value"],
                  "order": ["source", "verdict", "backend", "table", "chain", "rule"]},
        overrides=[
            p.override("source", width=90),
            p.override("verdict", mappings=p.value_mappings(config.FIREWALL_VERDICTS), cell=p.colored_cell(),
                       width=90),
            p.override("backend", width=100),
        ],
        sort=[("source", True)],
        merge=False,
        links=p.runbook_links("PortBlockedByFirewall"),
    ), 20, 7)
    layout.add(p.time_series(
        "Dropped packets", "Packets the drop/reject rules matching the port throw away: traffic arrives "
        "and the firewall discards it. Empty when a chain policy blocks (the kernel keeps no per-port "
        "counter for a policy) or the deciding rule has no counter.",
        [p.query(f"sum by (service, port, protocol) "
                 f"(rate({_series('port_firewall_dropped_packets_total')}[$__rate_interval]))",
                 legend="dropped")],
        unit="pps", no_value="no rule counter (not blocked, or a chain policy blocks)",
        links=p.runbook_links("PortBlockedByFirewall"),
    ), 12, 6)
    layout.add(p.stat(
        "Firewall backend", "The firewall the host actually uses (the verdict is computed on its ruleset).",
        [p.query(selector("port_host_firewall_backend_info", HOST), legend="{{backend}}", instant=True)],
        text_mode="name", color_mode="none",
        links=p.runbook_links("PortBlockedByFirewall"),
    ), 6, 6)
    layout.add(p.stat(
        "Ruleset snapshot age", "Age of the ruleset snapshot the verdict comes from; older than "
        f"{config.FIREWALL_SNAPSHOT_MAX_AGE_SECONDS}s is not trusted to blame the firewall.",
        [p.query(selector("port_firewall_snapshot_age_seconds", HOST), instant=True)],
        unit="s", steps=p.thresholds("green", (config.FIREWALL_SNAPSHOT_MAX_AGE_SECONDS, "red")),
        links=p.runbook_links(config.EVIDENCE_STALE_ALERT),
    ), 6, 6)


def _bind(layout):
    layout.row("4. Bind address: ip addr, the service's bind setting")
    layout.add(p.stat(
        "On the outside path", "Whether a listener accepts traffic on the address outside clients reach "
        "(the configured bind address, or the interface outside traffic arrives on).",
        [p.query(_series("port_exposed"), instant=True)],
        mappings=p.yes_no("yes", "no"),
        links=p.runbook_links("PortListeningOnLoopbackOnly", "PortListeningOnWrongAddress"),
    ), 6, 5)
    layout.add(p.stat(
        "Listeners by scope", "How many listeners accept from every address, from one address, or only "
        "from loopback.",
        [p.query(f"count by (scope) ({_series('port_listener_info')})", legend="{{scope}}", instant=True)],
        text_mode="value_and_name", color="fixed",
        overrides=[p.override(word, display_name=text, color=p.fixed_color(color))
                   for word, (text, color) in config.LISTENER_SCOPES.items()],
        links=p.runbook_links("PortListeningOnLoopbackOnly", "PortListeningOnWrongAddress"),
    ), 18, 5)


def _selinux(layout):
    layout.row("5. SELinux: getenforce, semanage port -l, /var/log/audit/audit.log")
    links = p.runbook_links("PortDeniedBySelinux")
    layout.add(p.stat(
        "Mode", "SELinux mode now (only enforcing denies).",
        [p.query(selector("port_host_selinux_current_mode", HOST), instant=True)],
        mappings=p.value_mappings(config.SELINUX_MODES), links=links,
    ), 4, 5)
    layout.add(p.stat(
        "SELinux enabled", "Whether the kernel runs SELinux at all.",
        [p.query(selector("port_host_selinux_enabled", HOST), instant=True)],
        mappings=p.yes_no("enabled", "disabled", one_color="blue", zero_color="text"), links=links,
    ), 4, 5)
    layout.add(p.stat(
        "Port type", "The SELinux port type the policy gives this port and protocol (semanage port -l, or "
        "ports.local without semanage). Not known without SELinux, or when neither names the port.",
        [p.query(_series("port_selinux_port_type_info"), legend="{{type}}", instant=True)],
        text_mode="name", color_mode="none", no_value="not known", links=links,
    ), 4, 5)
    layout.add(p.stat(
        "Port type as configured", "Whether the port type is the `selinux_type` the config asks for.",
        [p.query(_series("port_selinux_label_ok"), instant=True)],
        mappings=p.yes_no("yes", "no"), no_value="not configured", links=links,
    ), 4, 5)
    layout.add(p.stat(
        "SELinux allows", "0 when the host enforces and the label is wrong or a denial was seen since the "
        "service last started.",
        [p.query(_series("port_selinux_allowed"), instant=True)],
        mappings=p.yes_no("allowed", "denied"), no_value="not judged (SELinux off)", links=links,
    ), 4, 5)
    layout.add(p.stat(
        "Denials recorded", "AVC denials for this port in the audit log, by permission.",
        [p.query(f"sum by (permission) ({_series('port_selinux_denials_total')})", legend="{{permission}}",
                 instant=True)],
        text_mode="value_and_name", steps=p.thresholds("green", (1, "red")), no_value="none", links=links,
    ), 4, 5)
    layout.add(p.time_series(
        "AVC denials", "AVC denials per second for this port, by permission.",
        [p.query(f"sum by (permission) (rate({_series('port_selinux_denials_total')}[$__rate_interval]))",
                 legend="{{permission}}")],
        unit="short", links=links,
    ), 24, 6)


def _probes(layout):
    layout.row("6. Probes per vantage: telnet from loopback, internal, external, remote")
    links = p.runbook_links(config.SYMPTOM_ALERT, "PortNatOrUpstreamBlocked")
    layout.add(p.table(
        "Probe results", "Each probe of the port, from each vantage and to each address, with why it failed.",
        p.refs(
            p.query(f"max by ({PROBE_KEY}) ({_series('port_probe_success')})", table=True),
            p.query(f"max by ({PROBE_KEY}, reason) ({_series('port_probe_failure_reason')})", table=True),
            p.query(f"max by ({PROBE_KEY}) ({_series('port_probe_duration_seconds')})", table=True),
        ),
        organize={
            "exclude": ["Time", "Value #B"],
            "order": ["vantage", "address", "Value #A", "reason", "Value #C"],
            "rename": {"Value #A": "result", "Value #C": "duration"},
        },
        overrides=[
            p.override("result", mappings=p.yes_no("ok", "failed"), cell=p.colored_cell()),
            p.override("reason", mappings=p.value_mappings(config.PROBE_REASONS), cell=p.colored_cell()),
            p.override("duration", unit="s"),
        ],
        sort=[("vantage", False)],
        links=links,
    ), 12, 8)
    layout.add(p.state_timeline(
        "Probe result over time", "Each probe's result over the dashboard's time range.",
        [p.query(_series("port_probe_success"), legend="{{vantage}} {{address}}")],
        mappings=p.yes_no("ok", "failed"), links=links,
    ), 12, 8)
    layout.add(p.time_series(
        "Probe duration", "Wall time of each probe: a timeout shows as the probe timeout.",
        [p.query(_series("port_probe_duration_seconds"), legend="{{vantage}} {{address}}")],
        unit="s", links=links,
    ), 12, 7)
    layout.add(p.state_timeline(
        "Remote vantages", "Whether the remote PortExporters that give the outside view answer. Not "
        "answering means no outside view, never a blocked port.",
        [p.query(selector("port_vantage_up", HOST), legend="{{vantage}}")],
        mappings=p.yes_no("answering", "not answering"),
        links=p.runbook_links(config.VANTAGE_DOWN_ALERT),
    ), 12, 7)


def _diagnosis(layout):
    layout.row("7. Diagnosis")
    layout.add(p.table(
        "Findings", "Every cause that holds for the port; the first in the case's order is the cause. "
        "Fixing one will not clear the others.",
        [p.query(f"max by (cause) ({_series('port_diagnosis_findings')})", table=True)],
        organize={"exclude": ["Time", "Value"], "order": ["cause"]},
        overrides=[p.override("cause", mappings=p.cause_mappings(), cell=p.colored_cell())],
        merge=False,
        links=p.runbook_links(*[c.runbook for c in config.CAUSES if c.runbook]),
    ), 8, 7)
    layout.add(p.state_timeline(
        "Cause over time", "The port's cause over the dashboard's time range.",
        [p.query(cause_code(PORT), legend="cause")],
        mappings=p.cause_mappings(),
        links=p.runbook_links(*[c.runbook for c in config.CAUSES if c.runbook]),
    ), 16, 7)
    layout.add(p.state_timeline(
        "Collectors on this host", "Evidence the diagnosis needs comes from these collectors: while one "
        "fails, the causes that need its evidence cannot be named and the port says unknown.",
        [p.query(selector("port_exporter_collector_success", HOST), legend="{{collector}}")],
        mappings=p.yes_no("ok", "failed"),
        links=p.runbook_links(config.COLLECTOR_FAILING_ALERT),
    ), 24, 6)


def build():
    layout = p.Layout()
    _verdict(layout)
    _listening(layout)
    _process(layout)
    _firewall(layout)
    _bind(layout)
    _selinux(layout)
    _probes(layout)
    _diagnosis(layout)
    return p.dashboard(
        config.PORT_UID,
        config.PORT_TITLE,
        "One watched port on one host, laid out as the case's troubleshooting steps: listening, process "
        "and unit, firewall, bind address, SELinux, probes per vantage, and the diagnosis.",
        _variables(),
        layout.panels,
        [p.dashboards_link("PortExporter dashboards", include_vars=True),
         p.panel_link("Runbooks", config.RUNBOOK_BASE_URL + "README.md")],
    )
