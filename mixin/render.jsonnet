// Every rendered file of the alert bundle, by path: `jsonnet -S -m OUT mixin/render.jsonnet`.
// Top-level arguments give the short-interval variants end-to-end tests use (never committed):
//   forDuration   every `for` and `keep_firing_for` set to this duration (a `for` longer than the
//                 symptoms' a multiple of it, see short())
//   keepFiringFor `keep_firing_for` of the symptoms set to this duration instead (survives a failed
//                 scrape at the test's scrape interval while `for` stays short)
//   margin        cause pages keep firing keepFiringFor + margin, fleet pages + 2 x margin (the order
//                 of keepFiringFor, keepFiringForCause, keepFiringForFleet); default keepFiringFor
//   webhook       both Alertmanager receivers sent to this URL
//   groupWait     every Alertmanager group_wait and group_interval
//   minVantages   the config's minVantages (a number) instead of a majority (its promtool test)
function(forDuration='', webhook='', groupWait='', keepFiringFor='', margin='', minVantages='')
  local seconds(d) = (
    local n(suffix) = std.parseInt(std.substr(d, 0, std.length(d) - 1));
    if std.endsWith(d, 'h') then 3600 * n('h') else if std.endsWith(d, 'm') then 60 * n('m') else n('s')
  );
  local keep = if keepFiringFor == '' then forDuration else keepFiringFor;
  local step = seconds(if margin == '' then keep else margin);
  local mixin = (import 'mixin.libsonnet') + (if forDuration == '' then {} else { _config+:: {
    keepFiringFor: keep,
    keepFiringForCause: '%ds' % (seconds(keep) + step),
    keepFiringForFleet: '%ds' % (seconds(keep) + 2 * step),
  } }) + (if minVantages == '' then {} else { _config+:: { minVantages: std.parseInt(minVantages) } });
  local c = mixin._config;
  local header = '# Rendered from mixin/ by mixin/render.sh: do not edit by hand.\n'
                 + '# Change mixin/config.libsonnet (selectors, thresholds, URLs) or the mixin, then re-render.\n';
  local yaml(v) = header + std.manifestYamlDoc(v, indent_array_in_object=true, quote_keys=false) + '\n';
  // Every `for` short, in the shipped order: an alert that waits longer than the symptom pages
  // (a ticket for the exporter that a host_down page inhibits) waits a multiple, up to 5x, longer.
  local short(rule) =
    if forDuration == '' || !std.objectHas(rule, 'alert') then rule
    else rule + { 'for': '%ds' % (seconds(forDuration) * std.min(5, std.max(1, std.ceil(seconds(rule['for']) / seconds(c.forSymptom))))) };
  local groups = [g { rules: [short(r) for r in g.rules] } for g in mixin.prometheusRules.groups + mixin.prometheusAlerts.groups];
  local am = mixin.alertmanagerConfig;
  local amShort = if webhook == '' then am else am {
    route+: { group_wait: groupWait, group_interval: groupWait, routes: [r + (if std.objectHas(r, 'group_wait') then { group_wait: groupWait, group_interval: groupWait } else {}) for r in am.route.routes] },
    receivers: [r { webhook_configs: [w { url: webhook } for w in r.webhook_configs] } for r in am.receivers],
  };
  if forDuration != '' || webhook != '' || minVantages != '' then {
    'rules.yml': yaml({ groups: groups }),
    'alertmanager.yml': yaml(amShort),
  } else {
    'alerts/rules.yml': yaml({ groups: groups }),
    'alerts/alertmanager.yml': yaml(am),
    'deploy/kubernetes/prometheusrule.yaml': yaml({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: c.kubernetes.name, labels: c.kubernetes.labels },
      spec: { groups: groups },
    }),
  } + {
    ['grafana/dashboards/%s.json' % name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ') + '\n'
    for name in std.objectFields(mixin.grafanaDashboards)
  }
