#!/usr/bin/env bash
# Checks PortExporter's Grafana dashboards; exits non-zero when any step fails.
#
#   tests/grafana/run.sh
#       the dashboards' PromQL runs against a Prometheus this script starts on 127.0.0.1 (random
#       free ports), scraping the canned exposition of tests/grafana/fixture/ (two hosts, every cause)
#       and one dead target, with the alert bundle's rules loaded.
#   SCRAPE_TARGETS=10.200.1.2:10070,10.200.2.2:10070 tests/grafana/run.sh
#       the same, but the Prometheus scrapes these real PortExporters (a reproduced incident) every
#       SCRAPE_INTERVAL (default 5s) instead of the canned exposition.
#   PROM_URL=http://127.0.0.1:9090 tests/grafana/run.sh
#       the same checks against a running Prometheus that scrapes real PortExporters (job
#       port-exporter) and already loads the alert bundle's rules.
#
# Environment:
#   RULES_DIR    the alert bundle (default: alerts/ of this repository). The dashboards read its
#                recording rules, and every expression of its rules is checked too.
#   PROMQL_ARGS  more arguments for promql_check.py, e.g. "--var instance=web-1:10070 --allow-empty 'SELinux'".
#   PROMQL_WAIT  seconds to retry empty results while rules evaluate (default 60).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

rules_dir="${RULES_DIR:-$root/alerts}"
prom_url="${PROM_URL:-}"
dashboards=(grafana/dashboards/*.json)

failed=()
step() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then echo "   ok"; else echo "   FAILED: $name" >&2; failed+=("$name"); fi
}

need_tools() {
  local missing=()
  command -v python3 >/dev/null || missing+=(python3)
  command -v jsonnet >/dev/null || missing+=(jsonnet)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [[ -z "$prom_url" ]]; then
    command -v prometheus >/dev/null || missing+=(prometheus)
    command -v promtool >/dev/null || missing+=(prometheus)
  fi
  ((${#missing[@]} == 0)) && return 0
  echo "   missing: ${missing[*]} (Debian packages)" >&2
  return 1
}

have_rules() {
  if ! ls "$rules_dir"/*.yml >/dev/null 2>&1; then
    echo "   no rules in $rules_dir: the dashboards read the alert bundle's recording rules; set RULES_DIR" >&2
    return 1
  fi
  echo "   $rules_dir"
}

# ---------------------------------------------------------------------------------------------
# The fixture Prometheus: started here, stopped on exit (by process id).

work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

lint_fixture() {
  local f status=0
  for f in "$here"/fixture/*/metrics; do
    if ! promtool check metrics <"$f"; then echo "   $f" >&2; status=1; fi
  done
  return "$status"
}

