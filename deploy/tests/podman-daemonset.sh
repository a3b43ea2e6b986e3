#!/bin/bash
# Runs the image's runtime stage with the DaemonSet's settings under podman, without any registry:
#   deploy/tests/podman-daemonset.sh ROOTFS PUBLISH_DIR
# ROOTFS: a Debian 12 root filesystem made from local files or a Debian mirror, e.g.
#   debootstrap --variant=minbase --include=nftables,iptables,libcap2-bin,libssl3,zlib1g,libstdc++6,ca-certificates bookworm ROOTFS
# PUBLISH_DIR: `dotnet publish src/PortExporter -c Release -p:Aot=true -o DIR` (the image's binary), or the
#   framework-dependent publish (then this machine's /usr/share/dotnet runtime is copied into the image).
# The runtime stage is rebuilt here from the Dockerfile's own setcap line (the SDK stage needs a registry and clang),
# then run as the DaemonSet runs it (user, capabilities, no_new_privs, read-only root, host PID, the host mounts) in a
# network namespace with an nftables ruleset. Exits 0 when it starts, holds the DaemonSet's capabilities and reads
# the ruleset (port_exporter_collector_success{collector="firewall"} 1). Needs root with CAP_SYS_RESOURCE (runc sets the
# container's rlimits), podman, runc, nft, curl.
set -euo pipefail
# crun 1.8 refuses hosts with hybrid cgroups; runc does not. PODMAN_RUNTIME overrides.
podman() { command podman --runtime "${PODMAN_RUNTIME:-runc}" "$@"; }
rootfs=$(realpath "$1"); publish=$(realpath "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
tag=$RANDOM
ns=deploy-podman-$tag
work=$(mktemp -d)
cleanup() { podman rm -f "pe-$tag" >/dev/null 2>&1 || true; podman rmi -f "localhost/pe-base:$tag" "localhost/pe-runtime:$tag" >/dev/null 2>&1 || true; ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

tar -C "$rootfs" -c . | podman import - "localhost/pe-base:$tag" >/dev/null
caps=$(grep -oE 'setcap [a-z_,]+[+=][a-z]+ /app/port-exporter' "$repo/Dockerfile" | awk '{print $2}')
[ -n "$caps" ] || { echo "no setcap line for /app/port-exporter in the Dockerfile" >&2; exit 1; }
mkdir -p "$work/app"
cp -a "$publish/." "$work/app/"
runtime=""
if [ ! -f "$work/app/port-exporter.dll" ]; then :; else cp -a /usr/share/dotnet "$work/dotnet"; runtime='COPY dotnet /usr/share/dotnet'; fi
cat > "$work/Containerfile" <<CF
FROM localhost/pe-base:$tag
RUN useradd --system --no-create-home --shell /usr/sbin/nologin port-exporter
$runtime
COPY app /app
RUN setcap $caps /app/port-exporter
USER port-exporter
ENTRYPOINT ["/app/port-exporter"]
CF
podman build -q -t "localhost/pe-runtime:$tag" "$work" >/dev/null

# The DaemonSet's settings, read from the manifest.
ds="$repo/deploy/kubernetes/daemonset.yaml"
uid=$(grep -m1 -oE 'runAsUser: [0-9]+' "$ds" | awk '{print $2}')
gid=$(grep -m1 -oE 'runAsGroup: [0-9]+' "$ds" | awk '{print $2}')
adds=$(awk '/add:/{f=1;next} f&&/^ *- /{print "--cap-add="$2; next} {f=0}' "$ds")
nnp=$(grep -q 'allowPrivilegeEscalation: false' "$ds" && echo --security-opt=no-new-privileges)

ip netns add "$ns"; ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" nft 'add table inet guard; add chain inet guard input { type filter hook input priority 0; policy accept; }; add rule inet guard input tcp dport 8080 drop'
# shellcheck disable=SC2086
podman run -d --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=$(ulimit -Hu):$(ulimit -Hu)" --name "pe-$tag" --network "ns:/run/netns/$ns" --pid=host --user "$uid:$gid" --cap-drop=ALL $adds $nnp \
  --read-only --tmpfs /tmp -e DOTNET_EnableDiagnostics=0 \
  -v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /var/log:/host/root/var/log:ro \
  "localhost/pe-runtime:$tag" --path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host/root --web.listen-address=127.0.0.1:10070 >/dev/null
for _ in $(seq 1 60); do ip netns exec "$ns" curl -sf http://127.0.0.1:10070/-/healthy >/dev/null 2>&1 && break; sleep 0.5; done
metrics=$(ip netns exec "$ns" curl -sf http://127.0.0.1:10070/metrics)
podman logs "pe-$tag" 2>&1 | grep -E 'capabilities|without' || true
pid=$(podman inspect -f '{{.State.Pid}}' "pe-$tag")
grep -E '^(Uid|CapPrm|CapEff|CapBnd|NoNewPrivs)' "/proc/$pid/status"
echo "$metrics" | grep 'port_exporter_collector_success{'
echo "$metrics" | grep -q 'port_exporter_collector_success{collector="firewall"} 1'
echo OK
