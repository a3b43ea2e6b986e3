#!/usr/bin/env python3
"""Rule evaluation cost of two versions of alerts/rules.yml, side by side in one Prometheus.

The fleet test's synthetic fleet (fleet_server.py: 1,000 hosts x 20 ports, 3 remote vantages) is scraped
by one Prometheus that evaluates both rule sets: the committed alerts/rules.yml of a git revision (--old,
its groups, records and alerts renamed with the prefix `old_` so the two sets never read each other's
series) and the working tree's. Both see the same series, the same scrapes and the same load on the
machine, so their figures compare even where the machine is busy. After the warm-up it prints, for each
group of both sets:

  - the evaluation time Prometheus reports (prometheus_rule_group_last_duration_seconds: the mean and the
    most over the measured window, and the mean as a share of the evaluation interval: the 5 % target);
  - the samples its rules read per evaluation (each rule's expression evaluated once through the query
    API with stats=all: totalQueryableSamples), a figure that does not depend on the load.

  python3 tests/alerts/fleet/eval_compare.py --old REV [--hosts 1000] [--warmup 180] [--window 300]
      [--fault firewall_blocked:300]

--fault breaks one port on the first N hosts before the warm-up (the fleet test's case 2), so pending and
firing alerts and their annotations are part of what is measured. Loopback only, free ports, every
process it starts is stopped. Python 3 standard library, prometheus (Debian package).
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
INTERVAL = 10
PORTS, VANTAGES = 20, 3
PREFIX = "old_"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=120):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read().decode())


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read().decode() or "null")


def renamed(text):
    """The rule file with every group, record and alert name prefixed (and every reference to them)."""
    names = set(re.findall(r'^\s+record: "?([^"\n]+)"?$', text, re.M)) | set(re.findall(r'^\s+alert: "?([^"\n]+)"?$', text, re.M))
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(r'(?<![\w:])' + re.escape(name) + r'(?![\w:])', PREFIX + name, text)
    return re.sub(r'^(\s+- name: "?)', r'\1' + PREFIX, text, flags=re.M)


def rules_of(path):
    """(group, rule name, expression) of every rule in a rendered rule file, read with promtool's parser
    stand-in: the YAML is the mixin's own output (one key per line, block scalars for expressions)."""
    out, group, expr, in_expr = [], None, [], False
    for line in open(path, encoding="utf-8"):
        m = re.match(r'^  - name: "?([^"\n]+)"?$', line)
        if m:
            group = m.group(1)
            continue
        if re.match(r'^      - (expr|alert|record):', line) or re.match(r'^        (alert|record|for|keep_firing_for|labels|annotations):', line):
            in_expr = False
        m = re.match(r'^      - expr: \|$|^        expr: \|$', line)
        if m:
            in_expr, expr = True, []
            out.append([group, None, expr])
            continue
        if in_expr:
            if line.startswith("          ") or line.strip() == "":
                expr.append(line[10:].rstrip("\n"))
                continue
            in_expr = False
        m = re.match(r'^\s+(?:- )?(alert|record): "?([^"\n]+)"?$', line)
        if m and out and out[-1][1] is None and out[-1][0] == group:
            out[-1][1] = m.group(2)
    return [(g, n, "\n".join(e).strip()) for g, n, e in out]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="git revision whose alerts/rules.yml is compared")
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=180, help="seconds after every target is up")
    ap.add_argument("--window", type=int, default=300, help="seconds measured")
    ap.add_argument("--fault", default="", help="CAUSE:N, e.g. firewall_blocked:300")
    args = ap.parse_args()
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            print(f"{tool} is not installed", file=sys.stderr)
            return 1
    work = tempfile.mkdtemp(prefix="eval-compare-")
    procs = []
    try:
        old_text = subprocess.run(["git", "show", f"{args.old}:alerts/rules.yml"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
        old_path, new_path = os.path.join(work, "old.yml"), os.path.join(work, "new.yml")
        open(old_path, "w").write(renamed(old_text))
        shutil.copy(os.path.join(ROOT, "alerts", "rules.yml"), new_path)
        for p in (old_path, new_path):
            subprocess.run(["promtool", "check", "rules", p], check=True, stdout=subprocess.DEVNULL)
        read = sorted(set(re.findall(r"(?<![:\w])(port_[a-z0-9_]+|up)(?![:\w])", old_text + open(new_path).read())))
        fleet_port, prom_port = free_port(), free_port()
        targets = [{"targets": [f"127.0.0.1:{fleet_port}"],
                    "labels": {"__metrics_path__": f"/host/{n}/metrics", "instance": f"host-{n:04d}:9100", "cluster": "fleet"}}
                   for n in range(args.hosts)]
        targets += [{"targets": [f"127.0.0.1:{fleet_port}"],
                     "labels": {"__metrics_path__": f"/vantage/{v}/metrics", "instance": f"vantage-{v}:9100", "cluster": "fleet"}}
                    for v in range(1, VANTAGES + 1)]
        json.dump(targets, open(os.path.join(work, "targets.json"), "w"))
        open(os.path.join(work, "prometheus.yml"), "w").write(f"""global:
  scrape_interval: {INTERVAL}s
  scrape_timeout: {INTERVAL - 2}s
  evaluation_interval: {INTERVAL}s
rule_files: ["{old_path}", "{new_path}"]
scrape_configs:
  - job_name: port-exporter
    honor_labels: true
    file_sd_configs: [{{files: ["{os.path.join(work, 'targets.json')}"]}}]
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: "{'|'.join(read)}"
        action: keep
  - job_name: prometheus
    static_configs: [{{targets: ["127.0.0.1:{prom_port}"]}}]
""")
        log = open(os.path.join(work, "processes.log"), "w")
        procs.append(subprocess.Popen([sys.executable, os.path.join(HERE, "fleet_server.py"), "--fixtures", os.path.join(HERE, "fixtures"),
                                       "--hosts", str(args.hosts), "--ports", str(PORTS), "--vantages", str(VANTAGES),
                                       "--listen-port", str(fleet_port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        procs.append(subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/tsdb",
                                       f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        prom, fleet = f"http://127.0.0.1:{prom_port}", f"http://127.0.0.1:{fleet_port}"

        def query(expr, stats=False):
            q = urllib.parse.urlencode({"query": expr, **({"stats": "all"} if stats else {})})
            return get(f"{prom}/api/v1/query?{q}")

        def value(expr):
            r = query(expr)["data"]["result"]
            return float(r[0]["value"][1]) if r else None

        deadline = time.monotonic() + 600
        while True:
            try:
                if value('count(up{job="port-exporter"} == 1)') == args.hosts + VANTAGES:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the fleet did not come up in 600 s")
            time.sleep(2)
        if args.fault:
            cause, n = args.fault.split(":")
            post(fleet + "/control", {"fault": cause, "hosts": list(range(int(n))), "port": 5})
        print(f"fleet up: {args.hosts} hosts x {PORTS} ports x {VANTAGES} vantages{', fault ' + args.fault if args.fault else ''}; "
              f"warm-up {args.warmup}s, then {args.window}s measured", flush=True)
        time.sleep(args.warmup)
        loads = [os.getloadavg()[0]]
        for _ in range(args.window // 30):
            time.sleep(30)
            loads.append(os.getloadavg()[0])
        w = f"{args.window}s"

        def by_group(expr):
            return {s["metric"]["rule_group"].split(";")[-1]: float(s["value"][1]) for s in query(expr)["data"]["result"]}
        mean = by_group(f'avg_over_time(prometheus_rule_group_last_duration_seconds{{job="prometheus"}}[{w}])')
        most = by_group(f'max_over_time(prometheus_rule_group_last_duration_seconds{{job="prometheus"}}[{w}])')
        missed = by_group(f'increase(prometheus_rule_group_iterations_missed_total{{job="prometheus"}}[{w}])')
        samples = {}
        for path in (old_path, new_path):
            for group, _, expr in rules_of(path):
                st = query(expr, stats=True)["data"]["stats"]["samples"]["totalQueryableSamples"]
                samples[group] = samples.get(group, 0) + st
        print(f"load average (1 min) over the window: {min(loads):.1f}-{max(loads):.1f}")
        print(f"{'group':40s} {'mean ms':>9s} {'% of ' + str(INTERVAL) + 's':>9s} {'most ms':>9s} {'missed':>7s} {'samples read':>13s}")
        for group in sorted(mean, key=lambda g: (not g.startswith(PREFIX), g.removeprefix(PREFIX))):
            print(f"{group:40s} {mean[group] * 1000:9.1f} {mean[group] / INTERVAL * 100:8.2f}% {most[group] * 1000:9.1f} "
                  f"{missed.get(group, 0):7.0f} {samples.get(group, 0):13,d}")
        for label, pick in (("old", lambda g: g.startswith(PREFIX)), ("new", lambda g: not g.startswith(PREFIX))):
            gs = [g for g in mean if pick(g)]
            print(f"{label}: sum of means {sum(mean[g] for g in gs) * 1000:9.1f} ms, largest group {max(mean[g] for g in gs) * 1000:9.1f} ms "
                  f"({max(mean[g] for g in gs) / INTERVAL * 100:.2f} %), samples read per evaluation {sum(samples.get(g, 0) for g in gs):,d}")
        return 0
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
