#!/bin/sh
# The benchmark's ruleset of 1,000 rules (bench/lib/ruleset.py 1000 20001 20050, saved as ruleset.nft).
nft -f "$(dirname "$0")/ruleset.nft"
