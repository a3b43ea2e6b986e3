// The alerts. Causes come from the exporter's diagnosis (port_diagnosis{cause}); PromQL adds only
// time (for, keep_firing_for, flapping) and the fleet (quorum, aggregation; inhibition is in
// Alertmanager, alertmanager.libsonnet).
local u = import '../lib/util.libsonnet';

{
  prometheusAlerts+:: {
    local c = $._config,
    local sel(metric, extra=[]) = u.sel(c, metric, extra),
    local host = u.hostKey(c),
    local port = u.portKey(c),
    local fleet = u.fleetKey(c),
    local interval = if c.ruleInterval == null then {} else { interval: c.ruleInterval },
    local indent(text, n) = std.strReplace(std.rstripChars(text, '\n'), '\n', '\n' + std.repeat(' ', n)),
    local page = { severity: c.severityPage },
    local ticket = { severity: c.severityTicket },

    // Go template snippets: queries select the alert's own port on its host.
    local portMatch = std.join(', ', [l + '=%q' for l in c.hostLabels + c.portLabels]),
    local portArgs = std.join(' ', ['$labels.' + l for l in c.hostLabels + c.portLabels]),
    local q(expr) = '(printf `' + std.strReplace(expr, '{PORT', '{' + portMatch) + '` ' + portArgs + ')',
    local where = '{{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) on {{ $labels.instance }}',
    local listeners =
      '{{ range $i, $l := query ' + q('port_listener_info{PORT}') + ' | sortByLabel "address" }}'
      + '{{ if $i }}, {{ end }}{{ $l.Labels.address }} ({{ $l.Labels.scope }}{{ with $l.Labels.process }}, {{ . }}{{ end }})'
      + '{{ else }}no listener{{ end }}',
    local outsideFailures =
      '{{ range $i, $p := query ' + q('port_probe_failure_reason{PORT, vantage!~"' + u.regex(c.insideVantages) + '"}')
      + ' | sortByLabel "vantage" }}{{ if $i }}; {{ end }}{{ $p.Labels.vantage }} -> {{ $p.Labels.address }}: {{ $p.Labels.reason }}'
      + '{{ else }}no failure reason reported{{ end }}',
    local firewallRule =
      '{{ range query ' + q('port_firewall_verdict_info{PORT, source="outside"}') + ' }}'
      + '{{ .Labels.verdict }} by {{ .Labels.backend }} {{ if .Labels.table }}table {{ .Labels.table }} chain {{ .Labels.chain }}: {{ end }}{{ .Labels.rule }}'
      + '{{ else }}verdict rule not reported{{ end }}'
      + '{{ range query ' + q('port_firewall_verdict_info{PORT, source="inside"}') + ' }}; from inside: {{ .Labels.verdict }}{{ end }}',
    // The from: ranges the port must be reachable from that the firewall blocks (source is a range, not outside/inside).
    local blockedRanges =
      '{{ range query ' + q('port_firewall_verdict_info{PORT, source!~"outside|inside", verdict=~"drop|reject"}') + ' | sortByLabel "source" }}'
      + '; must be reachable from {{ .Labels.source }}: {{ .Labels.verdict }} by {{ .Labels.backend }} {{ if .Labels.table }}table {{ .Labels.table }} chain {{ .Labels.chain }}: {{ end }}{{ .Labels.rule }}{{ end }}',
    // A host_down host's probe targets that remote vantages failed to reach in the last 5 minutes, and
    // the vantages' reasons (their own series: instance = the vantage), counted per vantage and reason.
    // Over 5 minutes, not at the instant: the alert is expanded in another group than the one that
    // records host_down, so its last expansion may come just after the failures are gone.
    local hostMatch(label) = c.clusterLabel + '=%q, job=%q, ' + label + '=%q',
    local hostArgs = '$labels.' + c.clusterLabel + ' $labels.job $labels.instance',
    local hostDownTargets =
      '{{ range $i, $t := query (printf `group by (target, address, protocol) (last_over_time(port_target_probe_failure_reason{' + hostMatch('host') + '}[5m]))` ' + hostArgs + ') | sortByLabel "target" }}'
      + '{{ if $i }}, {{ end }}{{ $t.Labels.target }} ({{ $t.Labels.address }}/{{ $t.Labels.protocol }}){{ else }}none left{{ end }}',
    local hostDownFailures =
      '{{ range $i, $p := query (printf `count by (instance, reason) (last_over_time(port_target_probe_failure_reason{' + hostMatch('host') + '}[5m]))` ' + hostArgs + ') | sortByLabel "reason" | sortByLabel "instance" }}'
      + '{{ if $i }}; {{ end }}{{ $p.Labels.instance }}: {{ $p.Labels.reason }} x{{ $p.Value }}{{ else }}no failure reason reported{{ end }}',
    local unitState =
      '{{ range query ' + q('port_unit_info{PORT}') + ' }}; unit {{ .Labels.unit }} is {{ .Labels.active_state }} ({{ .Labels.sub_state }}){{ end }}',
    local selinuxType =
      '{{ with query ' + q('port_selinux_port_type_info{PORT}') + ' }}{{ . | first | label "type" }}{{ else }}unlabelled{{ end }}'
      + '{{ with query ' + q('port_selinux_denials_total{PORT} > 0') + ' }}; AVC denials: '
      + '{{ range $i, $d := . | sortByLabel "permission" }}{{ if $i }}, {{ end }}{{ $d.Labels.permission }} x{{ $d.Value | humanize }}{{ end }}{{ end }}',
    // The exporter's timeline: the last evidence change before the port's diagnosis turned not-ok, when one was seen.
    local lastChange =
      '{{ with query ' + q('port_diagnosis_last_change_timestamp_seconds{PORT}') + ' }}{{ with . | first }} Last change before it broke: {{ .Labels.evidence }} changed at {{ .Value | humanizeTimestamp }}: {{ .Labels.change }}.{{ end }}{{ end }}',
    local diagnose = 'port-exporter diagnose --config.file=' + c.exporterConfigFile + ' --port {{ $labels.port }}',

    local portDashboard = u.dashboardURL(c, u.portDashboardUID(c), [c.clusterLabel, 'job', 'instance', 'service', 'port', 'protocol']),
    local hostDashboard = u.dashboardURL(c, u.overviewDashboardUID(c), [c.clusterLabel, 'job', 'instance']),
    local fleetDashboard = u.dashboardURL(c, u.overviewDashboardUID(c), [c.clusterLabel, 'job']),

    local annotations(alert, summary, description, dashboard) = {
      summary: summary,
      description: description,
      runbook_url: u.runbookURL(c, alert),
      dashboard_url: dashboard,
    },

    // What each cause's page says: the deciding evidence, read from the exporter's _info series.
    local causeText = {
      process_down: {
        summary: where + ' is down: its process is not running',
        description: 'The process or systemd unit configured for {{ $labels.service }} on {{ $labels.instance }} is not running' + unitState
                     + '. Nothing serves port {{ $labels.port }}/{{ $labels.protocol }}, from inside or outside (hypothesis B).',
      },
      not_listening: {
        summary: 'Nothing listens on ' + where,
        description: 'No socket on {{ $labels.instance }} listens on (UDP: is bound to) port {{ $labels.port }}/{{ $labels.protocol }} of {{ $labels.service }}'
                     + '{{ with query ' + q('port_process_running{PORT} == 1') + ' }}, although its process is running: it failed to bind or uses another port{{ end }}.'
                     + ' Clients are refused from inside and outside (hypothesis B).',
      },
      not_accepting: {
        summary: where + ' listens but takes no connections',
        description: '{{ $labels.service }} on {{ $labels.instance }} listens on port {{ $labels.port }}/{{ $labels.protocol }} (' + listeners
                     + '), but the accept queue is full and the local probes time out: the process is hung, deadlocked or overloaded, and the kernel drops new connections (hypothesis B).',
      },
      exposed: {
        summary: where + ' is reachable from where its intent forbids',
        description: '{{ $labels.service }} on {{ $labels.instance }} is declared '
                     + '{{ with query ' + q('port_intent_info{PORT}') + ' }}{{ . | first | label "expose" }} ({{ . | first | label "origin" }}){{ else }}with an unknown intent{{ end }}'
                     + ' but is reachable beyond it: listeners ' + listeners + '; firewall from outside: ' + firewallRule
                     + '. A security finding: close the listener or the firewall, or change the declared intent.',
      },
      loopback_only: {
        summary: where + ' listens only on loopback',
        description: '{{ $labels.service }} on {{ $labels.instance }} listens on port {{ $labels.port }}/{{ $labels.protocol }} only on loopback: '
                     + listeners + '. It answers on the host itself, not from the network (hypothesis C, bind address).',
      },
      wrong_address: {
        summary: where + ' listens on the wrong address',
        description: '{{ $labels.service }} on {{ $labels.instance }} listens on ' + listeners
                     + ', but not on the address outside clients reach (hypothesis C, bind address).',
      },
      firewall_blocked: {
        summary: 'The firewall on {{ $labels.instance }} blocks {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) from outside',
        description: 'New connections from outside to port {{ $labels.port }}/{{ $labels.protocol }} of {{ $labels.service }} on {{ $labels.instance }} are blocked: '
                     + firewallRule + blockedRanges + ' (hypothesis A).',
      },
      selinux_denied: {
        summary: 'SELinux on {{ $labels.instance }} denies {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }})',
        description: 'SELinux enforces on {{ $labels.instance }} and blocks {{ $labels.service }} on port {{ $labels.port }}/{{ $labels.protocol }}: port type '
                     + selinuxType + ' (hypothesis D).',
      },
      nat_or_upstream: {
        summary: where + ' answers inside but is not forwarded from outside',
        description: '{{ $labels.service }} on {{ $labels.instance }} passes every local check and answers the local probes, but a quorum of the outside probes fails: '
                     + outsideFailures + '. The NAT port mapping, load balancer, security group or an upstream device does not forward port {{ $labels.port }}/{{ $labels.protocol }} (hypothesis E).',
      },
    },
    // A cause the texts above do not know yet still pages, with a generic text.
    local textOf(cause) = if std.objectHas(causeText, cause.cause) then causeText[cause.cause] else {
      summary: where + ': ' + cause.text,
      description: 'PortExporter names the cause ' + cause.cause + ' for {{ $labels.service }} on {{ $labels.instance }}. Run \'' + diagnose + '\' on the host.',
    },


    // A port's page is held while its host is host_down: the host's own series are gone, nothing
    // fixed the port, and "resolved" would tell on-call it was. The page keeps firing (its own ALERTS
    // series, while instance:port_host_down:group lasts) beside PortHostDown, and resolves
    // keep_firing_for after the host is back and the port is fine (or fires on without a gap when it
    // is not). A host that is down without the vantages seeing it fail holds nothing.
    local heldWhileHostDown(expr, alert) = |||
      (
        %s
      )
      or on (%s)
        max without (alertname, alertstate) (%s)
        and on (%s)
          instance:port_host_down:group
    ||| % [indent(expr, 2), port, sel('ALERTS', ['alertname="%s"' % alert, 'alertstate="firing"']), host],

    local causeAlert(cause) = {
      alert: cause.alert,
      expr: heldWhileHostDown(|||
        %s == 1
      ||| % sel('port_diagnosis', ['cause="%s"' % cause.cause])
            + (if u.outsideAgrees(cause) then |||
        and on (%s)
          port:port_unreachable_outside:quorum
      ||| % port else ''), cause.alert),
      'for': c.forCause,
      keep_firing_for: c.keepFiringForCause,
      labels: { severity: cause.severity, cause: cause.cause },
      annotations: annotations(cause.alert, textOf(cause).summary, textOf(cause).description + lastChange, portDashboard),
    },

    groups+: [
      {
        name: 'port-exporter.ports',
        rules: [
          {
            // The case's alert: a quorum of the outside probes fails. A cause alert for the same
            // port inhibits it in Alertmanager; alone, it means the cause is unknown.
            alert: 'PortUnreachableFromOutside',
            expr: heldWhileHostDown('port:port_unreachable_outside:quorum\n', 'PortUnreachableFromOutside'),
            'for': c.forSymptom,
            keep_firing_for: c.keepFiringFor,
            labels: page,
            annotations: annotations(
              'PortUnreachableFromOutside',
              where + ' is unreachable from outside',
              'A quorum of the outside probes of {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) on {{ $labels.instance }} fails: '
              + outsideFailures + '. A cause alert for this port inhibits this one; if none follows, the cause is unknown:'
              + " check PortExporter's health alerts and run '" + diagnose + "' on the host.",
              portDashboard
            ),
          },
        ] + [causeAlert(x) for x in c.causes] + [
          {
            // The host's exporter is down (up == 0, or no up at all for its instance) and a quorum of
            // the remote vantages, whose own series outlive the host, fails to reach its probe targets:
            // the one cause the rules decide. One alert per host (instance:port_host_down:group), its
            // targets in the description: per-target alerts reach Alertmanager together, but one
            // pending longer than group_wait makes it flush the group at the first of them, so a dead
            // host paged twice, with part of its targets, then all of them.
            alert: c.hostDownCause.alert,
            expr: 'instance:port_host_down:group\n',
            'for': c.forSymptom,
            keep_firing_for: c.keepFiringForCause,
            labels: { severity: c.hostDownCause.severity, cause: c.hostDownCause.cause },
            annotations: annotations(
              c.hostDownCause.alert,
              '{{ $labels.instance }} is down: a quorum of the remote vantages fails to reach it',
              'Prometheus cannot scrape PortExporter on {{ $labels.instance }} and a quorum of the remote vantages fails to reach its probe targets: '
              + hostDownTargets + '. Their reasons: ' + hostDownFailures + '. The host, its network or its exporter is down, and its services with it as clients see them.',
              hostDashboard
            ),
          },
        ],
      } + interval,
      {
        // Flapping reads 10 minutes of every port's outside verdict: a group of its own, so the
        // ports' cause pages never wait for it, evaluated every flappingRuleInterval.
        name: 'port-exporter.flapping',
        rules: [
          {
            // Flapping: the outside verdict keeps changing and succeeds too rarely; no single
            // outage lasts a whole `for`, so no other page fires.
            alert: 'PortReachabilityFlapping',
            expr: |||
              avg_over_time(port:port_probe_success_outside:quorum[%(w)s]) < %(ratio)s
              and on (%(port)s)
                changes(port:port_probe_success_outside:quorum[%(w)s]) >= %(changes)d
            ||| % { w: c.flappingWindow, ratio: c.flappingMaxSuccessRatio, changes: c.flappingMinChanges, port: port },
            'for': c.forSymptom,
            keep_firing_for: c.keepFiringFor,
            labels: page,
            annotations: annotations(
              'PortReachabilityFlapping',
              where + ' flaps from outside',
              // The threshold, not $value: the ratio is read from a recording rule of another group, so
              // its newest sample may or may not be in the window yet (the dashboard shows the ratio).
              'The outside verdict of {{ $labels.service }} ({{ $labels.port }}/{{ $labels.protocol }}) on {{ $labels.instance }} succeeded in less than '
              + std.toString(std.parseJson(c.flappingMaxSuccessRatio) * 100) + '% of the last '
              + c.flappingWindow + ' and changed at least ' + c.flappingMinChanges + ' times: clients fail intermittently.',
              portDashboard
            ),
          }
        ],
      } + (if c.flappingRuleInterval == null then interval else { interval: c.flappingRuleInterval }),
      {
        // The fleet counts (rules.libsonnet) and the alerts that read them in one group: the fleet
        // page is pending at the evaluation that counts the hosts, as a per-host page is at the
        // evaluation that reads its port_diagnosis, so it reaches Alertmanager within the per-host
        // pages' group_wait and inhibits them before their first notification.
        name: 'port-exporter.fleet',
        rules: $.prometheusRules.fleetRecords + [
          {
            // One cause on many hosts at once (a bad firewall push, a broken image): one page,
            // which inhibits the per-host pages of the cause in Alertmanager.
            alert: 'PortCauseOnManyHosts',
            expr: |||
              cluster_cause:port_diagnosis_hosts:count >= %(n)d
              and
                cluster_cause:port_diagnosis_hosts:count / on (%(fleet)s) group_left cluster:port_exporter_hosts:count >= %(ratio)s
            ||| % { n: c.fleetMinHosts, ratio: c.fleetMinRatio, fleet: fleet },
            'for': c.forCause,
            keep_firing_for: c.keepFiringForFleet,
            labels: page { scope: 'fleet' },
            annotations: annotations(
              'PortCauseOnManyHosts',
              '{{ $labels.cause }} on {{ $value }} hosts of {{ $labels.job }}{{ with $labels.' + c.clusterLabel + ' }} in ' + c.clusterLabel + ' {{ . }}{{ end }}',
              '{{ if eq $labels.cause "' + c.hostDownCause.cause + '" }}{{ $value }} hosts of {{ $labels.job }} are down at once: Prometheus cannot scrape their PortExporter '
              + 'and a quorum of the remote vantages fails to reach them. A rack, power, network or hypervisor failure, not {{ $value }} broken hosts. '
              + 'Their per-host ' + c.hostDownCause.cause + ' pages are inhibited; their earlier pages keep firing while they are down; the overview lists the hosts.'
              + '{{ else }}PortExporter names the cause {{ $labels.cause }} on {{ $value }} hosts at once: a change that reached many hosts, not one broken host. '
              + 'The per-host pages of this cause are inhibited; the overview lists the hosts.{{ end }}',
              fleetDashboard
            ),
          },
          {
            // A remote vantage whose probes fail for every target on many hosts: the vantage is
            // broken, not the hosts. Its probes leave the outside verdict (recording rules).
            alert: 'PortExporterVantageFailingEverywhere',
            expr: 'cluster_vantage:port_probe_failing_everywhere:group\n',
            'for': c.forVantage,
            labels: ticket { scope: 'fleet' },
            annotations: annotations(
              'PortExporterVantageFailingEverywhere',
              'Remote vantage {{ $labels.vantage }} fails to reach every target',
              'Every probe of remote vantage {{ $labels.vantage }} fails, on every host of {{ $labels.job }} it probes: the vantage or its network is broken. '
              + 'Its probes are left out of the outside verdict, so no nat_or_upstream page is blamed on it.',
              fleetDashboard
            ),
          },
          {
            alert: 'PortExporterVantageDown',
            expr: 'max by (%s, vantage) (%s) == 0\n' % [fleet, sel('port_vantage_up')],
            'for': c.forVantage,
            labels: ticket { scope: 'fleet' },
            annotations: annotations(
              'PortExporterVantageDown',
              'Remote vantage {{ $labels.vantage }} does not answer',
              'The remote PortExporter {{ $labels.vantage }} has answered no host of {{ $labels.job }} for ' + c.forVantage
              + '. Its probes are ignored: the outside view it gave is unknown, and no page fires from it.',
              fleetDashboard
            ),
          },
        ],
      } + interval,
      {
        // The reviewed surface (port-exporter baseline): what changed since it was committed.
        name: 'port-exporter.baseline',
        rules: [
          {
            alert: 'PortSurfaceDrift',
            expr: '%s == 1\n' % sel('port_baseline_drift'),
            'for': c.forDrift,
            labels: ticket,
            annotations: annotations(
              'PortSurfaceDrift',
              where + ' differs from its baseline: {{ $labels.kind }}',
              '{{ if eq $labels.kind "new_port" }}{{ $labels.service }} on {{ $labels.instance }} is watched but not in the reviewed baseline: a new exposure. Confirm it is meant to be reachable'
              + '{{ else if eq $labels.kind "gone_port" }}{{ $labels.service }} on {{ $labels.instance }} is in the reviewed baseline but no longer watched'
              + '{{ else }}The {{ $labels.kind }} of {{ $labels.service }} on {{ $labels.instance }} is not what the reviewed baseline says{{ end }}'
              + ". The change itself: 'port-exporter baseline --check " + c.exporterBaselineFile + ' --config.file=' + c.exporterConfigFile
              + "' on the host, or /diagnose. Undo it, or review it and commit a new baseline.",
              portDashboard
            ),
          },
          {
            // A baseline that does not load leaves drift unknown: PortSurfaceDrift cannot fire.
            alert: 'PortExporterBaselineLoadFailed',
            expr: '%s == 0\n' % sel('port_baseline_load_success'),
            'for': c.forReloadFailed,
            labels: ticket,
            annotations: annotations(
              'PortExporterBaselineLoadFailed',
              'PortExporter on {{ $labels.instance }} cannot load its baseline file',
              'The last load of the baseline file on {{ $labels.instance }} (at start or reload) failed: drift from the reviewed surface is unknown and '
              + "PortSurfaceDrift cannot fire. The log names the file, line and what was expected; 'port-exporter baseline --check " + c.exporterBaselineFile
              + ' --config.file=' + c.exporterConfigFile + "' on the host says the same (exit 2).",
              hostDashboard
            ),
          },
        ],
      } + interval,
      {
        name: 'port-exporter.exporter',
        rules: [
          {
            alert: 'PortExporterDown',
            expr: '%s == 0\n' % sel('up'),
            'for': c.forTargetDown,
            labels: ticket,
            annotations: annotations(
              'PortExporterDown',
              'PortExporter {{ $labels.instance }} cannot be scraped',
              'Prometheus has not scraped {{ $labels.job }} target {{ $labels.instance }} for ' + c.forTargetDown
              + ': its ports are not watched; their last pages keep firing for ' + c.keepFiringFor
              + ', and ' + c.hostDownCause.alert + ' pages where remote vantages see the ports fail.',
              hostDashboard
            ),
          },
          {
            alert: 'PortExporterCollectorFailing',
            expr: 'avg_over_time(%s[%s]) < %s\n' % [sel('port_exporter_collector_success'), c.collectorWindow, c.collectorMinSuccessRatio],
            'for': c.forCollectorFailing,
            labels: ticket,
            annotations: annotations(
              'PortExporterCollectorFailing',
              "PortExporter's {{ $labels.collector }} collector is failing on {{ $labels.instance }}",
              'The {{ $labels.collector }} collector of {{ $labels.instance }} succeeded in only {{ $value | humanizePercentage }} of its collections over the last '
              + c.collectorWindow + '. Its evidence is missing in those collections: the diagnosis says unknown there and a cause can hide. The exporter logs why (one line per failure).',
              hostDashboard
            ),
          },
          {
            // Evidence the diagnosis cannot see: probes skipped at the scrape deadline, an
            // unreadable audit log (no denial is not evidence), processes whose sockets are hidden.
            alert: 'PortExporterEvidenceMissing',
            expr: std.join('or\n', [
              'label_replace(%s, "evidence", "%s", "", "")\n' % x
              for x in [
                ['max_over_time(%s[%s]) > 0' % [sel('port_probes_skipped'), c.evidenceWindow], 'probes_skipped'],
                ['min_over_time(%s[%s]) == 0' % [sel('port_selinux_audit_log_readable'), c.evidenceWindow], 'selinux_audit_log'],
                ['min_over_time(%s[%s]) > 0' % [sel('port_exporter_processes_unreadable'), c.evidenceWindow], 'processes_unreadable'],
              ]
            ]),
            'for': c.forEvidence,
            labels: ticket,
            annotations: annotations(
              'PortExporterEvidenceMissing',
              'PortExporter on {{ $labels.instance }} misses evidence: {{ $labels.evidence }}',
              '{{ if eq $labels.evidence "probes_skipped" }}Probes were skipped at the scrape deadline ({{ $value }} in one collection): their ports have no outside or inside view.'
              + '{{ else if eq $labels.evidence "selinux_audit_log" }}The SELinux audit log cannot be read: "no AVC denial" is not evidence, selinux_denied can hide.'
              + '{{ else }}{{ $value }} processes cannot be read (missing CAP_DAC_READ_SEARCH / CAP_SYS_PTRACE): listeners have no owner, process checks can be wrong.{{ end }}',
              hostDashboard
            ),
          },
          {
            alert: 'PortExporterEvidenceStale',
            expr: 'max by (%s) (%s) > %d\n' % [host, sel('port_firewall_snapshot_age_seconds'), c.firewallSnapshotMaxAgeSeconds],
            'for': c.forEvidenceStale,
            labels: ticket,
            annotations: annotations(
              'PortExporterEvidenceStale',
              "PortExporter's firewall evidence on {{ $labels.instance }} is too old",
              'The firewall snapshot of {{ $labels.instance }} is {{ $value | humanizeDuration }} old (refreshed every 30s). The firewall verdicts, and the causes named from them, are out of date.',
              hostDashboard
            ),
          },
          {
            alert: 'PortExporterConfigReloadFailed',
            expr: '%s == 0\n' % sel('port_exporter_config_last_reload_successful'),
            'for': c.forReloadFailed,
            labels: ticket,
            annotations: annotations(
              'PortExporterConfigReloadFailed',
              'PortExporter on {{ $labels.instance }} failed to reload its config',
              'The last config reload of {{ $labels.instance }} failed; it still watches the ports of the previous config. The log names the file, key and what was expected.',
              hostDashboard
            ),
          },
        ],
      } + interval,
    ],
  },
}
