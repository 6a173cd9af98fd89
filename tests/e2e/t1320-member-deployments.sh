#!/usr/bin/env bash
# The Deployment and ReplicaSet controllers of `flotilla member`
# (member/deployment.c, member/replicaset.c) with kubectl 1.32, checked the
# way a user checks a real cluster: `kubectl rollout status|history|undo|
# pause|resume`, `kubectl scale`, the objects' names, labels, annotations,
# owner references, status fields, conditions and Events.
#  - a Deployment of 4 rolls out; its ReplicaSet is web-<pod-template-hash>
#    with the hash in its selector, template and pods, the revision,
#    desired-replicas and max-replicas annotations, a controller reference;
#  - a rolling update with maxSurge 1 / maxUnavailable 0, watched pod by pod:
#    never more than 5 active pods, never fewer than 4 ready ones, and the
#    scaling events alternate as upstream's;
#  - history shows two revisions with their change-cause; undo brings the
#    first ReplicaSet back as revision 3 (revision-history 1);
#  - scaling down and up, proportional annotations; a paused Deployment
#    does not roll out a template change until resumed;
#  - Recreate never runs old and new pods together; revisionHistoryLimit 1
#    prunes; progressDeadlineSeconds times out (rollout status fails);
#    minReadySeconds delays availability;
#  - deleting a Deployment collects its ReplicaSets and pods; a bare
#    ReplicaSet replaces a deleted pod, adopts orphans and releases a pod
#    relabelled out of its selector;
#  - a new ReplicaSet's name taken by one the Deployment does not own bumps
#    status.collisionCount and the hash.
. "$(dirname "$0")/lib.sh"

KUBECTL=/usr/bin/kubectl
[ -x "$KUBECTL" ] || fail "no kubectl at $KUBECTL"

cat >"$TMP/fleet.yaml" <<'YAML'
clusters:
- name: wl
  nodePools:
  - {name: cpu, count: 3, capacity: {cpu: "16", memory: 64Gi, pods: "110"}}
  podStartDelay: 100ms
  podStopDelay: 100ms
YAML
start_member "$TMP/fleet.yaml"

k() { "$KUBECTL" -s "http://127.0.0.1:$PORT" --request-timeout 20s "$@"; }
NS=default
DEP=/apis/apps/v1/namespaces/$NS/deployments
RS=/apis/apps/v1/namespaces/$NS/replicasets
PODS=/api/v1/namespaces/$NS/pods
EVENTS=/api/v1/namespaces/$NS/events

# wait_for 'SHELL CONDITION' SECONDS [WHAT]: poll every 0.1 s.
wait_for() {
    local cond=$1 secs=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        eval "$cond" && return 0
        sleep 0.1
    done
    fail "timed out after ${secs}s waiting for ${3:-$cond}"
}

# q PATH EXPR: GET PATH and print a Python expression over it (`d`).
q() {
    api GET "$1"
    assert_status 200
    json "$2"
}

# rollout NAME: kubectl rollout status must say it rolled out.
rollout() {
    k rollout status "deployment/$1" --timeout=60s >"$TMP/rollout.out" 2>&1 ||
        fail "rollout status deployment/$1: $(cat "$TMP/rollout.out")"
    grep -q "deployment \"$1\" successfully rolled out" "$TMP/rollout.out" ||
        fail "rollout status deployment/$1 said: $(cat "$TMP/rollout.out")"
}

# rs_of APP: the ReplicaSets labelled app=APP, "name=replicas" sorted by name.
rs_of() {
    q "$RS?labelSelector=app%3D$1" \
        "' '.join(sorted('%s=%d' % (i['metadata']['name'], i['spec']['replicas']) for i in d['items']))"
}

# sorted_words WORD...: the words sorted, space-separated (rs_of's order).
sorted_words() {
    printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}

