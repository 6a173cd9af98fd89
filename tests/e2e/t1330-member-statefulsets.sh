#!/usr/bin/env bash
# StatefulSets on a simulated member cluster, driven with kubectl 1.32:
# ordinals.start, OrderedReady creation and reverse-order scale-down,
# volumeClaimTemplates bound by the provisioner and kept (Retain) or removed
# (whenScaled: Delete), ControllerRevisions, RollingUpdate with partition and
# maxUnavailable, OnDelete, Parallel, rollout status / history / undo, and
# deletion through the garbage collector.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/fleet.yaml" <<'EOF'
clusters:
- name: m1
  nodePools:
  - {name: cpu, count: 3, capacity: {cpu: "8", memory: 32Gi, pods: "110"}}
  podStartDelay: 100ms
EOF
start_member "$TMP/fleet.yaml"

K() { kubectl -s "http://127.0.0.1:$PORT" "$@"; }

# wait_for 'SHELL-CONDITION' [SECONDS]: poll until the condition holds.
wait_for() {
    local end=$((SECONDS + ${2:-20}))
    until eval "$1" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$end" ] || fail "timed out after ${2:-20} s waiting for: $1"
        sleep 0.1
    done
}

# names SELECTOR: pod names of the selector, sorted, space-separated.
pod_names() {
    K get pods -l "$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort | xargs
}

rollout() {
    K rollout status "sts/$1" --timeout=40s >"$TMP/rollout.out" 2>&1 ||
        fail "rollout status sts/$1: $(cat "$TMP/rollout.out")"
}

# wpy NAME PYTHON: run Python over the pod watch stream NAME so far, with
# `ev` the events in order as (type, name, ready, terminating, revision) and
# first(pred) the index of the first event matching pred (None if none).
wpy() {
    "$PY" - "$TMP/$1.watch" "$2" <<'PYEOF'
import json, sys
ev = []
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    e = json.loads(line)
    if e.get("type") not in ("ADDED", "MODIFIED", "DELETED"):
        continue
    o = e["object"]
    md = o["metadata"]
    conds = (o.get("status") or {}).get("conditions") or []
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)
    ev.append((e["type"], md["name"], ready, bool(md.get("deletionTimestamp")),
               (md.get("labels") or {}).get("controller-revision-hash", "")))
def first(pred):
    return next((i for i, e in enumerate(ev) if pred(e)), None)
exec(sys.argv[2])
PYEOF
}

sts_json() { api GET "/apis/apps/v1/namespaces/default/statefulsets/$1"; assert_status 200; }

# ---- create: ordinals 3..5, one at a time, each after the previous is Ready ----

cat >"$TMP/web.yaml" <<'EOF'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  ordinals: {start: 3}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80, name: web}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
EOF
watch_start create "/api/v1/namespaces/default/pods?watch=1"
K apply -f "$TMP/web.yaml" >/dev/null || fail "kubectl apply web"
rollout web
grep -q 'partitioned roll out complete: 3 new pods have been updated' "$TMP/rollout.out" ||
    check_fail "rollout status output: $(cat "$TMP/rollout.out")"
assert_eq "web-3 web-4 web-5" "$(pod_names app=web)" "pods of web"
wpy create '
a = [first(lambda e, n=n: e[0] == "ADDED" and e[1] == n) for n in ("web-3", "web-4", "web-5")]
r = [first(lambda e, n=n: e[1] == n and e[2]) for n in ("web-3", "web-4", "web-5")]
assert None not in a + r, (a, r)
assert a[0] < r[0] < a[1] < r[1] < a[2] < r[2], ("not created in order, each after the previous was Ready", a, r)
' || check_fail "OrderedReady creation order"
watch_stop create

sts_json web
save web
assert_json "d['status']['replicas'] == 3 and d['status']['readyReplicas'] == 3 and d['status']['availableReplicas'] == 3" "status counts"
assert_json "d['status']['currentRevision'] == d['status']['updateRevision'] and d['status']['currentReplicas'] == 3 and d['status']['updatedReplicas'] == 3" "revisions"
assert_json "d['status']['observedGeneration'] == d['metadata']['generation'] and d['status']['collisionCount'] == 0" "observedGeneration"
REV1=$(json "d['status']['updateRevision']")
WEB_UID=$(json "d['metadata']['uid']")
case $REV1 in web-[bcdfghjklmnpqrstvwxz2456789]*) ;; *) check_fail "revision name $REV1" ;; esac

