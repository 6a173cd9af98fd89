#!/usr/bin/env bash
# The garbage collector (controllers/gc.c) through the API and real kubectl:
# families of Deployment -> ReplicaSet (controller, blockOwnerDeletion) ->
# ConfigMap, deleted with each cascade mode. Background: the ReplicaSet and
# the ConfigMap go within seconds. Orphan: the ReplicaSet stays without its
# ownerReference (and keeps its own ConfigMap). Foreground: the Deployment
# stays, marked, while a finalizer holds its ReplicaSet, and goes once the
# ReplicaSet does; `kubectl delete --cascade=foreground` (waiting, the
# default) returns when the whole family is gone. The propagation may come
# as the propagationPolicy query parameter or the legacy orphanDependents,
# and an unknown policy is a 422 as kube-apiserver answers. Across restarts:
# a foreground deletion pending at shutdown completes after start, and the
# dependents of an owner removed while the server was down (deleted from the
# SQLite file) are collected after start.
. "$(dirname "$0")/lib.sh"

KUBECTL=/usr/bin/kubectl
[ -x "$KUBECTL" ] || fail "no kubectl at $KUBECTL (the dispatcher from the kubectl package); scripts/deps.sh installs it"
DATA=$TMP/data
DEP=/apis/apps/v1/namespaces/default/deployments
RS=/apis/apps/v1/namespaces/default/replicasets
CM=/api/v1/namespaces/default/configmaps

start_server "$DATA"

k() {
    "$KUBECTL" --server "http://127.0.0.1:$PORT" --kubeconfig /dev/null --request-timeout 20s "$@"
}

pod_template='"selector":{"matchLabels":{"app":"gc"}},"template":{"metadata":{"labels":{"app":"gc"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}'

# family NAME [RS-EXTRA-METADATA]: Deployment NAME, ReplicaSet NAME-rs owned
# by it, ConfigMap NAME-cm owned by the ReplicaSet. Sets D_UID, RS_UID.
family() {
    local n=$1 extra=${2:-}
    api POST "$DEP" "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"$n\"},\"spec\":{\"replicas\":1,$pod_template}}"
    assert_status 201
    D_UID=$(json "d['metadata']['uid']")
    api POST "$RS" "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"$n-rs\",$extra\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"$n\",\"uid\":\"$D_UID\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"replicas\":1,$pod_template}}"
    assert_status 201
    RS_UID=$(json "d['metadata']['uid']")
    api POST "$CM" "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"$n-cm\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"$n-rs\",\"uid\":\"$RS_UID\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"data\":{\"k\":\"v\"}}"
    assert_status 201
}

# status_of PATH: the HTTP status of a GET.
status_of() {
    api GET "$1"
    echo "$CODE"
}

# gone_within SECONDS PATH...: every PATH answers 404 within the time.
gone_within() {
    local secs=$1 i p left
    shift
    for ((i = 0; i < secs * 20; i++)); do
        left=''
        for p in "$@"; do
            [ "$(status_of "$p")" = 404 ] || left="$left $p"
        done
        [ -z "$left" ] && return 0
        sleep 0.05
    done
    e2e_bad "still there after ${secs}s:$left"
}

# ---- background (kubectl's default) -----------------------------------------
family x
k delete deployment x >"$TMP/out" 2>&1 || fail "kubectl delete deployment x: $(cat "$TMP/out")"
gone_within 2 "$DEP/x" "$RS/x-rs" "$CM/x-cm"

# ---- orphan -----------------------------------------------------------------
family y
k delete deployment y --cascade=orphan >"$TMP/out" 2>&1 || fail "kubectl delete --cascade=orphan: $(cat "$TMP/out")"
assert_eq 404 "$(status_of "$DEP/y")" "the orphaning deployment after kubectl returned"
api GET "$RS/y-rs"
assert_status 200
assert_json "'ownerReferences' not in d['metadata'] and not d['metadata'].get('deletionTimestamp')" "the orphan RS is free and alive:"
api GET "$CM/y-cm"
assert_status 200
assert_json "d['metadata']['ownerReferences'][0]['name'] == 'y-rs'" "the RS keeps its own dependent:"
sleep 0.3 # nothing collects them later either
assert_eq 200 "$(status_of "$RS/y-rs")" "the orphaned RS later"