# active_pods APP: the number of pods of APP without a deletionTimestamp.
active_pods() {
    q "$PODS?labelSelector=app%3D$1" \
        "len([p for p in d['items'] if not p['metadata'].get('deletionTimestamp')])"
}

# scaling_events NAME: the ScalingReplicaSet messages about Deployment NAME,
# oldest first (without client-go's "(combined from similar events): ").
scaling_events() {
    q "$EVENTS" "'|'.join(e['message'].replace('(combined from similar events): ', '') for e in sorted(d['items'], key=lambda e: int(e['metadata']['resourceVersion'])) if e['involvedObject']['kind'] == 'Deployment' and e['involvedObject']['name'] == '$1' and e['reason'] == 'ScalingReplicaSet' and e['source']['component'] == 'deployment-controller')"
}

# The pod watcher: follows pods of a label from a list's resourceVersion
# and checks, at every revision, what a rollout must keep. Modes:
#   rolling IMAGE N: at most N+1 active pods, at least N ready active pods;
#   recreate IMAGE N: never a pod of IMAGE while another image's pod exists.
# Ends when N ready pods of IMAGE are all that is left; writes OUT (JSON).
cat >"$TMP/podwatch.py" <<'PYEOF'
import json, sys, urllib.request
port, sel, mode, image, n, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
base = "http://127.0.0.1:%s/api/v1/namespaces/default/pods" % port
lst = json.load(urllib.request.urlopen(base + "?labelSelector=" + sel))
pods = {p["metadata"]["name"]: p for p in lst["items"]}
rv = lst["metadata"]["resourceVersion"]
res = {"events": 0, "max_active": 0, "min_ready": None, "overlap": False, "done": False}

def active(p):
    return not p["metadata"].get("deletionTimestamp") and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")

def ready(p):
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in p.get("status", {}).get("conditions", []))

def img(p):
    return p["spec"]["containers"][0]["image"]

def check():
    act = [p for p in pods.values() if active(p)]
    rdy = [p for p in act if ready(p)]
    res["max_active"] = max(res["max_active"], len(act))
    res["min_ready"] = len(rdy) if res["min_ready"] is None else min(res["min_ready"], len(rdy))
    if any(img(p) == image for p in pods.values()) and any(img(p) != image for p in pods.values()):
        res["overlap"] = True
    return len(pods) == n and all(img(p) == image and active(p) and ready(p) for p in pods.values())

open(out + ".ready", "w").close()
resp = urllib.request.urlopen(base + "?watch=1&labelSelector=%s&resourceVersion=%s&timeoutSeconds=50" % (sel, rv), timeout=60)
for line in resp:
    if not line.strip():
        continue
    ev = json.loads(line)
    obj = ev["object"]
    name = obj["metadata"]["name"]
    if ev["type"] == "DELETED":
        pods.pop(name, None)
    elif ev["type"] in ("ADDED", "MODIFIED"):
        pods[name] = obj
    res["events"] += 1
    if check():
        res["done"] = True
        break
json.dump(res, open(out, "w"))
PYEOF

# podwatch NAME SELECTOR MODE IMAGE N: start the watcher, wait until it listens.
podwatch() {
    "$PY" "$TMP/podwatch.py" "$PORT" "$2" "$3" "$4" "$5" "$TMP/$1.json" 2>"$TMP/$1.err" &
    eval "PODWATCH_$1=$!"
    E2E_PIDS+=("$!")
    wait_for "[ -e '$TMP/$1.json.ready' ]" 10 "pod watcher $1 to start"
}

# podwatch_result NAME: wait for the watcher; RESP_FILE gets its result.
podwatch_result() {
    local pidvar=PODWATCH_$1
    wait_for "! kill -0 ${!pidvar} 2>/dev/null" 30 "pod watcher $1 to end"
    wait "${!pidvar}" || fail "pod watcher $1 failed: $(cat "$TMP/$1.err")"
    cp "$TMP/$1.json" "$RESP_FILE"
    RESP=$(cat "$RESP_FILE")
    LAST_REQ="pod watcher $1"
}