api GET /api/v1/namespaces/default/pods/web-4
assert_json "d['metadata']['labels'] == {'app': 'web', 'controller-revision-hash': '$REV1', 'statefulset.kubernetes.io/pod-name': 'web-4', 'apps.kubernetes.io/pod-index': '4'}" "pod labels"
assert_json "d['spec']['hostname'] == 'web-4' and d['spec']['subdomain'] == 'web' and d['metadata']['generateName'] == 'web-'" "pod identity"
assert_json "{'name': 'data', 'persistentVolumeClaim': {'claimName': 'data-web-4'}} in d['spec']['volumes']" "pod volume"
assert_json "[(r['kind'], r['name'], r['uid'], r['controller']) for r in d['metadata']['ownerReferences']] == [('StatefulSet', 'web', '$WEB_UID', True)]" "pod owner"
assert_json "d['status']['phase'] == 'Running'" "pod phase"

api GET /api/v1/namespaces/default/persistentvolumeclaims
assert_json "sorted(i['metadata']['name'] for i in d['items']) == ['data-web-3', 'data-web-4', 'data-web-5']" "claims"
assert_json "all(i['status']['phase'] == 'Bound' and i['status']['capacity']['storage'] == '1Gi' and i['status']['accessModes'] == ['ReadWriteOnce'] and i['spec']['volumeName'] == 'pvc-' + i['metadata']['uid'] and i['metadata']['annotations']['pv.kubernetes.io/bind-completed'] == 'yes' and i['metadata']['labels'] == {'app': 'web'} and not i['metadata'].get('ownerReferences') for i in d['items'])" "claims bound, Retain: no owners"
PVC_UIDS=$(json "' '.join(i['metadata']['uid'] for i in sorted(d['items'], key=lambda i: i['metadata']['name']))")

api GET "/apis/apps/v1/namespaces/default/controllerrevisions/$REV1"
assert_status 200
assert_json "d['revision'] == 1 and d['metadata']['labels']['app'] == 'web' and d['metadata']['labels']['controller.kubernetes.io/hash'] == '${REV1#web-}'" "revision labels"
assert_json "d['data']['spec']['template']['\$patch'] == 'replace' and d['data']['spec']['template']['spec']['containers'][0]['image'] == 'nginx:1.25'" "revision data"
assert_json "d['metadata']['ownerReferences'][0]['uid'] == '$WEB_UID' and d['metadata']['ownerReferences'][0]['controller']" "revision owner"

api GET "/api/v1/namespaces/default/events"
for msg in "create Claim data-web-3 Pod web-3 in StatefulSet web success" \
    "create Pod web-3 in StatefulSet web successful" "create Pod web-5 in StatefulSet web successful"; do
    assert_json "any(e['message'] == '$msg' and e['reason'] == 'SuccessfulCreate' and e['source']['component'] == 'statefulset-controller' and e['involvedObject']['name'] == 'web' for e in d['items'])" "event '$msg'"
done

# ---- scale down: web-5 then web-4, each after the previous is gone; claims stay ----

watch_start down "/api/v1/namespaces/default/pods?watch=1"
K scale sts web --replicas=1 >/dev/null || fail "kubectl scale"
wait_for '[ "$(pod_names app=web)" = web-3 ]'
wait_for 'sts_json web && [ "$(json "d[\"status\"][\"replicas\"]")" = 1 ]'
wpy down '
d5 = first(lambda e: e[0] == "DELETED" and e[1] == "web-5")
t4 = first(lambda e: e[1] == "web-4" and (e[3] or e[0] == "DELETED"))
t5 = first(lambda e: e[1] == "web-5" and (e[3] or e[0] == "DELETED"))
assert None not in (d5, t4, t5), (d5, t4, t5)
assert t5 <= d5 < t4, ("web-4 was deleted before web-5 was gone", t5, d5, t4)
' || check_fail "reverse-order scale-down"
watch_stop down
api GET "/api/v1/namespaces/default/events"
assert_json "any(e['message'] == 'delete Pod web-4 in StatefulSet web successful' and e['reason'] == 'SuccessfulDelete' for e in d['items'])" "SuccessfulDelete event"
api GET /api/v1/namespaces/default/persistentvolumeclaims
assert_eq "$PVC_UIDS" "$(json "' '.join(i['metadata']['uid'] for i in sorted(d['items'], key=lambda i: i['metadata']['name']))")" "claims kept on scale-down"

