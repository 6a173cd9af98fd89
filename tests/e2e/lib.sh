# Helpers for the end-to-end scripts, sourced by each tNNNN-*.sh (after git's
# t/test-lib.sh). A script gets:
#   - $TMP, a private temp dir removed on exit, and $E2E_DIR, this directory;
#   - start_server DIR [args] / stop_server / kill_server: one `flotilla serve`
#     on a free 127.0.0.1 port ($PORT, $SERVER_PID, $SERVER_LOG); servers still
#     running at exit are killed by PID, and a failing script prints the
#     server's sanitizer report or the tail of its log;
#   - start_member FLEET [args] / member_port NAME: `flotilla member` hosting
#     the clusters of a fleet file ($PORT = the first, $CONTROL = its control
#     endpoint); stop_server/kill_server stop it;
#   - start_server_https DIR [args]: the same over HTTPS with authentication,
#     its generated kubeconfig exported as $KUBECONFIG (for kubectl, Python);
#   - api [-H header]... [-F bodyfile] METHOD PATH [BODY]: one request with
#     curl; sets $CODE (HTTP status) and $RESP (body; also in $RESP_FILE);
#   - raw_http PYEXPR: bytes curl would not send, on a fresh connection;
#   - watch_start/watch_wait/watch_done/watch_stop/watch_events: watch
#     streams with curl -N in the background;
#   - checks: fail, check_fail (non-fatal, counted), assert_eq, assert_status,
#     assert_error CODE REASON [FIELD], json EXPR / assert_json EXPR (a Python
#     expression over the response parsed as `d`), and `finish` at the end.
# JSON is handled by /usr/bin/python3 (stdlib only): the python3 on PATH may
# be another interpreter. E2E_KEEP=1 keeps $TMP (data dirs, server logs).

set -uo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${FLOTILLA:=$E2E_DIR/../../build/san/flotilla}"
PY=/usr/bin/python3
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ ! -x "$FLOTILLA" ]; then
    echo "FAIL: \$FLOTILLA ($FLOTILLA) is not an executable; build it with make build/san/flotilla" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-e2e.XXXXXX")
SERVER_PID='' PORT='' SERVER_LOG=''
E2E_PIDS=()      # every process we started, killed by PID at exit
E2E_FAILURES=0
E2E_NSERVERS=0
E2E_TEST=$(basename "$0" .sh)
RESP_FILE=$TMP/resp
WATCH_RC=''
CODE='' RESP=''

