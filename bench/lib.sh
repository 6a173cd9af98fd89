# Plumbing shared by bench/run.sh and bench/member.sh, sourced after they set
# $tmp (a scratch dir removed at exit) and pids=() (every process they start
# and have not waited for: stopped by PID at exit).

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

now() { date +%s.%N; }

rss_kb() { # PID: resident memory in KiB
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null
}

cpu_ms() { # PID: user + system CPU time so far, in ms (comm may hold spaces)
    awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz}' "/proc/$1/stat" 2>/dev/null
}

# stop_proc PID NAME: SIGTERM, wait (60 s at most), insist on exit status 0;
# on failure show the end of $tmp/NAME.err
stop_proc() {
    local pid=$1 name=$2 rc=0 dog
    kill -TERM "$pid"
    (sleep 60; kill -KILL "$pid" 2>/dev/null) &
    dog=$!
    wait "$pid" || rc=$?
    kill "$dog" 2>/dev/null || true
    wait "$dog" 2>/dev/null || true
    forget "$pid"
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$tmp/$name.err" >&2
        die "'$name' ($pid) exited with status $rc after SIGTERM"
    fi
}
