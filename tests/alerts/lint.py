#!/usr/bin/env python3
"""Structure lint of the alert bundle (Python 3 standard library only):

- every alert has `for`, a known severity, summary, description and a runbook_url into docs/runbooks/;
- every root-cause alert carries a `cause` from the diagnosis vocabulary, one alert per cause, in the
  diagnosis order; the Alertmanager inhibit rule names exactly those causes;
- every alert has a runbook with the five sections, and every runbook an alert;
- every alert has a promtool case where it fires and one where it must not, a routing case, and a
  row in alerts/README.md;
- no rule re-exports port_diagnosis: the rules read the raw evidence.
"""

import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "alerts", "src"))

import config  # noqa: E402
import render  # noqa: E402
import rules  # noqa: E402

# The diagnosis vocabulary in the exporter's order (Diagnoser.Rules), without ok and unknown.
VOCABULARY = ["process_down", "not_listening", "loopback_only", "wrong_address",
              "firewall_blocked", "selinux_denied", "nat_or_upstream"]
SECTIONS = ["## Meaning", "## Confirm", "## Emergency fix", "## Root fix", "## Verify"]

problems = []


def problem(text):
    problems.append(text)


groups = render.rule_groups(config.SELECTOR)
alerts = [r for g in groups for r in g["rules"] if "alert" in r]
names = [a["alert"] for a in alerts]

if len(set(names)) != len(names):
    problem(f"duplicate alert names: {names}")

for alert in alerts:
    name = alert["alert"]
    if not alert.get("for"):
        problem(f"{name}: no for")
    if alert.get("labels", {}).get("severity") not in (config.SEVERITY_PAGE, config.SEVERITY_TICKET):
        problem(f"{name}: severity must be {config.SEVERITY_PAGE} or {config.SEVERITY_TICKET}")
    annotations = alert.get("annotations", {})
    for key in ("summary", "description", "runbook_url"):
        if not annotations.get(key):
            problem(f"{name}: no {key} annotation")
    if annotations.get("runbook_url") != config.RUNBOOK_BASE_URL + name + ".md":
        problem(f"{name}: runbook_url {annotations.get('runbook_url')} is not {config.RUNBOOK_BASE_URL}{name}.md")

causes = [a["labels"]["cause"] for a in alerts if "cause" in a.get("labels", {})]
if causes != VOCABULARY:
    problem(f"root-cause alerts {causes} do not follow the diagnosis vocabulary and order {VOCABULARY}")
symptom = [a for a in alerts if a["alert"] == rules.SYMPTOM_ALERT]
if len(symptom) != 1 or symptom[0]["labels"].get("severity") != "critical":
    problem(f"{rules.SYMPTOM_ALERT}: must exist once with severity critical (the case's alert)")

for g in groups:
    for r in g["rules"]:
        if "port_diagnosis" in r["expr"]:
            problem(f"{r.get('alert') or r.get('record')}: reads port_diagnosis; rules read the raw evidence")

am = open(os.path.join(ROOT, "alerts", "alertmanager.yml"), encoding="utf-8").read()
inhibit = re.search(r"cause=~\"([^\"]+)\"", am)
if not inhibit or inhibit.group(1).split("|") != VOCABULARY:
    problem("alertmanager.yml: the inhibit rule's source must match every cause")
if f'alertname="{rules.SYMPTOM_ALERT}"' not in am:
    problem("alertmanager.yml: the inhibit rule's target must be the symptom alert")

runbooks = os.path.join(ROOT, "docs", "runbooks")
present = {f[:-3] for f in os.listdir(runbooks) if f.endswith(".md") and f != "README.md"} if os.path.isdir(runbooks) else set()
for name in names:
    path = os.path.join(runbooks, name + ".md")
    if not os.path.exists(path):
        problem(f"{name}: no runbook docs/runbooks/{name}.md")
        continue
    text = open(path, encoding="utf-8").read()
    if not text.startswith(f"# {name}\n"):
        problem(f"docs/runbooks/{name}.md: must start with '# {name}'")
    at = -1
    for section in SECTIONS:
        found = text.find("\n" + section + "\n")
        if found < 0:
            problem(f"docs/runbooks/{name}.md: no '{section}' section")
        elif found < at:
            problem(f"docs/runbooks/{name}.md: '{section}' out of order")
        at = max(at, found)
for orphan in sorted(present - set(names)):
    problem(f"docs/runbooks/{orphan}.md: no alert of that name")

fires, quiet = set(), set()
tests = os.path.join(ROOT, "tests", "alerts", "rules")
check = re.compile(r"alertname:\s*(\w+)\s*(?:\n\s*)?,?\s*exp_alerts:\s*(\[\])?")
for file in sorted(os.listdir(tests)):
    if file.endswith(".test.yml"):
        for match in check.finditer(open(os.path.join(tests, file), encoding="utf-8").read()):
            (quiet if match.group(2) else fires).add(match.group(1))
for name in names:
    if name not in fires:
        problem(f"{name}: no promtool case where it fires")
    if name not in quiet:
        problem(f"{name}: no promtool case where it must not fire")

routes = open(os.path.join(ROOT, "tests", "alerts", "routes.txt"), encoding="utf-8").read()
for name in names:
    if f"alertname={name} " not in routes + " ":
        problem(f"{name}: no routing case in tests/alerts/routes.txt")

readme = open(os.path.join(ROOT, "alerts", "README.md"), encoding="utf-8").read()
for name in names:
    if f"| {name} |" not in readme:
        problem(f"{name}: not in the alert table of alerts/README.md")

for p in problems:
    print("   " + p, file=sys.stderr)
print(f"   {len(names)} alerts, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