# ---- 1. a Deployment rolls out ----------------------------------------------------

cat >"$TMP/web.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: initial}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
YAML
k apply -f "$TMP/web.yaml" >/dev/null || fail "kubectl apply web"
rollout web

api GET "$DEP/web"
assert_status 200
D_UID=$(json "d['metadata']['uid']")
assert_json "d['metadata']['annotations']['deployment.kubernetes.io/revision'] == '1'" "deployment revision 1:"
assert_json "d['status']['observedGeneration'] == d['metadata']['generation']" "observedGeneration:"
assert_json "[d['status'].get(k) for k in ('replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas')] == [4, 4, 4, 4]" "status counts:"
assert_json "'unavailableReplicas' not in d['status'] and 'collisionCount' not in d['status']" "omitempty zero fields:"
assert_json "all(set(c) == {'type', 'status', 'lastUpdateTime', 'lastTransitionTime', 'reason', 'message'} for c in d['status']['conditions'])" "condition fields:"

api GET "$RS?labelSelector=app%3Dweb"
assert_status 200
assert_json "len(d['items']) == 1" "one ReplicaSet:"
RS1=$(json "d['items'][0]['metadata']['name']")
H1=$(json "d['items'][0]['metadata']['labels']['pod-template-hash']")
assert_eq "web-$H1" "$RS1" "ReplicaSet name"
assert_json "__import__('re').fullmatch('[bcdfghjklmnpqrstvwxz2456789]{1,10}', '$H1') is not None" "hash alphabet:"
assert_json "d['items'][0]['metadata']['labels'] == {'app': 'web', 'tier': 'front', 'pod-template-hash': '$H1'}" "RS labels:"
assert_json "d['items'][0]['spec']['selector'] == {'matchLabels': {'app': 'web', 'pod-template-hash': '$H1'}}" "RS selector:"
assert_json "d['items'][0]['spec']['template']['metadata']['labels'] == {'app': 'web', 'tier': 'front', 'pod-template-hash': '$H1'}" "RS template labels:"
assert_json "d['items'][0]['metadata']['annotations'] == {'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5', 'kubernetes.io/change-cause': 'initial'}" "RS annotations:"
assert_json "d['items'][0]['metadata']['ownerReferences'] == [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': 'web', 'uid': '$D_UID', 'controller': True, 'blockOwnerDeletion': True}]" "RS owner:"
assert_json "[d['items'][0]['status'].get(k) for k in ('replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas')] == [4, 4, 4, 4]" "RS status:"
assert_json "d['items'][0]['status']['observedGeneration'] == d['items'][0]['metadata']['generation']" "RS observedGeneration:"
RS1_UID=$(json "d['items'][0]['metadata']['uid']")

api GET "$DEP/web"
assert_json "[(c['type'], c['status'], c['reason'], c['message']) for c in d['status']['conditions']] == [('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'), ('Progressing', 'True', 'NewReplicaSetAvailable', 'ReplicaSet \"$RS1\" has successfully progressed.')]" "conditions:"

api GET "$PODS?labelSelector=app%3Dweb"
assert_json "len(d['items']) == 4" "4 pods:"
assert_json "all(p['metadata']['generateName'] == '$RS1-' and p['metadata']['name'].startswith('$RS1-') and len(p['metadata']['name']) == len('$RS1-') + 5 for p in d['items'])" "pod names:"
assert_json "all(p['metadata']['labels'] == {'app': 'web', 'tier': 'front', 'pod-template-hash': '$H1'} for p in d['items'])" "pod labels:"
assert_json "all(p['metadata']['ownerReferences'] == [{'apiVersion': 'apps/v1', 'kind': 'ReplicaSet', 'name': '$RS1', 'uid': '$RS1_UID', 'controller': True, 'blockOwnerDeletion': True}] for p in d['items'])" "pod owners:"
PODS1=$(json "' '.join(sorted(p['metadata']['name'] for p in d['items']))")

