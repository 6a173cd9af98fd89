#!/usr/bin/env bash
# `make bench`, part 2: the figures of `flotilla member` (simulated member
# clusters), one line each, with the target.
#   bench/member.sh path/to/flotilla
#
#   1. one process hosting 100 clusters x 500 nodes (32 cpu, 128Gi, 110 pods
#      each): time from the start to all 50,000 nodes Ready, resident memory
#      per node (at ready, and once each cluster's watch history is full of
#      Lease renewals, 100 s after the start),
#      and idle CPU once settled. Idle is not zero: every node's Lease is
#      renewed every 10 s (a quarter of leaseDuration 40 s), so 5,000 Lease
#      writes a second are the idle load.
#   2. one cluster of 5,000 nodes (32 cpu, 256Gi, 110 pods) running 20,000
#      pods, Karmada's scale-test cluster: 200 Deployments x 100 replicas
#      created over HTTP; time from the first create to all 20,000 pods
#      Running, scheduling throughput, resident memory (nodes, then pods) and
#      idle CPU afterwards.
#
# Each fleet runs in a fresh `flotilla member --insecure-http` process (the
# in-memory store it always uses); the client is bench/member_load.py
# (Python, on the same cores; its CPU is reported). Where memory is measured
# the waits open no watch: nodes are LISTed in pages of 500 until Ready, pods
# are waited for on the Deployments' status. A watch that receives a burst
# (the initial ADDED events, a rollout) costs the server memory while its
# output waits in a buffer, and glibc keeps that memory afterwards, so 2 runs
# twice: once without a watch for memory and idle CPU, once with a pod watch
# for the per-pod times (when each pod is bound, when Running) and for what
# that watcher costs. Memory is VmRSS of /proc/PID/status; CPU is utime +
# stime of /proc/PID/stat over the window, as a percentage of one core.
# Exits non-zero, with "BENCH FAILED", if a server does not start, dies, or
# does not exit cleanly, or a step sees an error (a refused or non-2xx
# request, a watch the server ends, a pod that fails, a timeout); a figure
# that misses its target is marked MISSED but is not an error. Takes about 2
# minutes on 2 cores (the idle windows are a minute of it).
#
# Knobs (for trying things out; make bench uses the defaults):
#   MEMBER_CLUSTERS=100  MEMBER_NODES=500     the fleet of 1
#   SCALE_NODES=5000     SCALE_PODS=20000     the cluster of 2
#   SCALE_REPLICAS=100   replicas per Deployment (SCALE_PODS / it Deployments)
#   SCALE_CREATORS=8     connections creating the Deployments (or pods) in parallel
#   POD_START_DELAY=0s   podStartDelay of 2's cluster (bound -> Running)
#   SCALE_KIND=deployments  or "pods": 2 creates the pods themselves, one
#                        POST each (the scheduler and kubelet without the
#                        Deployment and ReplicaSet controllers)
#   IDLE_SECONDS=30      each idle CPU window     SETTLE_SECONDS=5  quiet time before it
#   MEMBER_TIMEOUT=300   seconds a wait may take before it is an error
#   MEMBER_PERF=1        perf record the server during the busy phases and
#                        print its hottest functions
set -euo pipefail

bin=${1:?usage: bench/member.sh FLOTILLA_BINARY}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
load=$here/member_load.py
clusters=${MEMBER_CLUSTERS:-100}
per_cluster=${MEMBER_NODES:-500}
scale_nodes=${SCALE_NODES:-5000}
scale_pods=${SCALE_PODS:-20000}
replicas=${SCALE_REPLICAS:-100}
start_delay=${POD_START_DELAY:-0s}
kind=${SCALE_KIND:-deployments}
creators=${SCALE_CREATORS:-8}
idle=${IDLE_SECONDS:-30}
settle=${SETTLE_SECONDS:-5}
timeout=${MEMBER_TIMEOUT:-300}
perf=${MEMBER_PERF:-}

[ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 1; }
command -v "$py" >/dev/null || { echo "bench: $py not found" >&2; exit 1; }
if [ -n "$perf" ]; then
    command -v perf >/dev/null || { echo "bench: MEMBER_PERF=1 needs perf" >&2; exit 1; }
fi
((replicas > scale_pods)) && replicas=$scale_pods
((replicas > 0 && scale_pods % replicas == 0)) ||
    { echo "bench: SCALE_PODS ($scale_pods) must be a multiple of SCALE_REPLICAS ($replicas)" >&2; exit 1; }
deployments=$((scale_pods / replicas))
case $kind in
deployments) created="$deployments Deployments" ;;
pods) created="$scale_pods pods (bare, no Deployments)" ;;
*) echo "bench: SCALE_KIND must be deployments or pods" >&2; exit 1 ;;
esac

