#!/usr/bin/env bash
# Type-checks every grafana/dashboards/*.json against the Grafana dashboard model of @grafana/schema
# (model.ts), with the TypeScript compiler; both packages are pinned in package-lock.json and installed
# with npm into a temporary directory. Then checks the checker: a copy of a dashboard with known defects
# must fail with exactly those defects.
#
#   tests/grafana/schema/check.sh [DASHBOARD.json ...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
if (($#)); then dashboards=("$@"); else dashboards=("$root"/grafana/dashboards/*.json); fi

command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed (Debian: nodejs npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here"/package.json "$here"/package-lock.json "$here"/tsconfig.json "$here"/model.ts "$work"/
if ! (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1); then
  cat "$work/npm.log" >&2
  echo "npm ci of @grafana/schema and typescript failed (is the npm registry reachable?)" >&2
  exit 1
fi
echo "   @grafana/schema $(node -p "require('$work/node_modules/@grafana/schema/package.json').version"), typescript $("$work"/node_modules/.bin/tsc --version | cut -d' ' -f2)"

# One .ts file per dashboard: line 1 the import, the JSON from line 2 on (so JSON line = TS line - 1).
wrap() { # json ts
  { echo "import type { CheckedDashboard } from './model';"
    printf 'export const dashboard: CheckedDashboard = '
    cat "$1"
    echo ';'; } >"$2"
}

# tsc reports file(line,col); show it as the JSON file's line:col.
typecheck() { # dir -> prints errors, returns tsc's status
  local status=0
  (cd "$1" && node_modules/.bin/tsc -p tsconfig.json --pretty false >tsc.out 2>&1) || status=$?
  local f
  for f in "$1"/dashboard-*.ts; do
    local name; name="$(basename "$f" .ts)"; name="${name#dashboard-}"
    local json; json="$(cat "$1/$name.path")"
    awk -v ts="dashboard-$name.ts" -v json="$json" '
      index($0, ts "(") == 1 {
        split(substr($0, length(ts) + 2), a, /[,)]/); rest = $0; sub(/^[^)]*\): /, "", rest)
        printf "   %s:%d:%d: %s\n", json, a[1] - 1, a[2], rest; next }
      /^ / { print "   " $0 }' "$1/tsc.out"
  done
  grep -v '^dashboard-\|^ ' "$1/tsc.out" | sed 's/^/   /' || true
  return "$status"
}

for d in "${dashboards[@]}"; do
  name="$(basename "$d" .json)"
  wrap "$d" "$work/dashboard-$name.ts"
  realpath --relative-to="$root" "$d" >"$work/$name.path"
done
if ! typecheck "$work"; then
  echo "   the dashboards do not match the Grafana dashboard model" >&2
  exit 1
fi
echo "   ${#dashboards[@]} dashboard(s) match the Grafana dashboard model"

# The checker must catch what it claims to: five known defects, five errors.
rm -f "$work"/dashboard-*.ts "$work"/*.path
python3 - "${dashboards[0]}" "$work/defects.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kinds = {}
for panel in d["panels"]:
    kinds.setdefault(panel["type"], panel)
kinds["stat"]["options"]["colorMode"] = "rainbow"            # value outside an enum
kinds["table"]["options"]["bogus"] = 1                       # unknown plugin option
kinds["table"]["fieldConfig"]["defaults"]["custom"]["cellOptions"] = {"type": "colour-background"}
del kinds["timeseries"]["targets"][0]["expr"]                # query without its expression
d["templating"]["list"][1]["refresh"] = 7                    # numeric enum out of range
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
wrap "$work/defects.json" "$work/dashboard-defects.ts"
echo "defects.json" >"$work/defects.path"
if typecheck "$work" >"$work/defects.out"; then
  echo "   the checker accepted a dashboard with five known defects" >&2
  exit 1
fi
found="$(grep -c 'defects.json:' "$work/defects.out" || true)"
if [[ "$found" != 5 ]]; then
  cat "$work/defects.out" >&2
  echo "   expected 5 errors for 5 known defects, got $found" >&2
  exit 1
fi
echo "   the checker rejects a copy with 5 known defects (5 errors)"
