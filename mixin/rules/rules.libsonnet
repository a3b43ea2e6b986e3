// Recording rules: the outside verdict (a quorum of the outside probes, broken vantages left out)
// and the fleet counts. They aggregate evidence over vantages, ports and hosts; no cause is decided
// here (the exporter's port_diagnosis names it).
local u = import '../lib/util.libsonnet';

{
  prometheusRules+:: {
    local c = $._config,
    local sel(metric, extra=[]) = u.sel(c, metric, extra),
    local host = u.hostKey(c),
    local port = u.portKey(c),
    local fleet = u.fleetKey(c),
    local notInside = 'vantage!~"%s"' % u.regex(c.insideVantages),
    local inside = 'vantage=~"%s"' % u.regex(c.insideVantages),
    local localOutside = 'vantage=~"%s"' % u.regex(c.localOutsideVantages),
    local remoteVantage = 'vantage!~"%s"' % u.regex(c.insideVantages + c.localOutsideVantages),
    local probesFailed = '(%s == 0)' % sel('port_exporter_collector_success', ['collector="probes"']),
    local interval = if c.ruleInterval == null then {} else { interval: c.ruleInterval },
    // The probe series (hosts x ports x vantages) are a fleet's largest families, and selecting a
    // series is most of a rule's cost. So no rule here reads them whole: a probe's failure has a
    // series of its own (port_probe_failure_reason, absent while it succeeds: a handful in a healthy
    // fleet), and the exporter counts the rest: port_outside_probes per port (the outside probes with
    // a result: the quorum's denominator) and port_vantage_probes_succeeded per host and remote vantage.
    // A vantage that does not answer has no probe series at all (the exporter drops its results with
    // port_vantage_up 0), so only the broken vantages are left out here.
    local outsideFailures = sel('port_probe_failure_reason', [notInside]),
    local brokenVantages = 'cluster_vantage:port_probe_failing_everywhere:group',
    local indent(text, n) = std.strReplace(std.rstripChars(text, '\n'), '\n', '\n' + std.repeat(' ', n)),

    // The fleet counts. They are evaluated in the group of the fleet alerts that read them
    // (alerts.libsonnet, port-exporter.fleet): a fleet page then takes as many evaluations as the
    // per-host pages it inhibits, and reaches Alertmanager within their group_wait.
    fleetRecords:: [
          {
            // Hosts per cluster and job on which each cause holds for at least one port; a cause
            // blamed on the outside probes only where the outside verdict agrees (one broken
            // vantage makes every host's exporter name nat_or_upstream: no fleet page for that).
            // host_down counts too (a rack or power failure), and a dead host still counts for the
            // cause its held page names: its per-host page fires on, so the fleet page that
            // inhibits it must too.
            record: 'cluster_cause:port_diagnosis_hosts:count',
            expr: |||
              count by (%(fleet)s, cause) (
                group by (%(host)s, cause) (
                    %(own)s == 1
                  or
                    (%(outside)s == 1 and on (%(port)s) port:port_unreachable_outside:quorum)
                  or
                    label_replace(instance:port_host_down:group, "cause", "%(hostDown)s", "", "")
                  or
                    (%(held)s and on (%(host)s) instance:port_host_down:group)
                )
              )
            ||| % { fleet: fleet, host: host, port: port, hostDown: c.hostDownCause.cause,
                    held: sel('ALERTS', ['alertstate="firing"', 'alertname=~"%s"' % u.regex([x.alert for x in c.causes])]),
                    own: sel('port_diagnosis', ['cause=~"%s"' % u.regex([x.cause for x in c.causes if !u.outsideAgrees(x)])]),
                    outside: sel('port_diagnosis', ['cause=~"%s"' % u.regex([x.cause for x in c.causes if u.outsideAgrees(x)])]) },
          },
          {
            record: 'cluster:port_exporter_hosts:count',
            expr: 'count by (%s) (%s)\n' % [fleet, sel('up')],
          },
    ],

    // Each group below reads at most one dense family (one series per port, or per host and vantage)
    // besides sparse ones, so Prometheus evaluates them side by side, each well within its interval
    // at 1,000 hosts x 20 ports (tests/alerts/fleet prints each group's evaluation time). A rule that
    // reads another group's record sees it one evaluation later at most.
    groups+: [
      {
        // The remote vantages' health: which vantage fails for every target (read by the outside
        // verdict); the per-vantage aggregates read a per-host intermediate.
        name: 'port-exporter.vantage-health',
        rules: [
          {
            // Per host and remote vantage: 1 when any probe it made of the host succeeded, 0 when
            // every one failed; absent while the vantage does not answer the host.
            record: 'instance_vantage:port_probe_success:max',
            expr: |||
              clamp_max(%s, 1)
              unless on (%s, vantage) (%s == 0)
            ||| % [sel('port_vantage_probes_succeeded'), host, sel('port_vantage_up')],
          },
          {
            // Per remote vantage (and cluster, job): 1 when any probe it made succeeded, 0 when
            // every one failed; the hosts it probed are counted beside it.
            record: 'cluster_vantage:port_probe_success:max',
            expr: 'max by (%s, vantage) (instance_vantage:port_probe_success:max)\n' % fleet,
          },
          {
            record: 'cluster_vantage:port_probe_hosts:count',
            expr: 'count by (%s, vantage) (instance_vantage:port_probe_success:max)\n' % fleet,
          },
          {
            // A vantage whose probes fail for every target on enough hosts is broken itself: its
            // probes are left out of every port's outside verdict.
            record: 'cluster_vantage:port_probe_failing_everywhere:group',
            expr: |||
              group by (%(fleet)s, vantage) (
                  cluster_vantage:port_probe_success:max == 0
                and
                  cluster_vantage:port_probe_hosts:count >= %(n)d
              )
            ||| % { fleet: fleet, n: c.vantageMinHosts },
          },
          {
            // Per remote vantage: what one of its failing probes weighs in the outside verdict
            // (port:port_unreachable_outside:quorum, 2F + X > N): 2 while it counts, 1 while the
            // vantage is broken (its probe then leaves the denominator rather than counting as a failure).
            record: 'cluster_vantage:port_probe_failure:weight',
            expr: |||
              cluster_vantage:port_probe_failing_everywhere:group
              or cluster_vantage:port_probe_success:max * 0 + 2
            |||,
          },
        ],
      } + interval,
      {
        // The outside verdict: the ports a quorum of their outside probes fails to reach, and the
        // case's signature beside it. Sparse records (a series only for a port that fails), each read
        // from the failures and one count per port.
        name: 'port-exporter.outside',
        rules: [
          {
            // 1 for each port the outside verdict finds unreachable, absent otherwise: a majority of
            // its outside probes that count fails (their success ratio is below one half), or with
            // minVantages, at least that many (all of them when fewer count). With N outside probes, X of
            // them failing from broken vantages and F failing of the rest, a majority is 2F > N - X:
            // compared as 2F + X > N, the failures summed with their vantage's weight (2, or 1 while it
            // is broken), so each family is read once and nothing per port is recorded on the way (a
            // vantage failing everywhere gives every port a failure: an intermediate record per port would
            // be as large as the probe families, created and dropped with the fault). What the pages and
            // the fleet count read.
            record: 'port:port_unreachable_outside:quorum',
            expr: if c.minVantages == null then |||
              group by (%(port)s) (
                  (
                    sum by (%(port)s) (
                        %(remote)s
                        * on (%(fleet)s, vantage) group_left ()
                        %(weight)s
                      or
                        2 * %(local)s
                    )
                    unless on (%(host)s) %(probesFailed)s
                  )
                > on (%(port)s)
                  %(count)s
              )
            ||| % args else |||
              group by (%(port)s) (
                  %(counted)s >= %(min)d
                or
                  (
                    count by (%(port)s) (%(outside)s)
                    >= on (%(port)s)
                    %(count)s
                  )
                  and on (%(port)s)
                  %(counted)s
              )
            ||| % args,
            // minVantages: F >= min, or F + X >= N with F > 0 (a port whose every failure comes from
            // broken vantages is not unreachable).
            local args = {
              port: port, fleet: fleet, host: host, probesFailed: probesFailed, min: c.minVantages,
              outside: outsideFailures,
              count: sel('port_outside_probes'),
              weight: 'cluster_vantage:port_probe_failure:weight',
              remote: sel('port_probe_failure_reason', [remoteVantage]),
              'local': sel('port_probe_failure_reason', [localOutside]),
              counted: indent(|||
                (
                  count by (%s) (
                    %s
                    unless on (%s, vantage) %s
                  )
                  unless on (%s) %s
                )
              ||| % [port, outsideFailures, fleet, brokenVantages, host, probesFailed], 4),
            },
          },
          {
            // 1 for each port a probe from the host itself (loopback, an internal address) fails to
            // reach, absent otherwise.
            record: 'port:port_probe_failing_inside:group',
            expr: |||
              group by (%s) (%s)
              unless on (%s) %s
            ||| % [port, sel('port_probe_failure_reason', [inside]), host, probesFailed],
          },
          {
            // The case's signature: 1 for each port that fails from outside while every probe from the
            // host itself answers, absent otherwise.
            record: 'port:port_unreachable_outside_only:group',
            expr: |||
              port:port_unreachable_outside:quorum
              unless on (%s) port:port_probe_failing_inside:group
            ||| % port,
          },
        ],
      } + interval,
      {
        // The outside verdict of every port as 0 or 1, for what needs its history (flapping, the
        // dashboards' graphs): one series per port, from the count and the sparse verdict.
        name: 'port-exporter.outside-history',
        rules: [
          {
            // 0 while the outside verdict finds the port unreachable, 1 otherwise: one series per port
            // with an outside probe. One evaluation behind the sparse verdict, so nothing that pages
            // reads it.
            record: 'port:port_probe_success_outside:quorum',
            expr: |||
              (
                  group by (%s) (%s)
                  unless on (%s) port:port_unreachable_outside:quorum
                  unless on (%s) %s
              )
              or
                port:port_unreachable_outside:quorum * 0
            ||| % [port, sel('port_outside_probes'), port, host, probesFailed],
          },
        ],
      } + interval,
      {
        // The outside view that outlives the host: the remote vantages' own probes of their
        // probe_targets, by the host they reach (`host:` = the host's instance label).
        name: 'port-exporter.vantages',
        rules: [
          {
            // Per host (instance = the host), only while a quorum of the vantages that probe it
            // (minVantages, or a majority) fails to reach at least one of its probe targets: 1.
            // From the failures' own series and one count per host and vantage
            // (port_target_probes), not one series per probe. Read by instance:port_host_down:group.
            record: 'instance:port_host_unreachable:quorum',
            local args = { f: fleet, m: c.minVantages,
                           fail: u.vantageSel(c, 'port_target_probe_failure_reason', ['host!=""']),
                           probes: u.vantageSel(c, 'port_target_probes', ['host!=""']) },
            expr: if c.minVantages == null then |||
              label_replace(
                group by (%(f)s, host) (
                    2 * count by (%(f)s, host) (group by (%(f)s, host, instance) (%(fail)s))
                  > on (%(f)s, host)
                    count by (%(f)s, host) (%(probes)s > 0)
                ),
                "instance", "$1", "host", "(.+)"
              )
            ||| % args else |||
              label_replace(
                group by (%(f)s, host) (
                    count by (%(f)s, host) (group by (%(f)s, host, instance) (%(fail)s)) >= %(m)d
                  or
                    count by (%(f)s, host) (group by (%(f)s, host, instance) (%(fail)s))
                  >= on (%(f)s, host)
                    count by (%(f)s, host) (%(probes)s > 0)
                ),
                "instance", "$1", "host", "(.+)"
              )
            ||| % args,
          },
          {
            // Per host: 1 while it is host_down (its exporter is not up, or has no up at all, and a
            // quorum of the vantages fails to reach at least one of its probe targets): what
            // PortHostDown pages for. Counted in the fleet (a rack or power failure is one page), and
            // the host's earlier port pages are held while it lasts (nothing fixed them).
            record: 'instance:port_host_down:group',
            expr: |||
              group by (%s) (
                instance:port_host_unreachable:quorum
                unless on (%s)
                  %s == 1
              )
            ||| % [host, host, sel('up')],
          },
        ],
      } + interval,
    ],
  },
}
