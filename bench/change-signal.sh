#!/usr/bin/env bash
# The firewall change detection's cost per collection on the benchmark's 10k-rule host: a namespace
# pebench-signal-* holding lib/ruleset.py's R rules in nftables (as run.sh loads them) and the same rules in legacy
# x_tables (iptables-nft-save | iptables-legacy-restore), then ChangeSignalBenchmarks run inside it, in process
# (the namespace has no route to a package feed for the per-benchmark builds).
# With LEGACY=0 the legacy tables are left out (the benchmark host of run.sh has none). With SCRAPES=N (default 300)
# the built exporter (src/PortExporter/bin/Release) is then scraped N times in the same namespace, 50 watched
# ports, and the scrape's p50 printed: the figure the check's cost is compared with, taken under the same load.
# Usage (root): bench/change-signal.sh [RULES] [BenchmarkDotNet options...]; RULES defaults to 10000.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
rules=${1:-10000}
shift || true
ns="pebench-signal-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
python3 "$BENCH_DIR/lib/ruleset.py" "$rules" 20001 20050 | ip netns exec "$ns" nft -f -
if [ "${LEGACY:-1}" != 0 ]; then
    ip netns exec "$ns" iptables-nft-save | ip netns exec "$ns" iptables-legacy-restore
fi
echo "nft rules: $(ip netns exec "$ns" nft list ruleset | grep -c -e ' accept' -e ' drop' -e ' jump')," \
    "legacy rules: $(ip netns exec "$ns" iptables-legacy-save | grep -c '^-A' || true)"
ip netns exec "$ns" dotnet run -c Release --project "$BENCH_DIR/PortExporter.Benchmarks" -- --filter '*ChangeSignal*' --inProcess --artifacts "$BENCH_DIR/out/change-signal" "$@"

exporter="$BENCH_DIR/../src/PortExporter/bin/Release/net10.0/port-exporter"
config=$(mktemp)
{
    echo "ports:"
    for port in $(seq 20001 20050); do printf '  - name: svc%s\n    port: %s\n' "$port" "$port"; done
} >"$config"
ip netns exec "$ns" "$exporter" --config.file "$config" --web.listen-address 127.0.0.1:10070 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:10070/metrics && break; sleep 0.2; done
for _ in $(seq "${SCRAPES:-300}"); do
    ip netns exec "$ns" curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:10070/metrics
done | sort -n | awk '{ t[NR] = $1 } END { printf "scrape p50 %.2f ms over %d scrapes (load %s)\n", t[int((NR + 1) / 2)] * 1000, NR, load }' load="$(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"
wait "$pid" 2>/dev/null || true
rm -f "$config"