# Own Prometheus on 127.0.0.1: scrapes the canned exposition (or SCRAPE_TARGETS), plus one target
# where nothing listens (so `up == 0` and PortExporterDown have data), and loads the rules of RULES_DIR.
# Every target carries the mixin's cluster label (cluster "lab"), as the dashboards' cluster variable needs.
start_own_prometheus() {
  local http_port prom_port dead_port rule_files=() f target targets=() interval cluster
  cluster="$(jsonnet -S -e "(import '$root/mixin/mixin.libsonnet')._config.clusterLabel")" || return 1
  prom_port="$(free_port)"; dead_port="$(free_port)"
  for f in "$rules_dir"/*.yml "$rules_dir"/*.yaml; do
    [[ -f "$f" ]] && grep -q '^groups:' "$f" && rule_files+=("$(realpath "$f")")
  done
  if [[ -n "${SCRAPE_TARGETS:-}" ]]; then
    IFS=', ' read -r -a targets <<<"$SCRAPE_TARGETS"
    interval="${SCRAPE_INTERVAL:-5s}"
  else
    http_port="$(free_port)"
    python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$here/fixture" >"$work/http.log" 2>&1 &
    pids+=($!)
    interval="${SCRAPE_INTERVAL:-1s}"
  fi
  {
    echo "global:"
    echo "  scrape_interval: $interval"
    echo "  scrape_timeout: $interval"
    echo "  evaluation_interval: 1s"
    echo "rule_files:"
    for f in "${rule_files[@]}"; do echo "  - '$f'"; done
    echo "scrape_configs:"
    echo "  - job_name: port-exporter"
    echo "    static_configs:"
    if ((${#targets[@]})); then
      echo "      - targets: [$(printf "'%s'," "${targets[@]}" | sed 's/,$//')]"
      echo "        labels: {$cluster: 'lab'}"
    else
      for target in web-1 db-1 vantage-1; do
        echo "      - targets: ['127.0.0.1:$http_port']"
        echo "        labels: {instance: '$target:10070', __metrics_path__: '/$target/metrics', $cluster: 'lab'}"
      done
    fi
    echo "      - targets: ['127.0.0.1:$dead_port']"
    echo "        labels: {instance: 'gw-1:10070', $cluster: 'lab'}"
  } >"$work/prometheus.yml"
  promtool check config "$work/prometheus.yml" >"$work/check-config.log" 2>&1 || { cat "$work/check-config.log" >&2; return 1; }
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
  pids+=($!)
  prom_url="http://127.0.0.1:$prom_port"
  local expected=$(( ${#targets[@]} ? ${#targets[@]} + 1 : 4 )) i
  for i in $(seq 1 150); do
    if python3 - "$prom_url" "$expected" <<'PY' 2>/dev/null; then
import json, sys, urllib.request
up = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/query?query=up", timeout=2))["data"]["result"]
sys.exit(0 if len(up) == int(sys.argv[2]) else 1)
PY
      if ((${#targets[@]})); then
        echo "   $prom_url scrapes ${targets[*]} every $interval and gw-1 (down), rules: ${#rule_files[@]} file(s)"
      else
        echo "   $prom_url scrapes web-1, db-1, the remote vantage vantage-1 (fixture) and gw-1 (down), rules: ${#rule_files[@]} file(s)"
      fi
      return 0
    fi
    sleep 0.2
  done
  cat "$work/prometheus.log" >&2
  return 1
}

# Rules that need time or a fleet to hold: no two static hosts show them (tests/alerts/rules/ proves
# each with promtool). Against the fixture they must parse and evaluate, and may return nothing.
fleet_only='(alerting|recording) (PortHostDown|PortReachabilityFlapping|PortCauseOnManyHosts|PortExporterVantageFailingEverywhere|PortExporterBaselineLoadFailed|cluster_vantage:port_probe_failing_everywhere:group|instance:port_host_unreachable:quorum)\b'

promql() {
  local allow=()
  [[ -z "${PROM_URL:-}" && -z "${SCRAPE_TARGETS:-}" ]] && allow=(--allow-empty "$fleet_only")
  # shellcheck disable=SC2086 # PROMQL_ARGS is word-split on purpose
  eval "set -- ${PROMQL_ARGS:-}"
  python3 "$here/promql_check.py" --prom-url "$prom_url" --rules-dir "$rules_dir" \
    --wait "${PROMQL_WAIT:-60}" "${allow[@]}" "$@" "${dashboards[@]}"
}

# The PromQL check must fail, naming the panel, on a query that returns nothing, one that does not
# parse, and on a rule file whose rules Prometheus has not loaded.
promql_selftest() {
  mkdir -p "$work/selftest/rules"
  cat >"$work/selftest/dashboard.json" <<'JSON'
{"templating": {"list": [{"name": "job", "type": "query", "query": "label_values(port_exporter_build_info, job)"}]},
 "panels": [
  {"id": 1, "title": "returns data", "targets": [{"refId": "A", "expr": "port_diagnosis{job=\"$job\"}"}]},
  {"id": 2, "title": "returns nothing", "targets": [{"refId": "A", "expr": "port_diagnosis{job=\"$job\", cause=\"no-such-cause\"}"}]},
  {"id": 3, "title": "does not parse", "targets": [{"refId": "A", "expr": "sum(port_diagnosis{job=\"$job\"}"}]}]}
JSON
  printf 'groups:\n  - name: selftest\n    rules:\n      - record: selftest:not_loaded:sum\n        expr: vector(1)\n' \
    >"$work/selftest/rules/selftest.yml"
  local out status=0
  out="$(python3 "$here/promql_check.py" --prom-url "$prom_url" "$work/selftest/dashboard.json" 2>&1)" && status=1
  grep -q 'EMPTY dashboard.json: panel "returns nothing" query A' <<<"$out" || status=1
  grep -q 'ERROR dashboard.json: panel "does not parse" query A: bad_data' <<<"$out" || status=1
  if grep -q 'panel "returns data"' <<<"$out"; then status=1; fi
  out+=$'\n'"$(python3 "$here/promql_check.py" --prom-url "$prom_url" --rules-dir "$work/selftest/rules" 2>&1)" && status=1
  grep -q 'not loaded in Prometheus: selftest:not_loaded:sum' <<<"$out" || status=1
  # One run of several (the incident lab): an empty query is reported, not failed; the coverage over
  # the runs then names it with its dashboard and title.
  python3 - "$work/selftest/dashboard.json" "$work/selftest/partial.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d.update(uid="selftest", title="Selftest")
d["panels"] = [p for p in d["panels"] if p["title"] != "does not parse"]
json.dump(d, open(sys.argv[2], "w"))
PY
  out+=$'\n'"$(python3 "$here/promql_check.py" --prom-url "$prom_url" --allow-empty-per-run \
    --report "$work/selftest/run-1.json" "$work/selftest/partial.json" 2>&1)" || status=1
  out+=$'\n'"$(python3 "$here/coverage.py" "$work/selftest/run-1.json" 2>&1)" && status=1
  grep -q 'EMPTY in every run: dashboard "Selftest" (partial.json), panel "returns nothing" query A' <<<"$out" || status=1
  if grep -q 'EMPTY in every run: .*panel "returns data"' <<<"$out"; then status=1; fi
  ((status == 0)) && echo "   reports an empty query and a parse error by panel title, a rule not loaded, and a query empty in every run" \
    || { echo "$out" | sed 's/^/   | /' >&2; }
  return "$status"
}

step "tools" need_tools || exit 1
step "alert bundle (RULES_DIR)" have_rules
step "mixin renders byte-identical to the committed dashboards" "$root/mixin/render.sh" --check
step "dashboard model (uids, grid, data sources, variables, causes, links)" \
  python3 "$here/model_check.py" --rules-dir "$rules_dir" "${dashboards[@]}"
step "Grafana dashboard schema (@grafana/schema, tsc)" "$here/schema/check.sh" "${dashboards[@]}"
if [[ -z "$prom_url" ]]; then
  [[ -z "${SCRAPE_TARGETS:-}" ]] && step "fixture exposition (promtool check metrics)" lint_fixture
  step "own Prometheus" start_own_prometheus || { echo "FAILED: ${failed[*]}" >&2; exit 1; }
  step "the PromQL check fails when it should" promql_selftest
else
  echo "== Prometheus: $prom_url"
fi
step "PromQL of every panel and rule returns data" promql

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all grafana checks passed"
