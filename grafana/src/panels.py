"""Panel, variable and link builders: every panel of both dashboards is made here, so they look alike.

The shapes follow the dashboard model of @grafana/schema (the test type-checks the rendered JSON
against it): panel options are the panel plugin's `Options`, `fieldConfig.defaults.custom` its
`FieldConfig`, and every query a Prometheus query with `refId` and `expr`.
"""

import config

# ---------------------------------------------------------------------------------------------
# Value mappings and colours


def value_mappings(words):
    """A value mapping from {value: (text, colour)}, in the given order."""
    options = {}
    for index, (value, (text, color)) in enumerate(words.items()):
        options[str(value)] = {"color": color, "index": index, "text": text}
    return [{"type": "value", "options": options}]


def cause_mappings():
    """The diagnosis vocabulary, by word (the `cause` label) and by code (promql.cause_code)."""
    words = {c.word: (c.text, c.color) for c in config.CAUSES}
    codes = {str(c.code): (c.text, c.color) for c in config.CAUSES}
    return value_mappings({**words, **codes})


def yes_no(one, zero, one_color="green", zero_color="red"):
    return value_mappings({"1": (one, one_color), "0": (zero, zero_color)})


def thresholds(*steps):
    """Absolute thresholds: thresholds("green", (300, "red")) -> base green, red from 300."""
    out = [{"color": steps[0], "value": None}]
    for value, color in steps[1:]:
        out.append({"color": color, "value": value})
    return {"mode": "absolute", "steps": out}


def field_defaults(unit=None, mappings=None, steps=None, color_mode="thresholds", custom=None,
                   no_value=None, links=None, decimals=None, minimum=None):
    defaults = {}
    if custom is not None:
        defaults["custom"] = custom
    defaults["color"] = {"mode": color_mode}
    defaults["mappings"] = mappings or []
    defaults["thresholds"] = steps or thresholds("green")
    if unit:
        defaults["unit"] = unit
    if decimals is not None:
        defaults["decimals"] = decimals
    if minimum is not None:
        defaults["min"] = minimum
    if no_value:
        defaults["noValue"] = no_value
    if links:
        defaults["links"] = links
    return defaults


def override(name, **properties):
    """An override for the field named `name`: override("cause", mappings=[...], width=160)."""
    ids = {
        "mappings": "mappings",
        "cell": "custom.cellOptions",
        "width": "custom.width",
        "unit": "unit",
        "color": "color",
        "links": "links",
        "display_name": "displayName",
        "no_value": "noValue",
        "thresholds": "thresholds",
        "decimals": "decimals",
    }
    props = [{"id": ids[key], "value": value} for key, value in properties.items()]
    return {"matcher": {"id": "byName", "options": name}, "properties": props}


def colored_cell():
    return {"type": "color-background", "mode": "basic"}


def fixed_color(color):
    return {"mode": "fixed", "fixedColor": color}


# ---------------------------------------------------------------------------------------------
# Links


def runbook_url(alert):
    return f"{config.RUNBOOK_BASE_URL}{alert}.md"


def panel_link(title, url, new_tab=True):
    """A panel header link, with every field of the dashboard model's DashboardLink."""
    return {
        "asDropdown": False,
        "icon": "doc",
        "includeVars": False,
        "keepTime": False,
        "tags": [],
        "targetBlank": new_tab,
        "title": title,
        "tooltip": "",
        "type": "link",
        "url": url,
    }


def runbook_links(*alerts):
    return [panel_link(f"Runbook: {alert}", runbook_url(alert)) for alert in alerts]


def data_link(title, url, new_tab=False):
    return {"title": title, "url": url, "targetBlank": new_tab}


def dashboards_link(title, include_vars):
    """A dashboard header link to every dashboard tagged like this one."""
    return {
        "asDropdown": False,
        "icon": "external link",
        "includeVars": include_vars,
        "keepTime": True,
        "tags": list(config.TAGS),
        "targetBlank": False,
        "title": title,
        "tooltip": "",
        "type": "dashboards",
    }


