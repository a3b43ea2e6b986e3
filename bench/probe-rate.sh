#!/usr/bin/env bash
# Probe connections per minute with 1 and with 5 scrapers, and the scrape latency, with the defaults a user runs
# (probes on, default config but for the watched ports). P watched ports listen on 0.0.0.0 in a network namespace
# with one more address (so each port gets a loopback and an internal probe, as on a real host); an nft counter
# in the namespace counts the SYNs that reach them: the only client is the exporter's probes.
#
#   sudo bench/probe-rate.sh [--exporter NAME=PATH]... [--ports P] [--minutes M] [--every S] [--scrapes N] [--no-build]
#
# Per exporter (default: publish the README's build to artifacts/bin): one phase of M minutes (default 1) with
# 1 scraper that scrapes every S seconds (default 10, as a Prometheus would), one with 5 such scrapers started
# S/5 seconds apart, then N scrapes (default 50) 1.2 s apart, each past web.min_collection_interval so each runs
# a collection, for the p50/p99 of the scrape with probes on. About 3 minutes per exporter with the defaults.
# Everything runs in a namespace named pebench-proberate-*.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
readonly FIRST_PORT=20001 ADDR=127.0.0.1:10070 INTERNAL=10.99.0.1
ports=50 minutes=1 every=10 scrapes=50 build=1
exporters=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --exporter) exporters+=("$2"); build=0; shift 2 ;;
        --ports) ports=$2; shift 2 ;;
        --minutes) minutes=$2; shift 2 ;;
        --every) every=$2; shift 2 ;;
        --scrapes) scrapes=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $(id -u) -eq 0 ]] || { echo "run as root (network namespaces)" >&2; exit 2; }
for tool in curl nft python3 awk; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
if (( build )); then
    echo "publishing the exporter to artifacts/bin" >&2
    dotnet publish "$REPO_DIR/src/PortExporter/PortExporter.csproj" -c Release -nologo -v quiet -o "$REPO_DIR/artifacts/bin" >&2
fi
(( ${#exporters[@]} )) || exporters=("default=$REPO_DIR/artifacts/bin/port-exporter")

ns=pebench-proberate-$$
work=$(mktemp -d)
cleanup() {
    # Whatever still runs in the namespace was started here (the listeners, the exporter, curl).
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip link add pe0 type veth peer name pe1
ip netns exec "$ns" ip addr add "$INTERNAL/24" dev pe0
ip netns exec "$ns" ip link set pe1 up
ip netns exec "$ns" ip link set pe0 up
last_port=$(( FIRST_PORT + ports - 1 ))
ip netns exec "$ns" nft -f - <<NFT
table inet pebench {
    chain input {
        type filter hook input priority 0;
        tcp dport $FIRST_PORT-$last_port tcp flags & (syn | ack) == syn counter
    }
}
NFT

# The watched services: one process listening on every port, accepting and closing.
ip netns exec "$ns" python3 - "$FIRST_PORT" "$ports" <<'PY' &
import selectors, socket, sys
first, count = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()
for port in range(first, first + count):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(128)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        try:
            key.fileobj.accept()[0].close()
        except OSError:
            pass
PY
{
    printf 'ports:\n'
    for port in $(seq "$FIRST_PORT" "$last_port"); do printf '  - name: svc%s\n    port: %s\n' "$port" "$port"; done
} >"$work/config.yml"

syns() { ip netns exec "$ns" nft list chain inet pebench input | awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }

collections_total() { ip netns exec "$ns" curl -s "http://$ADDR/metrics" | awk '/^port_exporter_collections_total/ { print $2 }'; }

scrape() { ip netns exec "$ns" curl -s -o /dev/null -w '%{time_total}\n' -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' "http://$ADDR/metrics"; }

# One phase: $1 scrapers, each every $every s for $minutes min, started $every/$1 s apart; prints SYNs per minute.
phase() {
    local n=$1 seconds=$(( minutes * 60 )) before after pids=()
    before=$(syns)
    for i in $(seq 0 $(( n - 1 ))); do
        (
            sleep "$(awk -v e="$every" -v i="$i" -v n="$n" 'BEGIN { print e * i / n }')"
            end=$(( $(date +%s) + seconds ))
            while (( $(date +%s) < end )); do
                scrape >/dev/null
                sleep "$every"
            done
        ) &
        pids+=($!)
    done
    sleep "$seconds"
    after=$(syns)
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    awk -v d=$(( after - before )) -v m="$minutes" 'BEGIN { printf "%.0f\n", d / m }'
}

printf '%s watched ports listening on 0.0.0.0 (probes: loopback and %s), default config; scrapers every %s s; %s min a phase\n\n' "$ports" "$INTERNAL" "$every" "$minutes"
printf '| exporter | probe connections/min, 1 scraper | 5 scrapers | ratio | scrape p50 | scrape p99 | collections of those scrapes |\n|---|---|---|---|---|---|---|\n'
for entry in "${exporters[@]}"; do
    name=${entry%%=*} path=${entry#*=}
    ip netns exec "$ns" "$path" --config.file="$work/config.yml" --web.listen-address="$ADDR" --log.level=error &
    pid=$!
    for _ in $(seq 1 100); do
        ip netns exec "$ns" curl -sf -o /dev/null "http://$ADDR/-/healthy" && break
        sleep 0.1
    done
    for _ in 1 2 3 4 5; do scrape >/dev/null; done
    one=$(phase 1)
    five=$(phase 5)
    sleep 1.2
    first=$(collections_total)
    for _ in $(seq 1 "$scrapes"); do sleep 1.2; scrape; done >"$work/times"
    sleep 1.2
    collections=$(awk -v a="$(collections_total)" -v b="$first" 'BEGIN { print a - b - 1 }')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    read -r p50 p99 < <(sort -n "$work/times" | awk '{ v[NR] = $1 } END { i50 = int((NR * 50 + 99) / 100); i99 = int((NR * 99 + 99) / 100); printf "%.1f %.1f\n", v[i50] * 1000, v[i99] * 1000 }')
    printf '| %s | %s | %s | %s | %s ms | %s ms | %s of %s |\n' "$name" "$one" "$five" "$(awk -v a="$one" -v b="$five" 'BEGIN { printf (a > 0 ? "%.2f" : "n/a"), b / a }')" "$p50" "$p99" "$collections" "$scrapes"
done
printf '\nload average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
