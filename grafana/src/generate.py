#!/usr/bin/env python3
"""Render PortExporter's Grafana dashboards from grafana/src/ (Python 3 standard library only).

    python3 grafana/src/generate.py          write grafana/dashboards/*.json
    python3 grafana/src/generate.py --check  exit 1 (with a diff) when a rendered file is out of date
"""

import difflib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "dashboards"))
sys.dont_write_bytecode = True  # keep grafana/src/ free of __pycache__
sys.path.insert(0, HERE)

import overview  # noqa: E402
import port  # noqa: E402

DASHBOARDS = {
    "port-exporter-overview.json": overview.build,
    "port-exporter-port.json": port.build,
}


def render(build):
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] and not check:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    stale = []
    for name, build in DASHBOARDS.items():
        path = os.path.join(OUT, name)
        text = render(build)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current == text:
            continue
        if check:
            stale.append(name)
            diff = difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                        f"checked in: grafana/dashboards/{name}",
                                        f"rendered: grafana/dashboards/{name}", n=2)
            sys.stdout.writelines(list(diff)[:80])
        else:
            os.makedirs(OUT, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote grafana/dashboards/{name}")
    if stale:
        print(f"\nout of date: {', '.join(stale)}; run python3 grafana/src/generate.py and commit the result",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
