#!/usr/bin/env python3
"""Every `port-exporter ...` command the runbooks (docs/runbooks/*.md) and the alerts' annotations
(alerts/rules.yml) tell the on-call engineer to run, run as written with the built exporter on this
host (Python 3 standard library):

- the shipped paths (/etc/port-exporter/port-exporter.yml, /etc/port-exporter/baseline.yml) and the
  placeholders (PORT, FILE, CONFIG, {{ $labels.port }}) are replaced by a config in a temporary
  directory that watches one TCP port nothing listens on (the case the runbooks are for) and a
  baseline written by the exporter itself; `sudo` is dropped (the check runs as root);
- each command must parse and run: exit 0 or 1 (ok / not ok, same / drift), never 2 (bad usage or
  config) or a crash, and nothing on stderr about an unknown option or an unhandled exception;
- a command written with `...` is an abbreviation in the prose, not a command: it is listed, not run.

The commands only read the host (diagnose, baseline --check, check-config) or write into the
temporary directory (baseline --output).

  tests/alerts/runbook_commands.py [PATH-TO-port-exporter]     (default: the Release build under src/)
"""

import glob
import os
import re
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SHIPPED_CONFIG = "/etc/port-exporter/port-exporter.yml"
SHIPPED_BASELINE = "/etc/port-exporter/baseline.yml"
# A command: `port-exporter VERB ...` in a code span (which may wrap onto the next line) or a line of a
# code block of a runbook, or quoted '...' in an annotation. Not `-n port-exporter` (a namespace) or
# `port-exporter.yml`.
COMMAND = re.compile(r"^(?:sudo )?port-exporter (?:diagnose|baseline|check-config)\b")
CODE_SPAN = re.compile(r"```.*?```|``.+?``|`[^`]+`", re.S)
QUOTED = re.compile(r"'(port-exporter [^'\n]+)'")
BAD_STDERR = re.compile(r"Unrecognized command or argument|Unhandled exception|Required argument missing", re.I)
TIMEOUT = 120


def binary():
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("PORT_EXPORTER_BIN"):
        return os.environ["PORT_EXPORTER_BIN"]
    found = sorted(glob.glob(os.path.join(ROOT, "src", "PortExporter", "bin", "Release", "*", "port-exporter")))
    return found[0] if found else None


def sources():
    """(where, text) of every runbook and of the rendered rules' annotations."""
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "runbooks", "*.md"))):
        yield os.path.relpath(path, ROOT), open(path, encoding="utf-8").read()
    rules = os.path.join(ROOT, "alerts", "rules.yml")
    yield os.path.relpath(rules, ROOT), open(rules, encoding="utf-8").read()


def commands():
    found = {}
    for where, text in sources():
        if where.endswith(".md"):
            pieces = []
            for span in CODE_SPAN.findall(text):
                if span.startswith("```"):
                    pieces += span.strip("`").splitlines()
                else:
                    pieces.append(span.strip("`"))
        else:
            pieces = QUOTED.findall(text)
        for piece in pieces:
            command = " ".join(piece.split())
            if COMMAND.match(command):
                found.setdefault(command, where)
    return found


def main():
    exe = binary()
    if not exe or not os.path.isfile(exe):
        print("no exporter binary: dotnet build PortExporter.slnx -c Release -v quiet, or pass its path", file=sys.stderr)
        return 1
    with socket.socket() as s:          # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    problems, ran, abbreviated = [], 0, []
    with tempfile.TemporaryDirectory(prefix="runbook-commands-") as tmp:
        config, baseline = os.path.join(tmp, "port-exporter.yml"), os.path.join(tmp, "baseline.yml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"ports:\n  - name: web\n    port: {port}\n    protocol: tcp\n    expose: public\n")
        made = subprocess.run([exe, "baseline", f"--config.file={config}", "--output", baseline],
                              capture_output=True, text=True, timeout=TIMEOUT)
        if made.returncode != 0:
            print(f"could not write the baseline: {made.stderr}", file=sys.stderr)
            return 1
        for command, where in sorted(commands().items()):
            if "..." in command:
                abbreviated.append(command)
                continue
            line = re.sub(r"^sudo ", "", command)
            line = (line.replace(SHIPPED_CONFIG, config).replace(SHIPPED_BASELINE, baseline)
                    .replace("{{ $labels.port }}", str(port)))
            values = {"PORT": str(port), "FILE": baseline, "CONFIG": config}
            words = [re.sub(r"(^|=)(PORT|FILE|CONFIG)$", lambda m: m.group(1) + values[m.group(2)], w) for w in line.split()]
            if words[0] != "port-exporter":
                problems.append(f"{where}: not a port-exporter command: {command}")
                continue
            try:
                run = subprocess.run([exe] + words[1:], capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp)
            except subprocess.TimeoutExpired:
                problems.append(f"{where}: `{command}` did not finish in {TIMEOUT}s")
                continue
            ran += 1
            verdict = "ok" if run.returncode in (0, 1) and not BAD_STDERR.search(run.stderr) else "FAILED"
            print(f"   exit {run.returncode} {verdict}: {command}   ({where})")
            if verdict != "ok":
                problems.append(f"{where}: `{command}` exits {run.returncode}: {run.stderr.strip()[:400]}")
    for command in abbreviated:
        print(f"   abbreviated, not run: {command}")
    for p in problems:
        print("   " + p, file=sys.stderr)
    if ran == 0:
        print("   no runbook command found", file=sys.stderr)
        return 1
    print(f"   {ran} runbook commands run as written, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
