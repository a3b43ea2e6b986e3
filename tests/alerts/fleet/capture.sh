#!/usr/bin/env bash
# Captures the fleet test's fixtures from the real exporter: one host agent and one remote vantage in two
# network namespaces of their own (fleetcap-srv, fleetcap-out, joined by a veth pair), the service a copy of
# socat named fleetcap-web listening on 8080/tcp (both in a PID namespace of their own). Writes, from the host agent's /metrics:
#   fixtures/healthy.prom            nothing wrong: every probe connects, diagnosis ok
#   fixtures/firewall_blocked.prom   an iptables DROP for tcp/8080 on eth-ext (the outside interface)
#   fixtures/vantage_broken.prom     the host healthy, but the remote vantage's own network drops what it
#                                    sends to 8080 (iptables OUTPUT DROP in fleetcap-out): its probe fails
# and from the remote vantage's own /metrics (its scheduled probe of its probe target, host: = the host
# agent's instance as Prometheus would name it):
#   fixtures/vantage-healthy.prom         the probe connects
#   fixtures/vantage-vantage_broken.prom  the vantage's own network drops it (the state above)
#   fixtures/vantage-host_down.prom       the host is dead to the network: fleetcap-srv drops everything
#                                         arriving on eth-ext (iptables INPUT DROP)
# Needs root, iproute2, iptables, socat, curl and a built exporter:
#   dotnet build PortExporter.slnx -c Release -v quiet
#   tests/alerts/fleet/capture.sh [PATH-TO-PortExporter.dll or binary]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin=${1:-${PORT_EXPORTER_BIN:-$(find "$root/src" -path '*/bin/Release/*' -name 'port-exporter' -type f | head -1)}}
[[ -n $bin && -f $bin ]] || { echo "no exporter binary (build it, or pass its path)" >&2; exit 2; }
if [[ $bin == *.dll ]]; then exporter=(dotnet "$bin"); else exporter=("$bin"); fi

