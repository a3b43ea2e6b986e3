#!/usr/bin/env bash
# PortExporter benchmark: builds a busy host's state in a network namespace and measures, side by side on
# that state, PortExporter's scrape and memory against the tools on-call would run by hand and against
# node_exporter. Figures are printed and written to bench/out/report.md (see bench/README.md).
#
#   bench/run.sh             the full run: N = 1k, 10k, 100k sockets x R = 100, 10k rules (about 25 min)
#   bench/run.sh --quick     N = 1k, R = 100 and 10k, fewer scrapes (under 2 minutes after the build)
#   bench/run.sh --matrix    what users run: the default config (probes on), the framework-dependent and the
#                            NativeAOT publish beside node_exporter, N = 1k, 10k x R = 100, 1k, 10k, the ruleset
#                            changed every 100 scrapes so the peak of a refresh is in the RSS peak, 35 s of
#                            settling before the steady RSS (about 15 min)
#
# Options:
#   --sockets "N ..."        socket counts (default "1000 10000 100000")
#   --rules "R ..."          ruleset sizes (default "100 10000")
#   --ports P                watched ports with listeners (default 50)
#   --scrapes S              scrapes of each exporter per state (default 1000; RSS read after 50 and after S)
#   --exporter NAME=PATH     benchmark this port-exporter binary (repeatable; default: build artifacts/bin)
#   --aot                    also publish and benchmark the NativeAOT binary (-p:Aot=true)
#   --no-build               use the binaries as they are
#   --no-probes              skip the hanging-probe deadline test
#   --defaults               the exporter's default config but for the ports (probes on); default: probes off
#   --refresh-every K        change the ruleset (add and delete an empty table) every K scrapes: each change makes
#                            the exporter read the ruleset again, so the RSS peak (VmHWM) holds a refresh's peak
#   --settle S               after the scrapes, S more seconds of one scrape a second (as Prometheus scrapes)
#                            before the steady RSS is read: what memory the last refresh leaves behind
#
# Everything happens in network namespaces named pebench-*: no interface, route, rule or sysctl of the
# host's own namespace is touched (the socket helper raises only its own soft fd limit). Run as root.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
OUT_ROOT=${BENCH_OUT:-$BENCH_DIR/out}
readonly BENCH_DIR REPO_DIR OUT_ROOT

readonly WATCHED_FIRST=20001
readonly EXPORTER_ADDR=127.0.0.1:10070 NODE_ADDR=127.0.0.1:9100
readonly SCRAPE_TIMEOUT=10        # X-Prometheus-Scrape-Timeout-Seconds of the scrapes
readonly LISTENER_PERCENT=10      # share of the N sockets that listen; the rest are both ends of connections
readonly FDS_PER_PROCESS=16000    # the fd hard limit here is 20000 and may not be raised
readonly BULK_PORT_BLOCK=1000     # ports per bulk process, from 30000 up
readonly PROBE_TARGETS=500 PROBE_PORT=9 PROBE_SCRAPE_TIMEOUT=5
readonly CHEAP_RUNS=50 COSTLY_RUNS=10 COSTLY_MS=100

sockets_list="1000 10000 100000"
rules_list="100 10000"
ports=50
scrapes=1000
first_scrapes=50
probe_requests=5
probe_concurrencies="32 512"
build=1
aot=0
probes=1
quick=0
defaults=0
refresh_every=0
settle=0
scrapes_given=0
exporters=()

