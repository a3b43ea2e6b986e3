#!/usr/bin/env bash
# Does the global probe cap hold? Parallel /probe requests (and scrapes, whose collections probe too) against
# blackholed targets: every connection attempt hangs in SYN-SENT until probes.timeout, so the number of sockets in
# SYN-SENT is the number of attempts in flight. Sampled with ss while the load runs; the peak is printed against
# probes.max_in_flight, once with the cap and once with it raised out of reach (what the load asks for).
# An ss dump is not atomic: while attempts end and start, one sample can count a few twice (a Python client held
# to exactly the cap by a semaphore shows it, and is run as the reference). A real excess lasts as long as a
# blackholed attempt (probes.timeout), so the verdict uses the sustained peak: the most seen in two samples in a row.
#
#   sudo bench/probe-cap.sh [--exporter PATH] [--cap N] [--requests R] [--targets T] [--no-build]
#
# Defaults: cap 32, 20 parallel /probe requests, 64 targets per request, probes.concurrency 64 (so without the
# global cap the load asks for 20 x 64 = 1280 attempts at once). Everything runs in a network namespace named
# pebench-probecap-*: the targets are 127.0.1.1-T:9 on its loopback, where an nft input rule drops every SYN to
# port 9. Exit 1 when the peak exceeds the cap.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
exporter="$REPO_DIR/artifacts/bin/port-exporter"
cap=32 requests=20 targets=64 build=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --exporter) exporter=$2; build=0; shift 2 ;;
        --cap) cap=$2; shift 2 ;;
        --requests) requests=$2; shift 2 ;;
        --targets) targets=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ $(id -u) -eq 0 ]] || { echo "run as root (network namespaces)" >&2; exit 2; }
(( targets >= 1 && targets <= 254 )) || { echo "--targets: 1-254" >&2; exit 2; }
for tool in curl nft ss python3 awk; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
if (( build )); then
    echo "publishing the exporter to artifacts/bin" >&2
    dotnet publish "$REPO_DIR/src/PortExporter/PortExporter.csproj" -c Release -nologo -v quiet -o "$REPO_DIR/artifacts/bin" >&2
fi

ns=pebench-probecap-$$
work=$(mktemp -d)
cleanup() {
    # Whatever still runs in the namespace was started here (the exporter, the sampler's ss, curl).
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" nft -f - <<'NFT'
table inet pebench {
    chain input {
        type filter hook input priority 0;
        tcp dport 9 tcp flags syn drop
    }
}
NFT

# One run: the exporter with probes.max_in_flight=$1; prints the peak of attempts in flight.
run() {
    local max_in_flight=$1 config="$work/config.yml"
    {
        printf 'probes:\n  timeout: 2s\n  concurrency: 64\n  max_in_flight: %s\n' "$max_in_flight"
        printf '  client_rate_limit:\n    interval: 1ms\n    burst: 100000\n'
        printf 'ports:\n  - name: blackholed\n    port: 9\nprobe_targets:\n'
        for i in $(seq 1 "$targets"); do printf '  - name: t%s\n    address: 127.0.1.%s\n    port: 9\n' "$i" "$i"; done
    } >"$config"
    ip netns exec "$ns" "$exporter" --config.file="$config" --web.listen-address=127.0.0.1:10070 --log.level=warn &
    pid=$!
    for _ in $(seq 1 100); do
        ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:10070/-/healthy && break
        sleep 0.1
    done

    start_sampler
    local load=()
    for _ in $(seq 1 "$requests"); do
        ip netns exec "$ns" curl -s -o /dev/null -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' 'http://127.0.0.1:10070/probe?port=9' &
        load+=($!)
    done
    for _ in 1 2 3; do
        ip netns exec "$ns" curl -s -o /dev/null -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' http://127.0.0.1:10070/metrics &
        load+=($!)
    done
    wait "${load[@]}"
    stop_sampler
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

# The sampler: counts SYN-SENT sockets to port 9 in the namespace until stopped, one count a line.
start_sampler() {
    rm -f "$work/stop" "$work/samples"
    (
        while [[ ! -e $work/stop ]]; do
            ip netns exec "$ns" ss -Htn state syn-sent '( dport = :9 )' | wc -l >>"$work/samples"
        done
    ) &
    sampler=$!
}

# Stops the sampler; prints "RAW SUSTAINED": the highest single sample, and the highest seen twice in a row.
stop_sampler() {
    touch "$work/stop"
    wait "$sampler"
    awk 'NR > 1 { s = ($1 < prev ? $1 : prev); if (s > sustained) sustained = s } { if ($1 > raw) raw = $1; prev = $1 } END { print raw + 0, sustained + 0 }' "$work/samples"
}

# The reference: a Python client that never has more than $1 connects in flight (a semaphore), same targets.
reference() {
    local bound=$1
    start_sampler
    ip netns exec "$ns" python3 - "$bound" "$targets" <<'PY'
import asyncio, socket, sys
bound, targets = int(sys.argv[1]), int(sys.argv[2])
async def attempt(gate, i):
    async with gate:
        s = socket.socket()
        s.setblocking(False)
        try:
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(s, (f"127.0.1.{i % targets + 1}", 9)), 0.3)
        except (OSError, asyncio.TimeoutError):
            pass
        finally:
            s.close()
async def main():
    gate = asyncio.Semaphore(bound)
    await asyncio.gather(*(attempt(gate, i) for i in range(bound * 40)))
asyncio.run(main())
PY
    stop_sampler
}

asked=$(( requests * (targets < 64 ? targets : 64) ))
read -r ref_raw ref_sustained < <(reference "$cap")
read -r uncapped_raw uncapped_sustained < <(run 4096)
read -r capped_raw capped_sustained < <(run "$cap")
printf 'load: %s parallel /probe requests x %s blackholed targets (probes.concurrency 64) + 3 scrapes: %s attempts asked for at once\n' "$requests" "$targets" "$asked"
printf '%-52s %8s %10s\n' "connection attempts in flight (SYN-SENT, sampled)" "peak" "sustained"
printf '%-52s %8s %10s\n' "reference: Python client held to $cap by a semaphore" "$ref_raw" "$ref_sustained"
printf '%-52s %8s %10s\n' "exporter, probes.max_in_flight 4096 (out of reach)" "$uncapped_raw" "$uncapped_sustained"
printf '%-52s %8s %10s\n' "exporter, probes.max_in_flight $cap" "$capped_raw" "$capped_sustained"
if (( capped_sustained > cap )); then
    echo "FAIL: the sustained peak exceeds the cap" >&2
    exit 1
fi
echo "ok: the sustained peak never exceeded the cap of $cap"