assert_eq "Scaled up replica set $RS1 to 4" "$(scaling_events web)" "creation event"
api GET "$EVENTS"
assert_json "sorted(e['message'] for e in d['items'] if e['involvedObject']['name'] == '$RS1' and e['reason'] == 'SuccessfulCreate' and e['source']['component'] == 'replicaset-controller') == sorted('Created pod: ' + n for n in '$PODS1'.split())" "SuccessfulCreate events:"
k get deploy web >"$TMP/get.out" || fail "kubectl get deploy"
grep -Eq '^web +4/4 +4 +4 ' "$TMP/get.out" || fail "kubectl get deploy web: $(cat "$TMP/get.out")"

# ---- 2. rolling update: maxSurge 1, maxUnavailable 0 -----------------------------------

podwatch roll "app%3Dweb" rolling nginx:1.28 4
k set image deployment/web nginx=nginx:1.28 >/dev/null || fail "kubectl set image"
rollout web
podwatch_result roll
assert_json "d['done']" "the watcher saw the rollout end:"
assert_json "d['max_active'] <= 5" "never more than replicas+maxSurge active pods:"
assert_json "d['min_ready'] >= 4" "never fewer than replicas-maxUnavailable ready pods:"
assert_json "d['events'] >= 16" "the watcher saw every pod change:"
RS2=$(q "$RS?labelSelector=app%3Dweb" "[i['metadata']['name'] for i in d['items'] if i['metadata']['name'] != '$RS1'][0]")
assert_eq "$(sorted_words "$RS1=0" "$RS2=4")" "$(rs_of web)" "ReplicaSets after the update"
want="Scaled up replica set $RS1 to 4|Scaled up replica set $RS2 to 1|Scaled down replica set $RS1 to 3 from 4|Scaled up replica set $RS2 to 2 from 1|Scaled down replica set $RS1 to 2 from 3|Scaled up replica set $RS2 to 3 from 2|Scaled down replica set $RS1 to 1 from 2|Scaled up replica set $RS2 to 4 from 3|Scaled down replica set $RS1 to 0 from 1"
assert_eq "$want" "$(scaling_events web)" "rolling update events"
api GET "$DEP/web"
assert_json "d['metadata']['annotations']['deployment.kubernetes.io/revision'] == '2'" "revision 2:"
assert_json "[c['message'] for c in d['status']['conditions'] if c['type'] == 'Progressing'] == ['ReplicaSet \"$RS2\" has successfully progressed.']" "progressed:"

# ---- 3. history ----------------------------------------------------------------------

k annotate deployment/web kubernetes.io/change-cause=to-1.28 --overwrite >/dev/null || fail "kubectl annotate"
wait_for "[ \"\$(q '$RS/$RS2' \"d['metadata']['annotations'].get('kubernetes.io/change-cause')\")\" = to-1.28 ]" 10 "the change-cause on $RS2"
k rollout history deployment/web >"$TMP/hist.out" || fail "rollout history: $(cat "$TMP/hist.out")"
"$PY" - "$TMP/hist.out" <<'PYEOF' || fail "rollout history: $(cat "$TMP/hist.out")"
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:] if l.strip()]
assert rows[0] == ["REVISION", "CHANGE-CAUSE"], rows
assert rows[1:] == [["1", "initial"], ["2", "to-1.28"]], rows
PYEOF
k rollout history deployment/web --revision=1 >"$TMP/hist1.out" || fail "rollout history --revision=1"
grep -q 'Image:.*nginx:1.27' "$TMP/hist1.out" || fail "revision 1 template: $(cat "$TMP/hist1.out")"

# ---- 4. undo: the first ReplicaSet comes back as revision 3 ---------------------------------

