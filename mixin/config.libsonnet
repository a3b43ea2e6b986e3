// The one place to change what PortExporter's alerts and dashboards select, how fast they page,
// how they group a fleet and where they link. Everything under alerts/, grafana/dashboards/ and
// deploy/kubernetes/prometheusrule.yaml is rendered from mixin/ by mixin/render.sh.
//
// Used as a library, override any key:
//   (import 'port-exporter-mixin/mixin.libsonnet') + { _config+:: { selector: 'job="ports"' } }
{
  _config+:: {
    // Label matchers added to every selector of PortExporter's series (PromQL matchers, no braces).
    selector: 'job="port-exporter"',

    // The label that tells one site/cluster from another. Every grouping, every fleet count and
    // every Alertmanager `equal:` carries it; a series without it counts as cluster "".
    clusterLabel: 'cluster',

    // One host = one PortExporter target; one port = a host's service, port and protocol.
    hostLabels: [self.clusterLabel, 'job', 'instance'],
    portLabels: ['service', 'port', 'protocol'],

    // `vantage` label values of the host's own probes. Inside: from the host itself. Local outside:
    // the host's probe of its external address. Every other vantage is a remote PortExporter.
    insideVantages: ['loopback', 'internal'],
    localOutsideVantages: ['external'],

    // The causes the exporter's diagnoser names (src/PortExporter.Core/Diagnosis/Diagnoser.cs: the
    // only place causes and their order are decided), each with the alert that pages with it.
    // The alerts read port_diagnosis{cause}; nothing here decides a cause. Adding a cause to the
    // diagnoser = one entry here (alert, runbook, Alertmanager inhibition and dashboards follow).
    causes: [
      { cause: 'process_down', alert: 'PortProcessDown', hypothesis: 'B', severity: 'critical', color: 'dark-red', text: 'process down (B)' },
      { cause: 'not_listening', alert: 'PortNotListening', hypothesis: 'B', severity: 'critical', color: 'red', text: 'not listening (B)' },
      { cause: 'not_accepting', alert: 'PortNotAccepting', hypothesis: 'B', severity: 'critical', color: 'semi-dark-red', text: 'not accepting (B)' },
      // A security finding, not an outage: reachable from where the port's intent says it must not be.
      { cause: 'exposed', alert: 'PortExposedAgainstIntent', hypothesis: 'intent', severity: 'warning', color: 'dark-yellow', text: 'exposed against intent' },
      { cause: 'loopback_only', alert: 'PortListeningOnLoopbackOnly', hypothesis: 'C', severity: 'critical', color: 'orange', text: 'loopback only (C)' },
      { cause: 'wrong_address', alert: 'PortListeningOnWrongAddress', hypothesis: 'C', severity: 'critical', color: 'dark-orange', text: 'wrong address (C)' },
      { cause: 'firewall_blocked', alert: 'PortBlockedByFirewall', hypothesis: 'A', severity: 'critical', color: 'purple', text: 'firewall blocked (A)' },
      { cause: 'selinux_denied', alert: 'PortDeniedBySelinux', hypothesis: 'D', severity: 'critical', color: 'dark-purple', text: 'SELinux denied (D)' },
      // Blamed on the outside probes: it counts (per host and in the fleet) only while the outside
      // verdict (a quorum, broken vantages left out) agrees, so one broken vantage pages nobody.
      { cause: 'nat_or_upstream', alert: 'PortNatOrUpstreamBlocked', hypothesis: 'E', severity: 'critical', color: 'blue', text: 'NAT or upstream (E)', outsideAgrees: true },
    ],
    // The one cause the rules decide, because a dead host cannot report it.
    hostDownCause: { cause: 'host_down', alert: 'PortHostDown', severity: 'critical', color: 'dark-red', text: 'host down' },

    // Severities: the page and ticket routes of alerts/alertmanager.yml.
    severityPage: 'critical',
    severityTicket: 'warning',

    // Time. A page keeps firing this long after its expression stops returning it: one failed
    // scrape, an exporter restart or a dead host never sends "resolved" (then "firing" again).
    keepFiringFor: '10m',
    // An alert that inhibits others keeps firing longer than the alerts it inhibits: a cause page
    // outlives the symptom of its port, a fleet page the per-host pages of its cause. The symptom
    // reads a recording rule of another group, so its expression ends up to a scrape and an
    // evaluation interval after its cause's; with equal keep_firing_for the cause resolved first
    // and the symptom paged alone ("cause unknown") at the end of every incident.
    keepFiringForCause: '12m',
    keepFiringForFleet: '14m',
    forCause: '30s',  // >= the scrape interval: one bad scrape never lasts a whole `for`
    forSymptom: '1m',  // forCause + the firewall refresh (30s): the cause is there to inhibit it
    forFlapping: '5m',
    forTargetDown: '5m',
    forCollectorFailing: '5m',
    forVantage: '5m',
    forEvidence: '10m',
    forEvidenceStale: '2m',
    forReloadFailed: '5m',
    forDrift: '5m',  // a restart or a deploy in progress is not drift yet

    // Ratios are strings: they are pasted into PromQL as written.
    // Flapping: the outside verdict succeeded in less than this share of the window, and changed
    // at least this often (one clean outage is not flapping).
    flappingWindow: '10m',
    flappingMaxSuccessRatio: '0.9',
    flappingMinChanges: 4,

    // A collector is failing when it succeeded in less than this share of its collections.
    collectorWindow: '10m',
    collectorMinSuccessRatio: '0.9',

    // Missing evidence is reported when it lasted (max_over_time) within this window.
    evidenceWindow: '10m',

    // The firewall snapshot is refreshed every 30 s; older than this, PortExporterEvidenceStale.
    firewallSnapshotMaxAgeSeconds: 300,

    // Outside verdict: a port is unreachable from outside when at least this many of its outside
    // probes (external + remote vantages that answer) fail; null = a majority of them.
    minVantages: null,

    // The outside view that outlives the host: each remote vantage is a PortExporter scraped like the
    // hosts (same job and cluster label as the hosts it probes) whose `probe_targets` name the host
    // they reach: `host:` = the `instance` label of that host's own PortExporter target (for example
    // `web1.example.net:10070`). Its port_target_probe_failure_reason{target, host, address, protocol}
    // and port_target_probes{host} are joined to the host's `up` on the cluster label, job and
    // instance = host. host_down is a quorum (minVantages, or a majority of the vantages that probe
    // the host) failing to reach at least one of its targets while the host's exporter is not up
    // (up == 0, or no up at all for that instance).
    // Matchers (no braces) of the vantages' series; targets without `host:` are left out.
    vantageSelector: self.selector,

    // Fleet: a cause on at least this many hosts and this share of a cluster's hosts (per job) is
    // one fleet page that inhibits the per-host pages of that cause.
    fleetMinHosts: 5,
    fleetMinRatio: '0.05',
    // A remote vantage whose probes fail for every target, on at least this many hosts, is broken
    // itself: one ticket, and no nat_or_upstream page is blamed on it.
    vantageMinHosts: 3,

    // Links. runbook_url = format(runbookURLPattern, alert name).
    runbookURLPattern: 'https://github.com/port-exporter/port-exporter/blob/main/docs/runbooks/%s.md',
    // dashboard_url = grafanaURL + /d/<uid>?var-... (the alert's labels filled in).
    grafanaURL: 'http://localhost:3000',

    // The config path of the shipped systemd unit (deploy/systemd): `diagnose` needs it to know the
    // watched ports when nothing listens.
    exporterConfigFile: '/etc/port-exporter/port-exporter.yml',
    // The reviewed baseline the exporter is started with (--baseline.file), named in PortSurfaceDrift.
    exporterBaselineFile: '/etc/port-exporter/baseline.yml',

    // Dashboards.
    dashboardTags: ['port-exporter'],
    dashboardUIDPrefix: 'port-exporter',
    dashboardTitlePrefix: 'PortExporter / ',
    dashboardRefresh: '30s',
    dashboardTimeFrom: 'now-6h',
    schemaVersion: 42,

    // Rule group evaluation interval; null uses Prometheus' global evaluation_interval.
    ruleInterval: null,
    // The flapping group's: it reads flappingWindow of every port's outside verdict, the largest read
    // of the bundle, and a 10-minute pattern needs no 10-second look (null: ruleInterval's).
    flappingRuleInterval: '1m',

    // Alertmanager example (alerts/alertmanager.yml).
    alertmanager: {
      pagerURL: 'http://127.0.0.1:5001/page',
      ticketURL: 'http://127.0.0.1:5001/ticket',
      pageGroupWait: '30s',
      pageGroupInterval: '1m',
      pageRepeatInterval: '1h',
      ticketGroupWait: '1m',
      ticketGroupInterval: '5m',
      ticketRepeatInterval: '12h',
    },

    // Kubernetes PrometheusRule (deploy/kubernetes/prometheusrule.yaml).
    kubernetes: {
      name: 'port-exporter',
      // Labels your Prometheus' ruleSelector matches (kube-prometheus-stack: release: <name>).
      labels: {
        'app.kubernetes.io/name': 'port-exporter',
        'app.kubernetes.io/component': 'alerting-rules',
        role: 'alert-rules',
      },
    },
  },
}
