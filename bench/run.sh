#!/usr/bin/env bash
# `make bench`: Flotilla's performance figures, one line each, with the target.
#   bench/run.sh path/to/flotilla [path/to/watchfan]
#       (make bench passes build/rel/flotilla and build/rel/watchfan; the
#       default watchfan is the one next to flotilla)
#
#   1. durable creates/s over HTTP, 64 keep-alive clients (wrk + create.lua)
#   2. GET/s of one object, next to nginx serving the same bytes as a file,
#      and over HTTPS (bearer token) next to HTTP
#   3. full LIST of 10,000 objects: median and p99 time, body read to the
#      end, over HTTP and over HTTPS
#   4. watch event throughput: 100 watchers while 64 connections create
#      objects, over HTTP and over HTTPS (watchfan stream)
#   5. watch fan-out: 1,000 watchers, one change every 100 ms, delay from
#      just before the write to each watcher's event (watchfan fan), over
#      HTTP and over HTTPS
#   6. strategic-merge patches/s of one Deployment, 64 clients (wrk +
#      patch.lua)
#   7. startup time with 1,000,000 stored objects (page cache warm, then
#      cold), and the data dir size
#   8. resident memory per stored 1 KiB object, after a restart and in the
#      server that created the objects
#
# Every server runs on a fresh data dir under /tmp (removed at the end) and
# the SQLite store (the default, durable one); over plain HTTP
# (--insecure-http) unless the figure says HTTPS, where the server runs as
# `flotilla serve` does by default (its generated PKI; clients verify it
# against the generated CA and send the admin bearer token). The load
# generator (wrk, curl, watchfan) shares the machine's cores with the server:
# the figures are for the pair.
# Exits non-zero, with "BENCH FAILED", if a server does not start or exit
# cleanly or any step sees an error (a non-201 create, a non-200 GET, a socket
# error); a figure that misses its target is marked MISSED but is not an error.
# Takes 2 to 4 minutes, most of it filling the 1,000,000-object store.
#
# Knobs (for trying things out; make bench uses the defaults):
#   BENCH_SECONDS=10  length of each wrk run      BENCH_FILL=1000000  objects for 7 and 8
#   BENCH_LIST_OBJECTS=10000                      BENCH_LIST_REQUESTS=100
#   BENCH_FAN_WATCHERS=1000  BENCH_FAN_CHANGES=20  BENCH_STREAM_EVENTS=5000
set -euo pipefail

bin=${1:?usage: bench/run.sh FLOTILLA_BINARY [WATCHFAN_BINARY]}
watchfan=${2:-$(dirname "$bin")/watchfan}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
secs=${BENCH_SECONDS:-10}
fill=${BENCH_FILL:-1000000}
list_n=${BENCH_LIST_OBJECTS:-10000}
list_reqs=${BENCH_LIST_REQUESTS:-100}
fan_n=${BENCH_FAN_WATCHERS:-1000}
fan_changes=${BENCH_FAN_CHANGES:-20}
fan_ms=100
stream_watchers=100
stream_writers=64
stream_events=${BENCH_STREAM_EVENTS:-5000}
conns=64
threads=2
cm=/api/v1/namespaces/default/configmaps

[ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 1; }
[ -x "$watchfan" ] || { echo "bench: $watchfan is not an executable (make build/rel/watchfan)" >&2; exit 1; }
for tool in wrk nginx curl "$py"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool not found (scripts/deps.sh bench installs it)" >&2; exit 1; }
done
(( fill % threads == 0 && list_n % threads == 0 )) || { echo "bench: object counts must be even" >&2; exit 1; }

# The fan-out holds $fan_n watch connections open: the server (which inherits
# this limit) and watchfan each need more descriptors than the usual default
# soft limit of 1,024 (at that limit the server cannot accept them all).
want_fds=$((fan_n + 1024))
if [ "$(ulimit -Sn)" != unlimited ] && (($(ulimit -Sn) < want_fds)); then
    ulimit -Sn "$want_fds" 2>/dev/null || {
        echo "bench: the fan-out needs ulimit -n >= $want_fds; the hard limit is $(ulimit -Hn)" >&2
        exit 1
    }
