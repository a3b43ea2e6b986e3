#!/usr/bin/env python3
"""Structure lint of the alert bundle (Python 3 standard library and jsonnet):

- every alert has `for`, a known severity, summary, description, a runbook_url (the mixin's
  pattern) and a dashboard_url; every page (critical) has keep_firing_for;
- the cause alerts are the mixin's causes in the exporter's order (Diagnoser.Rules), each reading
  port_diagnosis{cause}; no rule decides a cause from raw evidence (no rule reads the evidence
  series the diagnoser reads);
- every Alertmanager `equal:` carries job and the cluster label; the inhibit rule names every cause;
- every alert has a runbook with the five sections, and every runbook an alert;
- every alert has a promtool case where it fires and one where it must not, a routing case, and a
  row in alerts/README.md.
"""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SECTIONS = ["## Meaning", "## Confirm", "## Emergency fix", "## Root fix", "## Verify"]
# Evidence the exporter's diagnoser reads: a rule that reads one of these decides a cause itself.
DIAGNOSER_EVIDENCE = ["port_listening", "port_listener_info", "port_exposed", "port_process_running",
                      "port_unit_active", "port_firewall_blocked", "port_selinux_allowed",
                      "port_selinux_label_ok", "port_host_selinux_current_mode"]

problems = []


def problem(text):
    problems.append(text)


def jsonnet(expr):
    out = subprocess.run(["jsonnet", "-e", expr], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


mixin = jsonnet("local m = import 'mixin/mixin.libsonnet'; {config: m._config, groups: m.prometheusRules.groups"
                " + m.prometheusAlerts.groups, am: m.alertmanagerConfig}")
config, groups, am = mixin["config"], mixin["groups"], mixin["am"]
alerts = [r for g in groups for r in g["rules"] if "alert" in r]
names = [a["alert"] for a in alerts]
if len(set(names)) != len(names):
    problem(f"duplicate alert names: {names}")

for alert in alerts:
    name = alert["alert"]
    severity = alert.get("labels", {}).get("severity")
    if not alert.get("for"):
        problem(f"{name}: no for")
    if severity not in (config["severityPage"], config["severityTicket"]):
        problem(f"{name}: severity must be {config['severityPage']} or {config['severityTicket']}")
    if severity == config["severityPage"] and not alert.get("keep_firing_for"):
        problem(f"{name}: a page without keep_firing_for resolves at the first failed scrape")
    annotations = alert.get("annotations", {})
    for key in ("summary", "description", "runbook_url", "dashboard_url"):
        if not annotations.get(key):
            problem(f"{name}: no {key} annotation")
    if annotations.get("runbook_url") != config["runbookURLPattern"] % name:
        problem(f"{name}: runbook_url {annotations.get('runbook_url')} does not follow the runbook URL pattern")

# The causes: the exporter's vocabulary and order (CauseNames.cs, Diagnoser.Rules), one alert each.
diagnoser = open(os.path.join(ROOT, "src", "PortExporter.Core", "Diagnosis", "Diagnoser.cs"), encoding="utf-8").read()
rule_order = re.findall(r"new (\w+)Rule\(\)", diagnoser)
cause_labels = dict(re.findall(r"Cause\.(\w+) => \"(\w+)\"", open(os.path.join(ROOT, "src", "PortExporter.Core", "Diagnosis", "CauseNames.cs"), encoding="utf-8").read()))
snake = []
for rule in rule_order:
    # Each rule names the cause it decides (two rules may decide one cause, e.g. a host's and a backend's listener).
    source = open(os.path.join(ROOT, "src", "PortExporter.Core", "Diagnosis", "Rules", f"{rule}Rule.cs"), encoding="utf-8").read()
    member = re.search(r"Cause Cause => Cause\.(\w+);", source)
    label = cause_labels.get(member.group(1)) if member else None
    if label is None:
        problem(f"{rule}Rule: no cause found (public Cause Cause => Cause.X; with X in CauseNames.cs)")
    elif label not in snake:
        snake.append(label)
causes = [c["cause"] for c in config["causes"]]
if causes != snake:
    problem(f"mixin causes {causes} are not the causes of the diagnoser's rules in order {snake}")
for c in config["causes"]:
    alert = next((a for a in alerts if a["alert"] == c["alert"]), None)
    if alert is None:
        problem(f"cause {c['cause']}: no alert {c['alert']}")
    elif f'cause="{c["cause"]}"' not in alert["expr"] or "port_diagnosis" not in alert["expr"]:
        problem(f"{c['alert']}: does not read port_diagnosis{{cause=\"{c['cause']}\"}}")
for g in groups:
    for r in g["rules"]:
        for series in DIAGNOSER_EVIDENCE:
            if re.search(r"\b" + series + r"\b\s*\{", r["expr"]) or re.search(r"\b" + series + r"\b\s*[=<>!]", r["expr"]):
                problem(f"{r.get('alert') or r.get('record')}: reads {series}; causes come from port_diagnosis")

# Alertmanager: job and the cluster label in every equal and every grouping.
for rule in am["inhibit_rules"]:
    for label in ("job", config["clusterLabel"]):
        if label not in rule["equal"]:
            problem(f"alertmanager.yml: inhibit rule {rule['source_matchers']} has no {label} in equal")
for route in [am["route"]] + am["route"]["routes"]:
    for label in ("job", config["clusterLabel"]):
        if "group_by" in route and label not in route["group_by"]:
            problem(f"alertmanager.yml: route {route.get('matchers')} does not group by {label}")
all_causes = causes + [config["hostDownCause"]["cause"]]
if f'cause=~"{"|".join(all_causes)}"' not in am["inhibit_rules"][0]["source_matchers"]:
    problem("alertmanager.yml: the symptom's inhibit rule must name every cause")

runbooks = os.path.join(ROOT, "docs", "runbooks")
present = {f[:-3] for f in os.listdir(runbooks) if f.endswith(".md") and f != "README.md"}
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
readme = open(os.path.join(ROOT, "alerts", "README.md"), encoding="utf-8").read()
for name in names:
    if f"alertname={name} " not in routes + " ":
        problem(f"{name}: no routing case in tests/alerts/routes.txt")
    if f"| {name} |" not in readme:
        problem(f"{name}: not in the alert table of alerts/README.md")

for p in problems:
    print("   " + p, file=sys.stderr)
print(f"   {len(names)} alerts, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