k rollout undo deployment/web >"$TMP/undo.out" 2>&1 || fail "rollout undo: $(cat "$TMP/undo.out")"
rollout web
assert_eq "$(sorted_words "$RS1=4" "$RS2=0")" "$(rs_of web)" "ReplicaSets after undo (no third one)"
api GET "$RS/$RS1"
assert_json "d['metadata']['annotations']['deployment.kubernetes.io/revision'] == '3'" "undone RS revision 3:"
assert_json "d['metadata']['annotations']['deployment.kubernetes.io/revision-history'] == '1'" "revision-history:"
assert_json "d['spec']['template']['spec']['containers'][0]['image'] == 'nginx:1.27'" "undone template:"
api GET "$DEP/web"
assert_json "d['metadata']['annotations']['deployment.kubernetes.io/revision'] == '3'" "deployment revision 3:"
assert_json "d['spec']['template']['spec']['containers'][0]['image'] == 'nginx:1.27'" "deployment template restored:"
assert_json "[d['status'].get(k) for k in ('replicas', 'updatedReplicas', 'availableReplicas')] == [4, 4, 4]" "status after undo:"
wait_for "[ \"\$(active_pods web)\" = 4 ]" 10
q "$PODS?labelSelector=app%3Dweb" "sorted(set(p['spec']['containers'][0]['image'] for p in d['items'] if not p['metadata'].get('deletionTimestamp')))" >"$TMP/imgs"
assert_eq '["nginx:1.27"]' "$(cat "$TMP/imgs")" "pod images after undo"
k rollout history deployment/web >"$TMP/hist.out"
"$PY" - "$TMP/hist.out" <<'PYEOF' || fail "rollout history after undo: $(cat "$TMP/hist.out")"
import sys
rows = [l.split()[0] for l in open(sys.argv[1]).read().splitlines()[2:] if l.strip()]
assert rows == ["2", "3"], rows
PYEOF

# ---- 5. scale down, then up ---------------------------------------------------------------

k scale deployment/web --replicas=2 >/dev/null || fail "kubectl scale down"
rollout web
wait_for "[ \"\$(active_pods web)\" = 2 ]" 10 "2 active pods"
api GET "$RS/$RS1"
assert_json "d['spec']['replicas'] == 2 and d['status']['replicas'] == 2" "scaled down RS:"
assert_json "d['metadata']['annotations']['deployment.kubernetes.io/desired-replicas'] == '2' and d['metadata']['annotations']['deployment.kubernetes.io/max-replicas'] == '3'" "replicas annotations after scale:"
k scale deployment/web --replicas=5 >/dev/null || fail "kubectl scale up"
rollout web
api GET "$DEP/web"
assert_json "[d['status'].get(k) for k in ('replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas')] == [5, 5, 5, 5]" "status after scale up:"
assert_json "[c['reason'] for c in d['status']['conditions'] if c['type'] == 'Progressing'] == ['NewReplicaSetAvailable']" "scaling keeps Progressing:"
scaling_events web | tr '|' '\n' | tail -2 >"$TMP/ev"
assert_eq "Scaled down replica set $RS1 to 2 from 4
Scaled up replica set $RS1 to 5 from 2" "$(cat "$TMP/ev")" "scale events"

# ---- 6. paused: a template change waits for resume -----------------------------------------

