#!/usr/bin/env python3
"""Runs every PromQL expression of the dashboards (and of the alert and recording rules) against a real
Prometheus: each must parse and return at least one series. Python 3 standard library only.

    promql_check.py --prom-url URL [--rules-dir DIR] [--var NAME=VALUE ...] [--allow-empty REGEX]
                    [--rate-interval 1m] [--wait SECONDS] [--report FILE.json] [--allow-empty-per-run]
                    DASHBOARD.json ...

Template variables are resolved the way Grafana does, from the dashboard's own variable queries
(label_values) against the same Prometheus, in order: a variable with All (multi) is the regex `.*`; a
single-value variable is tried with every value it offers, so a panel passes when it returns data for
at least one port (one port is firewall-blocked, another SELinux-denied: no single port shows every
panel). --var pins a variable to one value. A panel that returns nothing for every value is reported
with its dashboard and title and fails the run, unless its title matches --allow-empty.

Rules: the names of every alert and recording rule in DIR/*.yml (files with `groups:`) must be loaded in
that Prometheus (GET /api/v1/rules), healthy, and each rule's expression must return data.

With --wait, empty results are retried until that many seconds have passed (rules and ALERTS need a
few evaluation cycles, rate() two samples); parse errors fail at once.

--report writes every check with its result (data, empty or error) as JSON: one entry per dashboard
query (dashboard file, uid, panel title, refId, the expression as written) and per rule (file, type,
name, expression). --allow-empty-per-run makes an empty result no failure of this run (it is only
reported): for one run among several whose union must cover every query (the incident lab runs one per
scenario; tests/grafana/coverage.py then fails on what no run covered). Expressions that do not run
still fail.
"""

import argparse
import glob
import itertools
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BUILTINS = {"__rate_interval", "__interval", "__range", "__range_s", "__interval_ms"}
VARIABLE = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)\]\]")
LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(.*),\s*)?(\w+)\s*\)\s*$", re.S)
RULE_NAME = re.compile(r"^\s*(?:-\s*)?(alert|record):\s*['\"]?([^'\"\s#]+)")
MAX_COMBINATIONS = 500


