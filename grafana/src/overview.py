"""PortExporter / Overview: every watched port of the fleet, its cause, and the exporters' health."""

import config
import panels as p
from promql import PORT_KEY, cause_code, cause_since, count_or_zero, selector

HOST = ['job="$job"', 'instance=~"$instance"']
PORT = HOST + ['service=~"$service"', 'port=~"$port"']
HOST_KEY = ", ".join(config.HOST_LABELS)

PORT_DASHBOARD_URL = (
    f"/d/{config.PORT_UID}?${{datasource:queryparam}}"
    "&var-job=${__data.fields.job}&var-instance=${__data.fields.instance}"
    "&var-service=${__data.fields.service}&var-port=${__data.fields.port}"
    "&var-protocol=${__data.fields.protocol}&${__url_time_range}"
)

PORT_LEGEND = "{{instance}} {{service}} {{port}}/{{protocol}}"


def _variables():
    return [
        p.datasource_variable(),
        p.label_values_variable("job", "job", config.EXPORTER_SERIES, [], "job",
                                description="The Prometheus job that scrapes PortExporter."),
        p.label_values_variable("instance", "instance", config.EXPORTER_SERIES, ['job="$job"'], "host",
                                multi=True, description="PortExporter targets (one per host)."),
        p.label_values_variable("service", "service", config.PORT_SERIES, HOST, "service", multi=True,
                                description="Watched services (the `name` of a port in the config)."),
        p.label_values_variable("port", "port", config.PORT_SERIES, HOST + ['service=~"$service"'], "port",
                                multi=True),
    ]


def _summary(layout):
    diagnosis = selector("port_diagnosis", PORT)
    outside = selector("port:port_probe_success_outside:min", PORT)
    signature = selector("port:port_unreachable_outside_only:bool", PORT)
    up = selector("up", HOST)
    collectors = selector("port_exporter_collector_success", HOST)
    red_from_one = p.thresholds("green", (1, "red"))
    layout.add(p.stat(
        "Watched ports", "Ports PortExporter watches on the selected hosts.",
        [p.query(f"count({diagnosis})", instant=True)], color_mode="none"), 4, 4)
    layout.add(p.stat(
        "Ports not ok", "Ports whose diagnosis is anything but ok: the table below names the cause.",
        [p.query(count_or_zero(selector("port_diagnosis", PORT, 'cause!="ok"'), diagnosis), instant=True)],
        steps=red_from_one), 4, 4)
    layout.add(p.stat(
        "Unreachable from outside",
        "Ports an outside probe (the host's external address or a remote vantage that answers) cannot reach.",
        [p.query(count_or_zero(f"{outside} == 0", outside), instant=True)],
        steps=red_from_one, links=p.runbook_links(config.SYMPTOM_ALERT)), 4, 4)
    layout.add(p.stat(
        "Fails outside, works inside",
        "The case's signature: the port fails from outside and answers from the host itself.",
        [p.query(count_or_zero(f"{signature} == 1", signature), instant=True)],
        steps=red_from_one, links=p.runbook_links(config.SYMPTOM_ALERT)), 4, 4)
    layout.add(p.stat(
        "Exporters down", "PortExporter targets Prometheus cannot scrape: their ports are not watched.",
        [p.query(count_or_zero(f"{up} == 0", up), instant=True)],
        steps=red_from_one, links=p.runbook_links(config.EXPORTER_DOWN_ALERT)), 4, 4)
    layout.add(p.stat(
        "Collectors failing",
        "Evidence collectors that failed in their last collection: ports that need their evidence say unknown.",
        [p.query(count_or_zero(f"{collectors} == 0", collectors), instant=True)],
        steps=red_from_one, links=p.runbook_links(config.COLLECTOR_FAILING_ALERT)), 4, 4)


