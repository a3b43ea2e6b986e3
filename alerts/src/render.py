#!/usr/bin/env python3
"""Render PortExporter's alert bundle from alerts/src/ (Python 3 standard library only).

    python3 alerts/src/render.py          write alerts/rules.yml, alerts/alertmanager.yml,
                                          deploy/kubernetes/prometheusrule.yaml
    python3 alerts/src/render.py --check  exit 1 (with a diff) when a rendered file is out of date

For end-to-end tests with short intervals (never committed; the shipped values are what promtool tests):

    python3 alerts/src/render.py --test-rules PATH [--for 5s]
        the rules with every `for:` set to the given duration
    python3 alerts/src/render.py --test-alertmanager PATH --webhook URL [--group-wait 1s]
        alertmanager.yml with both receivers sent to URL and short group timers
"""

import difflib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)

import alertmanager  # noqa: E402
import config  # noqa: E402
import rules  # noqa: E402

HEADER = [
    "Rendered by alerts/src/render.py from alerts/src/: do not edit by hand.",
    "Change alerts/src/config.py (selectors, thresholds, URLs) or alerts/src/rules.py, then re-render.",
]

# ---------------------------------------------------------------------------------------------
# ${token} expansion


def tokens(selector):
    host = list(config.HOST_LABELS)
    key = host + list(config.PORT_LABELS)
    return {
        "sel": selector,
        "host_key": ", ".join(host),
        "port_key": ", ".join(key),
        "inside": "|".join(config.INSIDE_VANTAGES),
        "local_outside": "|".join(config.LOCAL_OUTSIDE_VANTAGES),
        "not_remote": "|".join(config.INSIDE_VANTAGES + config.LOCAL_OUTSIDE_VANTAGES),
        "local_collectors": "|".join(config.LOCAL_COLLECTORS),
        "fw_max_age": str(config.FIREWALL_SNAPSHOT_MAX_AGE_SECONDS),
        "collector_window": config.COLLECTOR_WINDOW,
        "collector_ratio": repr(config.COLLECTOR_MIN_SUCCESS_RATIO),
        "port_match": ", ".join(f"{label}=%q" for label in key),
        "port_args": " ".join(f"$labels.{label}" for label in key),
        "runbook_base": config.RUNBOOK_BASE_URL,
    }


TOKEN = re.compile(r"\$\{([a-z_]+)\}")


def expand(text, values):
    sel = values["sel"].strip()
    if sel:
        text = text.replace("{${sel}}", "{" + sel + "}").replace("{${sel}, ", "{" + sel + ", ")
    else:
        text = text.replace("{${sel}}", "").replace("{${sel}, ", "{")

    def one(match):
        name = match.group(1)
        if name not in values:
            raise KeyError(f"unknown token ${{{name}}} in: {text[:80]}")
        return values[name]

    return TOKEN.sub(one, text)


def expand_all(node, values):
    if isinstance(node, str):
        return expand(node, values)
    if isinstance(node, list):
        return [expand_all(n, values) for n in node]
    if isinstance(node, dict):
        return {k: (v if k == "_comment" else expand_all(v, values)) for k, v in node.items()}
    return node


# ---------------------------------------------------------------------------------------------
# A small YAML emitter: block style, literal blocks for multi-line text, quoting when in doubt.

PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./:\-]*$")
DURATION = re.compile(r"^[0-9]+[a-z]+$")
RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        return "null"
    text = str(value)
    if (PLAIN.match(text) or DURATION.match(text)) and text.lower() not in RESERVED and not text.endswith(":"):
        return text
    if "'" not in text and "\n" not in text:
        return "'" + text + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def is_block_text(value):
    return isinstance(value, str) and (
        "\n" in value or (len(value) > 160 and "{{" in value)
    ) and not value.startswith((" ", "\t")) and not re.search(r"[ \t]\n|[ \t]$", value)


def block_text(value, indent):
    body = value[:-1] if value.endswith("\n") else value
    indicator = "|" if value.endswith("\n") else "|-"
    pad = " " * indent
    return [indicator] + [(pad + line) if line else "" for line in body.split("\n")]


def comment_lines(node, indent):
    if isinstance(node, dict) and "_comment" in node:
        return [" " * indent + "# " + line for line in node["_comment"]]
    return []


