#!/usr/bin/env bash
# Durability under crashes: crash_client.py writes from 12 keep-alive
# connections (creates, CAS updates, deletes) while the server is SIGKILLed at
# a random moment; after a restart on the same data dir every acknowledged
# write must be there exactly as acknowledged, nothing else may appear, and
# revisions never go backwards. Five rounds accumulate state on one data dir;
# a last clean restart must change nothing.
. "$(dirname "$0")/lib.sh"

DATA=$TMP/data
CLIENT=$E2E_DIR/crash_client.py
ROUNDS=${CRASH_ROUNDS:-5}

start_server "$DATA"
api POST /api/v1/namespaces '{"metadata":{"name":"crash"}}'
assert_status 201
echo '{"objects": {}, "max_rv": 0}' >"$TMP/state.json"

total=0
for ((round = 1; round <= ROUNDS; round++)); do
    "$PY" "$CLIENT" run --port "$PORT" --state "$TMP/state.json" --out "$TMP/rec.$round.json" \
        --round "$round" --workers 12 2>"$TMP/client.$round.log" &
    client=$!
    E2E_PIDS+=("$client")
    ms=$((300 + RANDOM % 1200))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    server_alive || fail "round $round: the server died under load"
    kill_server
    wait "$client" || fail "round $round: the client failed: $(cat "$TMP/client.$round.log")"
    e2e_forget_pid "$client"
    echo "round $round: killed after ${ms} ms; $(cat "$TMP/client.$round.log")"
    acked=$("$PY" -c 'import json,sys; print(sum(op["acked"] for w in json.load(open(sys.argv[1]))["workers"] for op in w["log"]))' "$TMP/rec.$round.json")
    total=$((total + acked))

    start_server "$DATA"
    "$PY" "$CLIENT" verify --port "$PORT" --state "$TMP/state.json" --records "$TMP/rec.$round.json" \
        --new-state "$TMP/state.next.json" || fail "round $round: acknowledged writes lost or changed"
    mv "$TMP/state.next.json" "$TMP/state.json"
done

# The test is only meaningful if the rounds did real work.
[ "$total" -ge 200 ] || fail "only $total writes were acknowledged over $ROUNDS rounds"

# A clean restart keeps exactly what is there.
stop_server
start_server "$DATA"
"$PY" "$CLIENT" verify --port "$PORT" --state "$TMP/state.json" --new-state "$TMP/state.next.json" ||
    fail "a clean restart changed the objects"
stop_server
echo "$total acknowledged operations checked"
finish
