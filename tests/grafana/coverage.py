#!/usr/bin/env python3
"""Coverage of the dashboards and rules over several runs of promql_check.py (--report): every panel query
and every rule expression must have returned at least one series in at least one run. The incident lab
(lab/test.sh) writes one report per reproduced incident, each from a real Prometheus scraping a real
PortExporter; a query that no incident fills is a panel on-call would find empty. Python 3 standard
library only.

    coverage.py [--matrix] [--not-reproduced FILE.tsv] REPORT.json ...

Each report is named after its run (the file name without .json: the lab scenario). Prints, per
query, in which runs it returned data (--matrix: all of them, otherwise only the ones that failed) and
exits 1 naming every dashboard panel (dashboard title, panel title, query) and every rule that returned
nothing in every run, or that failed to run in any. Exits 2 when no report can be read.

--not-reproduced names rules and panels the runs cannot reproduce (kind, name, reason; tab-separated, #
comments): they are listed with their reason instead of failing, and an entry that did return data is
reported as no longer needed.
"""

import argparse
import json
import os
import sys


def key(entry):
    if entry["kind"] == "panel":
        return ("panel", entry["dashboard"], entry["panel"], entry["ref"], entry["expr"])
    labels = ",".join(f"{k}={v}" for k, v in sorted(entry.get("labels", {}).items()))
    return ("rule", entry["file"], entry["name"], labels, entry["expr"])


def describe(entry):
    if entry["kind"] == "panel":
        return (f'dashboard "{entry["dashboard_title"]}" ({entry["dashboard"]}), panel "{entry["panel"]}" '
                f'query {entry["ref"]}')
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(entry.get("labels", {}).items()))
    return f'{entry["file"]}: {entry["type"]} rule {entry["name"]}' + (f"{{{labels}}}" if labels else "")


def exempt_name(entry):
    if entry["kind"] == "panel":
        return ("panel", f'{entry["dashboard"]}:{entry["panel"]}')
    return ("rule", entry["name"])


def read_not_reproduced(path):
    exempt = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0] not in ("rule", "panel"):
                raise ValueError(f"{path}:{number}: expected 'rule|panel<TAB>name<TAB>reason'")
            exempt[(fields[0], fields[1])] = fields[2]
    return exempt


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matrix", action="store_true", help="print every query with the runs that filled it")
    parser.add_argument("--not-reproduced", metavar="FILE.tsv", help="rules and panels no run can reproduce")
    parser.add_argument("reports", nargs="+")
    args = parser.parse_args(argv[1:])
    try:
        exempt = read_not_reproduced(args.not_reproduced) if args.not_reproduced else {}
    except (OSError, ValueError) as e:
        print(f"coverage: {e}", file=sys.stderr)
        return 2

    runs = []
    entries = {}
    covered = {}
    errors = {}
    for path in args.reports:
        run = os.path.splitext(os.path.basename(path))[0]
        try:
            with open(path, encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            print(f"coverage: cannot read {path}: {e}", file=sys.stderr)
            return 2
        runs.append(run)
        for entry in report.get("checks", []):
            k = key(entry)
            entries.setdefault(k, entry)
            covered.setdefault(k, [])
            if entry["result"] == "data":
                covered[k].append(run)
            elif entry["result"] == "error":
                errors.setdefault(k, []).append(f'{run}: {entry.get("error", "")}')
    if not entries:
        print("coverage: the reports hold no checks", file=sys.stderr)
        return 2

    never = [k for k in entries if not covered[k] and exempt_name(entries[k]) not in exempt]
    excused = sorted(k for k in entries if not covered[k] and exempt_name(entries[k]) in exempt)
    stale = sorted({exempt_name(entries[k]) for k in entries if covered[k]} & set(exempt))
    panels = sum(1 for k in entries if k[0] == "panel")
    print(f"coverage over {len(runs)} run(s) ({', '.join(runs)}): {len(entries)} expressions "
          f"({panels} dashboard queries, {len(entries) - panels} rules)")
    if args.matrix:
        for k in sorted(entries):
            print(f"  {describe(entries[k])}: {', '.join(covered[k]) or 'NEVER'}")
    for k in excused:
        print(f"  not reproduced: {describe(entries[k])}: {exempt[exempt_name(entries[k])]}")
    for kind, name in stale:
        print(f"  note: {kind} {name} returned data; its not-reproduced entry is no longer needed")
    for k in sorted(errors):
        print(f"  ERROR {describe(entries[k])}:", file=sys.stderr)
        for line in errors[k]:
            print(f"      {line}", file=sys.stderr)
    for k in sorted(never):
        print(f"  EMPTY in every run: {describe(entries[k])}\n      {entries[k]['expr'].strip()}",
              file=sys.stderr)
    if never or errors:
        print(f"coverage: {len(never)} expression(s) returned no series in any run, "
              f"{len(errors)} failed to run", file=sys.stderr)
        return 1
    print(f"coverage: every dashboard query and rule returned data in at least one run")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