class Failure(Exception):
    pass


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, params):
        query = urllib.parse.urlencode(params, doseq=True)
        request = urllib.request.Request(f"{self.url}{path}?{query}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            try:
                body = json.load(e)
            except ValueError:
                raise Failure(f"{path}: HTTP {e.code}") from e
        except (urllib.error.URLError, OSError) as e:
            raise Failure(f"{self.url}{path}: {e}") from e
        if body.get("status") != "success":
            raise Failure(f"{body.get('errorType', 'error')}: {body.get('error', body)}")
        return body["data"]

    def query(self, expr):
        """Number of series (or 1 for a scalar) the instant query returns now."""
        data = self.get("/api/v1/query", {"query": expr, "time": f"{time.time():.3f}"})
        if data["resultType"] in ("scalar", "string"):
            return 1
        return len(data["result"])

    def label_values(self, label, match):
        now = time.time()
        params = {"start": f"{now - 3600:.3f}", "end": f"{now:.3f}"}
        if match:
            params["match[]"] = match
        return sorted(self.get(f"/api/v1/label/{label}/values", params))

    def rules(self):
        return self.get("/api/v1/rules", {})["groups"]


def substitute(text, values, builtins):
    def replace(m):
        name = m.group(1) or m.group(3) or m.group(4)
        if name in builtins:
            return builtins[name]
        if name.startswith("__"):
            return m.group(0)
        if name not in values:
            raise Failure(f"unknown variable ${name} in: {text}")
        return values[name]
    return VARIABLE.sub(replace, text)


def combinations(prom, dashboard, pinned, builtins):
    """Every assignment of the dashboard's variables, in order, as Grafana would offer them."""
    assignments = [{}]
    for variable in dashboard.get("templating", {}).get("list", []):
        name, kind = variable["name"], variable["type"]
        if kind == "datasource":
            continue
        if kind != "query":
            raise Failure(f"variable {name}: type {kind} is not handled by this check")
        query = variable["query"] if isinstance(variable["query"], str) else variable["query"].get("query", "")
        m = LABEL_VALUES.match(query)
        if not m:
            raise Failure(f"variable {name}: only label_values(...) queries are handled: {query}")
        selector, label = m.group(1), m.group(2)
        expanded = []
        for assignment in assignments:
            match = substitute(selector, assignment, builtins) if selector else None
            offered = prom.label_values(label, match)
            if not offered:
                raise Failure(f"variable {name}: label_values({match or ''}, {label}) offers no value")
            if name in pinned:
                if pinned[name] not in offered:
                    raise Failure(f"variable {name}: {pinned[name]} is not among {offered}")
                chosen = [pinned[name]]
            elif variable.get("includeAll"):
                chosen = [variable.get("allValue") or "(" + "|".join(re.escape(v) for v in offered) + ")"]
            else:
                chosen = offered
            expanded += [dict(assignment, **{name: value}) for value in chosen]
        assignments = expanded
        if len(assignments) > MAX_COMBINATIONS:
            raise Failure(f"more than {MAX_COMBINATIONS} variable combinations: pin some with --var")
    return assignments


def dashboard_checks(prom, path, pinned, builtins):
    """(label, [expressions, one per variable combination]) for every query of the dashboard."""
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    assignments = combinations(prom, dashboard, pinned, builtins)
    name = os.path.basename(path)
    checks = []

    def walk(panels):
        for panel in panels:
            walk(panel.get("panels", []))
            for target in panel.get("targets", []):
                if target.get("hide") or not target.get("expr"):
                    continue
                label = f'{name}: panel "{panel.get("title", "")}" query {target.get("refId", "?")}'
                exprs = sorted({substitute(target["expr"], a, builtins) for a in assignments})
                meta = {"kind": "panel", "dashboard": name, "uid": dashboard.get("uid", ""),
                        "dashboard_title": dashboard.get("title", ""), "panel": panel.get("title", ""),
                        "panel_id": panel.get("id"), "ref": target.get("refId", "?"), "expr": target["expr"]}
                checks.append((label, exprs, meta))
    walk(dashboard.get("panels", []))
    return checks, len(assignments)


def rule_checks(prom, rules_dir):
    files = [f for f in sorted(glob.glob(os.path.join(rules_dir, "*.y*ml")))
             if re.search(r"^groups:", open(f, encoding="utf-8").read(), re.M)]
    if not files:
        raise Failure(f"no rule files (*.yml with groups:) in {rules_dir}")
    wanted = {}
    for f in files:
        for line in open(f, encoding="utf-8"):
            m = RULE_NAME.match(line)
            if m:
                wanted.setdefault(m.group(2), os.path.basename(f))
    loaded = {}
    unhealthy = []
    for group in prom.rules():
        for rule in group["rules"]:
            if rule["name"] not in wanted:
                continue
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(rule.get("labels", {}).items())
                              if rule["type"] == "recording")
            label = f'{wanted[rule["name"]]}: {rule["type"]} {rule["name"]}' + (f"{{{labels}}}" if labels else "")
            meta = {"kind": "rule", "file": wanted[rule["name"]], "type": rule["type"], "name": rule["name"],
                    "labels": rule.get("labels", {}) if rule["type"] == "recording" else {},
                    "expr": rule["query"]}
            loaded.setdefault(rule["name"], []).append((label, [rule["query"]], meta))
            if rule.get("health") == "err" or rule.get("lastError"):
                unhealthy.append(f"{label}: {rule.get('lastError')}")
    missing = sorted(set(wanted) - set(loaded))
    if missing:
        raise Failure(f"rules in {rules_dir} not loaded in Prometheus: {', '.join(missing)}")
    if unhealthy:
        raise Failure("rules failing to evaluate:\n  " + "\n  ".join(unhealthy))
    return [check for name in wanted for check in loaded[name]], len(files)


