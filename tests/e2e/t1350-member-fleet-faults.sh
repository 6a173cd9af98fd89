#!/usr/bin/env bash
# flotilla member: one process hosting a fleet of clusters, each its own API
# (port, store, PKI, kubeconfig), and the faults of the control endpoint as a
# client sees them: connection refused, a hang, slow answers, recovery.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/fleet.yaml" <<'YAML'
clusters:
- name: east
  region: us-east
  nodePools:
  - {name: cpu, count: 2, capacity: {cpu: "4", memory: 16Gi}}
- name: west
  region: us-west
  nodePools:
  - {name: cpu, count: 1, capacity: {cpu: "4", memory: 16Gi}}
YAML

# ---- bad command lines and fleet files fail clearly --------------------------
out=$("$FLOTILLA" member 2>&1) && fail "member without --fleet or --name started"
printf 'clusters:\n- name: x\n  podStartDelai: 1s\n' >"$TMP/typo.yaml"
out=$("$FLOTILLA" member --fleet "$TMP/typo.yaml" --insecure-http 2>&1) && fail "typo accepted"
[[ $out == *"typo.yaml:3"*"podStartDelai"* ]] || fail "typo message: $out"
out=$("$FLOTILLA" member --fleet "$TMP/fleet.yaml" --name nosuch --insecure-http 2>&1) &&
    fail "unknown --name accepted"
[[ $out == *'no cluster "nosuch"'* ]] || fail "unknown cluster message: $out"
out=$("$FLOTILLA" member --name x --nodes 3x --insecure-http 2>&1) && fail "--nodes 3x accepted"
[[ $out == *"--nodes 3x: want a whole number"* ]] || fail "--nodes message: $out"
out=$("$FLOTILLA" member --name x --listen 10.1.2.3:0 --insecure-http 2>&1) &&
    fail "--insecure-http off loopback accepted"
[[ $out == *"loopback"* ]] || fail "off-loopback message: $out"

# ---- HTTPS: a kubeconfig per cluster, authentication required ----------------
E2E_NSERVERS=$((E2E_NSERVERS + 1))
SERVER_LOG=$TMP/https.log
"$FLOTILLA" member --fleet "$TMP/fleet.yaml" --kubeconfig-dir "$TMP/kc" --data-dir "$TMP/pki" \
    >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
E2E_PIDS+=("$SERVER_PID")
for ((i = 0; i < 600; i++)); do
    grep -q '^fleet ready: 2 clusters, 3 nodes (HTTPS)$' "$SERVER_LOG" && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "member exited: $(cat "$SERVER_LOG")"
    sleep 0.05
done
grep -q '^fleet ready' "$SERVER_LOG" || fail "HTTPS fleet not ready"
for c in east west; do
    [ -f "$TMP/kc/$c.kubeconfig" ] || fail "no kubeconfig for $c"
    ctx=$(kubectl --kubeconfig "$TMP/kc/$c.kubeconfig" config current-context)
    assert_eq "$c" "$ctx" "context name of $c's kubeconfig"
    kubectl --kubeconfig "$TMP/kc/$c.kubeconfig" get ns default -o name >/dev/null ||
        fail "kubectl over HTTPS to $c"
done
# Each cluster has its own CA: east's credentials don't open west.
west_server=$(kubectl --kubeconfig "$TMP/kc/west.kubeconfig" config view -o jsonpath='{.clusters[0].cluster.server}')
code=$(curl -sk -o /dev/null -w '%{http_code}' "$west_server/api/v1/namespaces")
assert_eq 401 "$code" "anonymous request to west"
kubectl --kubeconfig "$TMP/kc/east.kubeconfig" --server "$west_server" \
    --insecure-skip-tls-verify get ns >/dev/null 2>&1 && fail "east's client certificate opened west"
stop_server

# ---- plain HTTP fleet with a control endpoint ----------------------------------
start_member "$TMP/fleet.yaml"
EAST=$(member_port east) WEST=$(member_port west)
assert_eq "$EAST" "$PORT" "PORT is the first cluster's"
[ "$EAST" != "$WEST" ] || fail "two clusters on one port"

# Separate stores: a ConfigMap in east is not in west.
api POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"only-east"},"data":{"a":"1"}}'
assert_status 201
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEST/api/v1/namespaces/default/configmaps/only-east")
assert_eq 404 "$code" "east's ConfigMap seen in west"

curl -s "$CONTROL/clusters" >"$TMP/clusters.json"
$PY - "$TMP/clusters.json" "$EAST" "$WEST" <<'PYEOF' || fail "GET /clusters: $(cat "$TMP/clusters.json")"
import json, sys
d = json.load(open(sys.argv[1]))
got = {c["name"]: (c["port"], c["fault"]) for c in d["clusters"]}
assert got == {"east": (int(sys.argv[2]), "none"), "west": (int(sys.argv[3]), "none")}, got
PYEOF

