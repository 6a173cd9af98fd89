#!/usr/bin/env bash
# `make bench`: Flotilla's performance figures, one line each, with the target.
#   bench/run.sh path/to/flotilla      (make bench passes build/rel/flotilla)
#
#   1. durable creates/s over HTTP, 64 keep-alive clients (wrk + create.lua)
#   2. GET/s of one object, next to nginx serving the same bytes as a file
#   3. full LIST of 10,000 objects: median and p99 time, body read to the end
#   4. startup time with 1,000,000 stored objects (page cache warm, then
#      cold), and the data dir size
#   5. resident memory per stored 1 KiB object, after a restart and in the
#      server that created the objects
#
# Every server runs on a fresh data dir under /tmp (removed at the end) and
# the SQLite store (the default, durable one). The load generator (wrk, curl)
# shares the machine's cores with the server: the figures are for the pair.
# Exits non-zero, with "BENCH FAILED", if a server does not start or exit
# cleanly or any step sees an error (a non-201 create, a non-200 GET, a socket
# error); a figure that misses its target is marked MISSED but is not an error.
# Takes about 2 minutes, most of it filling the 1,000,000-object store.
#
# Knobs (for trying things out; make bench uses the defaults):
#   BENCH_SECONDS=10  length of each wrk run      BENCH_FILL=1000000  objects for 4 and 5
#   BENCH_LIST_OBJECTS=10000                      BENCH_LIST_REQUESTS=100
set -euo pipefail

bin=${1:?usage: bench/run.sh FLOTILLA_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
secs=${BENCH_SECONDS:-10}
fill=${BENCH_FILL:-1000000}
list_n=${BENCH_LIST_OBJECTS:-10000}
list_reqs=${BENCH_LIST_REQUESTS:-100}
conns=64
threads=2
cm=/api/v1/namespaces/default/configmaps

[ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 1; }
for tool in wrk nginx curl "$py"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool not found (scripts/deps.sh bench installs it)" >&2; exit 1; }
done
(( fill % threads == 0 && list_n % threads == 0 )) || { echo "bench: object counts must be even" >&2; exit 1; }

tmp=$(mktemp -d /tmp/flotilla-bench.XXXXXX)
pids=()       # every process we started and have not waited for
problems=()   # errors seen by the steps; any makes the bench fail

# ---- plumbing --------------------------------------------------------------

alive() { # PID: running (not exited, not a zombie)
    local s
    s=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) && [ -n "$s" ] && [ "$s" != Z ]
}

forget() { # PID: drop from pids
    local p keep=()
    for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    pids=("${keep[@]+"${keep[@]}"}")
}

cleanup() {
    local p i
    for p in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]+"${pids[@]}"}"; do
        for ((i = 0; i < 100; i++)); do alive "$p" || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM HUP

die() {
    echo "BENCH FAILED: $*" >&2
    exit 1
}

problem() { # record an error, say it loudly now, fail at the end
    problems+=("$*")
    echo "  !!! ERROR: $*" >&2
}

commas() { # integer with thousands separators
    printf '%.0f' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
}

calc() { # awk expression -> value (integral values print as integers)
    awk "BEGIN { OFMT = \"%.3f\"; print ($*) }"
}

met=0 missed=0
mark() { # mark 1|0: sets $v to "ok" or "MISSED" and counts it
    if [ "$1" = 1 ]; then
        v=ok
        met=$((met + 1))
    else
        v=MISSED
        missed=$((missed + 1))
    fi
}

rss_kb() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# start_server NAME DATA_DIR: sets srv_pid, srv_port, srv_url
start_server() {
    local name=$1 dir=$2 i
    "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" --insecure-http >"$tmp/$name.out" 2>"$tmp/$name.err" &
    srv_pid=$!
    pids+=("$srv_pid")
    for ((i = 0; i < 1200; i++)); do
        grep -q '^listening on ' "$tmp/$name.out" && break
        if ! alive "$srv_pid"; then
            cat "$tmp/$name.err" >&2
            die "server '$name' exited before listening"
        fi
        sleep 0.05
    done
    srv_port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tmp/$name.out")
    [ -n "$srv_port" ] || die "server '$name' did not print 'listening on 127.0.0.1:PORT' within 60 s"
    srv_url=http://127.0.0.1:$srv_port
}

# stop_server PID NAME: SIGTERM, wait (60 s at most), insist on exit status 0
stop_server() {
    local pid=$1 name=$2 rc=0 dog
    kill -TERM "$pid"
    (sleep 60; kill -KILL "$pid" 2>/dev/null) &
    dog=$!
    wait "$pid" || rc=$?
    kill "$dog" 2>/dev/null || true
    wait "$dog" 2>/dev/null || true
    forget "$pid"
    if [ "$rc" -ne 0 ]; then
        cat "$tmp/$name.err" >&2
        die "server '$name' exited with status $rc after SIGTERM"
    fi
}