# Every cluster holds a listener, and every watch a connection.
want_fds=$((clusters * 4 + 1024))
if [ "$(ulimit -Sn)" != unlimited ] && (($(ulimit -Sn) < want_fds)); then
    ulimit -Sn "$want_fds" 2>/dev/null || {
        echo "bench: $clusters clusters need ulimit -n >= $want_fds; the hard limit is $(ulimit -Hn)" >&2
        exit 1
    }
fi

tmp=$(mktemp -d /tmp/flotilla-bench-member.XXXXXX)
pids=() # every process we started and have not waited for

# ---- plumbing --------------------------------------------------------------

. "$here/lib.sh"

sv() { sed -n "s/^$2=//p" "$1"; } # sv FILE KEY: value of KEY=value in FILE

# start_member NAME FLEET_FILE: sets srv_pid, srv_ports (every cluster's, in
# order), t_start (epoch just before the exec) and t_fleet (seconds from it to
# the "fleet ready" line)
start_member() {
    local name=$1 fleet=$2 i
    t_start=$(now)
    "$bin" member --fleet "$fleet" --insecure-http --control 127.0.0.1:0 --data-dir "$tmp/$name.data" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    srv_pid=$!
    pids+=("$srv_pid")
    for ((i = 0; ; i++)); do
        grep -qs '^fleet ready: ' "$tmp/$name.out" && break
        if ! alive "$srv_pid"; then
            tail -n 20 "$tmp/$name.err" >&2
            die "member '$name' exited before 'fleet ready'"
        fi
        ((i < timeout * 20)) || die "member '$name' did not print 'fleet ready' within $timeout s"
        sleep 0.05
    done
    t_fleet=$(calc "$(now) - $t_start")
    srv_ports=($(sed -n 's/^cluster [^ ]* listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tmp/$name.out"))
    [ "${#srv_ports[@]}" -ge 1 ] || die "member '$name' printed no 'cluster NAME listening on 127.0.0.1:PORT'"
}

# step NAME PID CMD...: run a member_load.py command, output in $tmp/NAME.kv;
# the server must still be alive afterwards
step() {
    local name=$1 spid=$2
    shift 2
    if ! "$py" "$load" "$@" >"$tmp/$name.kv" 2>"$tmp/$name.kv.err"; then
        alive "$spid" || { tail -n 20 "$tmp"/*.err >&2; die "$name: the server died"; }
        die "$name: $(cat "$tmp/$name.kv.err")"
    fi
    alive "$spid" || { tail -n 20 "$tmp"/*.err >&2; die "$name: the server died"; }
}

# idle_cpu PID: sleep settle, then measure CPU over idle seconds; sets idle_pct
idle_cpu() {
    local c0 t0 c1 t1
    sleep "$settle"
    c0=$(cpu_ms "$1") t0=$(now)
    sleep "$idle"
    c1=$(cpu_ms "$1") t1=$(now)
    alive "$1" || die "the server died while idle"
    idle_pct=$(calc "($c1 - $c0) / 10 / ($t1 - $t0)")
}

# perf_start PID NAME / perf_stop: with MEMBER_PERF, sample the server
perf_start() {
    [ -n "$perf" ] || return 0
    # DWARF unwinding: the -O2 build has no frame pointers
    perf record -F 199 --call-graph dwarf,16384 -p "$1" -o "$tmp/$2.perf" >"$tmp/$2.perf.log" 2>&1 &
    perf_pid=$! perf_name=$2
    pids+=("$perf_pid")
    sleep 0.5
}
perf_stop() {
    [ -n "$perf" ] || return 0
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" || true
    forget "$perf_pid"
    echo "  perf: the server during $perf_name, functions by share of samples (with callees, self):"
    perf report -i "$tmp/$perf_name.perf" --children --stdio --sort symbol -g none 2>/dev/null |
        grep -E '^ +[0-9.]+%' | grep -v -E '\] (0x[0-9a-f]+|0+) ' | head -n 40 |
        awk '{printf "    %7s %7s  %s\n", $1, $2, $4}' || true
}

# ---- the machine -----------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
echo "Flotilla member benchmarks: $bin"
echo "machine: $(nproc) cores ($cpu), ${mem} GiB RAM, $(uname -r)"
echo "note: the measuring client (bench/member_load.py, Python) runs on these same $(nproc) cores"
busy=$("$py" "$here/helper.py" busy 2)
if [ "$busy" -gt 15 ]; then
    echo "WARNING: the machine is busy before the bench starts (${busy}% of all CPU in use by other" \
        "processes, load average $(cut -d' ' -f1-3 /proc/loadavg)): the figures below will be low and noisy"
fi
echo

# ---- 1. 100 clusters x 500 nodes ------------------------------------------------

total=$((clusters * per_cluster))
echo "[1/2] one process hosting $clusters clusters x $(commas "$per_cluster") nodes (32 cpu, 128Gi, 110 pods each)"
"$py" "$load" fleet "$tmp/fleet.yaml" "$clusters" "$per_cluster" 32 128Gi 110
start_member fleet "$tmp/fleet.yaml"
f_pid=$srv_pid
[ "${#srv_ports[@]}" -eq "$clusters" ] || die "member printed ${#srv_ports[@]} cluster ports, wanted $clusters"
perf_start "$f_pid" startup
step fleet-nodes "$f_pid" nodes "$f_pid" "$timeout" "$per_cluster" list "${srv_ports[@]}"
perf_stop
k=$tmp/fleet-nodes.kv
ready_s=$(calc "$(sv "$k" ready_at) - $t_start")
f_rss=$(rss_kb "$f_pid")
echo "time to ready, start to all $(commas "$total") nodes Ready: $(printf '%.1f' "$ready_s") s (issue 4 sets no target)" \
    " ['fleet ready' after $(printf '%.1f' "$t_fleet") s; $(commas "$(sv "$k" lists)") LISTs of a cluster's nodes (pages of 500);" \
    "server CPU $(sv "$k" server_cpu_s) s and client CPU $(sv "$k" client_cpu_s) s after 'fleet ready']"
echo "RSS with $(commas "$total") nodes: $(commas $((f_rss / 1024))) MiB = $(printf '%.1f' "$(calc "$f_rss / $total")") KiB per node" \
    "(issue 4 sets no target)  [measured at ready]"
perf_start "$f_pid" idle-fleet
idle_cpu "$f_pid"
perf_stop
renewals=$(calc "$total / 10")
echo "idle CPU over $idle s, $clusters clusters settled: $(printf '%.1f' "$idle_pct")% of one core (issue 4 sets no target)" \
    " [$(commas "$renewals") Lease renewals/s = $(printf '%.1f' "$(calc "$idle_pct * 10000 / $renewals")") us of CPU per renewal]"
# Each cluster's watch history keeps its last $history events (flotilla
# member's default --watch-history, 5,000): idle, those are Lease renewals
# (each holding the version it replaced), so RSS climbs until the histories
# are full, fill_s after the start. Wait for that, then read the plateau.
history=5000
fill_s=$(calc "$history * 10 / $per_cluster")
left=$(calc "$t_start + $fill_s + 5 - $(now)")
if [ "$(calc "$left > 0 && $left < 300")" = 1 ]; then sleep "$left"; fi  # small knobs: don't wait
f_rss2=$(rss_kb "$f_pid") f_t2=$(now)
echo "RSS once every watch history is full: $(commas $((f_rss2 / 1024))) MiB = $(printf '%.1f' "$(calc "$f_rss2 / $total")") KiB per node (issue 4 sets no target)" \
    " [$(commas "$history") events per cluster, filled by Lease renewals ($(commas "$(calc "$per_cluster / 10")")/s) $(commas "$fill_s") s after the start; read at $(printf '%.0f' "$(calc "$f_t2 - $t_start")") s]"
stop_proc "$f_pid" fleet

# ---- 2. 5,000 nodes, 20,000 pods -------------------------------------------------

# Run twice, each time in a fresh process: (a) with no watch open, waiting on
# the Deployments' status, for the server's own memory and the idle CPU;
# (b) with a pod watch open from before the first create, for the times (when
# each pod is bound and Running) and the memory a watcher costs the server.
echo
echo "[2/2] one cluster of $(commas "$scale_nodes") nodes (32 cpu, 256Gi, 110 pods) running $(commas "$scale_pods") pods" \
    "($([ "$kind" = pods ] && echo "bare pods, one POST each" || echo "$deployments Deployments x $replicas replicas")," \
    "created over $creators connections; requests 10m cpu / 16Mi, podStartDelay $start_delay)"
# The process with the same cluster and no nodes: the baseline of the per-node figure.
"$py" "$load" fleet "$tmp/empty.yaml" 1 0 32 256Gi 110 "$start_delay"
start_member empty "$tmp/empty.yaml"
empty_kb=$(rss_kb "$srv_pid")
stop_proc "$srv_pid" empty
"$py" "$load" fleet "$tmp/scale.yaml" 1 "$scale_nodes" 32 256Gi 110 "$start_delay"

# (a) no watch
start_member scale "$tmp/scale.yaml"
s_pid=$srv_pid s_port=${srv_ports[0]}
step scale-nodes "$s_pid" nodes "$s_pid" "$timeout" "$scale_nodes" list "$s_port"
nodes_ready_s=$(calc "$(sv "$tmp/scale-nodes.kv" ready_at) - $t_start")
sleep "$settle"
nodes_kb=$(rss_kb "$s_pid")
step scale-poll "$s_pid" pods "$s_pid" "$timeout" "$s_port" "$deployments" "$replicas" "$kind" poll "$creators"
pods_kb=$(rss_kb "$s_pid")
a=$tmp/scale-poll.kv
a_s=$(calc "$(sv "$a" all_running_s) - $(sv "$a" first_create_s)")
perf_start "$s_pid" idle-scale
idle_cpu "$s_pid"
perf_stop
s_rss2=$(rss_kb "$s_pid")
stop_proc "$s_pid" scale

# (b) a pod watch open through the rollout
start_member scale-watch "$tmp/scale.yaml"
w_pid=$srv_pid w_port=${srv_ports[0]}
step scale-watch-nodes "$w_pid" nodes "$w_pid" "$timeout" "$scale_nodes" watch "$w_port"
sleep "$settle"
perf_start "$w_pid" pods
step scale-pods "$w_pid" pods "$w_pid" "$timeout" "$w_port" "$deployments" "$replicas" "$kind" watch "$creators"
watch_kb=$(rss_kb "$w_pid")
perf_stop
stop_proc "$w_pid" scale-watch

k=$tmp/scale-pods.kv
run_s=$(calc "$(sv "$k" all_running_s) - $(sv "$k" first_create_s)")
bound_s=$(calc "$(sv "$k" all_bound_s) - $(sv "$k" first_create_s)")
if [ "$kind" = pods ]; then how="no pod left that is not Running"; else how="all Deployments' readyReplicas"; fi
echo "time from the first create to all $(commas "$scale_pods") pods Running: $(printf '%.1f' "$run_s") s (issue 4 sets no target)" \
    " [pod watch; all $created created after $(printf '%.2f' "$(calc "$(sv "$k" creates_done_s) - $(sv "$k" first_create_s)")") s;" \
    "all bound after $(printf '%.1f' "$bound_s") s; server CPU $(sv "$k" server_cpu_s) s;" \
    "$(commas "$(sv "$k" events)") pod watch events, client CPU $(sv "$k" client_cpu_s) s." \
    "Without a watch ($how, polled every 0.5 s): $(printf '%.1f' "$a_s") s, server CPU $(sv "$a" server_cpu_s) s." \
    "Nodes were Ready $(printf '%.1f' "$nodes_ready_s") s after the start]"
echo "scheduling throughput: $(commas "$(sv "$k" bind_rate)") pods bound/s (issue 4 sets no target)" \
    " [first to last bind, as the pod watch saw spec.nodeName set; $(commas "$(calc "$scale_pods / $bound_s")")/s from the first create]"
per_node=$(calc "($nodes_kb - $empty_kb) * 1024 / $scale_nodes")
per_pod=$(calc "($pods_kb - $nodes_kb) * 1024 / $scale_pods")
max_kb=$((pods_kb > s_rss2 ? pods_kb : s_rss2))
mark "$(calc "$max_kb <= 300 * 1024 ? 1 : 0")"
echo "RSS with $(commas "$scale_nodes") nodes and $(commas "$scale_pods") Running pods, no watch open:" \
    "$(commas $((max_kb / 1024))) MiB (target <= 300 MiB): $v" \
    " [at all Running $(commas $((pods_kb / 1024))) MiB, after the idle window $(commas $((s_rss2 / 1024))) MiB;" \
    "empty cluster $(commas $((empty_kb / 1024))) MiB; nodes only $(commas $((nodes_kb / 1024))) MiB ="\
    "$(commas "$per_node") bytes per node; $(commas "$per_pod") bytes per pod]"
mark "$(calc "$watch_kb <= 300 * 1024 ? 1 : 0")"
echo "RSS with the same, one pod watch open through the rollout: $(commas $((watch_kb / 1024))) MiB (target <= 300 MiB): $v" \
    " [$(commas $(((watch_kb - pods_kb) / 1024))) MiB more than without: watch output the server held while busy]"
mark "$(calc "$idle_pct < 2 ? 1 : 0")"
echo "idle CPU over $idle s afterwards: $(printf '%.2f' "$idle_pct")% of one core (target < 2%): $v" \
    " [$(commas "$(calc "$scale_nodes / 10")") Lease renewals/s; no watch open]"
echo
echo "member targets: $met met, $missed missed (bench took $SECONDS s)"
echo "bench (member): done, no errors"
