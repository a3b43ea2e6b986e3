#!/usr/bin/env python3
"""Checks what the Grafana type model cannot: the dashboards' own contract. Python 3 standard library only.

    model_check.py [--rules-dir DIR] DASHBOARD.json ...

- stable uid and title per file, a current schemaVersion;
- unique panel ids, grid positions inside the 24 columns, no two panels overlapping;
- no absolute data source: every `datasource` is the `${datasource}` variable, and the uid of the
  provisioned data source appears nowhere;
- every variable defined is used, every `$variable` used is defined; the variables cluster, job,
  instance, service, port come from the exporter's own series (label_values over port_*);
- every series selector of every panel query selects the cluster variable's cluster (the mixin's
  cluster label, `cluster` as rendered), so no panel mixes clusters whose host names repeat;
- every panel has a title, a description and queries with an expression and a unique refId;
- the cause vocabulary of the exporter (src/PortExporter.Core/Diagnosis/CauseNames.cs) has a text and
  a colour in every cause mapping, by word and by the code the queries give it;
- the overview's port table links to the port dashboard with every one of its variables set;
- every panel of the port dashboard links to a runbook; every runbook link names an alert of the rules
  in DIR with the same runbook_url (with --rules-dir);
- the provisioning files provision a Prometheus data source and a file provider.
"""

import argparse
import glob
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

STABLE = {
    "port-exporter-overview.json": ("port-exporter-overview", "PortExporter / Overview"),
    "port-exporter-port.json": ("port-exporter-port", "PortExporter / Port"),
}
MIN_SCHEMA_VERSION = 39
REQUIRED_VARIABLES = {"datasource", "cluster", "job", "instance", "service", "port"}
CLUSTER_MATCHER = 'cluster="$cluster"'
SELECTOR = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}')
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__data", "__value",
            "__url_time_range", "__field", "__series", "__from", "__to", "__all_variables", "__dashboard",
            "__org", "__user", "__name", "__timeFilter"}
REFERENCE = re.compile(r"\$\{(\w+)(?:[.:][^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]")
CAUSE_WORD = re.compile(r'Cause\.\w+\s*=>\s*"(\w+)"|_\s*=>\s*"(\w+)"')
CODE_BRANCH = re.compile(r'port_diagnosis\{[^}]*cause="(\w+)"[^}]*\}\s*\*\s*(\d+)')


class Report:
    def __init__(self):
        self.problems = []
        self.checks = 0

    def check(self, ok, message):
        self.checks += 1
        if not ok:
            self.problems.append(message)
        return ok


