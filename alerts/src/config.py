"""The one place to change what the PortExporter rules select, how fast they page and where they link.

Everything under alerts/ (rules.yml, alertmanager.yml) and deploy/kubernetes/prometheusrule.yaml is
rendered from this file, rules.py and alertmanager.py by render.py. Edit here, run
`python3 alerts/src/render.py`, commit the rendered files with the change.
"""

# Label matchers added to every selector of PortExporter's own series (comma-separated PromQL
# matchers, without braces). Empty selects the series of every job.
SELECTOR = 'job="port-exporter"'

# The labels that tell one PortExporter target (one host) from another. Every join between a port's
# evidence and its host's evidence (collector success, SELinux mode, vantage state) is `on` these.
# Add "cluster" (or similar) when one Prometheus or a global view holds several sites.
HOST_LABELS = ["job", "instance"]

# The labels every per-port series starts with.
PORT_LABELS = ["service", "port", "protocol"]

# `vantage` label values. Inside: probes from the host itself to loopback and its internal
# addresses. Local outside: the host's own probe of its configured external address. Every other
# vantage is a remote PortExporter asked through the host's `vantages:` config.
INSIDE_VANTAGES = ["loopback", "internal"]
LOCAL_OUTSIDE_VANTAGES = ["external"]

# Collectors whose failure means a local check could not be read: while one fails, no alert
# blames NAT or an upstream device.
LOCAL_COLLECTORS = ["network", "sockets", "processes", "firewall", "selinux", "probes"]

# Timing, for scrape and evaluation intervals of 15s to 30s (alerts/README.md has the arithmetic):
# - FOR_CAUSE >= the scrape interval: one bad scrape or one lost probe is visible for one interval
#   and never lasts a whole `for`.
# - FOR_CAUSE + the firewall refresh interval (30s) <= FOR_SYMPTOM: the cause reaches Alertmanager
#   no later than the symptom, so the inhibition is in place at the page's first notification.
# - With 15s intervals a root-cause alert pages within 75s of the outage (105s when the firewall
#   snapshot lags), the symptom alone within 105s: inside two minutes.
FOR_CAUSE = "30s"
FOR_SYMPTOM = "1m"
FOR_TARGET_DOWN = "5m"
FOR_COLLECTOR_FAILING = "2m"
FOR_VANTAGE_DOWN = "5m"
FOR_EVIDENCE_STALE = "2m"
FOR_RELOAD_FAILED = "5m"

# A collector is failing when it succeeded in less than this share of its collections over the window.
COLLECTOR_WINDOW = "10m"
COLLECTOR_MIN_SUCCESS_RATIO = 0.5

# The firewall snapshot is refreshed every 30s; older than this, its verdict is not trusted to
# blame the firewall, and PortExporterEvidenceStale fires.
FIREWALL_SNAPSHOT_MAX_AGE_SECONDS = 300

# Severities: PAGE goes to the pager route, TICKET to the ticket route of alertmanager.yml.
SEVERITY_PAGE = "critical"
SEVERITY_TICKET = "warning"

# runbook_url = RUNBOOK_BASE_URL + <AlertName> + ".md". Point it at your fork or internal wiki.
RUNBOOK_BASE_URL = "https://github.com/port-exporter/port-exporter/blob/main/docs/runbooks/"

# Rule group evaluation interval; None uses Prometheus' global evaluation_interval.
GROUP_INTERVAL = None

# Alertmanager example (alerts/alertmanager.yml).
ALERTMANAGER = {
    "pager_url": "http://127.0.0.1:5001/page",
    "ticket_url": "http://127.0.0.1:5001/ticket",
    # The labels that make two alerts "the same port": a root-cause alert inhibits the symptom
    # alert only when these are equal.
    "inhibit_equal": ["instance", "service", "port", "protocol"],
    # One notification group (one page) per broken port.
    "page_group_by": ["instance", "service", "port", "protocol"],
    "ticket_group_by": ["alertname", "instance"],
    # The first notification of a port waits this long for the rest of its alerts (the cause and
    # the symptom fire in the same evaluation at the latest).
    "page_group_wait": "15s",
    "page_group_interval": "1m",
    "page_repeat_interval": "1h",
    "ticket_group_wait": "1m",
    "ticket_group_interval": "5m",
    "ticket_repeat_interval": "12h",
}

# Kubernetes PrometheusRule object (deploy/kubernetes/prometheusrule.yaml).
KUBERNETES = {
    "name": "port-exporter",
    # Labels your Prometheus' ruleSelector matches (kube-prometheus-stack: release: <name>).
    "labels": {
        "app.kubernetes.io/name": "port-exporter",
        "app.kubernetes.io/component": "alerting-rules",
        "role": "alert-rules",
    },
    # None: the same SELECTOR as above. Set it when the operator's job label differs, e.g. 'job="monitoring/port-exporter"'.
    "selector": None,
}
