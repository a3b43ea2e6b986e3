// PortExporter's two dashboards: the fleet overview (cheap at 1,000 hosts: aggregates and the
// ports that are not ok, never one row per watched port) and one port, walked in the case's
// troubleshooting order.
local u = import '../lib/util.libsonnet';
local g = import 'lib.libsonnet';

{
  local c = $._config,
  local hostKey = std.join(', ', [c.clusterLabel, 'job', 'instance']),
  local portKey = std.join(', ', [c.clusterLabel, 'job', 'instance'] + c.portLabels),
  // The cluster variable is named after the cluster label: every query selects one cluster (series
  // without the label are cluster "", as in the rules), and the alerts' dashboard_url fills it in.
  local CLUSTER = ['%s="$%s"' % [c.clusterLabel, c.clusterLabel]],
  local sel(metric, matchers) = metric + '{' + std.join(', ', matchers) + '}',
  local runbook(alert) = u.runbookURL(c, alert),
  local runbookLinks(alerts) = [g.panelLink('Runbook: ' + a, runbook(a)) for a in alerts],
  local symptom = 'PortUnreachableFromOutside',
  local portUID = u.portDashboardUID(c),
  local overviewUID = u.overviewDashboardUID(c),
  local runbooksIndex = std.strReplace(c.runbookURLPattern, '%s', 'README'),

  // The diagnosis vocabulary (port_diagnosis{cause}) with the code a panel shows over time: ok,
  // the mixin's causes in the diagnoser's order, then unknown (evidence missing).
  local vocabulary =
    [{ cause: 'ok', code: 0, text: 'ok', color: 'green', alert: null }]
    + [c.causes[i] { code: i + 1 } for i in std.range(0, std.length(c.causes) - 1)]
    + [{ cause: 'unknown', code: std.length(c.causes) + 1, text: 'unknown (evidence missing)', color: 'yellow', alert: symptom }],
  local causeAlerts = [v.alert for v in vocabulary if v.alert != null],
  local causeMappings = g.valueMappings(
    [[v.cause, v.text, v.color] for v in vocabulary]
    + [[c.hostDownCause.cause, c.hostDownCause.text, c.hostDownCause.color]]
    + [[std.toString(v.code), v.text, v.color] for v in vocabulary]
  ),

  // One series per port whose value is the code of its current cause; a cause word this version
  // does not know shows as unknown, never dropped.
  local causeCode(matchers) =
    local known = vocabulary[0:std.length(vocabulary) - 1];
    local unknown = vocabulary[std.length(vocabulary) - 1];
    'max without (cause) (\n    '
    + std.join('\n  or\n    ',
               ['%s * %d' % [sel('port_diagnosis', matchers + ['cause="%s"' % v.cause]), v.code] for v in known]
               + ['%s * %d' % [sel('port_diagnosis', matchers + ['cause!~"%s"' % std.join('|', [v.cause for v in known])]), unknown.code]])
    + '\n)',
  // count(expr), or 0 while `population` has series ("0", not "No data", when nothing matches).
  local countOrZero(expr, population) = 'count(%s) or count(%s) * 0' % [expr, population],

  local alertStates = g.valueMappings([['firing', 'firing', 'red'], ['pending', 'pending', 'yellow']]),
  local reach = g.yesNo('reachable', 'unreachable'),
  local alertRegex = 'Port.*',
  local exporterSeries = 'port_exporter_build_info',
  local portSeries = 'port_diagnosis',
  local clusterVariable = g.labelValuesVariable(c.clusterLabel, c.clusterLabel, exporterSeries, [], c.clusterLabel,
                                                description='The cluster or site (the `%s` label; empty where the series do not carry it).' % c.clusterLabel),
  local jobVariable = g.labelValuesVariable('job', 'job', exporterSeries, CLUSTER, 'job', description='The Prometheus job that scrapes PortExporter.'),
  local redFromOne = g.thresholds('green', [[1, 'red']]),
  local evidenceLinks = runbookLinks(['PortExporterEvidenceMissing']),

  local overview = {
    local HOST = CLUSTER + ['job="$job"', 'instance=~"$instance"'],
    local PORT = HOST + ['service=~"$service"', 'port=~"$port"'],
    local portDashboardURL = '/d/' + portUID + '?${datasource:queryparam}'
                             + '&var-%s=${__data.fields.%s}' % [c.clusterLabel, c.clusterLabel]
                             + '&var-job=${__data.fields.job}&var-instance=${__data.fields.instance}'
                             + '&var-service=${__data.fields.service}&var-port=${__data.fields.port}'
                             + '&var-protocol=${__data.fields.protocol}&${__url_time_range}',
    local diagnosis = sel('port_diagnosis', PORT),
    local outside = sel('port:port_probe_success_outside:quorum', PORT),
    local unreachable = sel('port:port_unreachable_outside:quorum', PORT),
    local signature = sel('port:port_unreachable_outside_only:group', PORT),
    local notOk = sel('port_diagnosis', PORT + ['cause!="ok"']),
    local failingInside = sel('port:port_probe_failing_inside:group', PORT),
    local up = sel('up', HOST),
    local collectors = sel('port_exporter_collector_success', HOST),
    // The vantages' own probes of the selected hosts: instance is the vantage, host the probed host.
    local targetProbes(metric) = sel(metric, CLUSTER + ['job="$job"', 'host=~"$instance"']),

    variables: [
      g.datasourceVariable,
      clusterVariable,
      jobVariable,
      g.labelValuesVariable('instance', 'instance', exporterSeries, CLUSTER + ['job="$job"'], 'host', multi=true, description='PortExporter targets (one per host).'),
      g.labelValuesVariable('service', 'service', portSeries, HOST, 'service', multi=true, description='Watched services (the `name` of a port in the config).'),
      g.labelValuesVariable('port', 'port', portSeries, HOST + ['service=~"$service"'], 'port', multi=true),
    ],

    items: [
      { w: 4, h: 4, panel: g.stat('Watched ports', 'Ports PortExporter watches on the selected hosts.',
                                  [g.query('count(%s)' % diagnosis, instant=true)], colorMode='none') },
      { w: 4, h: 4, panel: g.stat('Ports not ok', 'Ports whose diagnosis is anything but ok: the table below names the cause.',
                                  [g.query(countOrZero(sel('port_diagnosis', PORT + ['cause!="ok"']), diagnosis), instant=true)], steps=redFromOne) },
      { w: 4, h: 4, panel: g.stat('Unreachable from outside',
                                  'Ports a quorum of the outside probes (the external address, remote vantages that answer and are not broken) cannot reach.',
                                  [g.query(countOrZero(unreachable, diagnosis), instant=true)], steps=redFromOne, links=runbookLinks([symptom])) },
      { w: 4, h: 4, panel: g.stat('Fails outside, works inside', "The case's signature: the port fails from outside and answers from the host itself.",
                                  [g.query(countOrZero(signature, diagnosis), instant=true)], steps=redFromOne, links=runbookLinks([symptom])) },
      { w: 4, h: 4, panel: g.stat('Exporters down', 'PortExporter targets Prometheus cannot scrape: their ports are not watched.',
                                  [g.query(countOrZero(up + ' == 0', up), instant=true)], steps=redFromOne, links=runbookLinks(['PortExporterDown', 'PortHostDown'])) },
      { w: 4, h: 4, panel: g.stat('Collectors failing', 'Evidence collectors that failed in their last collection: ports that need their evidence say unknown.',
                                  [g.query(countOrZero(collectors + ' == 0', collectors), instant=true)], steps=redFromOne, links=runbookLinks(['PortExporterCollectorFailing'])) },

      { row: 'Ports not ok' },
      { w: 16, h: 12, panel: g.table(
        'Ports not ok',
        'One row per watched port whose diagnosis is not ok (ok ports are counted above, not listed: the table stays short on a fleet): '
        + 'its cause, and whether it answers from outside and from the host itself. Click a row to walk the port\'s evidence.',
        g.refs([
          g.query(causeCode(PORT) + ' > 0', table=true),
          g.query('max by (%s) (%s) and on (%s) %s' % [portKey, outside, portKey, sel('port_diagnosis', PORT + ['cause!="ok"'])], table=true),
          // 1 when every probe from the host itself answers, 0 when one fails (sparse record: no series read per probe).
          g.query('group by (%(k)s) (%(notOk)s) unless on (%(k)s) %(fi)s or (group by (%(k)s) (%(notOk)s) and on (%(k)s) %(fi)s) * 0'
                  % { k: portKey, notOk: notOk, fi: failingInside }, table=true),
        ]),
        organize={
          exclude: ['Time', 'cause'],
          order: ['instance', 'service', 'port', 'protocol', 'Value #A', 'Value #B', 'Value #C', 'job'],
          rename: { instance: 'host', 'Value #A': 'cause', 'Value #B': 'outside', 'Value #C': 'inside' },
        },
        overrides=[
          g.override('cause', [['mappings', causeMappings], ['cell', g.coloredCell], ['width', 220]]),
          g.override('outside', [['mappings', reach], ['cell', g.coloredCell], ['noValue', 'not probed'], ['width', 120]]),
          g.override('inside', [['mappings', reach], ['cell', g.coloredCell], ['noValue', 'not probed'], ['width', 120]]),
        ],
        sort=[['cause', true]],
        rowLinks=[g.dataLink("Walk this port's evidence", portDashboardURL)],
        links=runbookLinks([symptom]),
      ) },
      { w: 8, h: 12, panel: g.barGauge(
        'Ports by cause', 'How many watched ports have each cause now.',
        [g.query('count by (cause) (%s)' % diagnosis, legend='{{cause}}', instant=true)],
        overrides=[g.override(v.cause, [['displayName', v.text], ['color', g.fixedColor(v.color)]]) for v in vocabulary],
      ) },
      { w: 24, h: 8, panel: g.timeSeries(
        'Ports not ok over time, by cause',
        'How many ports have each cause over the dashboard\'s time range (one line per cause, not per port).',
        [g.query('count by (cause) (%s)' % sel('port_diagnosis', PORT + ['cause!="ok"']), legend='{{cause}}')],
        unit='short', decimals=0, stacked=true, noValue='every port ok',
        overrides=[g.override(v.cause, [['displayName', v.text], ['color', g.fixedColor(v.color)]]) for v in vocabulary],
        links=runbookLinks(causeAlerts),
      ) },

      { row: 'Alerts' },
      { w: 24, h: 8, panel: g.table(
        'Firing alerts',
        "PortExporter's alerts, pending and firing, on the selected hosts and fleet-wide. A cause alert inhibits "
        + symptom + ' for the same port in Alertmanager, a fleet page the per-host pages of its cause. Click an alert name for its runbook.',
        [g.query(sel('ALERTS', ['alertname=~"%s"' % alertRegex] + CLUSTER + ['job="$job"', 'instance=~"$instance|"']), table=true)],
        organize={
          exclude: ['Time', 'Value', '__name__', 'job'],
          order: ['alertname', 'alertstate', 'severity', 'cause', 'instance', 'service', 'port', 'protocol'],
          rename: { instance: 'host' },
        },
        overrides=[
          g.override('alertname', [['links', [g.dataLink('Runbook', runbook('${__value.raw}'), newTab=true)]], ['width', 260]]),
          g.override('alertstate', [['mappings', alertStates], ['cell', g.coloredCell], ['width', 100]]),
          g.override('cause', [['mappings', causeMappings], ['cell', g.coloredCell], ['width', 220]]),
        ],
        sort=[['alertstate', false]],
        merge=false,
        links=runbookLinks([symptom, 'PortCauseOnManyHosts']),
      ) },

      { row: 'Exporter health and evidence' },
      { w: 24, h: 7, panel: g.table(
        'Exporters',
        'One row per PortExporter target: scrape state, version, config reload, firewall snapshot age, failing collectors, '
        + 'watched ports, remote vantages that do not answer, and the evidence it cannot read (skipped probes, unreadable audit log, unreadable processes).',
        g.refs([
          g.query('max by (%s) (%s)' % [hostKey, sel('up', HOST)], table=true),
          g.query('max by (%s, version, revision) (%s)' % [hostKey, sel('port_exporter_build_info', HOST)], table=true),
          g.query('max by (%s) (%s)' % [hostKey, sel('port_exporter_config_last_reload_successful', HOST)], table=true),
          g.query('max by (%s) (%s)' % [hostKey, sel('port_firewall_snapshot_age_seconds', HOST)], table=true),
          g.query('sum by (%s) (1 - %s)' % [hostKey, sel('port_exporter_collector_success', HOST)], table=true),
          g.query('count by (%s) (%s)' % [hostKey, sel('port_diagnosis', HOST)], table=true),
          g.query('sum by (%s) (1 - %s)' % [hostKey, sel('port_vantage_up', HOST)], table=true),
          g.query('max by (%s) (%s)' % [hostKey, sel('port_probes_skipped', HOST)], table=true),
          g.query('min by (%s) (%s)' % [hostKey, sel('port_selinux_audit_log_readable', HOST)], table=true),
          g.query('max by (%s) (%s)' % [hostKey, sel('port_exporter_processes_unreadable', HOST)], table=true),
        ]),
        organize={
          exclude: ['Time', 'Value #B'],
          order: ['instance', 'Value #A', 'version', 'revision', 'Value #C', 'Value #D', 'Value #E', 'Value #F', 'Value #G', 'Value #H', 'Value #I', 'Value #J', 'job'],
          rename: { instance: 'host', 'Value #A': 'scrape', 'Value #C': 'config', 'Value #D': 'firewall snapshot age',
                    'Value #E': 'failing collectors', 'Value #F': 'watched ports', 'Value #G': 'vantages down',
                    'Value #H': 'probes skipped', 'Value #I': 'audit log', 'Value #J': 'processes unreadable' },
        },
        overrides=[
          g.override('scrape', [['mappings', g.yesNo('up', 'down')], ['cell', g.coloredCell]]),
          g.override('config', [['mappings', g.yesNo('loaded', 'reload failed')], ['cell', g.coloredCell]]),
          g.override('firewall snapshot age', [['unit', 's'], ['cell', g.coloredCell], ['thresholds', g.thresholds('green', [[c.firewallSnapshotMaxAgeSeconds, 'red']])]]),
          g.override('failing collectors', [['cell', g.coloredCell], ['thresholds', redFromOne]]),
          g.override('vantages down', [['cell', g.coloredCell], ['thresholds', redFromOne]]),
          g.override('probes skipped', [['cell', g.coloredCell], ['thresholds', redFromOne]]),
          g.override('audit log', [['mappings', g.yesNo('readable', 'unreadable')], ['cell', g.coloredCell], ['noValue', 'SELinux off']]),
          g.override('processes unreadable', [['cell', g.coloredCell], ['thresholds', redFromOne]]),
        ],
        links=runbookLinks(['PortExporterDown', 'PortExporterConfigReloadFailed', 'PortExporterEvidenceStale', 'PortExporterEvidenceMissing']),
      ) },
      { w: 12, h: 8, panel: g.timeSeries(
        'Collectors not always succeeding',
        'Share of collections each collector succeeded in over the last ' + c.collectorWindow + ', for the host and collector pairs below 100 %: '
        + 'a collector failing one collection in three shows here long before it fails for good.',
        [g.query('avg_over_time(%s[%s]) < 1' % [sel('port_exporter_collector_success', HOST), c.collectorWindow], legend='{{instance}} {{collector}}')],
        unit='percentunit', noValue='every collector succeeds',
        links=runbookLinks(['PortExporterCollectorFailing']),
      ) },
      { w: 12, h: 8, panel: g.timeSeries(
        'Slowest collector', 'Wall time of each collector in its last collection, the slowest host per collector.',
        [g.query('max by (collector) (%s)' % sel('port_exporter_collector_duration_seconds', HOST), legend='{{collector}}')],
        unit='s', links=runbookLinks(['PortExporterCollectorFailing']),
      ) },
      { w: 12, h: 7, panel: g.timeSeries(
        'Remote vantages: hosts answered',
        'Share of the hosts each remote PortExporter answers. A vantage that does not answer means no outside view, never a blocked port.',
        [g.query('avg by (vantage) (%s)' % sel('port_vantage_up', HOST), legend='{{vantage}}')],
        unit='percentunit', links=runbookLinks(['PortExporterVantageDown']),
      ) },
      { w: 12, h: 7, panel: g.timeSeries(
        'Remote vantages: probes succeeding',
        'Share of each remote vantage\'s probes that succeed, fleet-wide. At 0 on many hosts the vantage is broken itself and is left out of the outside verdict.',
        [g.query('avg by (vantage) (%s)' % sel('port_probe_success', HOST + ['vantage!~"%s"' % u.regex(c.insideVantages + c.localOutsideVantages)]), legend='{{vantage}}')],
        unit='percentunit', links=runbookLinks(['PortExporterVantageFailingEverywhere']),
      ) },
      { w: 24, h: 6, panel: g.table(
        "Remote vantages: their own probes of the hosts",
        "Each remote vantage's own scheduled probes of its probe targets (port_target_probe_*, scraped from the vantage, not from the hosts: "
        + 'the outside view that outlives a dead host and decides host_down), of the hosts selected: targets probed, failing now, and the slowest probe. '
        + 'One instant evaluation per refresh, no range.',
        g.refs([
          g.query('count by (%s) (%s)' % [hostKey, targetProbes('port_target_probe_success')], instant=true, table=true),
          g.query('sum by (%s) (1 - %s)' % [hostKey, targetProbes('port_target_probe_success')], instant=true, table=true),
          g.query('max by (%s) (%s)' % [hostKey, targetProbes('port_target_probe_duration_seconds')], instant=true, table=true),
        ]),
        organize={
          exclude: ['Time', c.clusterLabel],
          order: ['instance', 'Value #A', 'Value #B', 'Value #C', 'job'],
          rename: { instance: 'vantage', 'Value #A': 'targets', 'Value #B': 'failing', 'Value #C': 'slowest probe' },
        },
        overrides=[
          g.override('failing', [['cell', g.coloredCell], ['thresholds', redFromOne]]),
          g.override('slowest probe', [['unit', 's']]),
        ],
        links=runbookLinks([c.hostDownCause.alert]),
      ) },
    ],

    dashboard: g.dashboard(
      c, overviewUID, c.dashboardTitlePrefix + 'Overview',
      'Every port PortExporter watches: how many are not ok and why (the case\'s hypotheses A-E), whether they answer from outside, '
      + "firing alerts and the exporters' own health, built to stay cheap on a fleet.",
      self.variables, g.layout(self.items),
      [g.dashboardsLink('PortExporter dashboards', c.dashboardTags, false), g.panelLink('Runbooks', runbooksIndex)],
    ),
  },

  local port = {
    local HOST = CLUSTER + ['job="$job"', 'instance="$instance"'],
    local PORT = HOST + ['service="$service"', 'port="$port"', 'protocol="$protocol"'],
    local series(metric) = sel(metric, PORT),
    local probeKey = 'vantage, address',

    variables: [
      g.datasourceVariable,
      clusterVariable,
      jobVariable,
      g.labelValuesVariable('instance', 'instance', portSeries, CLUSTER + ['job="$job"'], 'host', description='The PortExporter target (the host).'),
      g.labelValuesVariable('service', 'service', portSeries, HOST, 'service'),
      g.labelValuesVariable('port', 'port', portSeries, HOST + ['service="$service"'], 'port'),
      g.labelValuesVariable('protocol', 'protocol', portSeries, HOST + ['service="$service"', 'port="$port"'], 'protocol'),
    ],

    local selinuxLinks = runbookLinks(['PortDeniedBySelinux']),
    local probeLinks = runbookLinks([symptom, 'PortNatOrUpstreamBlocked', 'PortReachabilityFlapping']),

    items: [
      { row: 'Verdict' },
      { w: 6, h: 5, panel: g.stat(
        'Cause', 'The root cause PortExporter names for this port now. The rows below walk its evidence in the case\'s order; the panel links lead to each cause\'s runbook.',
        [g.query(causeCode(PORT), instant=true)], mappings=causeMappings, links=runbookLinks(causeAlerts)) },
      { w: 4, h: 5, panel: g.stat(
        'From outside', 'The outside verdict: unreachable when a quorum of the outside probes (external address, remote vantages that answer and are not broken) fails.',
        [g.query(series('port:port_probe_success_outside:quorum'), instant=true)], mappings=reach, noValue='not probed', links=runbookLinks([symptom])) },
      { w: 4, h: 5, panel: g.stat(
        'From inside', 'Probes from the host itself (loopback, its internal addresses).',
        [g.query('min by (%s) (%s)' % [portKey, sel('port_probe_success', PORT + ['vantage=~"%s"' % u.regex(c.insideVantages)])], instant=true)], mappings=reach, noValue='not probed', links=runbookLinks([symptom])) },
      { w: 10, h: 5, panel: g.table(
        'Alerts for this port', "PortExporter's alerts for this port, pending and firing.",
        [g.query(sel('ALERTS', ['alertname=~"%s"' % alertRegex] + PORT), table=true)],
        organize={ exclude: ['Time', 'Value', '__name__', 'job', 'instance', 'service', 'port', 'protocol'], order: ['alertname', 'alertstate', 'severity', 'cause'] },
        overrides=[
          g.override('alertname', [['links', [g.dataLink('Runbook', runbook('${__value.raw}'), newTab=true)]]]),
          g.override('alertstate', [['mappings', alertStates], ['cell', g.coloredCell]]),
          g.override('cause', [['mappings', causeMappings], ['cell', g.coloredCell]]),
        ],
        sort=[['alertstate', false]], merge=false, links=runbookLinks([symptom])) },

      { row: '1. Listening: ss -tuln, lsof -i :PORT' },
      { w: 4, h: 6, panel: g.stat(
        'Listening', 'Whether a socket listens on (UDP: is bound to) the port.',
        [g.query(series('port_listening'), instant=true)], mappings=g.yesNo('listening', 'not listening'), links=runbookLinks(['PortNotListening'])) },
      { w: 20, h: 6, panel: g.table(
        'Listeners', 'Every socket that listens on the port: its address, scope and process.',
        [g.query('max by (address, scope, process) (%s)' % series('port_listener_info'), table=true)],
        organize={ exclude: ['Time', 'Value'], order: ['address', 'scope', 'process'] },
        overrides=[g.override('scope', [['mappings', g.valueMappings([['wildcard', 'wildcard (all addresses)', 'green'], ['address', 'one address', 'blue'], ['loopback', 'loopback only', 'orange']])], ['cell', g.coloredCell]])],
        merge=false, links=runbookLinks(['PortNotListening', 'PortListeningOnLoopbackOnly'])) },

      { row: '2. Process and unit: ps aux, systemctl status, journalctl -u' },
      { w: 4, h: 5, panel: g.stat(
        'Process running', 'Whether the process configured for the port runs.',
        [g.query(series('port_process_running'), instant=true)], mappings=g.yesNo('running', 'not running'), noValue='not configured', links=runbookLinks(['PortProcessDown'])) },
      { w: 4, h: 5, panel: g.stat(
        'Unit active', 'Whether the systemd unit configured for the port is active.',
        [g.query(series('port_unit_active'), instant=true)], mappings=g.yesNo('active', 'not active'), noValue='not configured', links=runbookLinks(['PortProcessDown'])) },
      { w: 8, h: 5, panel: g.table(
        'Unit', 'The configured systemd unit and its state, as systemctl shows it.',
        [g.query('max by (unit, active_state, sub_state) (%s)' % series('port_unit_info'), table=true)],
        organize={ exclude: ['Time', 'Value'], order: ['unit', 'active_state', 'sub_state'], rename: { active_state: 'active', sub_state: 'sub' } },
        overrides=[g.override('active', [['mappings', g.valueMappings([
          ['active', 'active', 'green'], ['reloading', 'reloading', 'yellow'], ['activating', 'activating', 'yellow'],
          ['deactivating', 'deactivating', 'orange'], ['inactive', 'inactive', 'red'], ['failed', 'failed', 'dark-red'],
          ['unknown', 'unknown (systemd did not answer)', 'yellow'],
        ])], ['cell', g.coloredCell]])],
        merge=false, links=runbookLinks(['PortProcessDown'])) },
      { w: 8, h: 5, panel: g.stat(
        'Processes unreadable', 'Processes whose open files the exporter may not read (missing CAP_DAC_READ_SEARCH / CAP_SYS_PTRACE): above 0, a listener without a process is "not known", not "no process".',
        [g.query(sel('port_exporter_processes_unreadable', HOST), instant=true)], steps=redFromOne, noValue='not reported', links=evidenceLinks) },

      { row: '3. Firewall: iptables -L -n, nft list ruleset, firewall-cmd --list-all' },
      { w: 4, h: 7, panel: g.stat(
        'Promised sources', "Whether the firewall drops or rejects a new connection from a source the port's intent promises (each from: range; else outside for public, every internal network for internal), simulated on the ruleset (no packet is sent); unknown for a local port, which promises none.",
        [g.query(series('port_firewall_blocked'), instant=true)], mappings=g.yesNo('blocked', 'open', oneColor='red', zeroColor='green'), noValue='unknown', links=runbookLinks(['PortBlockedByFirewall'])) },
      { w: 20, h: 7, panel: g.table(
        'Deciding rule: outside vs inside', 'The rule (or chain policy) that decides a new connection from outside and from inside: blocked outside and open inside is the case\'s hypothesis A.',
        [g.query('max by (source, verdict, backend, table, chain, rule) (%s)' % series('port_firewall_verdict_info'), table=true)],
        organize={ exclude: ['Time', 'Value'], order: ['source', 'verdict', 'backend', 'table', 'chain', 'rule'] },
        overrides=[
          g.override('source', [['width', 90]]),
          g.override('verdict', [['mappings', g.valueMappings([['accept', 'accept', 'green'], ['drop', 'drop', 'red'], ['reject', 'reject', 'dark-red'], ['unknown', 'unknown', 'yellow']])], ['cell', g.coloredCell], ['width', 90]]),
          g.override('backend', [['width', 100]]),
        ],
        sort=[['source', true]], merge=false, links=runbookLinks(['PortBlockedByFirewall'])) },
      { w: 12, h: 6, panel: g.timeSeries(
        'Dropped packets', 'Packets per second the drop/reject rules matching the port throw away: traffic arrives and the firewall discards it. '
                           + 'Empty when a chain policy blocks (the kernel keeps no per-port counter for a policy) or the deciding rule has no counter.',
        [g.query('sum by (service, port, protocol) (rate(%s[$__rate_interval]))' % series('port_firewall_dropped_packets_total'), legend='dropped')],
        unit='pps', noValue='no rule counter (not blocked, or a chain policy blocks)', links=runbookLinks(['PortBlockedByFirewall'])) },
      { w: 6, h: 6, panel: g.stat(
        'Firewall backend', 'The firewall the host actually uses (the verdict is computed on its ruleset).',
        [g.query(sel('port_host_firewall_backend_info', HOST), legend='{{backend}}', instant=true)], textMode='name', colorMode='none', links=runbookLinks(['PortBlockedByFirewall'])) },
      { w: 6, h: 6, panel: g.stat(
        'Ruleset snapshot age', 'Age of the ruleset snapshot the verdict comes from; older than %ds raises PortExporterEvidenceStale.' % c.firewallSnapshotMaxAgeSeconds,
        [g.query(sel('port_firewall_snapshot_age_seconds', HOST), instant=true)], unit='s', steps=g.thresholds('green', [[c.firewallSnapshotMaxAgeSeconds, 'red']]), links=runbookLinks(['PortExporterEvidenceStale'])) },

      { row: '4. Connectivity per vantage: telnet from loopback, internal, external, remote' },
      { w: 12, h: 8, panel: g.table(
        'Probe results', 'Each probe of the port, from each vantage and to each address, with why it failed.',
        g.refs([
          g.query('max by (%s) (%s)' % [probeKey, series('port_probe_success')], table=true),
          g.query('max by (%s, reason) (%s)' % [probeKey, series('port_probe_failure_reason')], table=true),
          g.query('max by (%s) (%s)' % [probeKey, series('port_probe_duration_seconds')], table=true),
        ]),
        organize={ exclude: ['Time', 'Value #B'], order: ['vantage', 'address', 'Value #A', 'reason', 'Value #C'], rename: { 'Value #A': 'result', 'Value #C': 'duration' } },
        overrides=[
          g.override('result', [['mappings', g.yesNo('ok', 'failed')], ['cell', g.coloredCell]]),
          g.override('reason', [['mappings', g.valueMappings([['refused', 'refused', 'red'], ['timeout', 'timeout', 'orange'], ['unreachable', 'unreachable', 'purple'], ['reset', 'reset', 'dark-red'], ['dns', 'dns', 'yellow'], ['error', 'error', 'yellow']])], ['cell', g.coloredCell]]),
          g.override('duration', [['unit', 's']]),
        ],
        sort=[['vantage', false]], links=probeLinks) },
      { w: 12, h: 8, panel: g.stateTimeline(
        'Probe result over time', "Each probe's result over the dashboard's time range: a port that flaps shows as stripes.",
        [g.query(series('port_probe_success'), legend='{{vantage}} {{address}}')], mappings=g.yesNo('ok', 'failed'), links=probeLinks) },
      { w: 8, h: 7, panel: g.timeSeries(
        'Outside success ratio', 'Share of the last %s in which the outside verdict was "reachable": below %s with repeated changes pages PortReachabilityFlapping.' % [c.flappingWindow, c.flappingMaxSuccessRatio],
        [g.query('avg_over_time(%s[%s])' % [series('port:port_probe_success_outside:quorum'), c.flappingWindow], legend='outside')],
        unit='percentunit', links=probeLinks) },
      { w: 8, h: 7, panel: g.timeSeries(
        'Probe duration', 'Wall time of each probe: a timeout shows as the probe timeout.',
        [g.query(series('port_probe_duration_seconds'), legend='{{vantage}} {{address}}')], unit='s', links=probeLinks) },
      { w: 8, h: 7, panel: g.stateTimeline(
        'Remote vantages', 'Whether the remote PortExporters that give the outside view answer. Not answering means no outside view, never a blocked port.',
        [g.query(sel('port_vantage_up', HOST), legend='{{vantage}}')], mappings=g.yesNo('answering', 'not answering'), links=runbookLinks(['PortExporterVantageDown'])) },

      { row: '5. Bind address: ip addr, the service\'s bind setting' },
      { w: 6, h: 5, panel: g.stat(
        'On the outside path', 'Whether a listener accepts traffic on the address outside clients reach (the configured bind address, or the interface outside traffic arrives on).',
        [g.query(series('port_exposed'), instant=true)], mappings=g.yesNo('yes', 'no'), links=runbookLinks(['PortListeningOnLoopbackOnly', 'PortListeningOnWrongAddress'])) },
      { w: 18, h: 5, panel: g.stat(
        'Listeners by scope', 'How many listeners accept from every address, from one address, or only from loopback.',
        [g.query('count by (scope) (%s)' % series('port_listener_info'), legend='{{scope}}', instant=true)], textMode='value_and_name', color='fixed',
        overrides=[g.override(s[0], [['displayName', s[1]], ['color', g.fixedColor(s[2])]]) for s in [['wildcard', 'wildcard (all addresses)', 'green'], ['address', 'one address', 'blue'], ['loopback', 'loopback only', 'orange']]],
        links=runbookLinks(['PortListeningOnLoopbackOnly', 'PortListeningOnWrongAddress'])) },

      { row: '6. SELinux: getenforce, semanage port -l, /var/log/audit/audit.log' },
      { w: 4, h: 5, panel: g.stat(
        'Mode', 'SELinux mode now (only enforcing denies).',
        [g.query(sel('port_host_selinux_current_mode', HOST), instant=true)],
        mappings=g.valueMappings([['1', 'enforcing', 'orange'], ['0', 'permissive', 'blue'], ['-1', 'disabled', 'text']]), links=selinuxLinks) },
      { w: 4, h: 5, panel: g.stat(
        'Audit log', 'Whether the audit log can be read: unreadable means "no denial" is not evidence.',
        [g.query(sel('port_selinux_audit_log_readable', HOST), instant=true)],
        mappings=g.yesNo('readable', 'unreadable'), noValue='SELinux off', links=selinuxLinks + evidenceLinks) },
      { w: 4, h: 5, panel: g.stat(
        'Port type', 'The SELinux port type the policy gives this port and protocol (semanage port -l). Not known without SELinux, or when the policy does not name the port.',
        [g.query(series('port_selinux_port_type_info'), legend='{{type}}', instant=true)], textMode='name', colorMode='none', noValue='not known', links=selinuxLinks) },
      { w: 4, h: 5, panel: g.stat(
        'Port type as configured', 'Whether the port type is the `selinux_type` the config asks for.',
        [g.query(series('port_selinux_label_ok'), instant=true)], mappings=g.yesNo('yes', 'no'), noValue='not configured', links=selinuxLinks) },
      { w: 4, h: 5, panel: g.stat(
        'SELinux allows', '0 when the host enforces and the label is wrong or a denial was seen since the service last started.',
        [g.query(series('port_selinux_allowed'), instant=true)], mappings=g.yesNo('allowed', 'denied'), noValue='not judged (SELinux off)', links=selinuxLinks) },
      { w: 4, h: 5, panel: g.stat(
        'Denials in range', 'AVC denials for this port in the dashboard\'s time range, by permission (the counter since the exporter started is not shown: it would stay red after the fix).',
        [g.query('sum by (permission) (increase(%s[$__range]))' % series('port_selinux_denials_total'), legend='{{permission}}', instant=true)],
        textMode='value_and_name', steps=redFromOne, decimals=0, noValue='none', links=selinuxLinks) },
      { w: 24, h: 6, panel: g.timeSeries(
        'AVC denials', 'AVC denials per second for this port, by permission.',
        [g.query('sum by (permission) (rate(%s[$__rate_interval]))' % series('port_selinux_denials_total'), legend='{{permission}}')],
        unit='cps', links=selinuxLinks) },

      { row: '7. Diagnosis' },
      { w: 8, h: 7, panel: g.table(
        'Findings', 'Every cause that holds for the port; the first in the case\'s order is the cause. Fixing one will not clear the others.',
        [g.query('max by (cause) (%s)' % series('port_diagnosis_findings'), table=true)],
        organize={ exclude: ['Time', 'Value'], order: ['cause'] },
        overrides=[g.override('cause', [['mappings', causeMappings], ['cell', g.coloredCell]])],
        merge=false, links=runbookLinks(causeAlerts)) },
      { w: 16, h: 7, panel: g.stateTimeline(
        'Cause over time', "The port's cause over the dashboard's time range.",
        [g.query(causeCode(PORT), legend='cause')], mappings=causeMappings, links=runbookLinks(causeAlerts)) },
      { w: 16, h: 6, panel: g.stateTimeline(
        'Collectors on this host', 'Evidence the diagnosis needs comes from these collectors: while one fails, the causes that need its evidence cannot be named and the port says unknown.',
        [g.query(sel('port_exporter_collector_success', HOST), legend='{{collector}}')], mappings=g.yesNo('ok', 'failed'), links=runbookLinks(['PortExporterCollectorFailing'])) },
      { w: 8, h: 6, panel: g.stat(
        'Probes skipped', 'Probes of the last collection that could not start before the scrape deadline: their ports have no view from that vantage.',
        [g.query(sel('port_probes_skipped', HOST), instant=true)], steps=redFromOne, noValue='not reported', links=evidenceLinks) },
    ],

    dashboard: g.dashboard(
      c, portUID, c.dashboardTitlePrefix + 'Port',
      "One watched port on one host, laid out as the case's troubleshooting steps: listening, process and unit, firewall, "
      + 'connectivity per vantage, bind address, SELinux, and the diagnosis.',
      self.variables, g.layout(self.items),
      [g.dashboardsLink('PortExporter dashboards', c.dashboardTags, true), g.panelLink('Runbooks', runbooksIndex)],
    ),
  },

  grafanaDashboards+:: {
    'port-exporter-overview': overview.dashboard,
    'port-exporter-port': port.dashboard,
  },
}