ctl() { # METHOD PATH BODY -> CTL_CODE, CTL_RESP
    CTL_RESP=$(curl -s -X "$1" -w '\n%{http_code}' "$CONTROL$2" -d "$3")
    CTL_CODE=${CTL_RESP##*$'\n'}
    CTL_RESP=${CTL_RESP%$'\n'*}
}
# Control endpoint errors are Status objects and change nothing.
ctl PUT /clusters/nosuch/fault '{"mode":"refuse"}'
assert_eq 404 "$CTL_CODE" "fault on an unknown cluster"
[[ $CTL_RESP == *'"kind":"Status"'* ]] || fail "not a Status: $CTL_RESP"
ctl PUT /clusters/east/fault '{"mode":"explode"}'
assert_eq 422 "$CTL_CODE" "unknown fault mode"
ctl PUT /clusters/east/fault 'not json'
assert_eq 400 "$CTL_CODE" "malformed body"
ctl PUT /clusters/east/fault '{"mode":"slow"}'
assert_eq 422 "$CTL_CODE" "slow without a delay"
ctl GET /clusters/east/fault ''
assert_eq 405 "$CTL_CODE" "GET on a fault"
api GET /api/v1/namespaces/default/configmaps/only-east
assert_status 200

# A watch open when the cluster goes down ends; new connections are refused,
# as kubectl reports them; the other cluster is unaffected.
curl -sN "http://127.0.0.1:$EAST/api/v1/namespaces/default/configmaps?watch=1" >"$TMP/watch.out" 2>&1 &
wpid=$!
sleep 0.5
ctl PUT /clusters/east/fault '{"mode":"refuse"}'
assert_eq 200 "$CTL_CODE" "refuse"
for ((i = 0; i < 100; i++)); do kill -0 $wpid 2>/dev/null || break; sleep 0.05; done
kill -0 $wpid 2>/dev/null && fail "a watch survived the cluster going down"
curl -s -o /dev/null "http://127.0.0.1:$EAST/version"
assert_eq 7 "$?" "curl's exit code for a refused connection"
out=$(kubectl -s "http://127.0.0.1:$EAST" get ns 2>&1) && fail "kubectl reached a down cluster"
[[ $out == *"connection to the server 127.0.0.1:$EAST was refused"* ]] || fail "kubectl said: $out"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEST/api/v1/namespaces")
assert_eq 200 "$code" "west while east is down"

# Back on the same port, with its objects.
ctl PUT /clusters/east/fault '{"mode":"none"}'
assert_eq 200 "$CTL_CODE" "heal"
[[ $CTL_RESP == *"\"port\":$EAST"* && $CTL_RESP == *'"fault":"none"'* ]] || fail "after heal: $CTL_RESP"
api GET /api/v1/namespaces/default/configmaps/only-east
assert_status 200

# Hang: connections are accepted but nothing is answered; healing answers
# what was held.
ctl PUT /clusters/east/fault '{"mode":"hang"}'
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$EAST/version"
assert_eq 28 "$?" "curl's exit code for a hung cluster (timeout)"
curl -s -o "$TMP/held.out" -w '%{http_code}' --max-time 20 \
    "http://127.0.0.1:$EAST/api/v1/namespaces/default/configmaps/only-east" >"$TMP/held.code" &
hpid=$!
sleep 1
kill -0 $hpid 2>/dev/null || fail "a request to a hung cluster was answered: $(cat "$TMP/held.code")"
ctl PUT /clusters/east/fault '{"mode":"none"}'
wait $hpid
assert_eq 200 "$(cat "$TMP/held.code")" "the held request after healing"
grep -q '"only-east"' "$TMP/held.out" || fail "held request's body: $(cat "$TMP/held.out")"

# Slow: every answer comes delayMs late.
ctl PUT /clusters/east/fault '{"mode":"slow","delayMs":700}'
[[ $CTL_RESP == *'"delayMs":700'* ]] || fail "slow: $CTL_RESP"
t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$EAST/version")
$PY -c "import sys; sys.exit(0 if 0.65 <= float('$t') < 5 else 1)" || fail "slow answer took $t s"
t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$WEST/version")
$PY -c "import sys; sys.exit(0 if float('$t') < 0.5 else 1)" || fail "west slowed down too: $t s"
ctl PUT /clusters/east/fault '{"mode":"none"}'
t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$EAST/version")
$PY -c "import sys; sys.exit(0 if float('$t') < 0.5 else 1)" || fail "still slow after healing: $t s"

# A client in the middle of a hang that gives up leaves the server fine.
ctl PUT /clusters/east/fault '{"mode":"hang"}'
curl -s -o /dev/null --max-time 0.5 "http://127.0.0.1:$EAST/version"
ctl PUT /clusters/east/fault '{"mode":"none"}'
api GET /version
assert_status 200

stop_server
finish