# ---- scale up again: the same claims are reused ----

K scale sts web --replicas=3 >/dev/null || fail "kubectl scale"
rollout web
assert_eq "web-3 web-4 web-5" "$(pod_names app=web)" "pods after scale-up"
api GET /api/v1/namespaces/default/persistentvolumeclaims
assert_eq "$PVC_UIDS" "$(json "' '.join(i['metadata']['uid'] for i in sorted(d['items'], key=lambda i: i['metadata']['name']))")" "claims reused on scale-up"

# ---- rolling update with a partition: only index >= 2 (web-5) moves ----

watch_start roll "/api/v1/namespaces/default/pods?watch=1"
K patch sts web -p '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}' >/dev/null ||
    fail "kubectl patch"
rollout web
grep -q 'partitioned roll out complete: 1 new pods have been updated' "$TMP/rollout.out" ||
    check_fail "partitioned rollout status: $(cat "$TMP/rollout.out")"
sts_json web
REV2=$(json "d['status']['updateRevision']")
[ "$REV2" != "$REV1" ] || fail "no new revision after a template change"
assert_json "d['status']['currentRevision'] == '$REV1' and d['status']['updatedReplicas'] == 1 and d['status']['currentReplicas'] == 2" "partitioned status"
hashes() { K get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.labels.controller-revision-hash}{" "}{end}'; }
assert_eq "web-3=$REV1 web-4=$REV1 web-5=$REV2 " "$(hashes)" "revisions with partition 2"

K patch sts web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}' >/dev/null || fail "kubectl patch"
rollout web
wait_for 'sts_json web && [ "$(json "d[\"status\"][\"currentRevision\"]")" = "$REV2" ]'
assert_eq "web-3=$REV2 web-4=$REV2 web-5=$REV2 " "$(hashes)" "revisions with partition 0"
sts_json web
assert_json "d['status']['currentRevision'] == d['status']['updateRevision'] == '$REV2' and d['status']['currentReplicas'] == 3 and d['status']['updatedReplicas'] == 3" "update complete"
assert_eq "nginx:1.26" "$(K get pod web-3 -o jsonpath='{.spec.containers[0].image}')" "image of web-3"
wpy roll '
t = {n: first(lambda e, n=n: e[1] == n and (e[3] or e[0] == "DELETED")) for n in ("web-3", "web-4", "web-5")}
back4 = first(lambda e: e[1] == "web-4" and e[2] and e[4] == "'"$REV2"'")
assert None not in list(t.values()) + [back4], (t, back4)
assert t["web-5"] < t["web-4"] < back4 < t["web-3"], ("not updated from the highest ordinal down, one at a time", t, back4)
' || check_fail "rolling update order"
watch_stop roll

# ---- history and undo ----

K rollout history sts/web >"$TMP/history.out" || fail "rollout history: $(cat "$TMP/history.out")"
"$PY" -c 'import sys; rows = [l.split()[0] for l in open(sys.argv[1]) if l[:1].isdigit()]; sys.exit(rows != ["1", "2"])' "$TMP/history.out" ||
    check_fail "rollout history: $(cat "$TMP/history.out")"