def emit(node, indent=0):
    """Lines of `node` (a dict or list) at `indent` spaces."""
    pad = " " * indent
    lines = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "_comment":
                continue
            lines.extend(emit_entry(pad + key + ":", value, indent))
        return lines
    for item in node:
        lines.extend(comment_lines(item, indent))
        if isinstance(item, dict):
            inner = emit(item, indent + 2)
            inner[0] = pad + "- " + inner[0][indent + 2:]
            lines.extend(inner)
        elif isinstance(item, list):
            raise ValueError("nested lists are not emitted")
        else:
            lines.append(pad + "- " + scalar(item))
    return lines


def emit_entry(prefix, value, indent):
    if isinstance(value, dict):
        if not value:
            return [prefix + " {}"]
        return [prefix] + emit(value, indent + 2)
    if isinstance(value, list):
        if not value:
            return [prefix + " []"]
        if all(not isinstance(v, (dict, list)) and PLAIN.match(str(v)) for v in value):
            return [prefix + " [" + ", ".join(scalar(v) for v in value) + "]"]
        return [prefix] + emit(value, indent + 2)
    if is_block_text(value):
        text = block_text(value, indent + 2)
        return [prefix + " " + text[0]] + text[1:]
    return [prefix + " " + scalar(value)]


def document(node, header=HEADER):
    lines = ["# " + h for h in header] + comment_lines(node, 0) + emit(node)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Outputs


def rule_groups(selector):
    return expand_all(rules.groups(), tokens(selector))


def outputs():
    k8s_selector = config.KUBERNETES["selector"]
    if k8s_selector is None:
        k8s_selector = config.SELECTOR
    prometheus_rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": config.KUBERNETES["name"],
            "labels": config.KUBERNETES["labels"],
        },
        "spec": {"groups": rule_groups(k8s_selector)},
    }
    return {
        "alerts/rules.yml": document({"groups": rule_groups(config.SELECTOR)}),
        "alerts/alertmanager.yml": document(alertmanager.document()),
        "deploy/kubernetes/prometheusrule.yaml": document(prometheus_rule),
    }


def option(argv, name, default=None):
    if name in argv:
        at = argv.index(name)
        if at + 1 >= len(argv):
            raise SystemExit(f"{name} needs a value")
        return argv[at + 1]
    return default


def test_rules(duration):
    groups = rule_groups(config.SELECTOR)
    for group in groups:
        for rule in group["rules"]:
            if "alert" in rule:
                rule["for"] = duration
    return document({"groups": groups}, HEADER + ["Test variant: every `for` is " + duration + "."])


def test_alertmanager(webhook, group_wait):
    doc = alertmanager.document()
    for receiver in doc["receivers"]:
        for hook in receiver["webhook_configs"]:
            hook["url"] = webhook
    for route in [doc["route"]] + doc["route"]["routes"]:
        for key in ("group_wait", "group_interval"):
            if key in route:
                route[key] = group_wait
    return document(doc, HEADER + ["Test variant: webhooks to " + webhook + ", group timers " + group_wait + "."])


def write(path, text):
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"wrote {path}")


def main(argv):
    if "--test-rules" in argv:
        write(option(argv, "--test-rules"), test_rules(option(argv, "--for", "5s")))
        return 0
    if "--test-alertmanager" in argv:
        webhook = option(argv, "--webhook")
        if not webhook:
            raise SystemExit("--test-alertmanager needs --webhook URL")
        write(option(argv, "--test-alertmanager"), test_alertmanager(webhook, option(argv, "--group-wait", "1s")))
        return 0
    check = "--check" in argv[1:]
    stale = []
    for path, text in outputs().items():
        full = os.path.join(ROOT, path)
        current = open(full, encoding="utf-8").read() if os.path.exists(full) else None
        if current == text:
            continue
        if check:
            stale.append(path)
            diff = difflib.unified_diff(
                (current or "").splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=path + " (committed)", tofile=path + " (rendered)")
            sys.stdout.writelines(list(diff)[:60])
        else:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as out:
                out.write(text)
            print(f"wrote {path}")
    if stale:
        print(f"\nout of date: {', '.join(stale)}; run python3 alerts/src/render.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
