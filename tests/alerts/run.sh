#!/usr/bin/env bash
# Checks PortExporter's alert bundle (rendered from mixin/): rendered files byte-identical to the
# committed ones, rule syntax, rule unit tests
# (promtool), Alertmanager config and routing (amtool), inhibition in a real Alertmanager on
# loopback and the structure lint (runbooks, tests per alert). Exits non-zero when any step fails.
# The fleet test (1,000 synthetic hosts in a real Prometheus and Alertmanager, tests/alerts/fleet/) is a job
# of its own: it takes ten minutes or more on two cores. FLEET=1 adds it to this run. RUNBOOK_COMMANDS=1
# adds runbook_commands.py: every port-exporter command of the runbooks and annotations, run as written
# with the Release build (dotnet build PortExporter.slnx -c Release first).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

ensure_tools() {
  local missing=()
  command -v python3 >/dev/null || missing+=(python3)
  command -v jsonnet >/dev/null || missing+=(jsonnet)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing+=(prometheus-alertmanager)
  if ((${#missing[@]} == 0)); then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing: ${missing[*]} (install them, or run as root to have them installed)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

failed=()
step() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then echo "   ok"; else echo "   FAILED: $name" >&2; failed+=("$name"); fi
}

routes() {
  local status=0 receiver labels
  while read -r receiver labels; do
    [[ -z "$receiver" || "$receiver" == \#* ]] && continue
    # shellcheck disable=SC2086 # labels are word-split on purpose
    if ! amtool config routes test --config.file=alerts/alertmanager.yml --verify.receivers="$receiver" $labels >/dev/null 2>&1; then
      echo "   route: expected $receiver for: $labels (got: $(amtool config routes test --config.file=alerts/alertmanager.yml $labels 2>/dev/null))" >&2
      status=1
    fi
  done < "$here/routes.txt"
  return $status
}

kubernetes_rules() {
  # The PrometheusRule's spec must be the same rule groups (checked with promtool, and compared
  # with alerts/rules.yml when both use the same selector).
  local tmp; tmp="$(mktemp -d)"
  python3 - "$root/deploy/kubernetes/prometheusrule.yaml" "$tmp/groups.yml" <<'PY' || { rm -rf "$tmp"; return 1; }
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index("spec:")
body = [l[2:] if l.startswith("  ") else l for l in lines[start + 1:]]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(body))
PY
  local status=0
  promtool check rules "$tmp/groups.yml" >/dev/null || status=1
  if ! grep -Eq '^kind: "?PrometheusRule"?$' deploy/kubernetes/prometheusrule.yaml; then echo "   not a PrometheusRule" >&2; status=1; fi
  diff <(grep -v '^#' alerts/rules.yml) <(grep -v '^#' "$tmp/groups.yml") >/dev/null || { echo "   spec differs from alerts/rules.yml" >&2; status=1; }
  rm -rf "$tmp"
  return $status
}

test_variants() {
  # The short-interval variants the end-to-end tests render must stay valid.
  local tmp status=0; tmp="$(mktemp -d)"
  mixin/render.sh --test-rules "$tmp/rules.yml" --for 5s >/dev/null && promtool check rules "$tmp/rules.yml" >/dev/null || status=1
  grep -q 'keep_firing_for: "5s"' "$tmp/rules.yml" || { echo "   the test variant keeps the shipped keep_firing_for" >&2; status=1; }
  mixin/render.sh --test-alertmanager "$tmp/am.yml" --webhook http://127.0.0.1:9/hook >/dev/null && amtool check-config "$tmp/am.yml" >/dev/null || status=1
  rm -rf "$tmp"
  return $status
}

min_vantages() {
  # The minVantages variant of the outside verdict, rendered beside its promtool test.
  local tmp status=0; tmp="$(mktemp -d)"
  mixin/render.sh --min-vantages-rules "$tmp/rules.yml" 2 >/dev/null && cp "$here"/rules/variants/min_vantages.test.yml "$tmp/" \
    && promtool test rules "$tmp/min_vantages.test.yml" || status=1
  rm -rf "$tmp"
  return $status
}

step "tools present" ensure_tools || true
step "mixin renders byte-identical to the committed files" mixin/render.sh --check
step "promtool check rules" promtool check rules alerts/rules.yml
step "PrometheusRule object" kubernetes_rules
step "promtool test rules" promtool test rules "$here"/rules/*.test.yml
step "promtool test rules, minVantages 2" min_vantages
step "amtool check-config" amtool check-config alerts/alertmanager.yml
step "amtool config routes test" routes
step "end-to-end test variants render" test_variants
step "inhibition in a real Alertmanager" python3 "$here/inhibition.py"
step "bundle lint" python3 "$here/lint.py"
if [[ "${RUNBOOK_COMMANDS:-0}" == 1 ]]; then
  step "runbook commands run as written (the built exporter)" python3 "$here/runbook_commands.py"
fi
if [[ "${FLEET:-0}" == 1 ]]; then
  step "fleet test: 1,000 hosts in a real Prometheus and Alertmanager" python3 "$here/fleet/fleet_test.py" --no-eval-budget
fi

if ((${#failed[@]} > 0)); then
  echo "alert bundle: ${#failed[@]} step(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "alert bundle: all steps passed"
