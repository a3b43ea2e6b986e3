#!/usr/bin/env bash
# Scrapes in a burst against collections run: SCRAPES scrapes of /metrics as fast as one curl sends them, then
# port_exporter_collections_total before and after, the bound web.min_collection_interval allows
# (floor(elapsed / interval) + 1), and how many TCP connections the watched service received (each collection
# probes it once over loopback). Loopback only; no root needed.
#
#   bench/scrape-burst.sh [--no-build] [--exporter PATH] [--scrapes 200] [--interval 1s]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
readonly BENCH_DIR REPO_DIR

build=1 scrapes=200 interval=1s exporter=$REPO_DIR/src/PortExporter/bin/Release/net10.0/port-exporter
while (($#)); do
    case $1 in
    --no-build) build=0 ;;
    --exporter) exporter=$2 build=0 && shift ;;
    --scrapes) scrapes=$2 && shift ;;
    --interval) interval=$2 && shift ;;
    *) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2 && exit 2 ;;
    esac
    shift
done
info() { printf 'scrape-burst: %s %s\n' "$(date +%T)" "$*" >&2; }

if ((build)); then
    info "building"
    dotnet build "$REPO_DIR/src/PortExporter/PortExporter.csproj" -c Release -nologo -v quiet >&2
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
service_port=$(free_port)
web_port=$(free_port)

# The watched service: accepts, counts and closes every connection.
python3 - "$service_port" "$work/connections" <<'PY' &
import socket, sys
server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
count = 0
while True:
    conn, _ = server.accept()
    conn.close()
    count += 1
    with open(sys.argv[2], "w") as f:
        f.write(str(count))
PY
pids+=($!)

cat >"$work/config.yml" <<YAML
web:
  min_collection_interval: $interval
ports:
  - name: svc
    port: $service_port
YAML
"$exporter" --config.file "$work/config.yml" --web.listen-address "127.0.0.1:$web_port" --log.level warn &
pids+=($!)

url=http://127.0.0.1:$web_port/metrics
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$web_port/-/ready" 2>/dev/null && break; sleep 0.1; done
collections() { curl -fsS "$url" | awk '$1 == "port_exporter_collections_total" { print $2 }'; }

before=$(collections)
connections_before=$(cat "$work/connections" 2>/dev/null || echo 0)
urls=()
for _ in $(seq "$scrapes"); do urls+=("$url" -o /dev/null); done
start=$(date +%s.%N)
curl -fsS "${urls[@]}"
end=$(date +%s.%N)
after=$(collections)
connections_after=$(cat "$work/connections" 2>/dev/null || echo 0)

python3 - "$scrapes" "$start" "$end" "$before" "$after" "$interval" "$connections_before" "$connections_after" <<'PY'
import math, re, sys
scrapes, start, end, before, after, interval, c0, c1 = sys.argv[1:]
elapsed = float(end) - float(start)
value, unit = re.fullmatch(r"(\d+)(ms|s|m)", interval).groups()
seconds = int(value) * {"ms": 0.001, "s": 1, "m": 60}[unit]
# The final scrape that reads the counter may itself have run one more collection.
ran = float(after) - float(before)
allowed = math.floor(elapsed / seconds) + 1
print(f"scrapes                     {scrapes}")
print(f"elapsed                     {elapsed:.2f} s")
print(f"web.min_collection_interval {interval}")
print(f"collections run             {ran:.0f} (port_exporter_collections_total {float(before):.0f} -> {float(after):.0f})")
print(f"allowed                     {allowed} (floor(elapsed / interval) + 1, plus the reading scrape's)")
print(f"connections to the service  {int(c1) - int(c0)}")
sys.exit(0 if ran <= allowed + 1 else 1)
PY