k rollout pause deployment/web >/dev/null || fail "rollout pause"
k set image deployment/web nginx=nginx:1.29 >/dev/null || fail "set image while paused"
wait_for "[ \"\$(q '$DEP/web' \"d['status'].get('observedGeneration') == d['metadata']['generation'] and d['status']['conditions'][-1]['reason']\")\" = DeploymentPaused ]" 10 "the paused condition"
api GET "$DEP/web"
assert_json "[(c['type'], c['status'], c['message']) for c in d['status']['conditions'] if c['type'] == 'Progressing'] == [('Progressing', 'Unknown', 'Deployment is paused')]" "paused condition:"
assert_json "d['status'].get('updatedReplicas', 0) == 0 and d['status']['replicas'] == 5" "paused: nothing updated:"
assert_eq "$(sorted_words "$RS1=5" "$RS2=0")" "$(rs_of web)" "no new ReplicaSet while paused"
k rollout resume deployment/web >/dev/null || fail "rollout resume"
rollout web
api GET "$RS?labelSelector=app%3Dweb"
assert_json "len(d['items']) == 3" "a third ReplicaSet after resume:"
RS3=$(json "[i['metadata']['name'] for i in d['items'] if i['spec']['replicas'] == 5][0]")
assert_json "[i['spec']['template']['spec']['containers'][0]['image'] for i in d['items'] if i['metadata']['name'] == '$RS3'] == ['nginx:1.29']" "resumed template:"
assert_eq "4" "$(q "$DEP/web" "d['metadata']['annotations']['deployment.kubernetes.io/revision']")" "revision after resume"

# ---- 7. deleting the Deployment collects everything -------------------------------------------

k delete deployment web --wait=false >/dev/null || fail "delete deployment"
wait_for "[ \"\$(q '$RS?labelSelector=app%3Dweb' \"len(d['items'])\")\" = 0 ] && [ \"\$(q '$PODS?labelSelector=app%3Dweb' \"len(d['items'])\")\" = 0 ]" 20 "the ReplicaSets and pods of web to go"

# ---- 8. Recreate and revisionHistoryLimit -------------------------------------------------------

cat >"$TMP/rec.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: rec}
spec:
  replicas: 3
  revisionHistoryLimit: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: rec}}
  template:
    metadata: {labels: {app: rec}}
    spec:
      containers:
      - {name: c, image: "busybox:1"}
YAML
k apply -f "$TMP/rec.yaml" >/dev/null || fail "apply rec"
rollout rec
RA=$(q "$RS?labelSelector=app%3Drec" "d['items'][0]['metadata']['name']")
podwatch rec "app%3Drec" recreate busybox:2 3
k set image deployment/rec c=busybox:2 >/dev/null || fail "set image rec"
rollout rec
podwatch_result rec
assert_json "d['done'] and not d['overlap']" "Recreate: old and new pods never together:"
RB=$(q "$RS?labelSelector=app%3Drec" "[i['metadata']['name'] for i in d['items'] if i['spec']['replicas'] == 3][0]")
assert_eq "Scaled up replica set $RA to 3|Scaled down replica set $RA to 0 from 3|Scaled up replica set $RB to 3" "$(scaling_events rec)" "Recreate events"
k set image deployment/rec c=busybox:3 >/dev/null || fail "set image rec again"
rollout rec
RC=$(q "$RS?labelSelector=app%3Drec" "[i['metadata']['name'] for i in d['items'] if i['spec']['replicas'] == 3][0]")
want=$(sorted_words "$RB=0" "$RC=3")
wait_for "[ \"\$(rs_of rec)\" = '$want' ]" 10 "revisionHistoryLimit 1 to prune $RA"

# ---- 9. progressDeadlineSeconds: an unschedulable Deployment times out ---------------------------------

cat >"$TMP/stuck.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 2
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      nodeSelector: {no-such-node: "true"}
      containers:
      - {name: c, image: "busybox:1"}
YAML
k apply -f "$TMP/stuck.yaml" >/dev/null || fail "apply stuck"
if k rollout status deployment/stuck --timeout=30s >"$TMP/stuck.out" 2>&1; then
    fail "rollout status of a stuck Deployment succeeded: $(cat "$TMP/stuck.out")"
fi
grep -q 'deployment "stuck" exceeded its progress deadline' "$TMP/stuck.out" ||
    fail "rollout status of stuck: $(cat "$TMP/stuck.out")"