# creates SERVER_PID URL PREFIX CAP_PER_THREAD TIMEOUT_S: POST configmaps with
# wrk and create.lua. CAP 0: for TIMEOUT_S seconds; otherwise until each
# thread has created CAP objects. Sets created, errors, wrk_secs, wrk_p50_ms,
# wrk_p99_ms; errors of any kind are reported as problems.
creates() {
    local spid=$1 url=$2 prefix=$3 cap=$4 secs=$5 out=$tmp/wrk-$3.out done=$tmp/wrk-$3.done wpid line
    : >"$done"
    wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 30s -s "$here/create.lua" "$url" \
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

# gets NAME URL: wrk GET run; sets rps; non-2xx answers and socket errors are problems
gets() {
    local name=$1 url=$2 out=$tmp/wrk-get-$1.out n
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$url" >"$out" 2>&1 ||
        problem "wrk GET $name failed: $(cat "$out")"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    [ -n "$rps" ] || die "wrk GET $name printed no Requests/sec: $(cat "$out")"
    n=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
    [ -z "$n" ] || problem "GET $name: $n answers were not 2xx"
    if grep -q 'Socket errors:' "$out"; then problem "GET $name: $(grep 'Socket errors:' "$out")"; fi
    get_p99_ms=$(awk '$1 == "99%" {print $2}' "$out")
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

echo "[1/5] durable creates over HTTP (wrk -t$threads -c$conns -d${secs}s, unique names, 1 KiB data value)"
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

# ---- 2. GET vs nginx -------------------------------------------------------

echo
echo "[2/5] GET of one 1 KiB object vs nginx serving the same bytes (wrk -t$threads -c$conns -d${secs}s each)"
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
gets flotilla "$a_url$cm/bench-get"
fl_rps=$rps fl_p99=$get_p99_ms
gets nginx "$ng_url"
ng_rps=$rps ng_p99=$get_p99_ms
ratio=$(calc "100 * $fl_rps / $ng_rps")
echo "GET/s one object, flotilla ($conns keep-alive clients, $obj_bytes-byte body): $(commas "$fl_rps")  [latency p99 $fl_p99]"
echo "GET/s same bytes, nginx static file (1 worker process): $(commas "$ng_rps")  [latency p99 $ng_p99]"
mark "$(calc "$ratio >= 50 ? 1 : 0")"
echo "GET/s flotilla / nginx: $(printf '%.0f' "$ratio")% (target >= 50%): $v"
kill -TERM "$ng_pid"
wait "$ng_pid" || true
forget "$ng_pid"
stop_server "$a_pid" a

# ---- 3. LIST of 10,000 objects ----------------------------------------------

echo
echo "[3/5] full LIST of $(commas "$list_n") 1 KiB objects ($list_reqs sequential requests on one keep-alive connection, curl)"
mkdir "$tmp/b"
start_server b "$tmp/b/data"
b_pid=$srv_pid b_url=$srv_url
creates "$b_pid" "$b_url/" list $((list_n / threads)) $((list_n / 2000 + 30))
items=$(curl -sf "$b_url$cm" | "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))') ||
    die "LIST failed"
[ "$items" -eq "$list_n" ] || problem "LIST returned $items items, wanted $list_n"
args=()
for ((i = 0; i < list_reqs; i++)); do args+=(-o /dev/null "$b_url$cm"); done
curl -s -w '%{http_code} %{size_download} %{time_total}\n' "${args[@]}" >"$tmp/list.times" ||
    problem "curl LIST run failed"
bad=$(awk '$1 != 200' "$tmp/list.times" | wc -l)
[ "$bad" -eq 0 ] || problem "$bad LIST requests did not answer 200"
[ "$(wc -l <"$tmp/list.times")" -eq "$list_reqs" ] || problem "curl made $(wc -l <"$tmp/list.times") LIST requests, not $list_reqs"
list_mib=$(awk 'NR == 1 {printf "%.1f", $2 / 1048576}' "$tmp/list.times")
read -r list_med list_p99 < <(awk '{print $3 * 1000}' "$tmp/list.times" | sort -n |
    awk '{v[NR] = $1} END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        i = int(NR * 0.99 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
        printf "%.1f %.1f\n", m, v[i] }')
mark "$(calc "$list_med <= 20 ? 1 : 0")"
echo "LIST $(commas "$list_n") objects ($list_mib MiB body): median $list_med ms, p99 $list_p99 ms (target median <= 20 ms): $v"
stop_server "$b_pid" b

# ---- 4 + 5. 1,000,000 objects: fill, memory, restart ------------------------

echo
echo "[4/5] fill a data dir with $(commas "$fill") 1 KiB objects over HTTP (wrk -t$threads -c$conns), restart it"
mkdir "$tmp/d"
start_server d "$tmp/d/data"
d_pid=$srv_pid d_url=$srv_url
curl -sf -o /dev/null "$d_url/version" || die "GET /version on the empty server failed"
empty_kb=$(rss_kb "$d_pid")
creates "$d_pid" "$d_url/" fill $((fill / threads)) $((fill / 5000 + 30)) # fails below 5,000/s
echo "fill: $(commas "$created") creates in ${wrk_secs} s = $(commas "$(calc "$created / $wrk_secs")")/s  [latency p50 ${wrk_p50_ms} ms, p99 ${wrk_p99_ms} ms]"
loaded_kb=$(rss_kb "$d_pid")
stop_server "$d_pid" d
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
echo "[5/5] resident memory per stored object (VmRSS, minus an empty server's $(commas $((empty_kb / 1024))) MiB)"
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