# ---------------------------------------------------------------------------------------------
# Queries


def query(expr, legend="", instant=False, table=False, ref="A"):
    target = {
        "datasource": dict(config.DATASOURCE),
        "editorMode": "code",
        "expr": expr,
        "refId": ref,
    }
    if table:
        target["format"] = "table"
    if instant or table:
        target["instant"] = True
        target["range"] = False
    else:
        target["range"] = True
    if legend:
        target["legendFormat"] = legend
    return target


def refs(*targets):
    """Give several queries the refIds A, B, C... in order."""
    out = []
    for index, target in enumerate(targets):
        target = dict(target)
        target["refId"] = chr(ord("A") + index)
        out.append(target)
    return out


# ---------------------------------------------------------------------------------------------
# Panels


def _panel(kind, title, description, targets, defaults, options, overrides=None, links=None,
           transformations=None):
    panel = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": dict(config.DATASOURCE),
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": options,
    }
    if transformations:
        panel["transformations"] = transformations
    panel["links"] = links or []
    return panel


def _reduce(calcs=("lastNotNull",)):
    return {"calcs": list(calcs), "fields": "", "values": False}


def _legend(show=True, placement="bottom", mode="list"):
    return {"calcs": [], "displayMode": mode, "placement": placement, "showLegend": show}


def _tooltip(mode="single"):
    return {"mode": mode, "sort": "none"}


def stat(title, description, targets, mappings=None, steps=None, unit=None, text_mode="value",
         color_mode="background", no_value=None, links=None, overrides=None, decimals=None,
         color="thresholds"):
    options = {
        "colorMode": color_mode,
        "graphMode": "none",
        "justifyMode": "auto",
        "orientation": "auto",
        "percentChangeColorMode": "standard",
        "reduceOptions": _reduce(),
        "showPercentChange": False,
        "textMode": text_mode,
        "wideLayout": True,
    }
    defaults = field_defaults(unit=unit, mappings=mappings, steps=steps, no_value=no_value,
                              decimals=decimals, color_mode=color)
    return _panel("stat", title, description, targets, defaults, options, overrides=overrides,
                  links=links)


def bar_gauge(title, description, targets, overrides=None, links=None):
    options = {
        "displayMode": "basic",
        "legend": _legend(show=False),
        "maxVizHeight": 300,
        "minVizHeight": 16,
        "minVizWidth": 8,
        "namePlacement": "auto",
        "orientation": "horizontal",
        "reduceOptions": _reduce(),
        "showUnfilled": True,
        "sizing": "auto",
        "valueMode": "color",
    }
    defaults = field_defaults(decimals=0, minimum=0, color_mode="fixed")
    defaults["color"]["fixedColor"] = "text"
    return _panel("bargauge", title, description, targets, defaults, options, overrides=overrides,
                  links=links)


def table(title, description, targets, organize, overrides=None, links=None, sort=None,
          row_links=None, merge=True):
    """A table of instant queries, merged into one row per series key, columns named by `organize`:
    {"exclude": [...], "order": [...], "rename": {...}}."""
    options = {"cellHeight": "sm", "frameIndex": 0, "showHeader": True}
    if sort:
        options["sortBy"] = [{"desc": desc, "displayName": name} for name, desc in sort]
    custom = {"align": "auto", "cellOptions": {"type": "auto"}, "inspect": False}
    defaults = field_defaults(custom=custom, links=row_links)
    transformations = []
    if merge:
        transformations.append({"id": "merge", "options": {}})
    transformations.append({
        "id": "organize",
        "options": {
            "excludeByName": {name: True for name in organize.get("exclude", [])},
            "indexByName": {name: index for index, name in enumerate(organize.get("order", []))},
            "renameByName": dict(organize.get("rename", {})),
        },
    })
    return _panel("table", title, description, targets, defaults, options, overrides=overrides,
                  links=links, transformations=transformations)