RSS=$(q "$RS?labelSelector=app%3Dstuck" "d['items'][0]['metadata']['name']")
api GET "$DEP/stuck"
assert_json "sorted((c['type'], c['status'], c['reason'], c['message']) for c in d['status']['conditions']) == [('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'), ('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet \"$RSS\" has timed out progressing.')]" "timed out conditions:"
assert_json "d['status'].get('unavailableReplicas') == 2 and d['status'].get('replicas') == 2 and 'availableReplicas' not in d['status']" "stuck status:"
k delete deployment stuck >/dev/null

# ---- 10. minReadySeconds: ready first, available later ----------------------------------------------------

cat >"$TMP/slow.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow}
spec:
  replicas: 2
  minReadySeconds: 2
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec:
      containers:
      - {name: c, image: "busybox:1"}
YAML
k apply -f "$TMP/slow.yaml" >/dev/null || fail "apply slow"
wait_for "[ \"\$(q '$RS?labelSelector=app%3Dslow' \"d['items'][0]['status'].get('readyReplicas', 0) if d['items'] else 0\")\" = 2 ]" 10 "slow's pods to be ready"
api GET "$RS?labelSelector=app%3Dslow"
assert_json "d['items'][0]['spec']['minReadySeconds'] == 2 and d['items'][0]['status'].get('availableReplicas', 0) == 0" "ready but not yet available:"
rollout slow
api GET "$DEP/slow"
assert_json "d['status']['availableReplicas'] == 2" "available after minReadySeconds:"

# ---- 11. a bare ReplicaSet: replace, adopt, release --------------------------------------------------

cat >"$TMP/bare.yaml" <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: bare}
spec:
  replicas: 2
  selector: {matchLabels: {app: bare}}
  template:
    metadata: {labels: {app: bare}}
    spec:
      containers:
      - {name: c, image: "busybox:1"}
YAML
k apply -f "$TMP/bare.yaml" >/dev/null || fail "apply bare"
wait_for "[ \"\$(q '$RS/bare' \"d['status'].get('availableReplicas', 0)\")\" = 2 ]" 10 "bare to be available"
api GET "$RS/bare"
assert_json "[d['status'].get(k) for k in ('replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration')] == [2, 2, 2, 2, 1]" "bare status:"
BARE_UID=$(json "d['metadata']['uid']")
B1=$(q "$PODS?labelSelector=app%3Dbare" "sorted(p['metadata']['name'] for p in d['items'])[0]")
k delete pod "$B1" --wait=false >/dev/null || fail "delete pod $B1"
wait_for "[ \"\$(q '$PODS?labelSelector=app%3Dbare' \"len([p for p in d['items'] if p['metadata']['name'] != '$B1' and not p['metadata'].get('deletionTimestamp')])\")\" = 2 ]" 10 "a replacement for $B1"
api GET "$EVENTS"
assert_json "len([e for e in d['items'] if e['involvedObject']['name'] == 'bare' and e['reason'] == 'SuccessfulCreate']) == 3" "three SuccessfulCreate events:"
wait_for "[ \"\$(active_pods bare)\" = 2 ] && [ \"\$(q '$PODS?labelSelector=app%3Dbare' 'len(d[\"items\"])')\" = 2 ]" 10 "$B1 to go"
BPODS=$(q "$PODS?labelSelector=app%3Dbare" "' '.join(sorted(p['metadata']['name'] for p in d['items']))")

