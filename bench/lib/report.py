#!/usr/bin/env python3
"""Turns one bench/run.sh run folder into the Markdown report: machine, state, tool and exporter timings,
memory, and the issue's target ratios. Standard library only.

  report.py RUN_DIR > report.md
"""

import glob
import json
import math
import os
import re
import statistics
import sys

TOOLS_SOCKETS = [("cat-proc-net", "`cat /proc/net/tcp /proc/net/tcp6`"), ("ss-tlnH", "`ss -tlnH`"), ("ss-tlnpH", "`ss -tlnpH`")]
TOOLS_RULES = [("nft-json", "`nft -j list ruleset`"), ("iptables-save", "`iptables-save -c`")]


def read_env(path):
    values = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.rstrip("\n").partition("=")
                if sep:
                    values[key] = value
    return values


def percentile(values, p):
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values):
    if not values:
        return None
    return {"median": statistics.median(values), "p99": percentile(values, 99), "n": len(values)}


def hyperfine(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return summary(json.load(f)["results"][0]["times"])


def read_samples(path):
    """Steady-state scrapes: total seconds, bytes and collector seconds of each scrape; plus the cold scrape."""
    scrapes, cold, current = [], None, {}
    if not os.path.exists(path):
        return scrapes, cold
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            phase, kind = parts[0], parts[1]
            if kind == "collector":
                current[parts[2]] = float(parts[3])
            elif kind == "total":
                current["@total"] = float(parts[2])
            elif kind == "bytes":
                current["@bytes"] = int(parts[2])
                if phase == "cold":
                    cold = current
                else:
                    scrapes.append(current)
                current = {}
    return scrapes, cold


def ms(value, digits=None):
    if value is None:
        return "n/a"
    v = value * 1000
    if digits is None:
        digits = 2 if v < 10 else 1 if v < 100 else 0
    return f"{v:.{digits}f}"


def med_p99(s):
    return "n/a" if s is None else f"{ms(s['median'])} / {ms(s['p99'])}"


def mib(kib):
    return "n/a" if kib in (None, "") else f"{int(kib) / 1024:.1f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r, limit, smaller_is_better=True):
    if r is None:
        return "n/a", "n/a"
    ok = r <= limit if smaller_is_better else r >= limit
    return f"{r:.3f}", ("met" if ok else "**missed**")


def human(n):
    n = int(n)
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def main():
    run = sys.argv[1]
    machine = read_env(os.path.join(run, "machine.env"))
    exporters = machine.get("exporters", "").split()
    cells = []
    for path in glob.glob(os.path.join(run, "cell-*-*")):
        m = re.match(r"cell-(\d+)-(\d+)$", os.path.basename(path))
        if m:
            cells.append((int(m.group(1)), int(m.group(2)), path))
    cells.sort()
    out = []
    w = out.append

    w("# PortExporter benchmark report\n")
    w(f"Run `{machine.get('command', 'bench/run.sh')}` on {machine.get('date', '?')} in {machine.get('elapsed_s', '?')} s.\n")
    w("| machine | |")
    w("|---|---|")
    memory = int(machine.get("memory_kib", "0")) / 1024 / 1024
    for label, value in [
        ("CPU", f"{machine.get('cpu', '?')}, {machine.get('nproc', '?')} cores (nproc)"),
        ("memory", f"{memory:.1f} GiB"),
        ("kernel", machine.get("kernel", "?")),
        ("OS", machine.get("os", "?")),
        ("tools", f"dotnet SDK {machine.get('dotnet')}, node_exporter {machine.get('node_exporter')}, nft {machine.get('nft')}, "
                  f"iptables {machine.get('iptables')}, ss {machine.get('ss')}, hyperfine {machine.get('hyperfine')}"),
        ("state", f"P = {machine.get('ports')} watched ports (2 REUSEPORT listeners each, [::] too on every fifth); "
                  f"{machine.get('listener_percent')} % of N listen, the rest are both ends of loopback connections"),
        ("load average", f"{machine.get('loadavg_start', '?')} at the start, {machine.get('loadavg_end', '?')} at the end (other work on the machine shows here)"),
        ("scrapes", f"{machine.get('scrapes')} per exporter and state after one cold scrape, "
                    f"`X-Prometheus-Scrape-Timeout-Seconds: {machine.get('scrape_timeout')}`"),
    ]:
        w(f"| {label} | {value} |")
    w("")

    states = sorted({n for n, _, _ in cells})
    w("## Host state\n")
    w("| N requested | sockets in /proc/net/tcp{,6} | listeners (`ss -tlnH`) | connections | processes holding them |")
    w("|---|---|---|---|---|")
    for n in states:
        st = read_env(os.path.join(run, f"state-{n}.env"))
        w(f"| {human(n)} | {st.get('sockets_tcp', '?')} | {st.get('listeners', '?')} | {st.get('connections', '?')} | {st.get('holders', '?')} |")
    w("")
    rules = sorted({r for _, r, _ in cells})
    w("| R requested | rules shown by `iptables-save -c` | `nft -j list ruleset` bytes |")
    w("|---|---|---|")
    for r in rules:
        rv = read_env(os.path.join(run, f"rules-{r}.env"))
        w(f"| {human(r)} | {rv.get('iptables_save_rules', '?')} | {rv.get('nft_json_bytes', '?')} |")
    w("")

    # Tools
    w("## The tools on-call runs by hand (ms, median / p99)\n")
    w("| N | R | " + " | ".join(label for _, label in TOOLS_SOCKETS + TOOLS_RULES) + " | node_exporter scrape | node_exporter RSS MiB (after 50 / all) |")
    w("|---|---|" + "---|" * (len(TOOLS_SOCKETS) + len(TOOLS_RULES) + 2))
    tools = {}
    nodes = {}
    for n, r, path in cells:
        row = {}
        for key, _ in TOOLS_SOCKETS:
            row[key] = hyperfine(os.path.join(run, f"sockets-{n}.{key}.json"))
        for key, _ in TOOLS_RULES:
            row[key] = hyperfine(os.path.join(path, f"commands.{key}.json"))
        tools[(n, r)] = row
        scrapes, _ = read_samples(os.path.join(path, "node.samples"))
        env = read_env(os.path.join(path, "node.env"))
        nodes[(n, r)] = (summary([s["@total"] for s in scrapes]), env)
        cols = [med_p99(row[k]) for k, _ in TOOLS_SOCKETS + TOOLS_RULES]
        first = machine.get("first_scrapes", "50")
        w(f"| {human(n)} | {human(r)} | " + " | ".join(cols)
          + f" | {med_p99(nodes[(n, r)][0])} | {mib(env.get(f'rss_{first}_kib'))} / {mib(env.get('rss_final_kib'))} |")
    w("")
    w("Tool times are wall times of the whole command (hyperfine, no shell; 50 runs, or 10 for a command over 100 ms);")
    w("scrape times are `curl`'s `time_total` for one HTTP request.\n")

    # Exporters
    collectors_seen = []
    results = {}
    for label in exporters:
        for n, r, path in cells:
            scrapes, cold = read_samples(os.path.join(path, f"exporter-{label}.samples"))
            env = read_env(os.path.join(path, f"exporter-{label}.env"))
            for s in scrapes:
                for key in s:
                    if not key.startswith("@") and key not in collectors_seen:
                        collectors_seen.append(key)
            results[(label, n, r)] = (scrapes, cold, env)
    for label in exporters:
        w(f"## PortExporter ({label}): scrape and collectors (ms, median / p99)\n")
        w("| N | R | startup ms | cold scrape | scrape | sockets+processes | "
          + " | ".join(collectors_seen) + " | RSS MiB idle / after 50 / after all | body bytes |")
        w("|---|---|---|---|---|---|" + "---|" * len(collectors_seen) + "---|---|")
        for n, r, _ in cells:
            scrapes, cold, env = results[(label, n, r)]
            total = summary([s["@total"] for s in scrapes])
            owners = summary([s.get("sockets", 0) + s.get("processes", 0) for s in scrapes]) if scrapes else None
            cols = [med_p99(summary([s[c] for s in scrapes if c in s])) for c in collectors_seen]
            first = machine.get("first_scrapes", "50")
            body = scrapes[-1]["@bytes"] if scrapes else "n/a"
            w(f"| {human(n)} | {human(r)} | {env.get('startup_ms', 'n/a')} | {ms(cold['@total']) if cold else 'n/a'} | {med_p99(total)} | "
              f"{med_p99(owners)} | " + " | ".join(cols)
              + f" | {mib(env.get('rss_idle_kib'))} / {mib(env.get(f'rss_{first}_kib'))} / {mib(env.get('rss_final_kib'))} | {body} |")
        w("")
    w("Collector times are the exporter's own `port_exporter_collector_duration_seconds` of each scrape (the collection")
    w("inside the process, no HTTP); `sockets+processes` is their sum per scrape: listeners with their owning process.\n")

    # Targets
    w("## Targets (ratios from this run)\n")
    w("| target | exporter | N | R | measured | ratio | limit | |")
    w("|---|---|---|---|---|---|---|---|")
    biggest_r = max(rules) if rules else None
    for label in exporters:
        for n, r, _ in cells:
            scrapes, _, env = results[(label, n, r)]
            t = tools[(n, r)]
            node_total, node_env = nodes[(n, r)]
            sockets = summary([s["sockets"] for s in scrapes if "sockets" in s])
            owners = summary([s.get("sockets", 0) + s.get("processes", 0) for s in scrapes]) if scrapes else None
            total = summary([s["@total"] for s in scrapes])
            firewall = summary([s["firewall"] for s in scrapes if "firewall" in s])
            rows = []
            if r == min(rules):
                rows.append(("socket evidence vs `ss -tlnH`", sockets, t["ss-tlnH"], 0.5))
                rows.append(("with owners vs `ss -tlnpH`", owners, t["ss-tlnpH"], 0.05))
            rows.append(("full scrape vs node_exporter scrape", total, node_total, 1.0))
            if r == biggest_r:
                rows.append(("verdicts (firewall collector) vs `nft -j list ruleset`", firewall, t["nft-json"], 0.1))
            for name, ours, theirs, limit in rows:
                value, verdict = fmt_ratio(ratio(ours and ours["median"], theirs and theirs["median"]), limit)
                measured = f"{ms(ours and ours['median'])} ms vs {ms(theirs and theirs['median'])} ms"
                if name.startswith("verdicts") and firewall is None:
                    measured, value, verdict = "no firewall collector in this build", "n/a", "n/a"
                w(f"| {name} | {label} | {human(n)} | {human(r)} | {measured} | {value} | {limit} | {verdict} |")
            ours_rss, their_rss = env.get("rss_final_kib"), node_env.get("rss_final_kib")
            if ours_rss and their_rss:
                value, verdict = fmt_ratio(int(ours_rss) / int(their_rss), 1.0)
                w(f"| RSS after {machine.get('scrapes')} scrapes vs node_exporter | {label} | {human(n)} | {human(r)} | "
                  f"{mib(ours_rss)} MiB vs {mib(their_rss)} MiB | {value} | 1.0 | {verdict} |")
    w("")

    # What users run: scrape p50/p99 and resident memory, steady and peak, against node_exporter's
    w("## Scrape and memory against node_exporter (ratios from this run)\n")
    w(f"Config: {'the defaults but for the ports (probes on)' if machine.get('defaults') == '1' else 'probes off'}; "
      + (f"the ruleset changed every {machine.get('refresh_every')} scrapes (each change is one refresh); "
         if machine.get('refresh_every', '0') != '0' else "")
      + (f"RSS steady is VmRSS after all scrapes and {machine.get('settle_s')} s more of one scrape a second, "
         if machine.get('settle_s', '0') != '0' else "RSS steady is VmRSS after all scrapes, ")
      + "peak is VmHWM (the high-water mark of the whole run). "
      + "Limits: p50 at most node_exporter's, p99 at most 2x, RSS steady and peak at most 1.5x.\n")
    w("| exporter | N | R | scrape p50 ms (ratio) | p99 ms (ratio) | RSS steady MiB (ratio) | RSS peak MiB (ratio) |")
    w("|---|---|---|---|---|---|---|")
    for n, r, _ in cells:
        node_total, node_env = nodes[(n, r)]
        if node_total:
            w(f"| node_exporter | {human(n)} | {human(r)} | {ms(node_total['median'])} | {ms(node_total['p99'])} | "
              f"{mib(node_env.get('rss_final_kib'))} | {mib(node_env.get('rss_peak_kib'))} |")
        for label in exporters:
            scrapes, _, env = results[(label, n, r)]
            total = summary([s["@total"] for s in scrapes])

            def cell(ours, theirs, limit):
                value = ratio(ours, theirs)
                if value is None:
                    return "n/a"
                mark = "" if value <= limit else " **missed**"
                return f"({value:.2f}{mark})"

            cols = []
            if total and node_total:
                cols.append(f"{ms(total['median'])} {cell(total['median'], node_total['median'], 1.0)}")
                cols.append(f"{ms(total['p99'])} {cell(total['p99'], node_total['p99'], 2.0)}")
            else:
                cols += ["n/a", "n/a"]
            for key in ("rss_final_kib", "rss_peak_kib"):
                ours, theirs = env.get(key), node_env.get(key)
                cols.append(f"{mib(ours)} {cell(int(ours), int(theirs), 1.5)}" if ours and theirs else "n/a")
            w(f"| {label} | {human(n)} | {human(r)} | " + " | ".join(cols) + " |")
    w("")

    # Probes
    probes_env = read_env(os.path.join(run, "probes", "probes.env"))
    if probes_env:
        timeout = float(probes_env["scrape_timeout"])
        budget = timeout - 0.5
        w(f"## {probes_env['targets']} probe targets that all hang\n")
        w(f"Every target is a loopback address whose packets the namespace drops; `probes.timeout` 60 s, so only the")
        w(f"deadline ends them. Requests carry `X-Prometheus-Scrape-Timeout-Seconds: {timeout:g}`, so the exporter's")
        w(f"deadline is {budget:g} s (the header minus 0.5 s); the target is an answer within that deadline + 10 %.\n")
        w("| request | probes.concurrency | answers | status | answer s (max) | probe results / skipped | ratio to deadline | limit | |")
        w("|---|---|---|---|---|---|---|---|---|")
        for path in sorted(glob.glob(os.path.join(run, "probes", "concurrency-*.samples"))):
            concurrency = re.search(r"concurrency-(\d+)", path).group(1)
            rows = {}
            with open(path, encoding="utf-8") as f:
                for line in f:
                    kind, seconds, code, results_count, skipped = (line.split() + ["", "", "", ""])[:5]
                    rows.setdefault(kind, []).append((float(seconds), code, results_count, skipped))
            for kind, label in [("probe", f"`/probe?port=` ({probes_env['targets']} targets)"),
                                ("metrics", f"`/metrics` ({probes_env['targets']} external endpoints)")]:
                answers = rows.get(kind, [])
                if not answers:
                    continue
                worst = max(a[0] for a in answers)
                codes = ",".join(sorted({a[1] for a in answers}))
                value, verdict = fmt_ratio(worst / budget, 1.1)
                w(f"| {label} | {concurrency} | {len(answers)} | {codes} | {worst:.3f} | {answers[-1][2]} / {answers[-1][3] or 'n/a'} | "
                  f"{value} | 1.1 | {verdict} |")
        w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