def state_timeline(title, description, targets, mappings, links=None, no_value=None):
    options = {
        "alignValue": "left",
        "legend": _legend(show=False),
        "mergeValues": True,
        "rowHeight": 0.9,
        "showValue": "auto",
        "tooltip": _tooltip(),
    }
    custom = {"fillOpacity": 80, "lineWidth": 0}
    defaults = field_defaults(custom=custom, mappings=mappings, no_value=no_value)
    return _panel("state-timeline", title, description, targets, defaults, options, links=links)


def time_series(title, description, targets, unit, links=None, decimals=None, no_value=None):
    options = {"legend": _legend(), "tooltip": _tooltip("multi")}
    custom = {
        "drawStyle": "line",
        "fillOpacity": 10,
        "lineInterpolation": "linear",
        "lineWidth": 1,
        "pointSize": 4,
        "showPoints": "never",
        "spanNulls": False,
    }
    defaults = field_defaults(custom=custom, unit=unit, color_mode="palette-classic",
                              decimals=decimals, minimum=0, no_value=no_value)
    return _panel("timeseries", title, description, targets, defaults, options, links=links)


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


# ---------------------------------------------------------------------------------------------
# Layout


class Layout:
    """Places panels left to right on Grafana's 24-column grid, wrapping to a new line, and numbers
    them 1, 2, 3... in reading order."""

    WIDTH = 24

    def __init__(self):
        self.panels = []
        self._x = 0
        self._y = 0
        self._line_height = 0

    def _newline(self):
        self._y += self._line_height
        self._x = 0
        self._line_height = 0

    def row(self, title):
        if self._x:
            self._newline()
        self._add(row(title), self.WIDTH, 1)
        self._newline()

    def add(self, panel, w, h):
        if self._x + w > self.WIDTH:
            self._newline()
        self._add(panel, w, h)

    def _add(self, panel, w, h):
        placed = {"id": len(self.panels) + 1}
        placed["gridPos"] = {"h": h, "w": w, "x": self._x, "y": self._y}
        placed.update(panel)
        self.panels.append(placed)
        self._x += w
        self._line_height = max(self._line_height, h)


# ---------------------------------------------------------------------------------------------
# Variables and the dashboard


def datasource_variable():
    return {
        "hide": 0,
        "includeAll": False,
        "label": "Data source",
        "multi": False,
        "name": "datasource",
        "options": [],
        "query": "prometheus",
        "refresh": 1,
        "regex": "",
        "type": "datasource",
    }


def label_values_variable(name, label, metric, matchers, display, multi=False, description=""):
    """A query variable: label_values(metric{matchers}, label). With `multi`, several values and
    All (matched as the regex .*) can be chosen."""
    sel = metric + ("{" + ", ".join(matchers) + "}" if matchers else "")
    variable = {
        "datasource": dict(config.DATASOURCE),
        "description": description,
        "hide": 0,
        "includeAll": multi,
        "label": display,
        "multi": multi,
        "name": name,
        "options": [],
        "query": f"label_values({sel}, {label})",
        "refresh": 2,
        "regex": "",
        "skipUrlSync": False,
        "sort": 3 if name == "port" else 1,
        "type": "query",
    }
    if multi:
        variable["allValue"] = ".*"
    return variable


def dashboard(uid, title, description, variables, panels, links, graph_tooltip=1):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": list(config.TAGS),
        "editable": True,
        "graphTooltip": graph_tooltip,
        "schemaVersion": config.SCHEMA_VERSION,
        "refresh": config.REFRESH,
        "time": {"from": config.TIME_FROM, "to": "now"},
        "timezone": "browser",
        "fiscalYearStartMonth": 0,
        "links": links,
        "templating": {"list": variables},
        "panels": panels,
    }
