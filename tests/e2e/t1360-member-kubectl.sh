#!/usr/bin/env bash
# The issue's walk-through with kubectl 1.32 against one simulated member:
# a Deployment and a StatefulSet (ordinals.start: 3) roll out, pods have
# nodes and IPs, rolling updates keep their limits, and scaling past the
# cluster's capacity leaves exactly the excess Pending, with the reason.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/fleet.yaml" <<'YAML'
clusters:
- name: demo
  nodePools:
  - {name: cpu, count: 3, capacity: {cpu: "4", memory: 16Gi, pods: "110"}}
  podStartDelay: 200ms
  podStartJitter: 100ms
  podStopDelay: 100ms
YAML
start_member "$TMP/fleet.yaml"
k() { kubectl -s "http://127.0.0.1:$PORT" "$@"; }

cat >"$TMP/apps.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  ordinals: {start: 3}
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: pg
        image: postgres:16
        resources: {requests: {cpu: 100m, memory: 128Mi}}
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
YAML
k apply -f "$TMP/apps.yaml" >/dev/null || fail "kubectl apply"
k rollout status deployment/web --timeout=60s >"$TMP/rs.out" 2>&1 ||
    fail "rollout status deployment/web: $(cat "$TMP/rs.out")"
grep -q 'successfully rolled out' "$TMP/rs.out" || fail "rollout status said: $(cat "$TMP/rs.out")"
k rollout status statefulset/db --timeout=60s >"$TMP/ss.out" 2>&1 ||
    fail "rollout status statefulset/db: $(cat "$TMP/ss.out")"

# StatefulSet pods are db-3, db-4, db-5; every pod has a node and an IP.
names=$(k get pods -l app=db -o jsonpath='{range .items[*]}{.metadata.name}{" "}{end}')
assert_eq "db-3 db-4 db-5 " "$names" "StatefulSet pod names"
k get pods -o wide >"$TMP/wide.out"
$PY - "$TMP/wide.out" <<'PYEOF' || fail "get pods -o wide: $(cat "$TMP/wide.out")"
import ipaddress, sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[0].split()
assert head[:9] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE"], head
rows = [l.split() for l in lines[1:]]
assert len(rows) == 6, rows
for r in rows:
    assert r[1] == "1/1" and r[2] == "Running", r
    ipaddress.ip_address(r[5])
    assert r[6].startswith("demo-cpu-"), r
PYEOF
pvcs=$(k get pvc -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}{" "}{end}')
assert_eq "data-db-3=Bound data-db-4=Bound data-db-5=Bound " "$pvcs" "PVCs"

# A rolling update of the Deployment never goes above replicas + maxSurge
# pods nor below replicas available (sampled from the API while it runs).
$PY - "$PORT" >"$TMP/samples.out" 2>&1 <<'PYEOF' &
import json, sys, time, urllib.request
url = "http://127.0.0.1:%s/apis/apps/v1/namespaces/default/deployments/web" % sys.argv[1]
pods = "http://127.0.0.1:%s/api/v1/namespaces/default/pods?labelSelector=app%%3Dweb" % sys.argv[1]
deadline = time.time() + 60
worst_total, worst_avail, done = 0, 99, False
while time.time() < deadline:
    d = json.load(urllib.request.urlopen(url))
    p = json.load(urllib.request.urlopen(pods))["items"]
    live = [x for x in p if not x["metadata"].get("deletionTimestamp")]
    worst_total = max(worst_total, len(live))
    worst_avail = min(worst_avail, d["status"].get("availableReplicas", 0))
    images = {x["spec"]["containers"][0]["image"] for x in live}
    if images == {"nginx:1.28"} and d["status"].get("updatedReplicas") == 3 and \
       d["status"].get("availableReplicas") == 3 and len(live) == 3:
        done = True
        break
    time.sleep(0.02)
print(worst_total, worst_avail, done)
PYEOF
sampler=$!
sleep 0.3
k set image deployment/web nginx=nginx:1.28 >/dev/null || fail "set image"
k rollout status deployment/web --timeout=60s >/dev/null || fail "second rollout"
wait $sampler
read -r total avail done <"$TMP/samples.out" || fail "sampler: $(cat "$TMP/samples.out")"
assert_eq True "$done" "rollout seen to finish"
[ "$total" -le 4 ] || fail "saw $total live pods during the rollout (maxSurge 1 allows 4)"
[ "$avail" -ge 3 ] || fail "saw only $avail available during the rollout (maxUnavailable 0)"

# A rolling update of the StatefulSet replaces pods one by one, highest first.
k set image statefulset/db pg=postgres:17 >/dev/null || fail "set image sts"
k rollout status statefulset/db --timeout=60s >/dev/null || fail "sts rollout"
imgs=$(k get pods -l app=db -o jsonpath='{range .items[*]}{.spec.containers[0].image}{" "}{end}')
assert_eq "postgres:17 postgres:17 postgres:17 " "$imgs" "StatefulSet images after the update"
rev=$(k get sts db -o jsonpath='{.status.currentRevision}={.status.updateRevision}')
[[ ${rev%%=*} == "${rev##*=}" ]] || fail "currentRevision != updateRevision: $rev"

# Past capacity: 3 nodes x 4 cpu, 600m requested so far: nine 1-cpu pods
# fit (3 per node), the other three stay Pending, with the reason.
cat >"$TMP/big.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  replicas: 12
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers:
      - {name: c, image: busybox, resources: {requests: {cpu: "1"}}}
YAML
k apply -f "$TMP/big.yaml" >/dev/null || fail "apply big"
for ((i = 0; i < 200; i++)); do
    running=$(k get pods -l app=big --field-selector=status.phase=Running -o name | wc -l)
    pending=$(k get pods -l app=big --field-selector=status.phase=Pending -o json |
        $PY -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["items"] if any(c["type"]=="PodScheduled" and c["status"]=="False" for c in p["status"].get("conditions",[]))))')
    [ "$running" = 9 ] && [ "$pending" = 3 ] && break
    sleep 0.2
done
assert_eq 9 "$running" "big pods Running"
assert_eq 3 "$pending" "big pods Pending as Unschedulable"
pod=$(k get pods -l app=big --field-selector=status.phase=Pending -o jsonpath='{.items[0].metadata.name}')
msg=$(k get pod "$pod" -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}: {.status.conditions[?(@.type=="PodScheduled")].message}')
[[ $msg == "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."* ]] || fail "pending reason: $msg"
k describe pod "$pod" >"$TMP/describe.out"
grep -q 'FailedScheduling.*0/3 nodes are available: 3 Insufficient cpu' "$TMP/describe.out" ||
    fail "describe shows no FailedScheduling event: $(tail -5 "$TMP/describe.out")"
# Freeing room schedules exactly as many as fit.
k scale deployment/web --replicas=0 >/dev/null
k scale statefulset/db --replicas=0 >/dev/null
k scale deployment/big --replicas=9 >/dev/null
for ((i = 0; i < 100; i++)); do
    n=$(k get pods -l app=big --field-selector=status.phase=Pending -o name | wc -l)
    [ "$n" = 0 ] && break
    sleep 0.2
done
assert_eq 0 "$n" "Pending big pods after scaling to what fits"

stop_server
finish
