#!/usr/bin/env python3
"""Prints an nftables ruleset of R rules for `nft -f`, shaped like a busy host's iptables-nft filter table
so that `nft -j list ruleset` and `iptables-save -c` both show the same R rules.

  ruleset.py RULES WATCHED_FIRST WATCHED_LAST

INPUT accepts loopback and ssh, then jumps to chains of 100 rules each: per-source
accepts and drops (10.x.y.z/32 and /24) on ports 1-65535, a quarter of them on the watched ports. The last
watched port is dropped for everyone (a firewall_blocked verdict); the policy is accept. Deterministic
(fixed seed), standard library only. Only expressions iptables-nft can show are used (no native
`ct state`, no sets): a rule it cannot show makes it print "table is incompatible" instead.
"""

import random
import sys

CHAIN_SIZE = 100
HEAD_RULES = 2  # the two INPUT rules before the jumps
TABLE = "filter"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rules, first, last = (int(a) for a in sys.argv[1:])
    rng = random.Random(rules)
    watched = list(range(first, last + 1))
    body = max(rules - HEAD_RULES - 1, 0)  # minus the blocked-port rule
    chains = []
    while body > 0:
        # each chain costs its own jump rule in INPUT
        size = min(CHAIN_SIZE, body - 1) if body > 1 else 0
        chains.append(size)
        body -= size + 1

    out = [f"table ip {TABLE} {{"]
    for index, size in enumerate(chains):
        out.append(f"\tchain PEBENCH-{index:04d} {{")
        for _ in range(size):
            port = rng.choice(watched) if rng.random() < 0.25 else rng.randint(1, 65535)
            a, b, c = rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)
            source = f"10.{a}.{b}.{c}" if rng.random() < 0.7 else f"10.{a}.{b}.0/24"
            verdict = "accept" if rng.random() < 0.6 else "drop"
            out.append(f"\t\tip saddr {source} tcp dport {port} counter {verdict}")
        out.append("\t}")
    out.append("\tchain INPUT {")
    out.append("\t\ttype filter hook input priority filter; policy accept;")
    out.append('\t\tiifname "lo" counter accept')
    out.append("\t\ttcp dport 22 counter accept")
    for index in range(len(chains)):
        out.append(f"\t\tcounter jump PEBENCH-{index:04d}")
    out.append(f"\t\ttcp dport {watched[-1]} counter drop")
    out.append("\t}")
    out.append("\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}")
    out.append("\tchain OUTPUT {\n\t\ttype filter hook output priority filter; policy accept;\n\t}")
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