# Orphaned pods are adopted by a new ReplicaSet that selects them; none are created.
k delete replicaset bare --cascade=orphan >/dev/null || fail "delete bare, orphaning"
wait_for "[ \"\$(q '$PODS?labelSelector=app%3Dbare' \"sum(1 for p in d['items'] if p['metadata'].get('ownerReferences'))\")\" = 0 ]" 10 "the pods to be orphaned"
k apply -f "$TMP/bare.yaml" >/dev/null || fail "apply bare again"
NEW_UID=$(q "$RS/bare" "d['metadata']['uid']")
[ "$NEW_UID" != "$BARE_UID" ] || fail "bare was not recreated"
wait_for "[ \"\$(q '$PODS?labelSelector=app%3Dbare' \"sum(1 for p in d['items'] if [r['uid'] for r in p['metadata'].get('ownerReferences', [])] == ['$NEW_UID'])\")\" = 2 ]" 10 "the orphans to be adopted"
assert_eq "$BPODS" "$(q "$PODS?labelSelector=app%3Dbare" "' '.join(sorted(p['metadata']['name'] for p in d['items']))")" "adopted, not replaced"

# A pod relabelled out of the selector is released and replaced.
k label pod "${BPODS%% *}" app=loose --overwrite >/dev/null || fail "relabel"
wait_for "[ \"\$(q '$PODS/${BPODS%% *}' \"len(d['metadata'].get('ownerReferences', []))\")\" = 0 ]" 10 "the relabelled pod to be released"
wait_for "[ \"\$(active_pods bare)\" = 2 ]" 10 "a replacement for the released pod"

# ---- 12. a name taken by a ReplicaSet it does not own: collisionCount -------------------------------

cat >"$TMP/col.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: col}
spec:
  replicas: 1
  selector: {matchLabels: {app: col}}
  template:
    metadata: {labels: {app: col}}
    spec:
      containers:
      - {name: c, image: "nginx:1"}
YAML
k apply -f "$TMP/col.yaml" >/dev/null || fail "apply col"
rollout col
CA=$(q "$RS?labelSelector=app%3Dcol" "d['items'][0]['metadata']['name']")
k delete deployment col --cascade=orphan >/dev/null || fail "delete col, orphaning"
wait_for "[ \"\$(q '$RS/$CA' \"len(d['metadata'].get('ownerReferences', []))\")\" = 0 ]" 10 "$CA to be orphaned"
k label replicaset "$CA" app=taken --overwrite >/dev/null || fail "relabel $CA"
k apply -f "$TMP/col.yaml" >/dev/null || fail "apply col again"
rollout col
api GET "$DEP/col"
assert_json "d['status'].get('collisionCount') == 1" "collisionCount after a hash collision:"
api GET "$RS?labelSelector=app%3Dcol"
assert_json "len(d['items']) == 1 and d['items'][0]['metadata']['name'] != '$CA' and d['items'][0]['metadata']['name'] == 'col-' + d['items'][0]['metadata']['labels']['pod-template-hash']" "a new name for the same template:"

# A 250-character Deployment name is valid, but "<name>-<hash>" is not a
# valid ReplicaSet name: no ReplicaSet, Progressing False with
# ReplicaSetCreateError (as upstream, whose API refuses the name).
LONG=$(printf 'l%.0s' $(seq 250))
sed -e "s/{name: col}/{name: $LONG}/" -e 's/app: col/app: long/g' "$TMP/col.yaml" >"$TMP/long.yaml"
k apply -f "$TMP/long.yaml" >/dev/null || fail "apply a 250-character Deployment"
progressing_reason() {
    q "$DEP/$LONG" "next((c['reason'] for c in d.get('status', {}).get('conditions', []) if c['type'] == 'Progressing'), '')"
}
wait_for '[ "$(progressing_reason)" = ReplicaSetCreateError ]' 10 "ReplicaSetCreateError"
api GET "$DEP/$LONG"
assert_json "[c for c in d['status']['conditions'] if c['type'] == 'Progressing'][0]['status'] == 'False' and 'must be no more than 253 characters' in [c for c in d['status']['conditions'] if c['type'] == 'Progressing'][0]['message']" "Progressing False, with the API's reason:"
api GET "$RS?labelSelector=app%3Dlong"
assert_json "len(d['items']) == 0" "no ReplicaSet with an invalid name:"

stop_server
finish