def walk(node, path="$"):
    """Every (path, key, value) of a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def all_panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def references(text):
    for m in REFERENCE.finditer(text):
        yield m.group(1) or m.group(2) or m.group(3)


def cause_words():
    path = os.path.join(ROOT, "src", "PortExporter.Core", "Diagnosis", "CauseNames.cs")
    with open(path, encoding="utf-8") as f:
        words = [a or b for a, b in CAUSE_WORD.findall(f.read())]
    if len(words) < 2:
        raise SystemExit(f"no cause words found in {path}")
    return words


def rules_runbooks(rules_dir):
    """{alert name: runbook_url} from the rule files of the alert bundle."""
    out = {}
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.y*ml"))):
        alert = None
        for line in open(path, encoding="utf-8"):
            m = re.match(r"^\s*-\s*alert:\s*['\"]?([\w:]+)", line)
            if m:
                alert = m.group(1)
            m = re.match(r"^\s*runbook_url:\s*['\"]?([^'\"\s]+)", line)
            if m and alert:
                out[alert] = m.group(1)
    return out


def provisioned_datasource_uid():
    path = os.path.join(ROOT, "grafana", "provisioning", "datasources", "datasources.yml")
    m = re.search(r"^\s*uid:\s*(\S+)\s*$", open(path, encoding="utf-8").read(), re.M)
    return m.group(1) if m else None


def check_identity(r, name, d):
    uid, title = STABLE.get(name, (None, None))
    r.check(uid is not None, f"{name}: not a known dashboard file (expected one of {sorted(STABLE)})")
    r.check(d.get("uid") == uid, f"{name}: uid is {d.get('uid')!r}, must stay {uid!r}")
    r.check(d.get("title") == title, f"{name}: title is {d.get('title')!r}, must stay {title!r}")
    r.check(isinstance(d.get("schemaVersion"), int) and d["schemaVersion"] >= MIN_SCHEMA_VERSION,
            f"{name}: schemaVersion {d.get('schemaVersion')} is older than current Grafana ({MIN_SCHEMA_VERSION}+)")
    r.check("id" not in d or d["id"] is None, f"{name}: a fixed numeric id ties the file to one Grafana")


def check_grid(r, name, d):
    ids = [p.get("id") for p in all_panels(d)]
    r.check(len(ids) == len(set(ids)) and all(isinstance(i, int) and i > 0 for i in ids),
            f"{name}: panel ids must be unique positive integers: {ids}")
    boxes = []
    for p in all_panels(d):
        g = p.get("gridPos", {})
        ok = all(isinstance(g.get(k), int) for k in "xywh") and g["x"] >= 0 and g["y"] >= 0 \
            and g["w"] >= 1 and g["h"] >= 1 and g["x"] + g["w"] <= 24
        if not r.check(ok, f"{name}: panel {p.get('id')} {p.get('title')!r}: gridPos {g} is outside the grid"):
            continue
        for other, og in boxes:
            overlap = g["x"] < og["x"] + og["w"] and og["x"] < g["x"] + g["w"] \
                and g["y"] < og["y"] + og["h"] and og["y"] < g["y"] + g["h"]
            r.check(not overlap, f"{name}: panels {other} and {p.get('id')} overlap")
        boxes.append((p.get("id"), g))


def check_datasources(r, name, d, text, provisioned_uid):
    for path, key, value in walk(d):
        if key == "datasource":
            r.check(value == DATASOURCE, f"{name}: {path}.datasource is {value!r}, must be {DATASOURCE}")
        if key == "uid" and not path.endswith(".datasource") and path != "$":
            r.check(False, f"{name}: {path}.uid = {value!r}: no absolute uid outside the dashboard's own")
    if provisioned_uid:
        r.check(provisioned_uid not in text,
                f"{name}: names the provisioned data source {provisioned_uid!r}; use the variable")


def check_variables(r, name, d):
    variables = d.get("templating", {}).get("list", [])
    names = [v["name"] for v in variables]
    r.check(len(names) == len(set(names)), f"{name}: duplicate variable names {names}")
    r.check(REQUIRED_VARIABLES <= set(names), f"{name}: variables {sorted(REQUIRED_VARIABLES - set(names))} missing")
    for v in variables:
        if v["name"] == "datasource":
            r.check(v["type"] == "datasource" and v.get("query") == "prometheus",
                    f"{name}: variable datasource must be a Prometheus data source variable")
            continue
        query = v.get("query") if isinstance(v.get("query"), str) else (v.get("query") or {}).get("query", "")
        m = re.match(r"label_values\((port_\w+)", query)
        r.check(v["type"] == "query" and m is not None,
                f"{name}: variable {v['name']} must be label_values over the exporter's series: {query!r}")
    for index, v in enumerate(variables):
        others = dict(d)
        others["templating"] = {"list": variables[:index] + variables[index + 1:]}
        used = set(references(json.dumps(others)))
        r.check(v["name"] in used, f"{name}: variable {v['name']} is defined but never used")
    defined = set(names) | BUILTINS
    for ref in set(references(json.dumps(d))):
        r.check(ref in defined, f"{name}: ${ref} is used but not defined")


def check_panels(r, name, d):
    for p in all_panels(d):
        where = f"{name}: panel {p.get('id')}"
        if p.get("type") == "row":
            r.check(bool(p.get("title")), f"{where}: row without a title")
            continue
        r.check(bool(p.get("title")), f"{where}: no title")
        r.check(bool(p.get("description")), f"{where} {p.get('title')!r}: no description")
        targets = p.get("targets", [])
        r.check(bool(targets), f"{where} {p.get('title')!r}: no query")
        refs = [t.get("refId") for t in targets]
        r.check(len(refs) == len(set(refs)) and all(refs), f"{where}: refIds {refs} must be unique")
        for t in targets:
            expr = t.get("expr", "")
            r.check(bool(expr.strip()), f"{where} {p.get('title')!r}: query {t.get('refId')} has no expr")
            selectors = SELECTOR.findall(expr)
            r.check(bool(selectors) and all(CLUSTER_MATCHER in body for _, body in selectors),
                    f"{where} {p.get('title')!r}: query {t.get('refId')} does not select {CLUSTER_MATCHER} in every selector: {expr}")
        if len(targets) > 1 and p.get("type") == "table":
            ids = [t.get("id") for t in p.get("transformations", [])]
            r.check("merge" in ids, f"{where} {p.get('title')!r}: several queries in a table need a merge")


def check_causes(r, name, d, words):
    lists = [value for _, key, value in walk(d) if key == "mappings"]
    lists += [o["value"] for p in all_panels(d) for o in
              (prop for ov in p.get("fieldConfig", {}).get("overrides", []) for prop in ov.get("properties", []))
              if o.get("id") == "mappings"]
    mappings = [m for value in lists for m in value
                if m.get("type") == "value" and "firewall_blocked" in m.get("options", {})]
    r.check(bool(mappings), f"{name}: no cause value mapping")
    codes = {}
    for _, key, value in walk(d):
        if key == "expr":
            for word, code in CODE_BRANCH.findall(value):
                r.check(codes.setdefault(word, code) == code, f"{name}: cause {word} has codes {codes[word]} and {code}")
    for m in mappings:
        options = m["options"]
        for word in words:
            result = options.get(word, {})
            r.check(bool(result.get("text")) and bool(result.get("color")),
                    f"{name}: cause mapping has no text and colour for {word!r}")
            if word in codes:
                r.check(options.get(codes[word], {}).get("text") == result.get("text"),
                        f"{name}: cause {word} (code {codes[word]}) maps to two texts")
    stray = set(codes) - set(words)
    r.check(not stray, f"{name}: queries use cause words the exporter does not have: {sorted(stray)}")
    timelines = [p for p in all_panels(d) if p.get("type") == "state-timeline"
                 and any(CODE_BRANCH.search(t.get("expr", "")) for t in p.get("targets", []))]
    if name == "port-exporter-port.json":
        r.check(bool(timelines), f"{name}: no state timeline of causes")
    else:
        # A fleet dashboard draws causes by count, never one line or row per port.
        r.check(not timelines, f"{name}: a state timeline of every port's cause does not scale to a fleet")


def runbook_links(d):
    for p in all_panels(d):
        for link in p.get("links", []):
            if link.get("title", "").startswith("Runbook: "):
                yield p, link["title"][len("Runbook: "):], link.get("url", "")


def check_runbooks(r, name, d, runbooks, require_every_panel):
    if require_every_panel:
        for p in all_panels(d):
            if p.get("type") != "row":
                r.check(any(True for q, _, _ in runbook_links(d) if q is p),
                        f"{name}: panel {p.get('id')} {p.get('title')!r} has no runbook link")
    for p, alert, url in runbook_links(d):
        r.check(url.endswith(f"/{alert}.md"), f"{name}: runbook link {alert} points to {url}")
        if runbooks is not None:
            r.check(runbooks.get(alert) == url,
                    f"{name}: panel {p.get('title')!r} links runbook {url}; the rules give {alert} "
                    f"{runbooks.get(alert, 'no runbook (no such alert)')}")


def check_port_link(r, overview, port):
    wanted = [v["name"] for v in port.get("templating", {}).get("list", [])]
    links = [link.get("url", "") for p in all_panels(overview) if p.get("type") == "table"
             for link in p.get("fieldConfig", {}).get("defaults", {}).get("links", [])]
    good = [u for u in links if u.startswith(f"/d/{port['uid']}")
            and all(f"var-{v}=" in u or f"${{{v}:queryparam}}" in u for v in wanted)]
    r.check(bool(good), f"the overview's table has no row link to /d/{port['uid']} setting {wanted}: {links}")


def check_overview(r, name, d):
    alerts = [t for p in all_panels(d) for t in p.get("targets", []) if t.get("expr", "").startswith("ALERTS{")]
    r.check(bool(alerts), f"{name}: no panel of firing alerts (ALERTS{{...}})")


def check_provisioning(r):
    base = os.path.join(ROOT, "grafana", "provisioning")
    stray = glob.glob(os.path.join(base, "*.y*ml"))
    r.check(not stray, f"{stray}: Grafana reads only <provisioning>/datasources/ and <provisioning>/dashboards/")
    ds = open(os.path.join(base, "datasources", "datasources.yml"), encoding="utf-8").read()
    r.check(re.search(r"^apiVersion: 1$", ds, re.M) is not None, "datasources.yml: apiVersion: 1 missing")
    r.check(re.search(r"^\s+type: prometheus$", ds, re.M) is not None, "datasources.yml: no Prometheus data source")
    r.check(re.search(r"^\s+uid: \S+$", ds, re.M) is not None, "datasources.yml: the data source needs a fixed uid")
    db = open(os.path.join(base, "dashboards", "dashboards.yml"), encoding="utf-8").read()
    r.check(re.search(r"^apiVersion: 1$", db, re.M) is not None, "dashboards.yml: apiVersion: 1 missing")
    r.check(re.search(r"^\s+type: file$", db, re.M) is not None, "dashboards.yml: no file provider")
    r.check(re.search(r"^\s+path: \S+$", db, re.M) is not None, "dashboards.yml: the provider needs options.path")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules-dir")
    parser.add_argument("dashboards", nargs="+")
    args = parser.parse_args(argv[1:])

    r = Report()
    words = cause_words()
    runbooks = rules_runbooks(args.rules_dir) if args.rules_dir else None
    if args.rules_dir and not runbooks:
        print(f"   FAILED: no alert with a runbook_url in {args.rules_dir}", file=sys.stderr)
        return 1
    provisioned_uid = provisioned_datasource_uid()
    loaded = {}
    for path in args.dashboards:
        name = os.path.basename(path)
        text = open(path, encoding="utf-8").read()
        d = json.loads(text)
        loaded[name] = d
        check_identity(r, name, d)
        check_grid(r, name, d)
        check_datasources(r, name, d, text, provisioned_uid)
        check_variables(r, name, d)
        check_panels(r, name, d)
        check_causes(r, name, d, words)
        check_runbooks(r, name, d, runbooks, require_every_panel=(name == "port-exporter-port.json"))
    overview, port = loaded.get("port-exporter-overview.json"), loaded.get("port-exporter-port.json")
    if r.check(overview is not None and port is not None, "both dashboards are needed"):
        check_overview(r, "port-exporter-overview.json", overview)
        check_port_link(r, overview, port)
    check_provisioning(r)

    for problem in r.problems:
        print(f"   {problem}", file=sys.stderr)
    if r.problems:
        print(f"   {len(r.problems)} of {r.checks} checks failed", file=sys.stderr)
        return 1
    print(f"   {r.checks} checks passed ({len(words)} cause words"
          + (f", {len(runbooks)} alert runbooks" if runbooks else "") + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