say() { printf '%s\n' "$*"; }
info() { printf 'bench: %s %s\n' "$(date +%T)" "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}
usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

readonly COMMAND_LINE="bench/run.sh${*:+ $*}"
while (($#)); do
    case $1 in
    --quick)
        quick=1 sockets_list=1000 scrapes=300 probe_requests=2 probe_concurrencies=32
        ;;
    --matrix)
        sockets_list="1000 10000" rules_list="100 1000 10000" aot=1 probes=0 defaults=1 refresh_every=100 settle=35
        ((scrapes_given)) || scrapes=300
        ;;
    --defaults) defaults=1 ;;
    --refresh-every) refresh_every=$2 && shift ;;
    --settle) settle=$2 && shift ;;
    --sockets) sockets_list=$2 && shift ;;
    --rules) rules_list=$2 && shift ;;
    --ports) ports=$2 && shift ;;
    --scrapes) scrapes=$2 scrapes_given=1 && shift ;;
    --exporter) exporters+=("$2") && shift ;;
    --aot) aot=1 ;;
    --no-build) build=0 ;;
    --no-probes) probes=0 ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown option $1" ;;
    esac
    shift
done
((scrapes > first_scrapes)) || die "--scrapes must be more than $first_scrapes"
((ports >= 1 && ports <= 1000)) || die "--ports must be 1-1000"
readonly WATCHED_LAST=$((WATCHED_FIRST + ports - 1))

# --- setup ----------------------------------------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || die "the benchmark builds network namespaces and must run as root"

