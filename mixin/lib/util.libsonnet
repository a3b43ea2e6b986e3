// Small helpers shared by the rules, the alerts and the dashboards.
{
  // `metric{selector, extra...}`; the braces are dropped when nothing selects.
  sel(config, metric, extra=[]):: (
    local matchers = std.filter(function(m) m != '', [config.selector] + extra);
    if std.length(matchers) == 0 then metric else metric + '{' + std.join(', ', matchers) + '}'
  ),

  // The same with the vantages' selector (their own series: port_target_probe_*).
  vantageSel(config, metric, extra=[]):: self.sel(config { selector: config.vantageSelector }, metric, extra),

  join(labels):: std.join(', ', labels),
  hostKey(config):: self.join(config.hostLabels),
  portKey(config):: self.join(config.hostLabels + config.portLabels),
  fleetKey(config):: self.join([config.clusterLabel, 'job']),

  regex(words):: std.join('|', words),

  // A cause blamed on the outside probes (config causes: outsideAgrees): it counts only while the
  // outside verdict agrees.
  outsideAgrees(cause):: std.objectHas(cause, 'outsideAgrees') && cause.outsideAgrees,

  // Every cause the rules page on: the diagnoser's, then host_down.
  allCauses(config):: config.causes + [config.hostDownCause],

  runbookURL(config, alert):: config.runbookURLPattern % alert,

  // A dashboard URL with its variables taken from the alert's labels (Go template).
  dashboardURL(config, uid, vars):: (
    config.grafanaURL + '/d/' + uid + '?' +
    std.join('&', ['var-%s={{ $labels.%s | urlquery }}' % [v, v] for v in vars])
  ),

  portDashboardUID(config):: config.dashboardUIDPrefix + '-port',
  overviewDashboardUID(config):: config.dashboardUIDPrefix + '-overview',
}