def _ports(layout):
    layout.row("Watched ports")
    reach = p.yes_no("reachable", "unreachable")
    layout.add(p.table(
        "Watched ports",
        "One row per watched port: its current cause, whether it answers from outside and from the host "
        "itself, and how long the cause has held (up to "
        f"{config.CHANGE_WINDOW}). Click a row to walk the port's evidence.",
        p.refs(
            p.query(cause_code(PORT), table=True),
            p.query(f"max by ({PORT_KEY}) ({selector('port:port_probe_success_outside:min', PORT)})", table=True),
            p.query(f"max by ({PORT_KEY}) ({selector('port:port_probe_success_inside:min', PORT)})", table=True),
            p.query(cause_since(PORT), table=True),
        ),
        organize={
            "exclude": ["Time", "cause"],
            "order": ["instance", "service", "port", "protocol", "Value #A", "Value #B", "Value #C",
                      "Value #D", "job"],
            "rename": {"instance": "host", "Value #A": "cause", "Value #B": "outside",
                       "Value #C": "inside", "Value #D": "cause since"},
        },
        overrides=[
            p.override("cause", mappings=p.cause_mappings(), cell=p.colored_cell(), width=220),
            p.override("outside", mappings=reach, cell=p.colored_cell(), no_value="not probed", width=120),
            p.override("inside", mappings=reach, cell=p.colored_cell(), no_value="not probed", width=120),
            p.override("cause since", unit="dtdurations", width=200),
        ],
        sort=[("cause", True)],
        row_links=[p.data_link("Walk this port's evidence", PORT_DASHBOARD_URL)],
        links=p.runbook_links(config.SYMPTOM_ALERT),
    ), 16, 12)
    layout.add(p.bar_gauge(
        "Ports by cause", "How many watched ports have each cause now.",
        [p.query(f"count by (cause) ({selector('port_diagnosis', PORT)})", legend="{{cause}}", instant=True)],
        overrides=[p.override(c.word, display_name=c.text, color=p.fixed_color(c.color)) for c in config.CAUSES],
    ), 8, 12)
    layout.add(p.state_timeline(
        "Cause over time", "Each watched port's cause as the exporter named it, over the dashboard's time range.",
        [p.query(cause_code(PORT), legend=PORT_LEGEND)],
        mappings=p.cause_mappings(),
        links=p.runbook_links(*[c.runbook for c in config.CAUSES if c.runbook]),
    ), 24, 10)


def _alerts(layout):
    layout.row("Alerts")
    alerts = selector("ALERTS", [f'alertname=~"{config.ALERT_NAME_REGEX}"'] + HOST)
    layout.add(p.table(
        "Firing alerts",
        "PortExporter's alerts, pending and firing, on the selected hosts. A root-cause alert inhibits "
        f"{config.SYMPTOM_ALERT} for the same port in Alertmanager. Click an alert name for its runbook.",
        [p.query(alerts, table=True)],
        organize={
            "exclude": ["Time", "Value", "__name__", "job"],
            "order": ["alertname", "alertstate", "severity", "cause", "instance", "service", "port", "protocol"],
            "rename": {"instance": "host"},
        },
        overrides=[
            p.override("alertname", links=[p.data_link("Runbook", p.runbook_url("${__value.raw}"), new_tab=True)],
                       width=260),
            p.override("alertstate", mappings=p.value_mappings(config.ALERT_STATES), cell=p.colored_cell(),
                       width=100),
            p.override("cause", mappings=p.cause_mappings(), cell=p.colored_cell(), width=220),
        ],
        sort=[("alertstate", False)],
        merge=False,
        links=p.runbook_links(config.SYMPTOM_ALERT),
    ), 24, 8)


