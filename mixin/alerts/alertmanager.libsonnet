// The example Alertmanager configuration (alerts/alertmanager.yml): pages per broken port, tickets
// per alert and cluster, and the inhibitions that make one fault one notification. `job` and the
// cluster label are in every grouping and every `equal:`, so nothing crosses clusters.
local u = import '../lib/util.libsonnet';

{
  alertmanagerConfig+:: {
    local c = $._config,
    local am = c.alertmanager,
    local fleet = [c.clusterLabel, 'job'],
    local perPort = fleet + ['instance'] + c.portLabels,
    local causes = u.regex([x.cause for x in u.allCauses(c)]),

    route: {
      receiver: 'tickets',
      group_by: fleet + ['alertname'],
      group_wait: am.ticketGroupWait,
      group_interval: am.ticketGroupInterval,
      repeat_interval: am.ticketRepeatInterval,
      routes: [
        {
          // Fleet pages: one notification per cause and cluster.
          receiver: 'pager',
          matchers: ['severity="%s"' % c.severityPage, 'scope="fleet"'],
          group_by: fleet + ['alertname', 'cause'],
          group_wait: am.pageGroupWait,
          group_interval: am.pageGroupInterval,
          repeat_interval: am.pageRepeatInterval,
        },
        {
          // A dead host: one notification for all its public ports (one alert per probe target).
          receiver: 'pager',
          matchers: ['severity="%s"' % c.severityPage, 'cause="%s"' % c.hostDownCause.cause],
          group_by: fleet + ['instance', 'alertname'],
          group_wait: am.pageGroupWait,
          group_interval: am.pageGroupInterval,
          repeat_interval: am.pageRepeatInterval,
        },
        {
          // Pages: one notification group per broken port (its cause, or the symptom alone).
          receiver: 'pager',
          matchers: ['severity="%s"' % c.severityPage],
          group_by: perPort,
          group_wait: am.pageGroupWait,
          group_interval: am.pageGroupInterval,
          repeat_interval: am.pageRepeatInterval,
        },
        {
          receiver: 'tickets',
          matchers: ['severity="%s"' % c.severityTicket],
        },
      ],
    },
    inhibit_rules: [
      {
        // A cause alert silences the case's symptom alert for the same port.
        source_matchers: ['cause=~"%s"' % causes],
        target_matchers: ['alertname="PortUnreachableFromOutside"'],
        equal: perPort,
      },
      {
        // A cause on many hosts is one fleet page: it silences the per-host pages of that cause.
        source_matchers: ['alertname="PortCauseOnManyHosts"'],
        target_matchers: ['cause=~"%s"' % causes, 'scope!="fleet"'],
        equal: fleet + ['cause'],
      },
      {
        // A dead host's page says its exporter is down: no ticket for that on top.
        source_matchers: ['alertname="%s"' % c.hostDownCause.alert],
        target_matchers: ['alertname="PortExporterDown"'],
        equal: fleet + ['instance'],
      },
    ],
    receivers: [
      { name: 'pager', webhook_configs: [{ url: am.pagerURL, send_resolved: true }] },
      { name: 'tickets', webhook_configs: [{ url: am.ticketURL, send_resolved: true }] },
    ],
  },
}