fi

tmp=$(mktemp -d /tmp/flotilla-bench.XXXXXX)
pids=()       # every process we started and have not waited for
problems=()   # errors seen by the steps; any makes the bench fail

# ---- plumbing --------------------------------------------------------------

. "$here/lib.sh"

problem() { # record an error, say it loudly now, fail at the end
    problems+=("$*")
    echo "  !!! ERROR: $*" >&2
}

# start_server NAME DATA_DIR [https]: sets srv_pid, srv_port, srv_url; with
# https, the server runs with TLS and authentication (the default) and
# srv_ca, srv_token are its generated CA file and admin bearer token;
# srv_curl=(curl ...) is a curl that trusts the CA and sends the token.
start_server() {
    local name=$1 dir=$2 tls=${3:-} i
    local mode=(--insecure-http)
    [ -z "$tls" ] || mode=(--kubeconfig-out "$dir.kubeconfig")
    "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" "${mode[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    srv_pid=$!
    pids+=("$srv_pid")
    for ((i = 0; i < 1200; i++)); do
        grep -qs '^listening on ' "$tmp/$name.out" && break
        if ! alive "$srv_pid"; then
            cat "$tmp/$name.err" >&2
            die "server '$name' exited before listening"
        fi
        sleep 0.05
    done
    srv_port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tmp/$name.out")
    [ -n "$srv_port" ] || die "server '$name' did not print 'listening on 127.0.0.1:PORT' within 60 s"
    srv_url=http://127.0.0.1:$srv_port srv_ca= srv_token=
    srv_curl=(curl)
    if [ -n "$tls" ]; then
        srv_url=https://127.0.0.1:$srv_port
        srv_ca=$dir/pki/ca.crt
        srv_token=$(cut -d, -f1 "$dir/pki/tokens.csv" | head -n 1)
        [ -s "$srv_ca" ] && [ -n "$srv_token" ] || die "server '$name': no $srv_ca or token in $dir/pki/tokens.csv"
        srv_curl=(curl --cacert "$srv_ca" -H "Authorization: Bearer $srv_token")
        "${srv_curl[@]}" -sf -o /dev/null "$srv_url/api/v1/namespaces/default/configmaps?limit=1" ||
            die "server '$name': an authenticated HTTPS GET failed"
    fi
}

# auth TOKEN: sets auth=(wrk/curl header arguments) for TOKEN ('' : none)
auth() {
    auth=()
    [ -z "$1" ] || auth=(-H "Authorization: Bearer $1")
}

