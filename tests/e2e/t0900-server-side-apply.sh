#!/usr/bin/env bash
# Server-side apply with real kubectl and curl over plain HTTP: kubectl apply
# --server-side creates (PATCH -> 201) and updates; managedFields show in
# `get -o yaml --show-managed-fields`; a field owned by client-side apply
# conflicts (kubectl prints upstream's message) until --force-conflicts;
# kubectl's own manager takes over client-side apply's fields without a
# conflict (upstream's upgrade path) and keeps last-applied-configuration up
# to date; fields a manager stops applying go; other writes (kubectl patch)
# record their manager; and the API's answers to bad applies: no
# fieldManager (422), force on another patch type (422), bad YAML, wrong kind
# and managedFields in the body (400), a conflict's Status with its causes.
. "$(dirname "$0")/lib.sh"

KUBECTL=/usr/bin/kubectl
[ -x "$KUBECTL" ] || fail "no kubectl at $KUBECTL; scripts/deps.sh installs it"

start_server "$TMP/data"

# kc ARGS...: kubectl against the server; sets OUT (stdout+stderr) and RC.
kc() {
    OUT=$("$KUBECTL" --server "http://127.0.0.1:$PORT" --cache-dir "$TMP/kube-cache" \
        --request-timeout 30s -n default "$@" 2>&1)
    RC=$?
}
# ok ARGS...: kubectl succeeds.
ok() {
    kc "$@"
    [ "$RC" -eq 0 ] || fail "kubectl $*: exit $RC: $OUT"
}
# bad ARGS...: kubectl fails.
bad() {
    kc "$@"
    [ "$RC" -ne 0 ] || fail "kubectl $*: expected a failure, got: $OUT"
}
# has STRING...: the last kubectl output holds every STRING.
has() {
    local s
    for s in "$@"; do
        grep -qF -- "$s" <<<"$OUT" || fail "expected '$s' in: $OUT"
    done
}
hasnt() {
    local s
    for s in "$@"; do
        ! grep -qF -- "$s" <<<"$OUT" || fail "did not expect '$s' in: $OUT"
    done
}
# jp EXPECTED RESOURCE NAME JSONPATH
jp() {
    ok get "$2" "$3" -o "jsonpath=$4"
    assert_eq "$1" "$OUT" "$2/$3 $4"
}

# deploy NAME REPLICAS IMAGE: a Deployment manifest in $TMP/NAME.yaml.
deploy() {
    cat >"$TMP/$1.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
  labels:
    app: $1
spec:
  replicas: $2
  selector:
    matchLabels:
      app: $1
  template:
    metadata:
      labels:
        app: $1
    spec:
      containers:
      - name: app
        image: $3
        env:
        - name: MODE
          value: ssa
EOF
}

# ---- create and update -------------------------------------------------------

deploy web 3 nginx:1.27
ok apply --server-side -f "$TMP/web.yaml"
has "deployment.apps/web serverside-applied"
jp 3 deployment web '{.spec.replicas}'
jp 'kubectl/Apply' deployment web '{range .metadata.managedFields[*]}{.manager}/{.operation}{end}'

ok get deployment web -o yaml --show-managed-fields
has 'managedFields:' 'manager: kubectl' 'operation: Apply' 'fieldsType: FieldsV1' 'f:replicas: {}' \
    'k:{"name":"app"}:' 'f:image: {}' 'k:{"name":"MODE"}:'
ok get deployment web -o yaml
hasnt 'managedFields:'

# A change: the image, and MODE dropped from the manifest goes from the object.
deploy web 4 nginx:1.28
sed -i '/env:/,$d' "$TMP/web.yaml"
ok apply --server-side -f "$TMP/web.yaml"
has "deployment.apps/web serverside-applied"
jp '4 nginx:1.28' deployment web '{.spec.replicas} {.spec.template.spec.containers[0].image}'
jp '' deployment web '{.spec.template.spec.containers[0].env}'

# The same again: nothing changes.
ok get deployment web -o yaml --show-managed-fields
before=$OUT
ok apply --server-side -f "$TMP/web.yaml"
ok get deployment web -o yaml --show-managed-fields
assert_eq "$(grep -v resourceVersion <<<"$before")" "$(grep -v resourceVersion <<<"$OUT")" \
    "the object after applying the same manifest again"

# ---- conflicts with client-side apply ----------------------------------------

deploy csa 2 nginx:1.27
ok apply -f "$TMP/csa.yaml"
has "deployment.apps/csa created"
jp 'kubectl-client-side-apply/Update' deployment csa \
    '{range .metadata.managedFields[*]}{.manager}/{.operation}{end}'

# Another manager's different replicas: upstream's conflict, nothing changed.
deploy csa 5 nginx:1.27
bad apply --server-side --field-manager=ssa-user -f "$TMP/csa.yaml"
has 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas' \
    'force-conflicts'
jp 2 deployment csa '{.spec.replicas}'