K rollout undo sts/web >/dev/null || fail "kubectl rollout undo"
rollout web
wait_for 'sts_json web && [ "$(json "d[\"status\"][\"currentRevision\"]")" = "$REV1" ]'
assert_eq "web-3=$REV1 web-4=$REV1 web-5=$REV1 " "$(hashes)" "revisions after undo"
assert_eq "nginx:1.25" "$(K get sts web -o jsonpath='{.spec.template.spec.containers[0].image}')" "template after undo"
api GET "/apis/apps/v1/namespaces/default/controllerrevisions/$REV1"
assert_json "d['revision'] == 3" "the old revision comes forward with a new number"
api GET "/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3Dweb"
assert_json "sorted(i['metadata']['name'] for i in d['items']) == sorted(['$REV1', '$REV2'])" "no third revision object"

# ---- OnDelete: nothing moves until a pod is deleted ----

K patch sts web -p '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}' >/dev/null ||
    fail "kubectl patch OnDelete"
wait_for 'sts_json web && [ "$(json "d[\"status\"][\"observedGeneration\"] == d[\"metadata\"][\"generation\"] and d[\"status\"][\"updateRevision\"] not in (\"$REV1\", \"$REV2\")")" = true ]'
REV3=$(json "d['status']['updateRevision']")
sleep 1 # the controller has seen the change: give it a moment to (wrongly) act
assert_eq "web-3=$REV1 web-4=$REV1 web-5=$REV1 " "$(hashes)" "OnDelete leaves pods alone"
K delete pod web-4 >/dev/null || fail "kubectl delete pod"
wait_for '[ "$(K get pod web-4 -o jsonpath="{.metadata.labels.controller-revision-hash}/{.status.phase}")" = "$REV3/Running" ]'
assert_eq "web-3=$REV1 web-4=$REV3 web-5=$REV1 " "$(hashes)" "only the deleted pod is recreated at the new revision"
wait_for 'sts_json web && [ "$(json "[d[\"status\"][\"updatedReplicas\"], d[\"status\"][\"currentReplicas\"]]")" = "[1, 2]" ]'

# ---- Parallel, maxUnavailable 2, whenScaled: Delete ----

cat >"$TMP/par.yaml" <<'EOF'
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: par
spec:
  serviceName: par
  replicas: 4
  podManagementPolicy: Parallel
  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Retain}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 2}
  selector:
    matchLabels: {app: par}
  template:
    metadata:
      labels: {app: par}
    spec:
      containers:
      - name: c
        image: busybox:1.36
  volumeClaimTemplates:
  - metadata: {name: d}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 2Gi}}
EOF
watch_start par "/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dpar"
K apply -f "$TMP/par.yaml" >/dev/null || fail "kubectl apply par"
rollout par
wpy par '
a = [first(lambda e, n=n: e[0] == "ADDED" and e[1] == n) for n in ("par-0", "par-1", "par-2", "par-3")]
r = first(lambda e: e[2])
assert None not in a + [r] and max(a) < r, ("Parallel did not create all pods at once", a, r)
' || check_fail "Parallel creation"
watch_stop par

watch_start maxu "/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dpar"
watch_wait maxu 4
K set image sts/par c=busybox:1.37 >/dev/null || fail "kubectl set image"
rollout par
wait_for 'sts_json par && [ "$(json "d[\"status\"][\"currentRevision\"] == d[\"status\"][\"updateRevision\"] and d[\"status\"][\"updatedReplicas\"] == 4")" = true ]'
wpy maxu '
avail, peak = {}, 0
for t, n, ready, term, rev in ev:
    avail[n] = t != "DELETED" and ready and not term
    if len(avail) == 4:
        peak = max(peak, sum(not a for a in avail.values()))
assert peak == 2, ("at most (and at some point exactly) 2 pods unavailable", peak)
' || check_fail "maxUnavailable 2"
watch_stop maxu

K scale sts par --replicas=2 >/dev/null || fail "kubectl scale par"
wait_for '[ "$(pod_names app=par)" = "par-0 par-1" ]'
wait_for '[ "$(K get pvc -l app=par -o jsonpath="{.items[*].metadata.name}")" = "d-par-0 d-par-1" ]'

# ---- whenDeleted: Delete: the claims are the set's, and go with it ----

