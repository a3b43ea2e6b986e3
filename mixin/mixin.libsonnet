// PortExporter's monitoring mixin: alerts, recording rules and dashboards, configured in one
// place (config.libsonnet). Render with mixin/render.sh.
(import 'config.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'alerts/alertmanager.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