e2e_cleanup() {
    local rc=$?
    local pid
    for pid in "${E2E_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ "$rc" -ne 0 ] && [ -n "$SERVER_LOG" ] && [ -f "$SERVER_LOG" ]; then
        if e2e_sanitizer_report "$SERVER_LOG" >/dev/null; then
            echo "--- sanitizer report in $SERVER_LOG:" >&2
            grep -m1 -A40 -E 'ERROR: |runtime error:' "$SERVER_LOG" >&2
        else
            echo "--- last lines of $SERVER_LOG:" >&2
            tail -n 30 "$SERVER_LOG" >&2
        fi
    fi
    if [ -n "${E2E_KEEP:-}" ]; then
        echo "(kept $TMP)" >&2
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

# ---- failures ------------------------------------------------------------

# The script line that called into lib.sh.
e2e_where() {
    local i
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
            echo "${BASH_SOURCE[$i]##*/}:${BASH_LINENO[$((i - 1))]}"
            return
        fi
    done
}

# fail MSG...: report and stop the script.
fail() {
    echo "FAIL: $* ($(e2e_where))" >&2
    exit 1
}

# check_fail MSG...: report, count, go on; `finish` fails the script later.
check_fail() {
    echo "FAIL: $* ($(e2e_where))" >&2
    E2E_FAILURES=$((E2E_FAILURES + 1))
}

# The end of every script.
finish() {
    if [ "$E2E_FAILURES" -ne 0 ]; then
        echo "$E2E_TEST: $E2E_FAILURES check(s) failed" >&2
        exit 1
    fi
    echo "ok $E2E_TEST"
    exit 0
}

# Fatal in normal checks; counted when E2E_SOFT=1 (set around a batch of
# independent cases so that one run reports all of them).
e2e_bad() {
    if [ "${E2E_SOFT:-0}" = 1 ]; then check_fail "$@"; return 1; fi
    fail "$@"
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
    [ "$1" == "$2" ] || e2e_bad "${3:-value}: expected '$1', got '$2'"
}

# ---- server --------------------------------------------------------------

# Sanitizer reports in a log.
e2e_sanitizer_report() {
    grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer' "$1"
}

# start_server DIR [extra serve args...]: start in the background and wait for
# "listening on 127.0.0.1:PORT". Sets PORT, SERVER_PID, SERVER_LOG.
start_server() {
    local dir=$1; shift
    E2E_NSERVERS=$((E2E_NSERVERS + 1))
    SERVER_LOG=$TMP/server.$E2E_NSERVERS.log
    : >"$SERVER_LOG"
    "$FLOTILLA" serve --listen 127.0.0.1:0 --data-dir "$dir" --insecure-http "$@" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    E2E_PIDS+=("$SERVER_PID")
    local i line
    for ((i = 0; i < 300; i++)); do
        line=$(grep -m1 -E '^listening on 127\.0\.0\.1:[0-9]+$' "$SERVER_LOG")
        if [ -n "$line" ]; then
            PORT=${line##*:}
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited before listening: $(cat "$SERVER_LOG")"
        sleep 0.05
    done
    fail "server did not print 'listening on' within 15 s"
}

# start_server_https DIR [extra serve args...]: like start_server, but HTTPS
# with authentication, as `make run` serves it, on 127.0.0.1; the generated
# kubeconfig is written to $KUBECONFIG ($TMP/kubeconfig), exported for
# kubectl and the Python client. Sets PORT, SERVER_PID, SERVER_LOG too.
start_server_https() {
    local dir=$1; shift
    export KUBECONFIG=$TMP/kubeconfig
    E2E_NSERVERS=$((E2E_NSERVERS + 1))
    SERVER_LOG=$TMP/server.$E2E_NSERVERS.log
    : >"$SERVER_LOG"
    "$FLOTILLA" serve --listen 127.0.0.1:0 --data-dir "$dir" --kubeconfig-out "$KUBECONFIG" "$@" \
        >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    E2E_PIDS+=("$SERVER_PID")
    local i line
    for ((i = 0; i < 300; i++)); do
        line=$(grep -m1 -E '^listening on 127\.0\.0\.1:[0-9]+$' "$SERVER_LOG")
        if [ -n "$line" ] && grep -qx "kubeconfig written to $KUBECONFIG" "$SERVER_LOG"; then
            PORT=${line##*:}
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited before listening: $(cat "$SERVER_LOG")"
        sleep 0.05
    done
    fail "HTTPS server did not print 'listening on' and 'kubeconfig written to' within 15 s: $(cat "$SERVER_LOG")"
}

e2e_forget_pid() {
    local p keep=()
    for p in "${E2E_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    E2E_PIDS=("${keep[@]+"${keep[@]}"}")
}

# stop_server: SIGTERM, wait (20 s at most); fail on a nonzero exit or any
# sanitizer report in the log.
stop_server() {
    [ -n "$SERVER_PID" ] || fail "stop_server: no server running"
    local pid=$SERVER_PID i rc
    kill -TERM "$pid" 2>/dev/null || fail "server $pid was not running at stop_server"
    for ((i = 0; i < 400; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        e2e_forget_pid "$pid"
        SERVER_PID=
        fail "server did not exit within 20 s of SIGTERM"
    fi
    wait "$pid"
    rc=$?
    e2e_forget_pid "$pid"
    SERVER_PID=
    if e2e_sanitizer_report "$SERVER_LOG" >/dev/null; then
        fail "sanitizer report in $SERVER_LOG"
    fi
    [ "$rc" -eq 0 ] || fail "server exited with status $rc after SIGTERM"
}

# start_member FLEET_YAML [extra member args...]: `flotilla member --fleet`
# with plain HTTP on free ports and a control endpoint; waits for "fleet
# ready". Sets SERVER_PID and SERVER_LOG (stop_server and kill_server work on
# it), PORT (the first cluster's: `api` talks to it) and CONTROL (the control
# endpoint's base URL). member_port NAME prints a cluster's port.
start_member() {
    local fleet=$1; shift
    E2E_NSERVERS=$((E2E_NSERVERS + 1))
    SERVER_LOG=$TMP/member.$E2E_NSERVERS.log
    : >"$SERVER_LOG"
    "$FLOTILLA" member --fleet "$fleet" --insecure-http --control 127.0.0.1:0 "$@" \
        >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    E2E_PIDS+=("$SERVER_PID")
    local i line
    for ((i = 0; i < 600; i++)); do
        if grep -q '^fleet ready: ' "$SERVER_LOG"; then
            line=$(grep -m1 -E '^cluster [a-z0-9-]+ listening on 127\.0\.0\.1:[0-9]+$' "$SERVER_LOG")
            PORT=${line##*:}
            line=$(grep -m1 -E '^control listening on 127\.0\.0\.1:[0-9]+$' "$SERVER_LOG")
            CONTROL=http://127.0.0.1:${line##*:}
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || fail "member exited before it was ready: $(cat "$SERVER_LOG")"
        sleep 0.05
    done
    fail "member did not print 'fleet ready' within 30 s"
}

member_port() {
    local line
    line=$(grep -m1 -E "^cluster $1 listening on 127\.0\.0\.1:[0-9]+\$" "$SERVER_LOG")
    [ -n "$line" ] || fail "no cluster $1 in $SERVER_LOG"
    echo "${line##*:}"
}

# kill_server: SIGKILL (a crash). Still fails on a sanitizer report so far.
kill_server() {
    [ -n "$SERVER_PID" ] || fail "kill_server: no server running"
    local pid=$SERVER_PID
    kill -KILL "$pid" 2>/dev/null || fail "server $pid had already exited: $(tail -5 "$SERVER_LOG")"
    wait "$pid" 2>/dev/null
    e2e_forget_pid "$pid"
    SERVER_PID=
    if e2e_sanitizer_report "$SERVER_LOG" >/dev/null; then
        fail "sanitizer report in $SERVER_LOG"
    fi
}

# server_alive: the server is still running (did not crash).
server_alive() {
    [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null
}

# ---- requests ------------------------------------------------------------

# api [-H 'Header: v']... [-F bodyfile] METHOD PATH [BODY]
# The body is sent as is (with Content-Type: application/json unless a -H
# gives another). Sets CODE and RESP; RESP_FILE holds the exact body bytes.
api() {
    local hdrs=() file='' ct=1
    while [ $# -gt 0 ]; do
        case $1 in
        -H) hdrs+=(-H "$2"); case ${2,,} in content-type:*) ct=0 ;; esac; shift 2 ;;
        -F) file=$2; shift 2 ;;
        *) break ;;
        esac
    done
    local method=$1 path=$2
    local args=(-s -g --path-as-is --max-time 30 -o "$RESP_FILE" -w '%{http_code}' -X "$method")
    if [ $# -ge 3 ]; then
        printf '%s' "$3" >"$TMP/reqbody"
        file=$TMP/reqbody
    fi
    if [ -n "$file" ]; then
        args+=(--data-binary "@$file")
        [ "$ct" = 1 ] && args+=(-H 'Content-Type: application/json')
    fi
    : >"$RESP_FILE"
    CODE=$(curl "${args[@]}" "${hdrs[@]+"${hdrs[@]}"}" "http://127.0.0.1:$PORT$path")
    local rc=$?
    RESP=$(tr -d '\0' <"$RESP_FILE" 2>/dev/null)
    LAST_REQ="$method ${path:0:120}"
    if [ -n "$file" ]; then
        LAST_REQ="$LAST_REQ <body $(head -c 100 "$file" | tr -c '[:print:]' '?')$([ "$(stat -c %s "$file")" -gt 100 ] && echo ...)>"
    fi
    if [ $rc -ne 0 ]; then
        CODE=000
        if [ -n "$SERVER_PID" ] && ! server_alive; then
            fail "the server died handling $LAST_REQ"
        fi
        # API_CURL_FAIL_OK=1: the caller expects the server may cut the request off
        [ "${API_CURL_FAIL_OK:-0}" = 1 ] || e2e_bad "$LAST_REQ: curl failed (exit $rc)"
    fi
    return 0
}

# assert_status CODE: the last request's HTTP status.
assert_status() {
    [ "$CODE" == "$1" ] || e2e_bad "$LAST_REQ: expected HTTP $1, got $CODE: ${RESP:0:500}"
}

# json EXPR: print a Python expression evaluated over the last response,
# parsed as `d` (strings printed raw, other values as JSON).
json() {
    "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$RESP_FILE" "$1"
}

# assert_json EXPR [WHAT]: the expression is true for the last response.
assert_json() {
    "$PY" -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    ok = bool(eval(sys.argv[2]))
except Exception as e:
    print("  (%s: %s)" % (type(e).__name__, e), file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)' "$RESP_FILE" "$1" ||
        e2e_bad "$LAST_REQ: ${2:-expected} $1 on: ${RESP:0:500}"
}

# assert_error CODE REASON [FIELD]: a metav1.Status failure with this HTTP
# code, code field and reason (and, if given, details.causes[0].field).
assert_error() {
    assert_status "$1" || return 1
    local expr="d.get('kind') == 'Status' and d.get('apiVersion') == 'v1' and d.get('status') == 'Failure' and d.get('code') == $1 and d.get('reason') == '$2' and isinstance(d.get('message'), str)"
    [ $# -ge 3 ] && expr="$expr and d['details']['causes'][0]['field'] == '$3'"
    assert_json "$expr" "a Status $1 $2${3:+ with cause field $3}:"
}

# save NAME: keep the last response as $TMP/NAME.json.
save() {
    cp "$RESP_FILE" "$TMP/$1.json"
}

# A configmap body: cm_json NAME [DATA-JSON] [LABELS-JSON] [MORE-METADATA-MEMBERS]
# e.g. cm_json a '{"k":"v"}' '{"app":"x"}' '"resourceVersion":"7"'
cm_json() {
    local data=${2:-} labels=${3:-} more=${4:-}
    [ -n "$data" ] || data='{}'
    [ -n "$labels" ] || labels='{}'
    printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","labels":%s%s},"data":%s}' \
        "$1" "$labels" "${more:+,$more}" "$data"
}

# urlenc STRING: percent-encode for a query parameter.
urlenc() {
    "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# names: the item names of the last list response, comma-separated, in order.
names() {
    json "','.join(i['metadata']['name'] for i in d['items'])"
}

# ---- watches -------------------------------------------------------------

# watch_start NAME PATH: stream PATH with curl into $TMP/NAME.watch in the
# background.
watch_start() {
    local name=$1 path=$2
    : >"$TMP/$name.watch"
    curl -sN -g --path-as-is --max-time 60 -o "$TMP/$name.watch" "http://127.0.0.1:$PORT$path" &
    eval "WATCH_PID_$name=$!"
    E2E_PIDS+=("$!")
}

# watch_wait NAME N [SECONDS]: wait until the stream has at least N lines.
watch_wait() {
    local f=$TMP/$1.watch n=$2 i lim=$((${3:-10} * 20))
    for ((i = 0; i < lim; i++)); do
        [ "$(wc -l <"$f")" -ge "$n" ] && return 0
        sleep 0.05
    done
    fail "watch $1: expected $n events within ${3:-10} s, got $(wc -l <"$f"): $(head -c 2000 "$f")"
}

# watch_done NAME [SECONDS]: wait for the stream to end by itself; sets
# WATCH_RC to curl's exit code (not for use in $(...): wait needs this shell).
watch_done() {
    local i lim=$((${2:-10} * 20)) pidvar=WATCH_PID_$1
    local pid=${!pidvar}
    for ((i = 0; i < lim; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            WATCH_RC=$?
            e2e_forget_pid "$pid"
            return 0
        fi
        sleep 0.05
    done
    fail "watch $1 did not end within ${2:-10} s"
}

# watch_stop NAME: end the stream from the client side.
watch_stop() {
    local pidvar=WATCH_PID_$1
    kill -KILL "${!pidvar}" 2>/dev/null
    wait "${!pidvar}" 2>/dev/null
    e2e_forget_pid "${!pidvar}"
}

# watch_events NAME [EXPR]: one line per event, "TYPE name rv" by default, or
# a Python expression over `e` (the event) per line.
watch_events() {
    "$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    e = json.loads(line)
    if len(sys.argv) > 2:
        v = eval(sys.argv[2])
        print(v if isinstance(v, str) else json.dumps(v))
    else:
        m = e["object"].get("metadata", {})
        print(e["type"], m.get("name", ""), m.get("resourceVersion", ""))' "$TMP/$1.watch" "${@:2}"
}

# raw_http PYEXPR: send the bytes of a Python expression (PORT is in scope as
# `port`) on a new connection and read the reply until the server closes or
# 5 s pass. Sets CODE (the status line's code, 000 if none) and RESP.
raw_http() {
    CODE=$("$PY" - "$PORT" "$1" "$RESP_FILE" <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
data = eval(sys.argv[2])
if isinstance(data, str):
    data = data.encode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
out = b""
try:
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except OSError:
    pass
s.close()
open(sys.argv[3], "wb").write(out.split(b"\r\n\r\n", 1)[-1])
parts = out.split(b" ", 2)
print(parts[1].decode() if len(parts) > 1 and out.startswith(b"HTTP/") else "000")
PYEOF
)
    RESP=$(tr -d '\0' <"$RESP_FILE")
    LAST_REQ="raw $(printf '%s' "$1" | head -c 100)"
    if [ "$CODE" = 000 ] && [ -n "$SERVER_PID" ] && ! server_alive; then
        fail "the server died handling $LAST_REQ"
    fi
}
