#!/bin/sh
# Firewall benchmark: a ruleset of RULES rules in a network namespace, `nft -j list ruleset` timed against the
# exporter's verdicts for PORTS watched ports, in one run. Needs root (namespaces); touches nothing outside them.
#
#   sudo bench/firewall/run.sh [RULES] [PORTS]        (defaults: 10000 rules, 100 ports)
#
# Two rulesets are measured: native nftables (one inet table), and iptables-nft with multiport rules (which
# nft -j cannot print, so the exporter also reads iptables-nft-save).
set -eu
RULES=${1:-10000}
PORTS=${2:-100}
FIRST_PORT=20000
here=$(cd "$(dirname "$0")" && pwd)
ns="pe-bench-fw-$$"
work=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build -c Release -v q --nologo "$here/FirewallBench/FirewallBench.csproj" -o "$work/bin" >"$work/build.log" || { cat "$work/build.log"; exit 1; }

setup_namespace() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip netns exec "$ns" sh -eu -c '
    ip link set lo up
    ip link add eth0 type veth peer name peer0
    ip link set peer0 up
    ip addr add 10.77.0.1/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.77.0.2'
}

# Native nftables: RULES rules in the input chain; none matches a watched port except a few drops at the end,
# so every verdict walks the whole chain (the worst case).
setup_namespace
{
  echo "table inet bench {"
  echo "  chain input {"
  echo "    type filter hook input priority 0; policy accept;"
  i=0
  while [ "$i" -lt "$((RULES - 4))" ]; do
    echo "    ip saddr 198.18.$((i / 250 % 250)).$((i % 250 + 1)) tcp dport $((30000 + i % 20000)) drop"
    i=$((i + 1))
  done
  echo "    ct state established,related accept"
  echo "    iifname \"lo\" accept"
  echo "    tcp dport { $((FIRST_PORT + 10)), $((FIRST_PORT + 50)) } drop"
  echo "    tcp dport $((FIRST_PORT + 90))-$((FIRST_PORT + 99)) reject with tcp reset"
  echo "  }"
  echo "}"
} > "$work/ruleset.nft"
ip netns exec "$ns" nft -f "$work/ruleset.nft"
echo "== native nftables, $RULES rules, $PORTS watched ports"
ip netns exec "$ns" true
ip netns exec "$ns" "$work/bin/FirewallBench" "$FIRST_PORT" "$PORTS"

# iptables-nft with multiport matches (xt in nft -j): loaded with iptables-nft-restore.
setup_namespace
{
  echo "*filter"
  echo ":INPUT ACCEPT [0:0]"
  echo ":FORWARD ACCEPT [0:0]"
  echo ":OUTPUT ACCEPT [0:0]"
  i=0
  while [ "$i" -lt "$((RULES - 3))" ]; do
    echo "-A INPUT -s 198.18.$((i / 250 % 250)).$((i % 250 + 1))/32 -p tcp -m multiport --dports $((30000 + i % 20000)),$((50000 + i % 10000)) -j DROP"
    i=$((i + 1))
  done
  echo "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
  echo "-A INPUT -i lo -j ACCEPT"
  echo "-A INPUT -p tcp -m multiport --dports $((FIRST_PORT + 10)),$((FIRST_PORT + 50)) -j DROP"
  echo "COMMIT"
} > "$work/ruleset.iptables"
ip netns exec "$ns" iptables-nft-restore < "$work/ruleset.iptables"
echo
echo "== iptables-nft with multiport (read through iptables-nft-save), $RULES rules, $PORTS watched ports"
ip netns exec "$ns" "$work/bin/FirewallBench" "$FIRST_PORT" "$PORTS"
