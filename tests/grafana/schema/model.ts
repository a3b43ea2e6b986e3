// The Grafana dashboard model the rendered dashboards must satisfy, from @grafana/schema (pinned in
// package.json). check.sh writes one file per dashboard, `const dashboard: CheckedDashboard = <JSON>;`,
// and type-checks it with tsc: a missing required field, an unknown field, a wrong type or a value
// outside an enum fails, with the path to it.
//
// What is checked beyond @grafana/schema's loose `Panel` (whose options, custom field config and
// queries are `Record<string, unknown>`): each panel's `options` against its plugin's `Options`, its
// `fieldConfig.defaults.custom` against the plugin's `FieldConfig`, and every query against the
// Prometheus query kind (Grafana's docs/sources/developers/kinds/composable/prometheusdataquery/
// schema-reference.md and packages/grafana-prometheus/src/dataquery.ts), which the package does not ship.

import type { DataQuery, DataSourceRef, Dashboard, FieldConfig, FieldConfigSource, Panel, RowPanel } from '@grafana/schema';
import type * as bargauge from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type * as stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as statetimeline from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type * as table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as timeseries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

// JSON cannot spell an enum member: accept the enum's values as literals. `${E}` turns a string enum
// into the union of its values; numeric enums already accept their member values.
export type Json<T> =
  T extends string ? `${T}` :
  T extends number | boolean | null | undefined ? T :
  T extends Array<infer U> ? Array<Json<U>> :
  T extends object ? { [K in keyof T]: Json<T[K]> } :
  T;

export interface PrometheusQuery extends Omit<DataQuery, 'datasource'> {
  datasource?: DataSourceRef;
  expr: string;
  editorMode?: 'code' | 'builder';
  exemplar?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  instant?: boolean;
  interval?: string;
  intervalFactor?: number;
  legendFormat?: string;
  range?: boolean;
}

type Defaults<Custom> = Json<Omit<FieldConfig, 'custom'>> & { custom?: Json<Custom> };

type PluginPanel<Type extends string, Options, Custom> =
  Json<Omit<Panel, 'type' | 'options' | 'fieldConfig' | 'targets'>> & {
    type: Type;
    options: Json<Options>;
    fieldConfig: Json<Omit<FieldConfigSource, 'defaults'>> & { defaults: Defaults<Custom> };
    targets: PrometheusQuery[];
  };

// Stat and bar gauge have no custom field config: `custom` must stay absent or empty.
type NoCustom = Record<string, never>;

export type CheckedPanel =
  | PluginPanel<'stat', stat.Options, NoCustom>
  | PluginPanel<'bargauge', bargauge.Options, NoCustom>
  | PluginPanel<'table', table.Options, table.FieldConfig>
  | PluginPanel<'state-timeline', statetimeline.Options, statetimeline.FieldConfig>
  | PluginPanel<'timeseries', timeseries.Options, timeseries.FieldConfig>
  | (Json<Omit<RowPanel, 'panels'>> & { panels: [] });

export type CheckedDashboard = Json<Omit<Dashboard, 'panels'>> & { panels: CheckedPanel[] };