install_missing() {
    local need=() tool
    declare -A package=([hyperfine]=hyperfine [prometheus-node-exporter]=prometheus-node-exporter [curl]=curl
        [python3]=python3 [ss]=iproute2 [ip]=iproute2 [nft]=nftables [iptables-save]=iptables [awk]=gawk)
    for tool in "${!package[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || need+=("${package[$tool]}")
    done
    ((${#need[@]})) || return 0
    info "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts the packaged node_exporter on the host; the benchmark runs its own in the namespace.
    if [[ " ${need[*]} " == *" prometheus-node-exporter "* ]]; then
        service prometheus-node-exporter stop >/dev/null 2>&1 || true
    fi
}
install_missing

if ((build)); then
    info "publishing the exporter (framework-dependent) to artifacts/bin"
    dotnet publish "$REPO_DIR/src/PortExporter/PortExporter.csproj" -c Release -nologo -v quiet -o "$REPO_DIR/artifacts/bin" >&2
    if ((aot)); then
        info "publishing the NativeAOT exporter to artifacts/bench/nativeaot (takes minutes)"
        dotnet publish "$REPO_DIR/src/PortExporter/PortExporter.csproj" -c Release -nologo -v quiet -p:Aot=true -o "$REPO_DIR/artifacts/bench/nativeaot" >&2
    fi
fi
if ((${#exporters[@]} == 0)); then
    exporters=("framework-dependent=$REPO_DIR/artifacts/bin/port-exporter")
    ((aot)) && exporters+=("nativeaot=$REPO_DIR/artifacts/bench/nativeaot/port-exporter")
fi
for entry in "${exporters[@]}"; do
    [[ $entry == *=* ]] || die "--exporter takes NAME=PATH, not $entry"
    [[ -x ${entry#*=} ]] || die "no exporter binary at ${entry#*=} (build it, or drop --no-build)"
done

RUN_DIR=$OUT_ROOT/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RUN_DIR"
readonly RUN_DIR

# --- cleanup: only what this run started ----------------------------------------------------------------
started_pids=()
namespaces=()
cleanup() {
    local pid ns
    for pid in "${started_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${started_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    for ns in "${namespaces[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
    local gone=$1 pid kept=()
    for pid in "${started_pids[@]}"; do
        [[ $pid == "$gone" ]] || kept+=("$pid")
    done
    started_pids=("${kept[@]}")
}

stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# --- machine ------------------------------------------------------------------------------------------------
{
    say "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    say "command=$COMMAND_LINE"
    say "quick=$quick"
    say "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    say "nproc=$(nproc)"
    say "memory_kib=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
    say "kernel=$(uname -r)"
    say "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    say "dotnet=$(dotnet --version 2>/dev/null || echo none)"
    say "node_exporter=$(prometheus-node-exporter --version 2>&1 | awk 'NR==1 {print $3}')"
    say "nft=$(nft --version | awk '{print $2}')"
    say "iptables=$(iptables-save --version 2>&1 | awk '{print $2, $3}')"
    say "ss=$(ss -V | awk '{print $NF}')"
    say "hyperfine=$(hyperfine --version | awk '{print $2}')"
    say "ports=$ports"
    say "scrapes=$scrapes"
    say "first_scrapes=$first_scrapes"
    say "scrape_timeout=$SCRAPE_TIMEOUT"
    say "listener_percent=$LISTENER_PERCENT"
    say "defaults=$defaults"
    say "refresh_every=$refresh_every"
    say "settle_s=$settle"
    say "exporters=${exporters[*]%%=*}"
    say "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RUN_DIR/machine.env"

# --- the host state -------------------------------------------------------------------------------------------
in_ns() { ip netns exec "$NS" "$@"; }

wait_for_file() {
    local file=$1 pid=$2 tries=0
    while [[ ! -f $file ]]; do
        kill -0 "$pid" 2>/dev/null || die "a socket holder exited early (see $RUN_DIR)"
        ((++tries < 3000)) || die "timed out waiting for $file"
        sleep 0.1
    done
}

# N sockets: LISTENER_PERCENT % listeners (the P watched ports' REUSEPORT listeners among them), the rest
# both ends of loopback connections, spread over processes of at most FDS_PER_PROCESS fds each.
build_state() {
    local n=$1 watched_sockets listeners connections holders w first pid
    NS=pebench-$$-n$n
    ip netns add "$NS"
    namespaces+=("$NS")
    in_ns ip link set lo up
    # Per-namespace sysctls only: ephemeral ports above every listener.
    in_ns sysctl -qw net.ipv4.ip_local_port_range="40000 65535"

    ip netns exec "$NS" python3 "$BENCH_DIR/lib/sockets.py" services --ports "$WATCHED_FIRST-$WATCHED_LAST" --reuseport 2 \
        --ready "$RUN_DIR/ready-$n-services" 2>>"$RUN_DIR/sockets.log" &
    pid=$!
    started_pids+=("$pid")
    wait_for_file "$RUN_DIR/ready-$n-services" "$pid"
    watched_sockets=$(awk '{print $2}' "$RUN_DIR/ready-$n-services")

    listeners=$((n * LISTENER_PERCENT / 100 - watched_sockets))
    ((listeners >= 50)) || listeners=50
    connections=$(((n - watched_sockets - listeners) / 2))
    ((connections >= 0)) || connections=0
    holders=$(((listeners + 2 * connections + FDS_PER_PROCESS - 1) / FDS_PER_PROCESS))
    ((holders >= 1)) || holders=1
    info "N=$n: $watched_sockets watched listeners, $listeners other listeners, $connections connections in $holders processes"
    local pids=()
    for ((w = 0; w < holders; w++)); do
        first=$((30000 + w * BULK_PORT_BLOCK))
        ip netns exec "$NS" python3 "$BENCH_DIR/lib/sockets.py" bulk --first-port "$first" \
            --listeners $(((listeners + w) / holders)) --connections $(((connections + w) / holders)) \
            --ready "$RUN_DIR/ready-$n-bulk-$w" 2>>"$RUN_DIR/sockets.log" &
        pids+=($!)
        started_pids+=($!)
    done
    for ((w = 0; w < holders; w++)); do
        wait_for_file "$RUN_DIR/ready-$n-bulk-$w" "${pids[$w]}"
    done
    local tcp
    tcp=$(in_ns cat /proc/net/tcp /proc/net/tcp6 | grep -vc '^ *sl')
    {
        say "sockets_requested=$n"
        say "sockets_tcp=$tcp"
        say "listeners=$(in_ns ss -tlnH | wc -l)"
        say "watched_listeners=$watched_sockets"
        say "connections=$connections"
        say "holders=$((holders + 1))"
    } >"$RUN_DIR/state-$n.env"
    info "N=$n: /proc/net/tcp{,6} hold $tcp sockets"
}

load_rules() {
    local r=$1
    local file=$RUN_DIR/ruleset-$r.nft
    python3 "$BENCH_DIR/lib/ruleset.py" "$r" "$WATCHED_FIRST" "$WATCHED_LAST" >"$file"
    in_ns nft flush ruleset
    in_ns nft -f "$file"
    local shown incompatible
    shown=$(in_ns iptables-save -c | grep -c '^\[' || true)
    incompatible=$(in_ns iptables-save -c | grep -c 'incompatible' || true)
    ((incompatible == 0)) || die "iptables-save cannot show the generated ruleset"
    {
        say "rules=$r"
        say "iptables_save_rules=$shown"
        say "nft_json_bytes=$(in_ns nft -j list ruleset | wc -c)"
    } >"$RUN_DIR/rules-$r.env"
}

# --- measuring ----------------------------------------------------------------------------------------------
# One timed run decides how many runs hyperfine makes: CHEAP_RUNS, or COSTLY_RUNS for a command over COSTLY_MS.
time_commands() {
    local json=$1 name command start ms runs
    shift
    while (($#)); do
        name=$1 command=$2
        shift 2
        start=$(date +%s%N)
        in_ns bash -c "$command" >/dev/null 2>&1
        ms=$((($(date +%s%N) - start) / 1000000))
        runs=$CHEAP_RUNS
        ((ms < COSTLY_MS)) || runs=$COSTLY_RUNS
        in_ns hyperfine -N --style none --warmup 1 --runs "$runs" --command-name "$name" \
            --export-json "$json.$name.json" "$command" >/dev/null 2>>"$RUN_DIR/hyperfine.log"
    done
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# The peak resident size of the process's life so far (the kernel's high-water mark).
peak_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

wait_http() {
    local url=$1 pid=$2 tries=0
    until in_ns curl -sf -o /dev/null "$url"; do
        kill -0 "$pid" 2>/dev/null || die "the server for $url exited (see $RUN_DIR/*.log)"
        ((++tries < 1500)) || die "timed out waiting for $url"
        sleep 0.02
    done
    kill -0 "$pid" 2>/dev/null || die "the server for $url exited, yet something answers there"
}

# COUNT scrapes of URL; appends "PHASE total SECONDS" and, for PortExporter, "PHASE collector NAME SECONDS"
# and "PHASE bytes N" lines to FILE. With --refresh-every K, the ruleset changes (an empty table added and
# deleted: two commits, no rule changed) after every K-th scrape.
scrape_loop() {
    local url=$1 count=$2 phase=$3 file=$4
    in_ns bash -c '
        set -o pipefail
        for ((i = 0; i < $2; i++)); do
            curl -sSf -H "X-Prometheus-Scrape-Timeout-Seconds: $3" -w "\n#scrape %{time_total} %{size_download}\n" "$1" || exit 1
            if (($4 > 0 && (i + 1) % $4 == 0)); then
                nft add table ip pebench_refresh && nft delete table ip pebench_refresh || exit 1
            fi
        done' scrape "$url" "$count" "$SCRAPE_TIMEOUT" "$refresh_every" |
        awk -v phase="$phase" '
            /^port_exporter_collector_duration_seconds\{/ {
                match($0, /collector="[^"]+"/)
                print phase, "collector", substr($0, RSTART + 11, RLENGTH - 12), $2
            }
            /^#scrape / { print phase, "total", $2; print phase, "bytes", $3 }' >>"$file"
}

# Starts a server in the namespace, scrapes it cold once, FIRST_SCRAPES times, then up to SCRAPES; reads its RSS.
bench_server() {
    local label=$1 url=$2 health=$3 cell=$4
    shift 4
    local samples=$cell/$label.samples info=$cell/$label.env pid start
    start=$(date +%s%N)
    # Not through in_ns: a function in the background is a subshell, and $! must be the server itself.
    ip netns exec "$NS" "$@" >"$cell/$label.log" 2>&1 &
    pid=$!
    started_pids+=("$pid")
    wait_http "$health" "$pid"
    {
        say "startup_ms=$((($(date +%s%N) - start) / 1000000))"
        say "rss_idle_kib=$(rss_kib "$pid")"
    } >"$info"
    : >"$samples"
    scrape_loop "$url" 1 cold "$samples"
    scrape_loop "$url" "$first_scrapes" steady "$samples"
    say "rss_${first_scrapes}_kib=$(rss_kib "$pid")" >>"$info"
    scrape_loop "$url" $((scrapes - first_scrapes)) steady "$samples"
    if ((settle > 0)); then
        say "rss_unsettled_kib=$(rss_kib "$pid")" >>"$info"
        in_ns bash -c 'for ((i = 0; i < $2; i++)); do curl -sSf -o /dev/null "$1" || exit 1; sleep 1; done' settle "$url" "$settle"
    fi
    {
        say "rss_final_kib=$(rss_kib "$pid")"
        say "rss_peak_kib=$(peak_kib "$pid")"
        say "scrapes=$scrapes"
        say "cpu_ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    } >>"$info"
    stop "$pid"
}

exporter_config() {
    local file=$1 port name
    {
        if ((defaults)); then
            say "# bench/run.sh: $ports watched ports, everything else the defaults (probes on)"
        else
            say "# bench/run.sh: $ports watched ports, probes off (the probe deadline is measured on its own)"
        fi
        say "ports:"
        for ((port = WATCHED_FIRST; port <= WATCHED_LAST; port++)); do
            name=svc-$((port - WATCHED_FIRST + 1))
            say "  - name: $name"
            say "    port: $port"
            say "    process: pebench-svc"
        done
        if ((!defaults)); then
            say "probes:"
            say "  enabled: false"
        fi
    } >"$file"
}

bench_cell() {
    local n=$1 r=$2 cell=$RUN_DIR/cell-$1-$2 entry
    mkdir -p "$cell"
    info "N=$n R=$r: ruleset commands"
    time_commands "$cell/commands" \
        nft-json 'nft -j list ruleset' \
        iptables-save 'iptables-save -c'
    exporter_config "$cell/port-exporter.yml"
    for entry in "${exporters[@]}"; do
        info "N=$n R=$r: ${entry%%=*} port-exporter, $scrapes scrapes"
        bench_server "exporter-${entry%%=*}" "http://$EXPORTER_ADDR/metrics" "http://$EXPORTER_ADDR/-/healthy" "$cell" \
            "${entry#*=}" --config.file "$cell/port-exporter.yml" --web.listen-address "$EXPORTER_ADDR" --log.level warn
    done
    info "N=$n R=$r: node_exporter, $scrapes scrapes"
    bench_server node "http://$NODE_ADDR/metrics" "http://$NODE_ADDR/" "$cell" \
        prometheus-node-exporter --web.listen-address="$NODE_ADDR"
}

bench_socket_commands() {
    local n=$1
    info "N=$n: socket commands"
    time_commands "$RUN_DIR/sockets-$n" \
        cat-proc-net 'cat /proc/net/tcp /proc/net/tcp6' \
        ss-tlnH 'ss -tlnH' \
        ss-tlnpH 'ss -tlnpH'
}

# --- 500 probe targets that hang ---------------------------------------------------------------------------
probe_config() {
    local file=$1 concurrency=$2 port i k
    {
        say "# bench/run.sh: $PROBE_TARGETS probe targets and $PROBE_TARGETS external endpoints, all dropped"
        say "ports:"
        for ((port = WATCHED_FIRST, k = 0; port <= WATCHED_LAST; port++)); do
            say "  - name: svc-$((port - WATCHED_FIRST + 1))"
            say "    port: $port"
            printf '    external: ['
            for ((i = 0; i < PROBE_TARGETS / ports && k < PROBE_TARGETS; i++, k++)); do
                ((i == 0)) || printf ', '
                printf '"127.1.%d.%d:%d"' $((k / 250)) $((k % 250 + 1)) "$PROBE_PORT"
            done
            say "]"
        done
        say "probes:"
        say "  enabled: true"
        say "  timeout: 60s"
        say "  concurrency: $concurrency"
        say "probe_targets:"
        for ((k = 0; k < PROBE_TARGETS; k++)); do
            say "  - name: hang-$k"
            say "    address: 127.1.$((k / 250)).$((k % 250 + 1))"
            say "    port: $PROBE_PORT"
        done
    } >"$file"
}

bench_probes() {
    local dir=$RUN_DIR/probes concurrency pid samples
    mkdir -p "$dir"
    # Loopback addresses 127.1.0.0/16, dropped on output: every connect hangs until its deadline.
    in_ns nft -f - <<EOF
table inet pebench_probe {
    chain output {
        type filter hook output priority filter; policy accept;
        ip daddr 127.1.0.0/16 counter drop
    }
}
EOF
    for concurrency in $probe_concurrencies; do
        info "probes: $PROBE_TARGETS hanging targets, concurrency $concurrency"
        probe_config "$dir/port-exporter-$concurrency.yml" "$concurrency"
        ip netns exec "$NS" "${exporters[0]#*=}" --config.file "$dir/port-exporter-$concurrency.yml" --web.listen-address "$EXPORTER_ADDR" \
            --log.level warn >"$dir/exporter-$concurrency.log" 2>&1 &
        pid=$!
        started_pids+=("$pid")
        wait_http "http://$EXPORTER_ADDR/-/healthy" "$pid"
        samples=$dir/concurrency-$concurrency.samples
        # Each answer: "ENDPOINT SECONDS HTTP_CODE RESULTS SKIPPED" (probe results in the body, probes skipped).
        in_ns bash -c '
            ask() {
                local took
                took=$(curl -sS -o "$body" -H "X-Prometheus-Scrape-Timeout-Seconds: $timeout" -w "%{time_total} %{http_code}" "$2")
                printf "%s %s %s %s\n" "$1" "$took" "$(grep -c "^port_probe_success{.*vantage=\"external\"" "$body")" \
                    "$(awk "/^port_probes_skipped / {print \$2}" "$body")"
            }
            timeout=$2 body=$5
            for ((i = 0; i < $1; i++)); do
                ask probe "$3"
                ask metrics "$4"
            done' probes "$probe_requests" "$PROBE_SCRAPE_TIMEOUT" \
            "http://$EXPORTER_ADDR/probe?port=$PROBE_PORT" "http://$EXPORTER_ADDR/metrics" "$dir/body-$concurrency.txt" >"$samples"
        stop "$pid"
    done
    say "scrape_timeout=$PROBE_SCRAPE_TIMEOUT" >"$dir/probes.env"
    say "targets=$PROBE_TARGETS" >>"$dir/probes.env"
    in_ns nft delete table inet pebench_probe
}

# --- the run ---------------------------------------------------------------------------------------------------
started=$(date +%s)
first=1
for n in $sockets_list; do
    build_state "$n"
    bench_socket_commands "$n"
    for r in $rules_list; do
        load_rules "$r"
        bench_cell "$n" "$r"
    done
    if ((probes && first)); then
        bench_probes
    fi
    first=0
    cleanup
    started_pids=()
    namespaces=()
done
{
    say "elapsed_s=$(($(date +%s) - started))"
    say "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$RUN_DIR/machine.env"

python3 "$BENCH_DIR/lib/report.py" "$RUN_DIR" >"$RUN_DIR/report.md"
cp "$RUN_DIR/report.md" "$OUT_ROOT/report.md"
cat "$RUN_DIR/report.md"
info "raw data in $RUN_DIR; report in $OUT_ROOT/report.md"