def _health(layout):
    layout.row("Exporter health")
    failing = p.thresholds("green", (1, "red"))
    layout.add(p.table(
        "Exporters",
        "One row per PortExporter target: scrape state, version, config reload, firewall snapshot age, "
        "failing collectors, watched ports and remote vantages that do not answer.",
        p.refs(
            p.query(f"max by ({HOST_KEY}) ({selector('up', HOST)})", table=True),
            p.query(f"max by ({HOST_KEY}, version, revision) ({selector('port_exporter_build_info', HOST)})",
                    table=True),
            p.query(f"max by ({HOST_KEY}) ({selector('port_exporter_config_last_reload_successful', HOST)})",
                    table=True),
            p.query(f"max by ({HOST_KEY}) ({selector('port_firewall_snapshot_age_seconds', HOST)})", table=True),
            p.query(f"sum by ({HOST_KEY}) (1 - {selector('port_exporter_collector_success', HOST)})", table=True),
            p.query(f"count by ({HOST_KEY}) ({selector('port_diagnosis', HOST)})", table=True),
            p.query(f"sum by ({HOST_KEY}) (1 - {selector('port_vantage_up', HOST)})", table=True),
        ),
        organize={
            "exclude": ["Time", "Value #B"],
            "order": ["instance", "Value #A", "version", "revision", "Value #C", "Value #D", "Value #E",
                      "Value #F", "Value #G", "job"],
            "rename": {"instance": "host", "Value #A": "scrape", "Value #C": "config",
                       "Value #D": "firewall snapshot age", "Value #E": "failing collectors",
                       "Value #F": "watched ports", "Value #G": "vantages down"},
        },
        overrides=[
            p.override("scrape", mappings=p.yes_no("up", "down"), cell=p.colored_cell()),
            p.override("config", mappings=p.yes_no("loaded", "reload failed"), cell=p.colored_cell()),
            p.override("firewall snapshot age", unit="s", cell=p.colored_cell(),
                       thresholds=p.thresholds("green", (config.FIREWALL_SNAPSHOT_MAX_AGE_SECONDS, "red"))),
            p.override("failing collectors", cell=p.colored_cell(), thresholds=failing),
            p.override("vantages down", cell=p.colored_cell(), thresholds=failing),
        ],
        links=p.runbook_links(config.EXPORTER_DOWN_ALERT, config.RELOAD_FAILED_ALERT,
                              config.EVIDENCE_STALE_ALERT),
    ), 24, 6)
    layout.add(p.state_timeline(
        "Collector success", "Whether each evidence collector read its evidence, per host.",
        [p.query(selector("port_exporter_collector_success", HOST), legend="{{instance}} {{collector}}")],
        mappings=p.yes_no("ok", "failed"),
        links=p.runbook_links(config.COLLECTOR_FAILING_ALERT),
    ), 12, 8)
    layout.add(p.time_series(
        "Collector duration", "Wall time of each collector in its last collection, per host.",
        [p.query(selector("port_exporter_collector_duration_seconds", HOST), legend="{{instance}} {{collector}}")],
        unit="s",
        links=p.runbook_links(config.COLLECTOR_FAILING_ALERT),
    ), 12, 8)
    layout.add(p.state_timeline(
        "Remote vantages",
        "Whether each remote PortExporter that gives a host its outside view answers. A vantage that does "
        "not answer means no outside view, never a blocked port.",
        [p.query(selector("port_vantage_up", HOST), legend="{{instance}} → {{vantage}}")],
        mappings=p.yes_no("answering", "not answering"),
        links=p.runbook_links(config.VANTAGE_DOWN_ALERT),
    ), 24, 6)


def build():
    layout = p.Layout()
    _summary(layout)
    _ports(layout)
    _alerts(layout)
    _health(layout)
    return p.dashboard(
        config.OVERVIEW_UID,
        config.OVERVIEW_TITLE,
        "Every port PortExporter watches: the root cause it names (the case's hypotheses A-E), whether "
        "the port answers from outside, firing alerts and the exporters' own health.",
        _variables(),
        layout.panels,
        [p.dashboards_link("PortExporter dashboards", include_vars=False),
         p.panel_link("Runbooks", config.RUNBOOK_BASE_URL + "README.md")],
    )