ok apply --server-side --field-manager=ssa-user --force-conflicts -f "$TMP/csa.yaml"
has "deployment.apps/csa serverside-applied"
jp 5 deployment csa '{.spec.replicas}'
# (kubectl then moves client-side apply's fields to its manager itself, with
# a JSON patch of managedFields: csaupgrade.)
ok get deployment csa -o yaml --show-managed-fields
has 'manager: ssa-user' 'operation: Apply'

# A field another write changed since: kubectl patch owns it now.
ok patch deployment csa --type merge -p '{"spec":{"replicas":6}}'
jp 'kubectl-patch' deployment csa '{.metadata.managedFields[?(@.manager=="kubectl-patch")].manager}'
bad apply --server-side --field-manager=ssa-user -f "$TMP/csa.yaml"
has 'conflict with "kubectl-patch" using apps/v1: .spec.replicas'

# kubectl's own manager upgrades from client-side apply without a conflict
# where the live value is still what was last applied client-side, and
# keeps the annotation in step.
deploy up 2 nginx:1.27
ok apply -f "$TMP/up.yaml"
deploy up 3 nginx:1.27
ok apply --server-side -f "$TMP/up.yaml"
has "deployment.apps/up serverside-applied"
jp 3 deployment up '{.spec.replicas}'
ok get deployment up -o 'jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'
has '"replicas":3'

# ---- the REST API --------------------------------------------------------------

D=/apis/apps/v1/namespaces/default/deployments
APPLY=(-H 'Content-Type: application/apply-patch+yaml')

api "${APPLY[@]}" PATCH "$D/web" 'kind: Deployment'
assert_error 422 Invalid fieldManager
assert_json "d['message'] == 'PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch'"

api -H 'Content-Type: application/merge-patch+json' PATCH "$D/web?fieldManager=x&force=true" '{}'
assert_error 422 Invalid force

api "${APPLY[@]}" PATCH "$D/web?fieldManager=x" 'a: [b'
assert_error 400 BadRequest
assert_json "d['message'].startswith('error decoding YAML: ')"

api "${APPLY[@]}" PATCH "$D/web?fieldManager=x" '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web"}}'
assert_error 400 BadRequest
assert_json "d['message'] == 'invalid object type: /v1, Kind=ConfigMap'"

api "${APPLY[@]}" PATCH "$D/web?fieldManager=x" \
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[]}}'
assert_error 400 BadRequest
assert_json "d['message'] == 'metadata.managedFields must be nil'"

# YAML from curl creates (201); a conflict is a Status with one cause per field.
cat >"$TMP/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue   # a comment
  size: "10"
EOF
C=/api/v1/namespaces/default/configmaps
api "${APPLY[@]}" -F "$TMP/cm.yaml" PATCH "$C/settings?fieldManager=alice"
assert_status 201
assert_json "d['data'] == {'color': 'blue', 'size': '10'}"
assert_json "[(e['manager'], e['operation']) for e in d['metadata']['managedFields']] == [('alice', 'Apply')]"
assert_json "d['metadata']['managedFields'][0]['fieldsV1'] == {'f:data': {'f:color': {}, 'f:size': {}}}"

api "${APPLY[@]}" PATCH "$C/settings?fieldManager=bob" \
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"color":"red","size":"10"}}'
assert_error 409 Conflict
assert_json "d['message'] == 'Apply failed with 1 conflict: conflict with \"alice\": .data.color'"
assert_json "d['details']['causes'] == [{'reason': 'FieldManagerConflict', 'message': 'conflict with \"alice\"', 'field': '.data.color'}]"

api "${APPLY[@]}" PATCH "$C/settings?fieldManager=bob&force=true" \
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"color":"red","size":"10"}}'
assert_status 200
assert_json "d['data'] == {'color': 'red', 'size': '10'}"
assert_json "{e['manager']: e['fieldsV1'] for e in d['metadata']['managedFields']} == {'alice': {'f:data': {'f:size': {}}}, 'bob': {'f:data': {'f:color': {}, 'f:size': {}}}}"

# alice stops applying size: bob still owns it, so it stays.
api "${APPLY[@]}" PATCH "$C/settings?fieldManager=alice" \
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}'
assert_status 200
assert_json "d['data'] == {'color': 'red', 'size': '10'}"
assert_json "[e['manager'] for e in d['metadata']['managedFields']] == ['bob']"

# A PUT records its manager (from the User-Agent when no fieldManager).
api GET "$C/settings"
body=$(json "json.dumps(dict(d, data={'color': 'red', 'size': '11'}))")
api -H 'User-Agent: my-tool/1.0' PUT "$C/settings" "$body"
assert_status 200
assert_json "{e['manager'] for e in d['metadata']['managedFields']} == {'bob', 'my-tool'}"
assert_json "[e['fieldsV1'] for e in d['metadata']['managedFields'] if e['manager'] == 'my-tool'] == [{'f:data': {'f:size': {}}}]"

stop_server
finish
