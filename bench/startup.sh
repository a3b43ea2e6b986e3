#!/usr/bin/env bash
# Startup time and resident memory of each way to publish PortExporter:
#   framework-dependent    dotnet publish (the default; needs the ASP.NET Core runtime on the host)
#   trimmed-r2r            self-contained, trimmed, ReadyToRun
#   nativeaot              -p:Aot=true (NativeAOT; needs clang to build)
# Each is started RUNS times in an empty network namespace: time from exec to the first 200 from /-/healthy,
# RSS then, and RSS after SCRAPES scrapes of /metrics (no config: it watches every listener).
# Printed and written to bench/out/startup.md.
#
#   bench/startup.sh [--no-build] [--runs 10] [--scrapes 1000]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
OUT_ROOT=${BENCH_OUT:-$BENCH_DIR/out}
PUBLISH_DIR=$REPO_DIR/artifacts/bench
readonly BENCH_DIR REPO_DIR OUT_ROOT PUBLISH_DIR
readonly ADDR=127.0.0.1:10070 NS=pebench-$$-startup

build=1 runs=10 scrapes=1000
while (($#)); do
    case $1 in
    --no-build) build=0 ;;
    --runs) runs=$2 && shift ;;
    --scrapes) scrapes=$2 && shift ;;
    *) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2 && exit 2 ;;
    esac
    shift
done
[[ $(id -u) -eq 0 ]] || { echo "startup.sh: run as root (it makes a network namespace)" >&2 && exit 1; }
info() { printf 'startup: %s %s\n' "$(date +%T)" "$*" >&2; }

project=$REPO_DIR/src/PortExporter/PortExporter.csproj
variants=(framework-dependent trimmed-r2r nativeaot)
if ((build)); then
    info "publishing framework-dependent"
    dotnet publish "$project" -c Release -nologo -v quiet -o "$PUBLISH_DIR/framework-dependent" >&2
    info "publishing trimmed-r2r"
    dotnet publish "$project" -c Release -nologo -v quiet -r linux-x64 --self-contained \
        -p:PublishTrimmed=true -p:PublishReadyToRun=true -o "$PUBLISH_DIR/trimmed-r2r" >&2
    info "publishing nativeaot (takes minutes)"
    dotnet publish "$project" -c Release -nologo -v quiet -p:Aot=true -o "$PUBLISH_DIR/nativeaot" >&2
fi

ip netns add "$NS"
pid=
cleanup() {
    if [[ -n $pid ]]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns exec "$NS" ip link set lo up

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

report=$OUT_ROOT/startup.md
mkdir -p "$OUT_ROOT"
{
    echo "# PortExporter startup and memory by publish kind"
    echo
    echo "$(nproc) cores, $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
    echo "$runs starts each; RSS after $scrapes scrapes from the last start. \`bench/startup.sh\`."
    echo
    echo "| publish | files MiB | startup ms to /-/healthy (median / max) | RSS MiB at startup | RSS MiB after $scrapes scrapes | scrape ms (median) |"
    echo "|---|---|---|---|---|---|"
} >"$report"

for variant in "${variants[@]}"; do
    binary=$PUBLISH_DIR/$variant/port-exporter
    [[ -x $binary ]] || { info "no $binary: skipped" && continue; }
    info "$variant: $runs starts"
    size=$(du -sm --exclude='*.dbg' --exclude='*.pdb' "$PUBLISH_DIR/$variant" | cut -f1)
    starts=() idle=()
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        ip netns exec "$NS" "$binary" --web.listen-address "$ADDR" --log.level warn >/dev/null 2>&1 &
        pid=$!
        until ip netns exec "$NS" curl -sf -o /dev/null "http://$ADDR/-/healthy"; do
            kill -0 "$pid" 2>/dev/null || { echo "startup: $variant exited" >&2 && exit 1; }
            sleep 0.005
        done
        starts+=($((($(date +%s%N) - start) / 1000000)))
        idle+=("$(rss "$pid")")
        if ((i < runs - 1)); then
            kill "$pid"
            wait "$pid" 2>/dev/null || true
            pid=
        fi
    done
    scrape_median=$(ip netns exec "$NS" bash -c 'for ((i = 0; i < $1; i++)); do curl -sf -o /dev/null -w "%{time_total}\n" "$2"; done' \
        scrapes "$scrapes" "http://$ADDR/metrics" | median)
    after=$(rss "$pid")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
    startup_median=$(printf '%s\n' "${starts[@]}" | median)
    startup_max=$(printf '%s\n' "${starts[@]}" | sort -n | tail -1)
    idle_median=$(printf '%s\n' "${idle[@]}" | median)
    awk -v v="$variant" -v size="$size" -v sm="$startup_median" -v sx="$startup_max" -v idle="$idle_median" -v after="$after" \
        -v scrape="$scrape_median" 'BEGIN {printf "| %s | %s | %s / %s | %.1f | %.1f | %.2f |\n", v, size, sm, sx, idle / 1024, after / 1024, scrape * 1000}' >>"$report"
done
echo >>"$report"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$report"
cat "$report"