srv=fleetcap-srv out=fleetcap-out
srv_addr=10.232.1.1 out_addr=10.232.1.2 agent=9100
work=$(mktemp -d)
pids=()
cleanup() {
  local ns pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Whatever still runs in the two namespaces (the PID namespace's init, the service) was started here.
  for ns in "$srv" "$out"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for _ in $(seq 1 50); do
    [[ -z "$(ip netns pids "$srv" 2>/dev/null)$(ip netns pids "$out" 2>/dev/null)" ]] && break
    sleep 0.2
  done
  for ns in "$srv" "$out"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$srv" 2>/dev/null || true
  ip netns del "$out" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ip netns list | grep -q '^fleetcap-'; then echo "fleetcap-* namespaces exist: another capture runs" >&2; exit 1; fi

ip netns add "$srv"; ip netns add "$out"
ip -n "$srv" link set lo up; ip -n "$out" link set lo up
ip link add eth-ext netns "$srv" type veth peer name eth0 netns "$out"
ip -n "$srv" addr add "$srv_addr/24" dev eth-ext; ip -n "$out" addr add "$out_addr/24" dev eth0
ip -n "$srv" link set eth-ext up; ip -n "$out" link set eth0 up

cp "$(command -v socat)" "$work/fleetcap-web"

cat >"$work/outside.yml" <<YML
ports: []
probes:
  interval: 1s
  timeout: 500ms
probe_targets:
  - name: web
    address: $srv_addr
    port: 8080
    protocol: tcp
    host: $srv_addr:$agent
YML
cat >"$work/server.yml" <<YML
ports:
  - name: web
    port: 8080
    protocol: tcp
    process: fleetcap-web
    bind: $srv_addr
    expose: public
firewall:
  external_source: $out_addr
  refresh_interval: 1s
probes:
  timeout: 1s
vantages:
  - name: outside
    url: http://$out_addr:$agent
YML
# The vantage, and the host agent with its service, each in a PID namespace of their own: the exporter
# reads every process it sees, and this machine's own PID 1 is not readable even by root.
ip netns exec "$out" unshare --pid --fork --kill-child --mount-proc \
  "${exporter[@]}" --config.file "$work/outside.yml" --web.listen-address "$out_addr:$agent" >"$work/outside.log" 2>&1 &
pids+=($!)
ip netns exec "$srv" unshare --pid --fork --kill-child --mount-proc bash -c \
  '"$1" TCP4-LISTEN:8080,reuseaddr,fork SYSTEM:"echo hello" & shift; exec "$@"' _ "$work/fleetcap-web" \
  "${exporter[@]}" --config.file "$work/server.yml" --web.listen-address "0.0.0.0:$agent" >"$work/server.log" 2>&1 &
pids+=($!)

scrape() { ip netns exec "$srv" curl -fsS --max-time 20 "http://127.0.0.1:$agent/metrics"; }
# capture FILE CAUSE: scrape until the diagnosis names CAUSE (the firewall snapshot refreshes every second)
# and every process could be read (a process exiting during the scan is counted unreadable once)
capture() {
  local file=$1 cause=$2 body
  for _ in $(seq 1 60); do
    if body=$(scrape 2>/dev/null) && grep -q "^port_diagnosis{.*cause=\"$cause\".*} 1$" <<<"$body"; then
      sleep 2  # one more refresh, then the capture
      scrape >"$here/fixtures/$file"
      if grep -q "^port_diagnosis{.*cause=\"$cause\".*} 1$" "$here/fixtures/$file" &&
        grep -q '^port_exporter_processes_unreadable 0$' "$here/fixtures/$file"; then
        echo "wrote fixtures/$file"; return 0
      fi
    fi
    sleep 1
  done
  echo "the exporter did not name $cause; last scrape:" >&2; scrape | grep diagnosis >&2 || true
  cat "$work/server.log" "$work/outside.log" >&2
  return 1
}
scrape_vantage() { ip netns exec "$out" curl -fsS --max-time 20 "http://$out_addr:$agent/metrics"; }
# capture_vantage FILE SUCCESS: scrape the vantage until its probe of the target reports SUCCESS (1 or 0,
# a failure with its reason) and every process could be read
capture_vantage() {
  local file=$1 want=$2 body
  local line="^port_target_probe_success{target=\"web\",host=\"$srv_addr:$agent\",.*} $want$"
  for _ in $(seq 1 60); do
    if body=$(scrape_vantage 2>/dev/null) && grep -q "$line" <<<"$body" &&
      { [[ $want == 1 ]] || grep -q '^port_target_probe_failure_reason{target="web"' <<<"$body"; }; then
      sleep 2
      scrape_vantage >"$here/fixtures/$file"
      if grep -q "$line" "$here/fixtures/$file" &&
        grep -q '^port_exporter_processes_unreadable 0$' "$here/fixtures/$file"; then
        echo "wrote fixtures/$file"; return 0
      fi
    fi
    sleep 1
  done
  echo "the vantage's probe did not report $want; last scrape:" >&2; scrape_vantage | grep target >&2 || true
  cat "$work/outside.log" >&2
  return 1
}
capture healthy.prom ok
capture_vantage vantage-healthy.prom 1
ip netns exec "$srv" iptables -A INPUT -i eth-ext -p tcp --dport 8080 -m comment --comment "block web from outside" -j DROP
capture firewall_blocked.prom firewall_blocked
ip netns exec "$srv" iptables -F INPUT
ip netns exec "$out" iptables -A OUTPUT -o eth0 -p tcp --dport 8080 -m comment --comment "vantage broken" -j DROP
capture vantage_broken.prom "${VANTAGE_BROKEN_CAUSE:-nat_or_upstream}"
capture_vantage vantage-vantage_broken.prom 0
ip netns exec "$out" iptables -F OUTPUT
ip netns exec "$srv" iptables -A INPUT -i eth-ext -m comment --comment "host dead to the network" -j DROP
capture_vantage vantage-host_down.prom 0