sed -e 's/name: par$/name: wd/' -e 's/app: par/app: wd/g' -e 's/serviceName: par/serviceName: wd/' \
    -e 's/replicas: 4/replicas: 1/' -e 's/whenScaled: Delete, whenDeleted: Retain/whenScaled: Retain, whenDeleted: Delete/' \
    "$TMP/par.yaml" >"$TMP/wd.yaml"
K apply -f "$TMP/wd.yaml" >/dev/null || fail "kubectl apply wd"
rollout wd
sts_json wd
WD_UID=$(json "d['metadata']['uid']")
api GET /api/v1/namespaces/default/persistentvolumeclaims/d-wd-0
assert_json "[(r['kind'], r['name'], r['uid'], r.get('controller')) for r in d['metadata']['ownerReferences']] == [('StatefulSet', 'wd', '$WD_UID', True)]" "whenDeleted: Delete claim owner"
K delete sts wd >/dev/null || fail "kubectl delete sts wd"
wait_for '[ -z "$(K get pvc -l app=wd -o name)" ] && [ -z "$(pod_names app=wd)" ]'

# ---- replicas: 2147483647 must not hold the loop (nor allocate per slot) ----

cat >"$TMP/huge.yaml" <<'EOF'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: huge}
spec:
  replicas: 2147483647
  serviceName: huge
  selector: {matchLabels: {app: huge}}
  template:
    metadata: {labels: {app: huge}}
    spec: {containers: [{name: c, image: nginx}]}
EOF
K apply -f "$TMP/huge.yaml" >/dev/null || fail "kubectl apply huge"
wait_for '[ -n "$(pod_names app=huge)" ]'
for i in 1 2 3; do # each sync used to walk (and calloc) 2^31 slots
    timeout 3 curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/namespaces/default/pods/huge-0" ||
        fail "API unresponsive with a StatefulSet of 2147483647 replicas"
    sleep 0.2
done
K delete sts huge >/dev/null || fail "kubectl delete sts huge"
wait_for '[ -z "$(pod_names app=huge)" ]'

# Ordinals past INT32_MAX are never created (they would not parse back as
# the set's, and each sync would fail on AlreadyExists).
sed -e 's/name: huge/name: top/' -e 's/app: huge/app: top/g' -e 's/serviceName: huge/serviceName: top/' \
    -e 's/replicas: 2147483647/replicas: 3\n  ordinals: {start: 2147483646}/' "$TMP/huge.yaml" >"$TMP/top.yaml"
K apply -f "$TMP/top.yaml" >/dev/null || fail "kubectl apply top"
wait_for '[ "$(pod_names app=top)" = "top-2147483646 top-2147483647" ]'
wait_for '[ "$(K get sts top -o jsonpath="{.status.readyReplicas}")" = 2 ]'
sleep 0.5
assert_eq "top-2147483646 top-2147483647" "$(pod_names app=top)" "no pod past INT32_MAX"
# completeRollingUpdate compares with status.replicas (2 here), not
# spec.replicas (3): once both pods are updated and ready, currentRevision
# moves to updateRevision.
K set image sts/top c=nginx:2 >/dev/null || fail "kubectl set image sts/top"
wait_for '[ "$(K get sts top -o jsonpath="{.status.updatedReplicas}/{.status.readyReplicas}")" = 2/2 ]'
wait_for '[ "$(K get sts top -o jsonpath="{.status.currentRevision}")" = "$(K get sts top -o jsonpath="{.status.updateRevision}")" ]' 10
assert_eq 2 "$(K get sts top -o jsonpath='{.status.currentReplicas}')" "currentReplicas after the roll"
K delete sts top >/dev/null || fail "kubectl delete sts top"
wait_for '[ -z "$(pod_names app=top)" ]'

# ---- deleting the set: the pods go with it, Retain keeps the claims ----

K delete sts web >/dev/null || fail "kubectl delete sts"
wait_for '[ -z "$(pod_names app=web)" ]'
wait_for '[ -z "$(K get controllerrevisions -l app=web -o name)" ]'
assert_eq "data-web-3 data-web-4 data-web-5" "$(K get pvc -l app=web -o jsonpath='{.items[*].metadata.name}')" "claims kept after the set is deleted"

stop_server
finish