def run(prom, checks, allow_empty, wait, results):
    """Runs the checks; results[i] becomes (state, series, detail) for checks[i], state data, empty or error."""
    deadline = time.monotonic() + wait
    pending = list(range(len(checks)))
    errors = []
    while True:
        empty = []
        for i in pending:
            label, exprs = checks[i][0], checks[i][1]
            found = 0
            for expr in exprs:
                try:
                    found = prom.query(expr)
                except Failure as e:
                    errors.append(f"ERROR {label}: {e}\n      {expr}")
                    results[i] = ("error", 0, str(e))
                    found = -1
                    break
                if found:
                    results[i] = ("data", found, expr)
                    break
            if found == 0:
                results[i] = ("empty", 0, exprs[0])
                empty.append(i)
        if errors or not empty or time.monotonic() >= deadline:
            break
        pending = empty
        time.sleep(1)
    empty = [checks[i] for i in empty]
    allowed = [c for c in empty if allow_empty and re.search(allow_empty, c[0])]
    failed = [c for c in empty if c not in allowed]
    return errors, failed, allowed


def write_report(path, prom_url, pinned, checks, results):
    entries = []
    for i, (label, _, meta) in enumerate(checks):
        state, series, detail = results.get(i, ("not run", 0, ""))
        entries.append(dict(meta, label=label, result=state, series=series,
                            **({"error": detail} if state == "error" else {"checked": detail})))
    report = {"prometheus": prom_url, "vars": pinned, "time": time.time(), "checks": entries}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=True)
        f.write("\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prom-url", required=True)
    parser.add_argument("--rules-dir")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--allow-empty", default="", metavar="REGEX")
    parser.add_argument("--rate-interval", default="1m")
    parser.add_argument("--wait", type=float, default=0)
    parser.add_argument("--report", metavar="FILE.json", help="write every check and its result as JSON")
    parser.add_argument("--allow-empty-per-run", action="store_true",
                        help="an empty result does not fail this run (it is reported); errors still do")
    parser.add_argument("dashboards", nargs="*")
    args = parser.parse_args(argv[1:])

    prom = Prometheus(args.prom_url)
    pinned = dict(v.split("=", 1) for v in args.var)
    builtins = {"__rate_interval": args.rate_interval, "__interval": "15s", "__interval_ms": "15000",
                "__range": "1h", "__range_s": "3600"}
    checks = []
    results = {}
    try:
        for path in args.dashboards:
            found, combos = dashboard_checks(prom, path, pinned, builtins)
            print(f"   {os.path.basename(path)}: {len(found)} queries, {combos} variable combination(s)")
            checks += found
        if args.rules_dir:
            found, files = rule_checks(prom, args.rules_dir)
            print(f"   {args.rules_dir}: {len(found)} rules in {files} file(s), all loaded and healthy")
            checks += found
        if not checks:
            raise Failure("nothing to check: give dashboards and/or --rules-dir")
        errors, failed, allowed = run(prom, checks, args.allow_empty, args.wait, results)
    except Failure as e:
        print(f"   FAILED: {e}", file=sys.stderr)
        if args.report:
            write_report(args.report, args.prom_url, pinned, checks, results)
        return 1
    if args.report:
        write_report(args.report, args.prom_url, pinned, checks, results)
    if args.allow_empty_per_run:
        for label, exprs, _ in failed:
            print(f"   empty in this run: {label}")
        if errors:
            for line in errors:
                print(f"   {line}", file=sys.stderr)
            print(f"   {len(errors)} expression(s) failed to run, of {len(checks)}", file=sys.stderr)
            return 1
        data = sum(1 for r in results.values() if r[0] == "data")
        print(f"   {len(checks)} expressions parse; {data} returned data, {len(checks) - data} empty in this run")
        return 0
    for label, _, _ in allowed:
        print(f"   allowed empty: {label}")
    for line in errors:
        print(f"   {line}", file=sys.stderr)
    for label, exprs, _ in failed:
        tried = f" (for each of {len(exprs)} variable values; the first:)" if len(exprs) > 1 else ""
        print(f"   EMPTY {label}{tried}\n      {exprs[0]}", file=sys.stderr)
    if errors or failed:
        print(f"   {len(errors)} expression(s) failed to run, {len(failed)} returned no series, "
              f"of {len(checks)}", file=sys.stderr)
        return 1
    print(f"   all {len(checks)} expressions parse and return data ({len(allowed)} allowed empty)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
