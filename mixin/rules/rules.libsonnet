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
    local notRemote = u.regex(c.insideVantages + c.localOutsideVantages),
    local remoteProbes = |||
      %s
      unless on (%s, vantage) (%s == 0)
    ||| % [sel('port_probe_success', ['vantage!~"%s"' % notRemote]), host, sel('port_vantage_up')],
    local probesFailed = '(%s == 0)' % sel('port_exporter_collector_success', ['collector="probes"']),
    local interval = if c.ruleInterval == null then {} else { interval: c.ruleInterval },

    groups+: [
      {
        name: 'port-exporter.outside',
        rules: [
          {
            // Per remote vantage (and cluster, job): 1 when any probe it made succeeded, 0 when
            // every one failed; the hosts it probed are counted beside it.
            record: 'cluster_vantage:port_probe_success:max',
            expr: 'max by (%s, vantage) (\n  %s\n)\n' % [fleet, std.strReplace(std.rstripChars(remoteProbes, '\n'), '\n', '\n  ')],
          },
          {
            record: 'cluster_vantage:port_probe_hosts:count',
            expr: 'count by (%s, vantage) (\n  count by (%s, vantage) (\n    %s\n  )\n)\n' % [fleet, host, std.strReplace(std.rstripChars(remoteProbes, '\n'), '\n', '\n    ')],
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
            // Outside probes that count, per port: the host's probe of its external address, and
            // the remote vantages that answer and are not broken.
            record: 'port:port_probe_outside:count',
            expr: |||
              count by (%(port)s) (
                  %(local)s
                or
                  (
                    %(remote)s
                    unless on (%(fleet)s, vantage) cluster_vantage:port_probe_failing_everywhere:group
                  )
              )
              unless on (%(host)s) %(probesFailed)s
            ||| % { port: port, host: host, fleet: fleet, probesFailed: probesFailed,
                    'local': sel('port_probe_success', ['vantage=~"%s"' % u.regex(c.localOutsideVantages)]),
                    remote: std.strReplace(std.rstripChars(remoteProbes, '\n'), '\n', '\n      ') },
          },
          {
            record: 'port:port_probe_outside_failed:count',
            expr: |||
              sum by (%(port)s) (
                  1 - %(local)s
                or
                  1 - (
                    %(remote)s
                    unless on (%(fleet)s, vantage) cluster_vantage:port_probe_failing_everywhere:group
                  )
              )
              unless on (%(host)s) %(probesFailed)s
            ||| % { port: port, host: host, fleet: fleet, probesFailed: probesFailed,
                    'local': sel('port_probe_success', ['vantage=~"%s"' % u.regex(c.localOutsideVantages)]),
                    remote: std.strReplace(std.rstripChars(remoteProbes, '\n'), '\n', '\n      ') },
          },
          {
            // The outside verdict: 0 when the port fails from a quorum of its outside probes
            // (minVantages, or a majority), 1 otherwise.
            record: 'port:port_probe_success_outside:quorum',
            expr: if c.minVantages == null then |||
              1 - (port:port_probe_outside_failed:count * 2 > bool port:port_probe_outside:count)
            ||| else |||
              1 - (port:port_probe_outside_failed:count >= bool clamp_max(port:port_probe_outside:count, %d))
            ||| % c.minVantages,
          },
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
            // Per probe target of a host: 0 when a quorum of the vantages that report it (minVantages,
            // or a majority) fails to reach it, 1 otherwise; instance = the target's host, port = the
            // port of its address. Read by PortHostDown while the host's own exporter is down.
            record: 'instance_target:port_target_probe_success:quorum',
            local by = std.join(', ', [c.clusterLabel, 'job', 'host', 'target', 'address', 'protocol']),
            local probes = u.vantageSel(c, 'port_target_probe_success', ['host!=""']),
            local failed = 'sum by (%s) (1 - %s)' % [by, probes],
            local total = 'count by (%s) (%s)' % [by, probes],
            expr: |||
              label_replace(
                label_replace(
                  1 - (
                      %s
                    %s
                      %s
                  ),
                  "instance", "$1", "host", "(.+)"
                ),
                "port", "$1", "address", ".*:([0-9]+)"
              )
            ||| % (if c.minVantages == null then [failed + ' * 2', '> bool', total]
                   else [failed, '>= bool', 'clamp_max(%s, %d)' % [total, c.minVantages]]),
          },
        ],
      } + interval,
      {
        name: 'port-exporter.fleet',
        rules: [
          {
            // Hosts per cluster and job on which each cause holds for at least one port; a cause
            // blamed on the outside probes only where the outside verdict agrees (one broken
            // vantage makes every host's exporter name nat_or_upstream: no fleet page for that).
            record: 'cluster_cause:port_diagnosis_hosts:count',
            expr: |||
              count by (%(fleet)s, cause) (
                group by (%(host)s, cause) (
                    %(own)s == 1
                  or
                    (%(outside)s == 1 and on (%(port)s) port:port_probe_success_outside:quorum == 0)
                )
              )
            ||| % { fleet: fleet, host: host, port: port,
                    own: sel('port_diagnosis', ['cause=~"%s"' % u.regex([x.cause for x in c.causes if !u.outsideAgrees(x)])]),
                    outside: sel('port_diagnosis', ['cause=~"%s"' % u.regex([x.cause for x in c.causes if u.outsideAgrees(x)])]) },
          },
          {
            record: 'cluster:port_exporter_hosts:count',
            expr: 'count by (%s) (%s)\n' % [fleet, sel('up')],
          },
        ],
      } + interval,
    ],
  },
}
