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
    local notRemote = 'vantage!~"%s"' % u.regex(c.insideVantages + c.localOutsideVantages),
    local probesFailed = '(%s == 0)' % sel('port_exporter_collector_success', ['collector="probes"']),
    local interval = if c.ruleInterval == null then {} else { interval: c.ruleInterval },
    // The outside probes that count for a port's verdict: the host's probe of its external address,
    // and the remote vantages that answer and are not broken. One selection of the probe series, one
    // set operation: a vantage that does not answer has no probe series at all (the exporter drops
    // its results with port_vantage_up 0), so only the broken vantages are left out here.
    local outsideProbes = |||
      %s
      unless on (%s, vantage) cluster_vantage:port_probe_failing_everywhere:group
    ||| % [sel('port_probe_success', [notInside]), fleet],
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

    // The probe series (hosts x ports x vantages) are the fleet's largest families, and selecting
    // them is most of a rule's cost: each group below makes at most one pass over one of them (the
    // remote vantages' health, the outside verdict, the inside view, the vantages' own probes), so no
    // group waits for several passes and Prometheus evaluates them side by side (tests/alerts/fleet
    // prints each group's evaluation time). A rule that reads another group's record sees it one
    // evaluation later at most.
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
              max by (%s, vantage) (%s)
              unless on (%s, vantage) (%s == 0)
            ||| % [host, sel('port_probe_success', [notRemote]), host, sel('port_vantage_up')],
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
        ],
      } + interval,
      {
        // The outside verdict of every port: one pass over the outside probes.
        name: 'port-exporter.outside',
        rules: (if c.minVantages == null then [
          {
            // The outside verdict: 0 when a majority of the port's outside probes fails (their
            // success ratio is below one half), 1 otherwise.
            record: 'port:port_probe_success_outside:quorum',
            expr: |||
              avg by (%s) (
                %s
              ) >= bool 0.5
              unless on (%s) %s
            ||| % [port, indent(outsideProbes, 2), host, probesFailed],
          },
        ] else [
          {
            // Outside probes that count, per port, and how many of them fail.
            record: 'port:port_probe_outside:count',
            expr: |||
              count by (%s) (
                %s
              )
              unless on (%s) %s
            ||| % [port, indent(outsideProbes, 2), host, probesFailed],
          },
          {
            record: 'port:port_probe_outside_failed:count',
            expr: |||
              sum by (%s) (
                1 - (
                  %s
                )
              )
              unless on (%s) %s
            ||| % [port, indent(outsideProbes, 4), host, probesFailed],
          },
          {
            // The outside verdict: 0 when at least minVantages of the port's outside probes (all
            // of them when fewer count) fail, 1 otherwise.
            record: 'port:port_probe_success_outside:quorum',
            expr: |||
              1 - (port:port_probe_outside_failed:count >= bool clamp_max(port:port_probe_outside:count, %d))
            ||| % c.minVantages,
          },
        ]) + [
          {
            // 1 for each port the outside verdict finds unreachable, absent otherwise: the sparse view
            // the pages and the fleet count read, so the 20,000-port verdict of a 1,000-host fleet is
            // read once per evaluation (here), not once by each of its readers.
            record: 'port:port_unreachable_outside:quorum',
            expr: '1 - port:port_probe_success_outside:quorum == 1\n',
          },
        ],
      } + interval,
      {
        // The inside view, and the case's signature beside the outside verdict.
        name: 'port-exporter.inside',
        rules: [
          {
            // Inside view: 0 when a probe from the host itself (loopback, internal address) failed.
            record: 'port:port_probe_success_inside:min',
            expr: |||
              min by (%s) (%s)
              unless on (%s) %s
            ||| % [port, sel('port_probe_success', ['vantage=~"%s"' % u.regex(c.insideVantages)]), host, probesFailed],
          },
          {
            // The case's signature: 1 when the port fails from outside and works from inside.
            record: 'port:port_unreachable_outside_only:bool',
            expr: |||
              (1 - port:port_probe_success_outside:quorum)
              * on (%s)
              port:port_probe_success_inside:min
            ||| % port,
          },
        ],
      } + interval,
      {
        // The outside view that outlives the host: the remote vantages' own probes of their
        // probe_targets, by the host they reach (`host:` = the host's instance label).
        name: 'port-exporter.vantages',
        rules: [
          {
            // Per probe target of a host, only while a quorum of the vantages that report it
            // (minVantages, or a majority) fails to reach it: 1, with instance = the target's host and
            // port = the port of its address. One pass over the vantages' probes; the relabelling only
            // touches the failing targets. Read by instance:port_host_down:group (PortHostDown) and
            // PortHostDown's description.
            record: 'instance_target:port_target_probe_unreachable:quorum',
            local by = std.join(', ', [c.clusterLabel, 'job', 'host', 'target', 'address', 'protocol']),
            local probes = u.vantageSel(c, 'port_target_probe_success', ['host!=""']),
            expr: |||
              label_replace(
                label_replace(
                  (
                    %s
                  ) == 1,
                  "instance", "$1", "host", "(.+)"
                ),
                "port", "$1", "address", ".*:([0-9]+)"
              )
            ||| % (if c.minVantages == null then 'avg by (%s) (%s) < bool 0.5' % [by, probes]
                   else 'sum by (%s) (1 - %s)\n      >= bool\n    clamp_max(count by (%s) (%s), %d)' % [by, probes, by, probes, c.minVantages]),
          },
          {
            // Per host: 1 while it is host_down (its exporter is not up, or has no up at all, and a
            // quorum of the vantages fails to reach at least one of its probe targets): what
            // PortHostDown pages for. Counted in the fleet (a rack or power failure is one page), and
            // the host's earlier port pages are held while it lasts (nothing fixed them).
            record: 'instance:port_host_down:group',
            expr: |||
              group by (%s) (
                instance_target:port_target_probe_unreachable:quorum
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