# ---- foreground, held ---------------------------------------------------------
family z '"finalizers":["e2e.flotilla.io/hold"],'
k delete deployment z --cascade=foreground --wait=false >"$TMP/out" 2>&1 || fail "kubectl delete --cascade=foreground: $(cat "$TMP/out")"
gone_within 2 "$CM/z-cm" # the RS's own dependent goes first
sleep 0.3
api GET "$DEP/z"
assert_status 200
assert_json "d['metadata'].get('deletionTimestamp') and d['metadata']['finalizers'] == ['foregroundDeletion']" "the deployment waits for its RS:"
api GET "$RS/z-rs"
assert_status 200
assert_json "d['metadata'].get('deletionTimestamp') and d['metadata']['finalizers'] == ['e2e.flotilla.io/hold']" "the RS is being deleted, held by its finalizer only:"
# Release the RS: then the deployment goes.
api -H 'Content-Type: application/merge-patch+json' PATCH "$RS/z-rs" '{"metadata":{"finalizers":null}}'
assert_status 200
gone_within 2 "$RS/z-rs" "$DEP/z"

# ---- foreground, kubectl waits --------------------------------------------------
family w
k delete deployment w --cascade=foreground >"$TMP/out" 2>&1 || fail "kubectl delete --cascade=foreground (waiting): $(cat "$TMP/out")"
grep -q 'deployment.apps "w" deleted' "$TMP/out" || fail "kubectl said: $(cat "$TMP/out")"
# kubectl returned once the deployment was gone, which was after its RS,
# which was after its ConfigMap: nothing is left right now.
for p in "$DEP/w" "$RS/w-rs" "$CM/w-cm"; do
    assert_eq 404 "$(status_of "$p")" "$p when kubectl --wait returned"
done

# ---- the API's ways to ask ----------------------------------------------------
family q
api DELETE "$DEP/q?propagationPolicy=Orphan"
assert_status 200
gone_within 2 "$DEP/q"
api GET "$RS/q-rs"
assert_json "'ownerReferences' not in d['metadata']" "propagationPolicy=Orphan as a query parameter:"
family l
api DELETE "$DEP/l" '{"kind":"DeleteOptions","apiVersion":"v1","orphanDependents":true}'
assert_status 200
gone_within 2 "$DEP/l"
api GET "$RS/l-rs"
assert_json "'ownerReferences' not in d['metadata']" "the legacy orphanDependents: true:"
api DELETE "$RS/l-rs" '{"propagationPolicy":"Sideways"}'
assert_error 422 Invalid propagationPolicy
api DELETE "$RS/l-rs" '{"propagationPolicy":"Orphan","orphanDependents":true}'
assert_error 422 Invalid propagationPolicy
api DELETE "$RS/l-rs?propagationPolicy=Sideways"
assert_error 422 Invalid propagationPolicy
assert_eq 200 "$(status_of "$RS/l-rs")" "the RS after refused deletes"

# ---- restarts -----------------------------------------------------------------
# A foreground deletion pending at shutdown completes after start.
family r '"finalizers":["e2e.flotilla.io/hold"],'
k delete deployment r --cascade=foreground --wait=false >"$TMP/out" 2>&1 || fail "kubectl delete r: $(cat "$TMP/out")"
gone_within 2 "$CM/r-cm"
# An owner that disappears while the server is down.
family v
stop_server
"$PY" - "$DATA/flotilla.db" <<'EOF' || fail "could not remove the deployment from the SQLite file"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("DELETE FROM kv WHERE key = 'apps/deployments/default/v'").rowcount
db.commit()
sys.exit(0 if n == 1 else 1)
EOF
start_server "$DATA"
assert_eq 404 "$(status_of "$DEP/v")" "the deployment removed while down"
gone_within 3 "$RS/v-rs" "$CM/v-cm"
api GET "$DEP/r"
assert_status 200
assert_json "d['metadata'].get('deletionTimestamp')" "the held foreground deletion after restart:"
api -H 'Content-Type: application/merge-patch+json' PATCH "$RS/r-rs" '{"metadata":{"finalizers":null}}'
assert_status 200
gone_within 2 "$RS/r-rs" "$DEP/r"
# Untouched families are still whole.
assert_eq 200 "$(status_of "$RS/y-rs")" "the orphaned RS after restart"
assert_eq 200 "$(status_of "$CM/y-cm")" "the orphaned RS's ConfigMap after restart"
stop_server
finish
