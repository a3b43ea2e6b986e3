"""The one place to change what PortExporter's dashboards select, how they look and where they link.

Both dashboards under grafana/dashboards/ are rendered from this file, promql.py, panels.py,
overview.py and port.py by generate.py. Edit here, run `python3 grafana/src/generate.py`, commit
the rendered JSON with the change.
"""

from collections import namedtuple

# Dashboard identity: stable, links and bookmarks depend on them.
OVERVIEW_UID = "port-exporter-overview"
OVERVIEW_TITLE = "PortExporter / Overview"
PORT_UID = "port-exporter-port"
PORT_TITLE = "PortExporter / Port"
TAGS = ["port-exporter"]

# Dashboard JSON schema version of current Grafana (12.x and 13.x write 42).
SCHEMA_VERSION = 42

REFRESH = "30s"
TIME_FROM = "now-6h"

# Every panel queries the data source chosen in the `datasource` variable: never a fixed uid.
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

# The labels that tell one PortExporter target (one host) from another, and one port of a host.
HOST_LABELS = ["job", "instance"]
PORT_LABELS = ["service", "port", "protocol"]

# The series the template variables read their values from: the exporter's own series.
EXPORTER_SERIES = "port_exporter_build_info"
PORT_SERIES = "port_diagnosis"

# runbook = RUNBOOK_BASE_URL + <AlertName> + ".md" (the same base as alerts/src/config.py).
RUNBOOK_BASE_URL = "https://github.com/port-exporter/port-exporter/blob/main/docs/runbooks/"

# Alerts whose ALERTS series the dashboards list.
ALERT_NAME_REGEX = "Port.*"

# "Cause since": how far back the overview looks for the moment a port's cause last changed, and
# at which resolution. Older than the window shows as the window itself (read "at least").
CHANGE_WINDOW = "1d"
CHANGE_WINDOW_SECONDS = 86400
CHANGE_STEP = "30s"

# The firewall snapshot is trusted up to this age (alerts/src/config.py: FIREWALL_SNAPSHOT_MAX_AGE_SECONDS).
FIREWALL_SNAPSHOT_MAX_AGE_SECONDS = 300

Cause = namedtuple("Cause", "word code text color hypothesis runbook")

# The diagnosis vocabulary (port_diagnosis{cause}), in the order the case reasons. `code` is the
# number a panel shows over time (state timeline, sorting); `runbook` the alert that pages with it.
CAUSES = [
    Cause("ok", 0, "ok", "green", "", None),
    Cause("process_down", 1, "process down (B)", "dark-red", "B", "PortProcessDown"),
    Cause("not_listening", 2, "not listening (B)", "red", "B", "PortNotListening"),
    Cause("loopback_only", 3, "loopback only (C)", "orange", "C", "PortListeningOnLoopbackOnly"),
    Cause("wrong_address", 4, "wrong address (C)", "dark-orange", "C", "PortListeningOnWrongAddress"),
    Cause("firewall_blocked", 5, "firewall blocked (A)", "purple", "A", "PortBlockedByFirewall"),
    Cause("selinux_denied", 6, "SELinux denied (D)", "dark-purple", "D", "PortDeniedBySelinux"),
    Cause("nat_or_upstream", 7, "NAT or upstream (E)", "blue", "E", "PortNatOrUpstreamBlocked"),
    # Evidence missing: the symptom alert's runbook walks the health checks.
    Cause("unknown", 8, "unknown (evidence missing)", "yellow", "", "PortUnreachableFromOutside"),
]

SYMPTOM_ALERT = "PortUnreachableFromOutside"

# Exporter health alerts (alerts/rules.yml, group port-exporter.exporter).
EXPORTER_DOWN_ALERT = "PortExporterDown"
COLLECTOR_FAILING_ALERT = "PortExporterCollectorFailing"
VANTAGE_DOWN_ALERT = "PortExporterVantageDown"
EVIDENCE_STALE_ALERT = "PortExporterEvidenceStale"
RELOAD_FAILED_ALERT = "PortExporterConfigReloadFailed"

# Other label vocabularies, word -> (text, colour).
PROBE_REASONS = {
    "refused": ("refused", "red"),
    "timeout": ("timeout", "orange"),
    "unreachable": ("unreachable", "purple"),
    "reset": ("reset", "dark-red"),
    "dns": ("dns", "yellow"),
    "error": ("error", "yellow"),
}
FIREWALL_VERDICTS = {
    "accept": ("accept", "green"),
    "drop": ("drop", "red"),
    "reject": ("reject", "dark-red"),
    "unknown": ("unknown", "yellow"),
}
LISTENER_SCOPES = {
    "wildcard": ("wildcard (all addresses)", "green"),
    "address": ("one address", "blue"),
    "loopback": ("loopback only", "orange"),
}
UNIT_STATES = {
    "active": ("active", "green"),
    "reloading": ("reloading", "yellow"),
    "activating": ("activating", "yellow"),
    "deactivating": ("deactivating", "orange"),
    "inactive": ("inactive", "red"),
    "failed": ("failed", "dark-red"),
    "unknown": ("unknown (systemd did not answer)", "yellow"),
}
ALERT_STATES = {
    "firing": ("firing", "red"),
    "pending": ("pending", "yellow"),
}
SELINUX_MODES = {
    "1": ("enforcing", "orange"),
    "0": ("permissive", "blue"),
    "-1": ("disabled", "text"),
}
