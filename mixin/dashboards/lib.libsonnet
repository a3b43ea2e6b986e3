// Panel, variable and link builders: every panel of both dashboards is made here, so they look
// alike. The shapes follow the dashboard model of @grafana/schema (tests/grafana type-checks the
// rendered JSON against it). Plain jsonnet objects, no library to vendor.
{
  local ds = { type: 'prometheus', uid: '${datasource}' },
  datasource:: ds,

  valueMappings(pairs):: [{
    type: 'value',
    options: {
      [std.toString(pairs[i][0])]: { color: pairs[i][2], index: i, text: pairs[i][1] }
      for i in std.range(0, std.length(pairs) - 1)
    },
  }],
  yesNo(one, zero, oneColor='green', zeroColor='red'):: self.valueMappings([['1', one, oneColor], ['0', zero, zeroColor]]),

  thresholds(base, steps=[]):: {
    mode: 'absolute',
    steps: [{ color: base, value: null }] + [{ color: s[1], value: s[0] } for s in steps],
  },

  fieldDefaults(unit=null, mappings=null, steps=null, colorMode='thresholds', custom=null, noValue=null,
                links=null, decimals=null, minimum=null)::
    (if custom != null then { custom: custom } else {})
    + {
      color: { mode: colorMode },
      mappings: if mappings == null then [] else mappings,
      thresholds: if steps == null then $.thresholds('green') else steps,
    }
    + (if unit != null then { unit: unit } else {})
    + (if decimals != null then { decimals: decimals } else {})
    + (if minimum != null then { min: minimum } else {})
    + (if noValue != null then { noValue: noValue } else {})
    + (if links != null then { links: links } else {}),

  local propertyIds = {
    mappings: 'mappings',
    cell: 'custom.cellOptions',
    width: 'custom.width',
    unit: 'unit',
    color: 'color',
    links: 'links',
    displayName: 'displayName',
    noValue: 'noValue',
    thresholds: 'thresholds',
    decimals: 'decimals',
  },
  // override('cause', [['mappings', ...], ['width', 160]]): properties in the given order.
  override(name, properties):: {
    matcher: { id: 'byName', options: name },
    properties: [{ id: propertyIds[p[0]], value: p[1] } for p in properties],
  },
  coloredCell:: { type: 'color-background', mode: 'basic' },
  fixedColor(color):: { mode: 'fixed', fixedColor: color },

  panelLink(title, url, newTab=true):: {
    asDropdown: false,
    icon: 'doc',
    includeVars: false,
    keepTime: false,
    tags: [],
    targetBlank: newTab,
    title: title,
    tooltip: '',
    type: 'link',
    url: url,
  },
  dataLink(title, url, newTab=false):: { title: title, url: url, targetBlank: newTab },
  dashboardsLink(title, tags, includeVars):: {
    asDropdown: false,
    icon: 'external link',
    includeVars: includeVars,
    keepTime: true,
    tags: tags,
    targetBlank: false,
    title: title,
    tooltip: '',
    type: 'dashboards',
  },

  query(expr, legend='', instant=false, table=false, ref='A')::
    { datasource: ds, editorMode: 'code', expr: expr, refId: ref }
    + (if table then { format: 'table' } else {})
    + (if instant || table then { instant: true, range: false } else { range: true })
    + (if legend != '' then { legendFormat: legend } else {}),
  refs(targets):: [targets[i] { refId: std.char(65 + i) } for i in std.range(0, std.length(targets) - 1)],

  local panel(kind, title, description, targets, defaults, options, overrides=[], links=[], transformations=null) =
    {
      type: kind,
      title: title,
      description: description,
      datasource: ds,
      targets: targets,
      fieldConfig: { defaults: defaults, overrides: overrides },
      options: options,
    }
    + (if transformations != null then { transformations: transformations } else {})
    + { links: links },
  local reduce = { calcs: ['lastNotNull'], fields: '', values: false },
  local legend(show=true, placement='bottom', mode='list') = { calcs: [], displayMode: mode, placement: placement, showLegend: show },
  local tooltip(mode='single') = { mode: mode, sort: 'none' },

  stat(title, description, targets, mappings=null, steps=null, unit=null, textMode='value', colorMode='background',
       noValue=null, links=[], overrides=[], decimals=null, color='thresholds')::
    panel('stat', title, description, targets,
          $.fieldDefaults(unit=unit, mappings=mappings, steps=steps, noValue=noValue, decimals=decimals, colorMode=color),
          {
            colorMode: colorMode,
            graphMode: 'none',
            justifyMode: 'auto',
            orientation: 'auto',
            percentChangeColorMode: 'standard',
            reduceOptions: reduce,
            showPercentChange: false,
            textMode: textMode,
            wideLayout: true,
          }, overrides=overrides, links=links),

  barGauge(title, description, targets, overrides=[], links=[])::
    panel('bargauge', title, description, targets,
          $.fieldDefaults(decimals=0, minimum=0, colorMode='fixed') + { color: { mode: 'fixed', fixedColor: 'text' } },
          {
            displayMode: 'basic',
            legend: legend(show=false),
            maxVizHeight: 300,
            minVizHeight: 16,
            minVizWidth: 8,
            namePlacement: 'auto',
            orientation: 'horizontal',
            reduceOptions: reduce,
            showUnfilled: true,
            sizing: 'auto',
            valueMode: 'color',
          }, overrides=overrides, links=links),

  // A table of instant queries, merged into one row per series key; columns named by `organize`:
  // {exclude: [...], order: [...], rename: {...}}.
  table(title, description, targets, organize, overrides=[], links=[], sort=null, rowLinks=null, merge=true)::
    panel('table', title, description, targets,
          $.fieldDefaults(custom={ align: 'auto', cellOptions: { type: 'auto' }, inspect: false }, links=rowLinks),
          { cellHeight: 'sm', frameIndex: 0, showHeader: true }
          + (if sort != null then { sortBy: [{ desc: s[1], displayName: s[0] } for s in sort] } else {}),
          overrides=overrides, links=links,
          transformations=(if merge then [{ id: 'merge', options: {} }] else []) + [{
            id: 'organize',
            options: {
              excludeByName: { [n]: true for n in std.get(organize, 'exclude', []) },
              indexByName: { [organize.order[i]]: i for i in std.range(0, std.length(std.get(organize, 'order', [])) - 1) },
              renameByName: std.get(organize, 'rename', {}),
            },
          }]),

  stateTimeline(title, description, targets, mappings, links=[], noValue=null)::
    panel('state-timeline', title, description, targets,
          $.fieldDefaults(custom={ fillOpacity: 80, lineWidth: 0 }, mappings=mappings, noValue=noValue),
          {
            alignValue: 'left',
            legend: legend(show=false),
            mergeValues: true,
            rowHeight: 0.9,
            showValue: 'auto',
            tooltip: tooltip(),
          }, links=links),

  timeSeries(title, description, targets, unit, links=[], decimals=null, noValue=null, stacked=false, overrides=[])::
    panel('timeseries', title, description, targets,
          $.fieldDefaults(custom={
            drawStyle: 'line',
            fillOpacity: if stacked then 60 else 10,
            lineInterpolation: 'linear',
            lineWidth: 1,
            pointSize: 4,
            showPoints: 'never',
            spanNulls: false,
          } + (if stacked then { stacking: { group: 'A', mode: 'normal' } } else {}),
                          unit=unit, colorMode='palette-classic', decimals=decimals, minimum=0, noValue=noValue),
          { legend: legend(), tooltip: tooltip('multi') }, overrides=overrides, links=links),

  row(title):: { type: 'row', title: title, collapsed: false, panels: [] },

  // Places panels left to right on Grafana's 24-column grid, wrapping to a new line, a row on a
  // line of its own, and numbers them 1, 2, 3... in reading order. Items: {panel, w, h} or {row}.
  layout(items)::
    local step(state, item) =
      local isRow = std.objectHas(item, 'row');
      local w = if isRow then 24 else item.w;
      local h = if isRow then 1 else item.h;
      local wrap = isRow && state.x > 0 || state.x + w > 24;
      local y = if wrap then state.y + state.lineHeight else state.y;
      local x = if wrap then 0 else state.x;
      local lh = if wrap then 0 else state.lineHeight;
      local placed = { id: std.length(state.panels) + 1, gridPos: { h: h, w: w, x: x, y: y } }
                     + (if isRow then $.row(item.row) else item.panel);
      if isRow then { panels: state.panels + [placed], x: 0, y: y + 1, lineHeight: 0 }
      else { panels: state.panels + [placed], x: x + w, y: y, lineHeight: std.max(lh, h) };
    std.foldl(step, items, { panels: [], x: 0, y: 0, lineHeight: 0 }).panels,

  datasourceVariable:: {
    hide: 0,
    includeAll: false,
    label: 'Data source',
    multi: false,
    name: 'datasource',
    options: [],
    query: 'prometheus',
    refresh: 1,
    regex: '',
    type: 'datasource',
  },

  labelValuesVariable(name, label, metric, matchers, display, multi=false, description='')::
    {
      datasource: ds,
      description: description,
      hide: 0,
      includeAll: multi,
      label: display,
      multi: multi,
      name: name,
      options: [],
      query: 'label_values(%s%s, %s)' % [metric, if std.length(matchers) > 0 then '{' + std.join(', ', matchers) + '}' else '', label],
      refresh: 2,
      regex: '',
      skipUrlSync: false,
      sort: if name == 'port' then 3 else 1,
      type: 'query',
    } + (if multi then { allValue: '.*' } else {}),

  dashboard(config, uid, title, description, variables, panels, links, graphTooltip=1):: {
    uid: uid,
    title: title,
    description: description,
    tags: config.dashboardTags,
    editable: true,
    graphTooltip: graphTooltip,
    schemaVersion: config.schemaVersion,
    refresh: config.dashboardRefresh,
    time: { from: config.dashboardTimeFrom, to: 'now' },
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    links: links,
    templating: { list: variables },
    panels: panels,
  },
}