# creates SERVER_PID URL PREFIX CAP_PER_THREAD TIMEOUT_S [TOKEN]: POST
# configmaps with wrk and create.lua. CAP 0: for TIMEOUT_S seconds; otherwise
# until each thread has created CAP objects. Sets created, errors, wrk_secs,
# wrk_p50_ms, wrk_p99_ms; errors of any kind are reported as problems.
creates() {
    local spid=$1 url=$2 prefix=$3 cap=$4 secs=$5 out=$tmp/wrk-$3.out done=$tmp/wrk-$3.done wpid line
    auth "${6:-}"
    : >"$done"
    wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s -s "$here/create.lua" "${auth[@]}" "$url" \
        -- "$prefix" "$cap" "$done" "$threads" >"$out" 2>"$out.err" &
    wpid=$!
    pids+=("$wpid")
    if [ "$cap" -gt 0 ]; then
        while alive "$wpid" && [ "$(wc -l <"$done")" -lt "$threads" ]; do
            alive "$spid" || { cat "$tmp"/*.err >&2; die "the server died during the $prefix run"; }
            sleep 0.2
        done
        kill -INT "$wpid" 2>/dev/null || true
    fi
    wait "$wpid" || problem "wrk ($prefix) exited with status $?: $(head -c 500 "$out.err")"
    forget "$wpid"
    line=$(grep '^BENCH ' "$out") || die "wrk ($prefix) printed no BENCH line: $(cat "$out" "$out.err")"
    kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    created=$(kv created)
    errors=$(kv errors)
    wrk_secs=$(calc "$(kv duration_us) / 1e6")
    wrk_p50_ms=$(calc "$(kv p50_us) / 1000")
    wrk_p99_ms=$(calc "$(kv p99_us) / 1000")
    local sock=$(($(kv sock_connect) + $(kv sock_read) + $(kv sock_write) + $(kv sock_timeout)))
    if [ "$errors" -ne 0 ]; then
        problem "$prefix: $errors creates answered with something other than 201 (status x count: $(kv statuses)); first ones: $(head -c 600 "$out.err")"
    fi
    if [ "$sock" -ne 0 ]; then
        problem "$prefix: wrk socket errors: connect $(kv sock_connect), read $(kv sock_read), write $(kv sock_write), timeout $(kv sock_timeout)"
    fi
    if [ "$cap" -gt 0 ] && [ "$created" -ne $((cap * threads)) ]; then
        problem "$prefix: created $created objects, wanted $((cap * threads)) (wrk timed out after ${secs}s?)"
    fi
}

# gets NAME URL [TOKEN [SERVER_PID]]: wrk GET run; sets rps, get_p99_ms and,
# with SERVER_PID, get_cpu_us (the server's CPU time per GET); non-2xx answers
# and socket errors are problems
gets() {
    local name=$1 url=$2 spid=${4:-} out=$tmp/wrk-get-$1.out n c0=0
    auth "${3:-}"
    [ -z "$spid" ] || c0=$(cpu_ms "$spid")
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "${auth[@]}" "$url" >"$out" 2>&1 ||
        problem "wrk GET $name failed: $(cat "$out")"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    [ -n "$rps" ] || die "wrk GET $name printed no Requests/sec: $(cat "$out")"
    n=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
    [ -z "$n" ] || problem "GET $name: $n answers were not 2xx"
    if grep -q 'Socket errors:' "$out"; then problem "GET $name: $(grep 'Socket errors:' "$out")"; fi
    get_p99_ms=$(awk '$1 == "99%" {print $2}' "$out")
    get_cpu_us=
    [ -z "$spid" ] || get_cpu_us=$(calc "($(cpu_ms "$spid") - $c0) * 1000 / $(awk '/ requests in / {print $1}' "$out")")
}

# lists NAME URL [TOKEN CA]: LIST every configmap list_reqs times with one
# curl (one keep-alive connection), each body read to the end; checks the
# item count first. Sets list_med, list_p99 (ms) and list_mib.
lists() {
    local name=$1 url=$2 args=() bad i
    local c=(curl)
    [ -z "${3:-}" ] || c=(curl --cacert "$4" -H "Authorization: Bearer $3")
    items=$("${c[@]}" -sf "$url$cm" | "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))') ||
        die "LIST ($name) failed"
    [ "$items" -eq "$list_n" ] || problem "LIST ($name) returned $items items, wanted $list_n"
    for ((i = 0; i < list_reqs; i++)); do args+=(-o /dev/null "$url$cm"); done
    "${c[@]}" -s -w '%{http_code} %{size_download} %{time_total}\n' "${args[@]}" >"$tmp/list-$name.times" ||
        problem "curl LIST ($name) run failed"
    bad=$(awk '$1 != 200' "$tmp/list-$name.times" | wc -l)
    [ "$bad" -eq 0 ] || problem "$bad LIST ($name) requests did not answer 200"
    [ "$(wc -l <"$tmp/list-$name.times")" -eq "$list_reqs" ] ||
        problem "curl made $(wc -l <"$tmp/list-$name.times") LIST ($name) requests, not $list_reqs"
    list_mib=$(awk 'NR == 1 {printf "%.1f", $2 / 1048576}' "$tmp/list-$name.times")
    read -r list_med list_p99 < <(awk '{print $3 * 1000}' "$tmp/list-$name.times" | sort -n |
        awk '{v[NR] = $1} END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            i = int(NR * 0.99 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
            printf "%.1f %.1f\n", m, v[i] }')
}

# watchfan_run NAME SERVER_PID TOKEN CA MODE URL ARGS...: run bench/watchfan.c
# (TOKEN and CA empty over HTTP), its key=value output to
# $tmp/watchfan-NAME.out, read with wv. A failure is a problem and leaves no
# values; a dead server is fatal.
watchfan_run() {
    local name=$1 spid=$2 out=$tmp/watchfan-$1.out wpid rc=0 opts=(--pid "$2")
    [ -z "$3" ] || opts+=(--ca "$4" --token "$3")
    shift 4
    "$watchfan" "${opts[@]}" "$@" >"$out" 2>"$out.err" &
    wpid=$!
    pids+=("$wpid")
    wait "$wpid" || rc=$?
    forget "$wpid"
    alive "$spid" || { cat "$tmp"/*.err >&2; die "the server died during watchfan ($name)"; }
    if [ "$rc" -ne 0 ]; then
        problem "watchfan ($name) exited with status $rc: $(grep -v ' connected$' "$out.err" | head -c 600)"
        : >"$out"
    fi
}
wv() { # wv NAME KEY: a watchfan value, 0 if there is none (watchfan failed)
    local x
    x=$(sv "$tmp/watchfan-$1.out" "$2")
    echo "${x:-0}"
}

# timed_start OUT: restart the filled store under helper.py, key=value lines to OUT
timed_start() {
    local hp
    "$py" "$here/helper.py" startup "$bin" "$tmp/d/data" "$cm/fill-0-1" >"$1" 2>"$1.err" &
    hp=$!
    pids+=("$hp")
    wait "$hp" || die "restart with $(commas "$fill") objects failed: $(cat "$1.err" "$tmp/d/data.startup.err" 2>/dev/null)"
    forget "$hp"
}
sv() { sed -n "s/^$2=//p" "$1"; } # sv FILE KEY: value of KEY=value in FILE

# ---- the machine -----------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
echo "Flotilla benchmarks: $bin"
echo "machine: $(nproc) cores ($cpu), ${mem} GiB RAM, $(uname -r)"
echo "note: the load generators (wrk, curl) run on these same $(nproc) cores as the server" \
    "(and nginx), so every figure is for server + client sharing the CPU"
echo "stores: SQLite on fresh data dirs under $tmp (synchronous=FULL: a 201 is on disk)"
busy=$("$py" "$here/helper.py" busy 2)
if [ "$busy" -gt 15 ]; then
    echo "WARNING: the machine is busy before the bench starts (${busy}% of all CPU in use by other" \
        "processes, load average $(cut -d' ' -f1-3 /proc/loadavg)): the figures below will be low and noisy"
fi
echo

# ---- 1. durable creates/s --------------------------------------------------

echo "[1/8] durable creates over HTTP (wrk -t$threads -c$conns -d${secs}s, unique names, 1 KiB data value)"
mkdir "$tmp/a"
start_server a "$tmp/a/data"
a_pid=$srv_pid a_url=$srv_url
creates "$a_pid" "$a_url/" create 0 "$secs"
cps=$(calc "$created / $wrk_secs")
ok=$(calc "$cps >= 20000 ? 1 : 0")
[ "$errors" -eq 0 ] || ok=0
mark "$ok"
line="creates/s ($conns keep-alive clients, durable): $(commas "$cps") (target >= 20,000): $v"
line+="  [$(commas "$created") created in ${wrk_secs} s, latency p50 ${wrk_p50_ms} ms, p99 ${wrk_p99_ms} ms"
[ "$errors" -eq 0 ] && line+="]" || line+=", $errors ERRORS]"
echo "$line"

# ---- 2. GET vs nginx, HTTPS vs HTTP ------------------------------------------

echo
echo "[2/8] GET of one 1 KiB object: vs nginx serving the same bytes, and over HTTPS (wrk -t$threads -c$conns -d${secs}s each)"
value=$(printf '0123456789abcdef%.0s' {1..64})
code=$(curl -s -o "$tmp/get-create.out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"metadata\":{\"name\":\"bench-get\"},\"data\":{\"v\":\"$value\"}}" "$a_url$cm")
[ "$code" = 201 ] || die "creating bench-get: HTTP $code: $(cat "$tmp/get-create.out")"
ng=$tmp/nginx
mkdir -p "$ng/www"
curl -sf -o "$ng/www/bench-get.json" "$a_url$cm/bench-get" || die "GET bench-get failed"
obj_bytes=$(stat -c %s "$ng/www/bench-get.json")
ng_port=$("$py" "$here/helper.py" freeport)
sed -e "s|@PORT@|$ng_port|g" -e "s|@DIR@|$ng|g" -e "s|@ROOT@|$ng/www|g" "$here/nginx.conf.in" >"$ng/nginx.conf"
# nginx's worker may run as an unprivileged user: let it read the file
chmod 755 "$tmp" "$ng" "$ng/www"
chmod 644 "$ng/www/bench-get.json"
nginx -p "$ng" -c "$ng/nginx.conf" -e "$ng/error.log" 2>"$ng/stderr" &
ng_pid=$!
pids+=("$ng_pid")
ng_url=http://127.0.0.1:$ng_port/bench-get.json
for ((i = 0; i < 100; i++)); do
    curl -sf -o "$ng/check.json" "$ng_url" 2>/dev/null && break
    alive "$ng_pid" || die "nginx did not start: $(cat "$ng/stderr" "$ng/error.log" 2>/dev/null)"
    sleep 0.05
done
cmp -s "$ng/check.json" "$ng/www/bench-get.json" || die "nginx does not serve the object's bytes"
gets flotilla "$a_url$cm/bench-get" "" "$a_pid"
fl_rps=$rps fl_p99=$get_p99_ms fl_cpu=$get_cpu_us
gets nginx "$ng_url"
ng_rps=$rps ng_p99=$get_p99_ms
ratio=$(calc "100 * $fl_rps / $ng_rps")
echo "GET/s one object, flotilla ($conns keep-alive clients, $obj_bytes-byte body): $(commas "$fl_rps")  [latency p99 $fl_p99; server CPU $(printf '%.1f' "$fl_cpu") us per GET]"
echo "GET/s same bytes, nginx static file (1 worker process): $(commas "$ng_rps")  [latency p99 $ng_p99]"
mark "$(calc "$ratio >= 50 ? 1 : 0")"
echo "GET/s flotilla / nginx: $(printf '%.0f' "$ratio")% (target >= 50%): $v"
kill -TERM "$ng_pid"
wait "$ng_pid" || true
forget "$ng_pid"
stop_proc "$a_pid" a
# The same object over HTTPS, from a fresh server with TLS and authentication
# (a GET by name costs the same in a's store, which holds ~200,000 objects).
mkdir "$tmp/as"
start_server as "$tmp/as/data" https
as_pid=$srv_pid as_url=$srv_url as_token=$srv_token
code=$("${srv_curl[@]}" -s -o "$tmp/get-create-s.out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"metadata\":{\"name\":\"bench-get\"},\"data\":{\"v\":\"$value\"}}" "$as_url$cm")
[ "$code" = 201 ] || die "creating bench-get over HTTPS: HTTP $code: $(cat "$tmp/get-create-s.out")"
gets flotilla-https "$as_url$cm/bench-get" "$as_token" "$as_pid"
fs_rps=$rps fs_p99=$get_p99_ms fs_cpu=$get_cpu_us
echo "GET/s one object, flotilla over HTTPS (TLS 1.3, bearer token, same clients and object): $(commas "$fs_rps")" \
    " [latency p99 $fs_p99; server CPU $(printf '%.1f' "$fs_cpu") us per GET]"
ratio=$(calc "100 * $fs_rps / $fl_rps")
mark "$(calc "$ratio >= 70 ? 1 : 0")"
echo "GET/s HTTPS / HTTP: $(printf '%.0f' "$ratio")% (target >= 70%): $v"
stop_proc "$as_pid" as

# ---- 3. LIST of 10,000 objects, HTTP and HTTPS ------------------------------

echo
echo "[3/8] full LIST of $(commas "$list_n") 1 KiB objects ($list_reqs sequential requests on one keep-alive connection, curl), over HTTP and over HTTPS"
# b (HTTP) and bs (HTTPS) hold the same objects and stay up for 4, 5 and 6.
mkdir "$tmp/b" "$tmp/bs"
start_server b "$tmp/b/data"
b_pid=$srv_pid b_url=$srv_url
start_server bs "$tmp/bs/data" https
bs_pid=$srv_pid bs_url=$srv_url bs_token=$srv_token bs_ca=$srv_ca
creates "$b_pid" "$b_url/" list $((list_n / threads)) $((list_n / 2000 + 30))
creates "$bs_pid" "$bs_url/" list-s $((list_n / threads)) $((list_n / 2000 + 30)) "$bs_token"
lists http "$b_url"
lh_med=$list_med
mark "$(calc "$list_med <= 20 ? 1 : 0")"
echo "LIST $(commas "$list_n") objects ($list_mib MiB body): median $list_med ms, p99 $list_p99 ms (target median <= 20 ms): $v"
lists https "$bs_url" "$bs_token" "$bs_ca"
ls_med=$list_med
mark "$(calc "$list_med <= 20 ? 1 : 0")"
echo "LIST $(commas "$list_n") objects over HTTPS ($list_mib MiB body): median $list_med ms, p99 $list_p99 ms (target median <= 20 ms): $v"
ratio=$(calc "$ls_med / $lh_med")
mark "$(calc "$ratio <= 1.5 ? 1 : 0")"
echo "LIST median time HTTPS / HTTP: $(printf '%.2f' "$ratio")x (target <= 1.5x): $v"

# ---- 4. watch event throughput, HTTP and HTTPS --------------------------------

echo
echo "[4/8] watch event throughput: $stream_watchers watchers of the namespace's configmaps while $stream_writers" \
    "connections create $(commas "$stream_events") 1 KiB configmaps (watchfan stream), over HTTP and over HTTPS"
watchfan_run stream-http "$b_pid" "" "" stream "$b_url" "$stream_watchers" "$stream_writers" "$stream_events"
watchfan_run stream-https "$bs_pid" "$bs_token" "$bs_ca" stream "$bs_url" "$stream_watchers" "$stream_writers" "$stream_events"
for f in http https; do
    e=$(wv stream-$f events_per_s)
    [ $f = http ] && sh_eps=$e || ss_eps=$e
    mark "$(calc "$e >= 200000 ? 1 : 0")"
    echo "watch events delivered/s over $(tr a-z A-Z <<<$f) ($(commas $((stream_watchers * stream_events))) events of" \
        "$(commas "$stream_events") creates): $(commas "$e") (target >= 200,000): $v" \
        " [creates/s $(commas "$(wv stream-$f creates_per_s)"), $(wv stream-$f seconds) s from the first create to the last" \
        "event; server CPU $(wv stream-$f server_cpu_us_per_event) us per event delivered, $(wv stream-$f server_cpu_pct)% of a core;" \
        "watchfan $(wv stream-$f client_cpu_pct)% of a core]"
done
ratio=$(calc "$sh_eps > 0 ? 100 * $ss_eps / $sh_eps : 0")
mark "$(calc "$ratio >= 70 ? 1 : 0")"
echo "watch events/s HTTPS / HTTP: $(printf '%.0f' "$ratio")% (target >= 70%): $v"

# ---- 5. watch fan-out ---------------------------------------------------------

echo
echo "[5/8] watch fan-out: $(commas "$fan_n") watchers of the namespace's configmaps on one server, $fan_changes changes" \
    "(merge PATCH of one configmap) ${fan_ms} ms apart; delay from just before each write to each watcher's event (watchfan fan)"
watchfan_run fan-http "$b_pid" "" "" fan "$b_url" "$fan_n" "$fan_changes" "$fan_ms"
watchfan_run fan-https "$bs_pid" "$bs_token" "$bs_ca" fan "$bs_url" "$fan_n" "$fan_changes" "$fan_ms"
for f in http https; do
    p99=$(wv fan-$f p99_ms)
    ok=$(calc "$p99 > 0 && $p99 <= 50 ? 1 : 0")
    mark "$ok"
    [ $f = http ] && what=HTTP || what=HTTPS
    echo "watch fan-out over $what, $(commas "$fan_n") watchers x $fan_changes changes:" \
        "p50 $(wv fan-$f p50_ms) ms, p99 $p99 ms, max $(wv fan-$f max_ms) ms (target p99 <= 50 ms): $v" \
        " [worst change's p99 $(wv fan-$f worst_change_p99_ms) ms; slowest PATCH answer $(wv fan-$f write_max_ms) ms;" \
        "server CPU $(wv fan-$f server_cpu_ms_per_change) ms per change; watchfan $(wv fan-$f client_cpu_pct)% of a core]"
done
stop_proc "$bs_pid" bs

# ---- 6. strategic-merge patches/s ----------------------------------------------

echo
echo "[6/8] strategic-merge PATCH of one Deployment over HTTP (wrk -t$threads -c$conns -d${secs}s; each patch sets the" \
    "container's image, alternating, and a unique annotation)"
dep=/apis/apps/v1/namespaces/default/deployments
code=$(curl -s -o "$tmp/dep-create.out" -w '%{http_code}' -H 'Content-Type: application/json' -d '{
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench-patch"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "bench"}},
      "template": {"metadata": {"labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.25", "ports": [{"containerPort": 80}]},
                                {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "infinity"]}]}}}}' \
    "$b_url$dep")
[ "$code" = 201 ] || die "creating the Deployment bench-patch: HTTP $code: $(cat "$tmp/dep-create.out")"
rev0=$(curl -sf "$b_url$cm?limit=1" | sed -n 's/.*"metadata":{"resourceVersion":"\([0-9]*\)".*/\1/p')
out=$tmp/wrk-patch.out
wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s -s "$here/patch.lua" "$b_url/" -- "$dep/bench-patch" \
    >"$out" 2>"$out.err" || problem "wrk (patch) exited with status $?: $(head -c 500 "$out.err")"
line=$(grep '^BENCH ' "$out") || die "wrk (patch) printed no BENCH line: $(cat "$out" "$out.err")"
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
patched=$(kv patched) errors=$(kv errors)
sock=$(($(kv sock_connect) + $(kv sock_read) + $(kv sock_write) + $(kv sock_timeout)))
[ "$errors" -eq 0 ] || problem "patch: $errors patches answered with something other than 200 (status x count: $(kv statuses)); first ones: $(head -c 600 "$out.err")"
[ "$sock" -eq 0 ] || problem "patch: wrk socket errors: connect $(kv sock_connect), read $(kv sock_read), write $(kv sock_write), timeout $(kv sock_timeout)"
# Every 200 must be a stored change: one revision each.
rev1=$(curl -sf "$b_url$cm?limit=1" | sed -n 's/.*"metadata":{"resourceVersion":"\([0-9]*\)".*/\1/p')
[ -n "$rev0" ] && [ -n "$rev1" ] && (( rev1 - rev0 >= patched )) ||
    problem "patch: $patched patches answered 200 but the revision moved from ${rev0:-?} to ${rev1:-?}"
curl -sf "$b_url$dep/bench-patch" | "$py" -c '
import json, sys
d = json.load(sys.stdin)
c = d["spec"]["template"]["spec"]["containers"]
assert [x["name"] for x in c] == ["app", "sidecar"], c
assert c[0]["image"] in ("nginx:1.25", "nginx:1.26") and c[1]["image"] == "busybox:1.36", c
assert "bench/patch" in d["metadata"]["annotations"], d["metadata"]' 2>"$tmp/dep-check.err" ||
    problem "patch: the Deployment after the run is not what the patches make: $(tail -c 400 "$tmp/dep-check.err")"
pps=$(calc "$patched / ($(kv duration_us) / 1e6)")
p99=$(calc "$(kv p99_us) / 1000")
mark "$(calc "$pps >= 10000 && $p99 <= 50 && $errors == 0 ? 1 : 0")"
echo "strategic-merge patches/s, one Deployment, $conns keep-alive clients (durable): $(commas "$pps")," \
    "latency p99 $p99 ms (target >= 10,000/s, p99 <= 50 ms): $v  [$(commas "$patched") patches," \
    "p50 $(calc "$(kv p50_us) / 1000") ms$([ "$errors" -eq 0 ] || echo ", $errors ERRORS")]"
stop_proc "$b_pid" b

# ---- 7 + 8. 1,000,000 objects: fill, memory, restart ------------------------

echo
echo "[7/8] fill a data dir with $(commas "$fill") 1 KiB objects over HTTP (wrk -t$threads -c$conns), restart it"
mkdir "$tmp/d"
start_server d "$tmp/d/data"
d_pid=$srv_pid d_url=$srv_url
curl -sf -o /dev/null "$d_url/version" || die "GET /version on the empty server failed"
empty_kb=$(rss_kb "$d_pid")
creates "$d_pid" "$d_url/" fill $((fill / threads)) $((fill / 5000 + 30)) # fails below 5,000/s
echo "fill: $(commas "$created") creates in ${wrk_secs} s = $(commas "$(calc "$created / $wrk_secs")")/s  [latency p50 ${wrk_p50_ms} ms, p99 ${wrk_p99_ms} ms]"
loaded_kb=$(rss_kb "$d_pid")
stop_proc "$d_pid" d
du_bytes=$(du -sb "$tmp/d/data" | awk '{print $1}')
timed_start "$tmp/warm.out"
"$py" "$here/helper.py" evict "$tmp/d/data"
timed_start "$tmp/cold.out"
for f in warm cold; do
    [ "$(sv "$tmp/$f.out" objects)" -ge "$fill" ] 2>/dev/null ||
        problem "restarted server ($f) reports $(sv "$tmp/$f.out" objects) objects, wanted >= $fill"
done
restart_kb=$(sv "$tmp/warm.out" rss_kb) hwm_kb=$(sv "$tmp/warm.out" hwm_kb)
echo "data dir with $(commas "$(sv "$tmp/warm.out" objects)") objects: $(printf '%.0f' "$(calc "$du_bytes / 1048576")") MiB" \
    "($(commas "$(calc "$du_bytes / $fill")") bytes/object)"
for f in warm cold; do
    l=$(sv "$tmp/$f.out" listen_s) g=$(sv "$tmp/$f.out" get_s)
    [ $f = warm ] && what="warm page cache" || what="cold: data files dropped from the page cache first"
    mark "$(calc "$l <= 5 && $g <= 5 ? 1 : 0")"
    echo "startup with $(commas "$fill") objects ($what): $l s to 'listening on', $g s to first GET 200" \
        "(target <= 5 s): $v"
done

echo
echo "[8/8] resident memory per stored object (VmRSS, minus an empty server's $(commas $((empty_kb / 1024))) MiB)"
per_restart=$(calc "($restart_kb - $empty_kb) * 1024 / $fill")
per_loaded=$(calc "($loaded_kb - $empty_kb) * 1024 / $fill")
mark "$(calc "$per_restart <= 3072 ? 1 : 0")"
echo "RSS per stored 1 KiB object, after restart: $(commas "$per_restart") bytes = $(printf '%.2f' "$(calc "$per_restart / 1024")") KiB" \
    "(target <= 3 KiB): $v  [RSS $(commas $((restart_kb / 1024))) MiB, peak during startup $(commas $((hwm_kb / 1024))) MiB]"
mark "$(calc "$per_loaded <= 3072 ? 1 : 0")"
echo "RSS per stored 1 KiB object, in the server that created them: $(commas "$per_loaded") bytes = $(printf '%.2f' "$(calc "$per_loaded / 1024")") KiB" \
    "(target <= 3 KiB): $v  [RSS $(commas $((loaded_kb / 1024))) MiB]"

echo
echo "targets: $met met, $missed missed (bench took $SECONDS s)"
if [ ${#problems[@]} -ne 0 ]; then
    echo "BENCH FAILED: ${#problems[@]} step(s) saw errors, so the figures above are not trustworthy:" >&2
    for p in "${problems[@]}"; do echo "  - $p" >&2; done
    exit 1
fi
echo "bench: done, no errors"
