#!/usr/bin/env bash
# Renders PortExporter's monitoring mixin (Debian package `jsonnet`) into the committed files:
# alerts/rules.yml, alerts/alertmanager.yml, deploy/kubernetes/prometheusrule.yaml and
# grafana/dashboards/*.json.
#
#   mixin/render.sh                 write them
#   mixin/render.sh --check         exit 1 (with a diff) when a committed file differs from the render
#   mixin/render.sh --test-rules PATH [--for 5s] [--keep-firing-for 30s] [--inhibit-margin 60s]
#       the rules with every `for` set to the duration (end-to-end tests); `keep_firing_for` of the
#       symptoms too, or to --keep-firing-for; causes keep firing one margin longer, fleet pages two
#       (default margin: the symptoms' keep_firing_for)
#   mixin/render.sh --min-vantages-rules PATH N
#       the shipped rules with minVantages N (its promtool test)
#   mixin/render.sh --test-alertmanager PATH --webhook URL [--group-wait 1s]
#       alertmanager.yml with both receivers sent to URL and short group timers
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
command -v jsonnet >/dev/null || { echo "jsonnet is not installed (apt-get install jsonnet)" >&2; exit 2; }

render() {  # render OUT [jsonnet args]
  local out=$1; shift
  mkdir -p "$out/alerts" "$out/deploy/kubernetes" "$out/grafana/dashboards"
  jsonnet -S -m "$out" "$@" "$here/render.jsonnet" >/dev/null
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

case "${1:-}" in
  --test-rules | --test-alertmanager)
    mode=$1 path=${2:?"$1 needs a path"}; shift 2
    duration=5s keep='' margin='' webhook='' wait=1s
    while (($#)); do
      case $1 in
        --for) duration=$2; shift 2 ;;
        --keep-firing-for) keep=$2; shift 2 ;;
        --inhibit-margin) margin=$2; shift 2 ;;
        --webhook) webhook=$2; shift 2 ;;
        --group-wait) wait=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
      esac
    done
    if [[ $mode == --test-rules ]]; then
      render "$tmp" --tla-str "forDuration=$duration" --tla-str "keepFiringFor=$keep" --tla-str "margin=$margin"
      cp "$tmp/rules.yml" "$path"
    else
      [[ -n $webhook ]] || { echo "--test-alertmanager needs --webhook URL" >&2; exit 2; }
      render "$tmp" --tla-str "webhook=$webhook" --tla-str "groupWait=$wait"
      cp "$tmp/alertmanager.yml" "$path"
    fi
    echo "wrote $path"
    ;;
  --min-vantages-rules)
    path=${2:?"$1 needs a path"} n=${3:?"$1 needs a number"}
    render "$tmp" --tla-str "minVantages=$n"
    cp "$tmp/rules.yml" "$path"
    echo "wrote $path"
    ;;
  --check)
    render "$tmp"
    status=0
    while IFS= read -r file; do
      rel=${file#"$tmp"/}
      if ! cmp -s "$file" "$root/$rel"; then
        diff -u "$root/$rel" "$file" | head -40 || true
        echo "out of date: $rel" >&2
        status=1
      fi
    done < <(find "$tmp" -type f | sort)
    # No stale dashboard that the mixin no longer renders.
    for file in "$root"/grafana/dashboards/*.json; do
      [[ -f $tmp/grafana/dashboards/$(basename "$file") ]] || { echo "not rendered by the mixin: ${file#"$root"/}" >&2; status=1; }
    done
    ((status == 0)) || echo "run mixin/render.sh and commit the result" >&2
    exit $status
    ;;
  "")
    render "$tmp"
    (cd "$tmp" && find . -type f | sort) | while IFS= read -r rel; do
      rel=${rel#./}
      if ! cmp -s "$tmp/$rel" "$root/$rel"; then cp "$tmp/$rel" "$root/$rel"; echo "wrote $rel"; fi
    done
    ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
