#!/usr/bin/env bash
# Simulated nodes and kubelet of `flotilla member`, as a user sees them with
# kubectl: nodes registered Ready with the pool's capacity, labels, taints,
# a podCIDR each and an InternalIP; heartbeat Leases renewed; a pod bound by
# nodeName goes ContainerCreating -> Running -> Ready with an IP from its
# node's podCIDR; logs (and upstream's errors); graceful deletion; a node
# fault (NotReady, unreachable taints, Ready=False pods, taint-based eviction
# by toleration, pods stuck Terminating) and its healing; user NoExecute
# taints; run-for pods completing.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/fleet.yaml" <<'YAML'
clusters:
- name: m1
  region: eu-west-1
  zone: eu-west-1b
  labels: {env: test}
  podCIDR: 10.200.0.0/16
  nodePools:
  - {name: cpu, count: 3, capacity: {cpu: "4", memory: 16Gi}}
  - name: gpu
    count: 1
    capacity: {cpu: "32", memory: 128Gi, nvidia.com/gpu: "8", pods: "64"}
    labels: {accel: a100}
    taints: [{key: gpu, value: "true", effect: NoSchedule}]
  podStartDelay: 1500ms
  podReadyDelay: 300ms
  podStopDelay: 1500ms
  leaseDurationSeconds: 4
  evictionTolerationSeconds: 6
YAML
start_member "$TMP/fleet.yaml"
k() { kubectl -s "http://127.0.0.1:$PORT" "$@"; }

# wait_for 'COMMAND' SECONDS: poll until COMMAND succeeds (0.1 s steps).
wait_for() {
    local i lim=$(($2 * 10))
    for ((i = 0; i < lim; i++)); do
        eval "$1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
# pyget NAME EXPR: EXPR over the JSON of `kubectl get NAME -o json` as d.
pyget() {
    k get $1 -o json >"$TMP/obj.json" 2>/dev/null || return 1
    "$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$TMP/obj.json" "$2"
}
# podphase NAME: "<deleting?> <phase>", or "gone"
podstate() {
    pyget "pod $1" "('T' if d['metadata'].get('deletionTimestamp') else '-') + ' ' + d['status'].get('phase', '')" || echo gone
}

# ---- nodes ---------------------------------------------------------------

k get nodes -o wide >"$TMP/nodes.txt" || fail "kubectl get nodes"
for n in m1-cpu-0 m1-cpu-1 m1-cpu-2 m1-gpu-0; do
    grep -qE "^$n +Ready +<none> .* v1\.32\.0 +172\.16\.0\.[0-9]+ " "$TMP/nodes.txt" ||
        fail "node $n not Ready with an INTERNAL-IP: $(cat "$TMP/nodes.txt")"
done
assert_eq 4 "$(grep -c ' Ready ' "$TMP/nodes.txt")" "Ready nodes"

api GET /api/v1/nodes
assert_status 200
assert_json "len(d['items']) == 4"
# labels, capacity and allocatable (pods 110 by default), taints
assert_json "all(n['metadata']['labels']['kubernetes.io/hostname'] == n['metadata']['name'] and n['metadata']['labels']['kubernetes.io/os'] == 'linux' and n['metadata']['labels']['topology.kubernetes.io/zone'] == 'eu-west-1b' and n['metadata']['labels']['topology.kubernetes.io/region'] == 'eu-west-1' and n['metadata']['labels']['env'] == 'test' for n in d['items'])" "node labels"
assert_json "[n['metadata']['labels']['node.kubernetes.io/instance-type'] for n in d['items']] == ['cpu', 'cpu', 'cpu', 'gpu']"
assert_json "[n['status']['capacity'].get('pods') for n in d['items']] == ['110', '110', '110', '64']" "pods capacity"
assert_json "all(n['status']['allocatable'] == n['status']['capacity'] for n in d['items'])"
assert_json "d['items'][3]['status']['capacity'] == {'cpu': '32', 'memory': '128Gi', 'nvidia.com/gpu': '8', 'pods': '64'}"
assert_json "d['items'][3]['metadata']['labels']['accel'] == 'a100' and d['items'][3]['spec']['taints'] == [{'key': 'gpu', 'value': 'true', 'effect': 'NoSchedule'}]"
assert_json "'taints' not in d['items'][0]['spec']"
# conditions as the kubelet posts them
assert_json "all([(c['type'], c['status'], c['reason']) for c in n['status']['conditions']] == [('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), ('DiskPressure', 'False', 'KubeletHasNoDiskPressure'), ('PIDPressure', 'False', 'KubeletHasSufficientPID'), ('Ready', 'True', 'KubeletReady')] for n in d['items'])" "node conditions"
assert_json "all(c['lastHeartbeatTime'] and c['lastTransitionTime'] for n in d['items'] for c in n['status']['conditions'])"
# a distinct /24 of the cluster podCIDR per node, unique InternalIPs
assert_json "[n['spec']['podCIDR'] for n in d['items']] == ['10.200.0.0/24', '10.200.1.0/24', '10.200.2.0/24', '10.200.3.0/24']" "podCIDRs"
assert_json "all(n['spec']['podCIDRs'] == [n['spec']['podCIDR']] for n in d['items'])"
assert_json "len(set(a['address'] for n in d['items'] for a in n['status']['addresses'] if a['type'] == 'InternalIP')) == 4"
assert_json "all({a['type'] for a in n['status']['addresses']} == {'InternalIP', 'Hostname'} for n in d['items'])"
assert_json "all(n['status']['nodeInfo']['kubeletVersion'] == 'v1.32.0' and n['status']['nodeInfo']['containerRuntimeVersion'] == 'containerd://1.7.22' and n['status']['nodeInfo']['operatingSystem'] == 'linux' and len(n['status']['nodeInfo']['machineID']) == 32 for n in d['items'])"
assert_json "d['items'][0]['status']['nodeInfo']['systemUUID'] != d['items'][1]['status']['nodeInfo']['systemUUID']"
assert_json "all(n['status']['daemonEndpoints'] == {'kubeletEndpoint': {'Port': 10250}} for n in d['items'])"
CPU1_IP=$(json "[a['address'] for a in d['items'][1]['status']['addresses'] if a['type'] == 'InternalIP'][0]")

# ---- leases ----------------------------------------------------------------

api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases
assert_status 200
assert_json "sorted(l['metadata']['name'] for l in d['items']) == ['m1-cpu-0', 'm1-cpu-1', 'm1-cpu-2', 'm1-gpu-0']"
assert_json "all(l['spec']['holderIdentity'] == l['metadata']['name'] and l['spec']['leaseDurationSeconds'] == 4 for l in d['items'])"
assert_json "all(l['metadata']['ownerReferences'][0]['kind'] == 'Node' and l['metadata']['ownerReferences'][0]['name'] == l['metadata']['name'] for l in d['items'])"
api GET /api/v1/nodes/m1-cpu-2
NODE_UID=$(json "d['metadata']['uid']")
api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/m1-cpu-2
assert_json "d['metadata']['ownerReferences'][0]['uid'] == '$NODE_UID'" "the lease's owner is the Node"
RENEW=$(json "d['spec']['renewTime']")
lease_renewed() {
    api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/$1
    [ "$(json "d['spec']['renewTime']")" != "$2" ]
}
wait_for "lease_renewed m1-cpu-2 '$RENEW'" 4 || fail "lease m1-cpu-2 not renewed within 4 s (leaseDuration 4 s: every 1 s)"
k describe node m1-cpu-2 | grep -q 'HolderIdentity: *m1-cpu-2' || fail "kubectl describe node shows no Lease"

# ---- a pod's life ------------------------------------------------------------

cat >"$TMP/web.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: m1-cpu-1
  initContainers: [{name: init, image: busybox}]
  containers:
  - {name: nginx, image: nginx:1.27, resources: {limits: {cpu: 100m, memory: 64Mi}}}
  - {name: side, image: busybox, resources: {requests: {cpu: 10m}}}
YAML
k apply -f "$TMP/web.yaml" >/dev/null || fail "kubectl apply web"
wait_for "k get pod web | grep -qE '^web +0/2 +ContainerCreating '" 2 ||
    fail "pod web never shown ContainerCreating: $(k get pod web)"
api GET /api/v1/namespaces/default/pods/web
assert_json "d['status']['phase'] == 'Pending' and d['status']['hostIP'] == '$CPU1_IP' and d['status']['hostIPs'] == [{'ip': '$CPU1_IP'}] and d['status']['startTime']"
assert_json "d['status']['qosClass'] == 'Burstable'"
assert_json "[(c['type'], c['status']) for c in d['status']['conditions']] == [('PodReadyToStartContainers', 'False'), ('Initialized', 'True'), ('Ready', 'False'), ('ContainersReady', 'False'), ('PodScheduled', 'True')]" "conditions while creating"
assert_json "[c for c in d['status']['conditions'] if c['type'] == 'Ready'][0]['reason'] == 'ContainersNotReady' and [c for c in d['status']['conditions'] if c['type'] == 'Ready'][0]['message'] == 'containers with unready status: [nginx side]'"
assert_json "[c['state'] for c in d['status']['containerStatuses']] == [{'waiting': {'reason': 'ContainerCreating'}}] * 2"
assert_json "d['status']['initContainerStatuses'][0]['state']['terminated']['reason'] == 'Completed' and d['status']['initContainerStatuses'][0]['state']['terminated']['exitCode'] == 0"
# logs before the containers start: the kubelet's error
api GET '/api/v1/namespaces/default/pods/web/log?container=nginx'
assert_error 400 BadRequest
assert_json "d['message'] == 'container \"nginx\" in pod \"web\" is waiting to start: ContainerCreating'"

wait_for "k get pod web | grep -qE '^web +2/2 +Running '" 5 || fail "pod web not 2/2 Running: $(k get pod web)"
api GET /api/v1/namespaces/default/pods/web
assert_json "d['status']['phase'] == 'Running' and d['status']['podIP'].startswith('10.200.1.') and d['status']['podIPs'] == [{'ip': d['status']['podIP']}]" "pod IP from m1-cpu-1's podCIDR"
assert_json "d['status']['podIP'] not in ('10.200.1.0', '10.200.1.1')"
assert_json "all(c['status'] == 'True' for c in d['status']['conditions'])" "all conditions True"
assert_json "all(c['ready'] and c['started'] and c['restartCount'] == 0 and c['containerID'].startswith('containerd://') and len(c['containerID']) == 77 and c['state']['running']['startedAt'] for c in d['status']['containerStatuses'])"
assert_json "d['status']['containerStatuses'][0]['image'] == 'docker.io/library/nginx:1.27' and d['status']['containerStatuses'][0]['imageID'].startswith('docker.io/library/nginx@sha256:')"
WEB_IP=$(json "d['status']['podIP']")
k get pod web -o wide | grep -qE "^web +2/2 +Running +0 +[0-9a-z]+ +$WEB_IP +m1-cpu-1 " || fail "kubectl get -o wide: $(k get pod web -o wide)"
k get events --field-selector involvedObject.name=web >"$TMP/ev.txt"
grep -q 'Started container nginx' "$TMP/ev.txt" || fail "no Started event: $(cat "$TMP/ev.txt")"

# a Guaranteed and a BestEffort pod; a second pod gets the next address
cat >"$TMP/qos.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: g}
spec:
  nodeName: m1-cpu-1
  containers: [{name: c, image: nginx, resources: {limits: {cpu: "1", memory: 1Gi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: be}
spec:
  nodeName: m1-cpu-1
  containers: [{name: c, image: redis:7}]
YAML
k apply -f "$TMP/qos.yaml" >/dev/null || fail "kubectl apply qos"
wait_for "k get pod g be | grep -c ' Running ' | grep -qx 2" 6 || fail "g and be not Running: $(k get pods)"
api GET /api/v1/namespaces/default/pods/g
assert_json "d['status']['qosClass'] == 'Guaranteed'"
G_IP=$(json "d['status']['podIP']")
api GET /api/v1/namespaces/default/pods/be
assert_json "d['status']['qosClass'] == 'BestEffort'"
BE_IP=$(json "d['status']['podIP']")
[ "$G_IP" != "$WEB_IP" ] && [ "$BE_IP" != "$WEB_IP" ] && [ "$G_IP" != "$BE_IP" ] ||
    fail "pod IPs not unique: $WEB_IP $G_IP $BE_IP"

# ---- logs ------------------------------------------------------------------

k logs web -c nginx >"$TMP/log.txt" || fail "kubectl logs -c nginx"
grep -q 'nginx/1\.27' "$TMP/log.txt" || fail "no nginx start-up lines: $(head -5 "$TMP/log.txt")"
k logs web -c nginx >"$TMP/log2.txt"
head -n "$(wc -l <"$TMP/log.txt")" "$TMP/log2.txt" | cmp -s - "$TMP/log.txt" || fail "logs are not stable"
# kubectl picks the first container itself, and says so
k logs web >"$TMP/log3.txt" 2>"$TMP/log3.err" || fail "kubectl logs web: $(cat "$TMP/log3.err")"
grep -q 'Defaulted container "nginx"' "$TMP/log3.err" || fail "kubectl did not default the container: $(cat "$TMP/log3.err")"
k logs web -c nginx --tail=2 --timestamps >"$TMP/tail.txt" || fail "kubectl logs --tail --timestamps"
assert_eq 2 "$(wc -l <"$TMP/tail.txt")" "--tail=2 lines"
grep -qvE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z ' "$TMP/tail.txt" &&
    fail "lines without an RFC 3339 timestamp: $(cat "$TMP/tail.txt")"
# Lines only ever get appended: the tail's last line is in a full log read after it.
k logs web -c nginx >"$TMP/log4.txt"
grep -qxF "$(tail -n 1 "$TMP/tail.txt" | cut -d' ' -f2-)" "$TMP/log4.txt" ||
    fail "the tail's last line is not in the log: $(tail -n 1 "$TMP/tail.txt")"
k logs web -c side --limit-bytes=10 >"$TMP/lim.txt" || fail "kubectl logs --limit-bytes"
assert_eq 10 "$(wc -c <"$TMP/lim.txt")" "--limit-bytes"
k logs web -c init >/dev/null || fail "logs of a completed init container"
api GET /api/v1/namespaces/default/pods/web/log
assert_error 400 BadRequest
assert_json "d['message'] == 'a container name must be specified for pod web, choose one of: [nginx side] or one of the init containers: [init]'"
api GET '/api/v1/namespaces/default/pods/web/log?container=nope'
assert_error 400 BadRequest
assert_json "d['message'] == 'container nope is not valid for pod web'"
api GET /api/v1/namespaces/default/pods/nope/log
assert_error 404 NotFound

# ---- graceful deletion ---------------------------------------------------------

k delete pod web --wait=false >/dev/null || fail "kubectl delete web"
k get pod web | grep -qE '^web +2/2 +Terminating ' || fail "web not Terminating: $(k get pod web 2>&1)"
api GET /api/v1/namespaces/default/pods/web
assert_json "d['metadata']['deletionGracePeriodSeconds'] == 30"
wait_for "! k get pod web" 6 || fail "web not gone after podStopDelay: $(k get pod web)"

# ---- a node fault ----------------------------------------------------------------

cat >"$TMP/fault.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: tol2}
spec:
  nodeName: m1-cpu-0
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  nodeName: m1-cpu-0
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: forever}
spec:
  nodeName: m1-cpu-0
  tolerations: [{operator: Exists}]
  containers: [{name: c, image: nginx}]
YAML
k apply -f "$TMP/fault.yaml" >/dev/null || fail "kubectl apply fault pods"
wait_for "[ \$(k get pods tol2 plain forever --no-headers | grep -c ' 1/1 *Running ') = 3 ]" 8 ||
    fail "fault pods not Running: $(k get pods)"
api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/m1-cpu-0
RENEW0=$(json "d['spec']['renewTime']")

curl -s -o "$TMP/c.out" -w '%{http_code}' -X PUT -d '{"ready":false}' "$CONTROL/clusters/m1/nodes/m1-cpu-0/fault" >"$TMP/c.code"
assert_eq 200 "$(cat "$TMP/c.code")" "node fault: $(cat "$TMP/c.out")"
FAULT_AT=$(date +%s.%N)
k get nodes m1-cpu-0 | grep -qE '^m1-cpu-0 +NotReady ' || fail "m1-cpu-0 not NotReady: $(k get nodes)"
api GET /api/v1/nodes/m1-cpu-0
assert_json "all(c['status'] == 'Unknown' and c['reason'] == 'NodeStatusUnknown' and c['message'] == 'Kubelet stopped posting node status.' for c in d['status']['conditions'])" "conditions Unknown"
assert_json "[(t['key'], t['effect']) for t in d['spec']['taints']] == [('node.kubernetes.io/unreachable', 'NoSchedule'), ('node.kubernetes.io/unreachable', 'NoExecute')] and d['spec']['taints'][1]['timeAdded']" "unreachable taints"
api GET /api/v1/namespaces/default/pods/forever
assert_json "[c['status'] for c in d['status']['conditions'] if c['type'] == 'Ready'] == ['False']" "MarkPodsNotReady"
k get events --field-selector involvedObject.name=m1-cpu-0 | grep -q 'NodeNotReady' || fail "no NodeNotReady event"

# tol2 goes after its 2 s, plain after the default (evictionTolerationSeconds
# 6 s), forever stays
wait_for "[ \"\$(podstate tol2)\" = 'T Running' ]" 5 || fail "tol2 not evicted: $(podstate tol2)"
T_TOL2=$("$PY" -c "import time; print(round(time.time() - $FAULT_AT, 1))")
"$PY" -c "import sys; sys.exit(0 if 1.5 <= $T_TOL2 <= 4.5 else 1)" || check_fail "tol2 evicted after ${T_TOL2}s, not ~2s"
assert_eq "- Running" "$(podstate plain)" "plain before the default toleration"
api GET /api/v1/namespaces/default/pods/tol2
assert_json "[c for c in d['status']['conditions'] if c['type'] == 'DisruptionTarget'][0]['reason'] == 'DeletionByTaintManager'"
k get events --field-selector involvedObject.name=tol2 | grep -q 'TaintManagerEviction .*Marking for deletion Pod default/tol2' ||
    fail "no TaintManagerEviction event: $(k get events --field-selector involvedObject.name=tol2)"
wait_for "[ \"\$(podstate plain)\" = 'T Running' ]" 7 || fail "plain not evicted: $(podstate plain)"
T_PLAIN=$("$PY" -c "import time; print(round(time.time() - $FAULT_AT, 1))")
"$PY" -c "import sys; sys.exit(0 if 5.5 <= $T_PLAIN <= 8.5 else 1)" || check_fail "plain evicted after ${T_PLAIN}s, not ~6s"
k get pods tol2 plain | grep -c ' Terminating ' | grep -qx 2 || fail "evicted pods not Terminating: $(k get pods)"
sleep 1.6 # past podStopDelay: the kubelet is down, so they stay
assert_eq "T Running" "$(podstate tol2)" "tol2 on the down node"
assert_eq "- Running" "$(podstate forever)" "forever (tolerates everything)"
api GET /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/m1-cpu-0
assert_eq "$RENEW0" "$(json "d['spec']['renewTime']")" "the down node's lease renewTime"

# heal: Ready again, taints gone, the evicted pods finish, forever Ready again
curl -s -o "$TMP/c.out" -w '%{http_code}' -X PUT -d '{"ready":true}' "$CONTROL/clusters/m1/nodes/m1-cpu-0/fault" >"$TMP/c.code"
assert_eq 200 "$(cat "$TMP/c.code")" "node heal: $(cat "$TMP/c.out")"
k get nodes m1-cpu-0 | grep -qE '^m1-cpu-0 +Ready ' || fail "m1-cpu-0 not Ready again: $(k get nodes)"
api GET /api/v1/nodes/m1-cpu-0
assert_json "'taints' not in d['spec'] and all(c['reason'].startswith('Kubelet') for c in d['status']['conditions'])"
wait_for "! k get pod tol2 && ! k get pod plain" 5 || fail "evicted pods not removed after healing: $(k get pods)"
wait_for "[ \"\$(pyget 'pod forever' \"[c['status'] for c in d['status']['conditions'] if c['type'] == 'Ready'][0]\")\" = True ]" 3 ||
    fail "forever not Ready again"
wait_for "lease_renewed m1-cpu-0 '$RENEW0'" 3 || fail "lease of m1-cpu-0 not renewed after healing"

curl -s -o "$TMP/c.out" -w '%{http_code}' -X PUT -d '{"ready":false}' "$CONTROL/clusters/m1/nodes/m1-cpu-9/fault" >"$TMP/c.code"
assert_eq 404 "$(cat "$TMP/c.code")" "fault of an unknown node"

# a pending eviction is cancelled when the node heals in time
cat >"$TMP/tol30.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: tol30}
spec:
  nodeName: m1-cpu-2
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}]
  containers: [{name: c, image: nginx}]
YAML
k apply -f "$TMP/tol30.yaml" >/dev/null
wait_for "k get pod tol30 | grep -q ' Running '" 6 || fail "tol30 not Running"
# settled (Ready, nothing due) before the fault
wait_for "[ \"\$(pyget 'pod tol30' \"[c['status'] for c in d['status']['conditions'] if c['type'] == 'Ready'][0]\")\" = True ]" 3 ||
    fail "tol30 not Ready"
curl -s -o /dev/null -X PUT -d '{"ready":false}' "$CONTROL/clusters/m1/nodes/m1-cpu-2/fault"
sleep 0.5
curl -s -o /dev/null -X PUT -d '{"ready":true}' "$CONTROL/clusters/m1/nodes/m1-cpu-2/fault"
wait_for "k get events --field-selector involvedObject.name=tol30 | grep -q 'Cancelling deletion of Pod default/tol30'" 3 ||
    fail "no cancelled eviction: $(k get events --field-selector involvedObject.name=tol30)"
assert_eq "- Running" "$(podstate tol30)" "tol30 after healing"
# tol30 is the only pod of m1-cpu-2 and nothing was due on it: the kubelet
# must still post Ready again where MarkPodsNotReady cleared it
wait_for "[ \"\$(pyget 'pod tol30' \"[c['status'] for c in d['status']['conditions'] if c['type'] == 'Ready'][0]\")\" = True ]" 3 ||
    fail "tol30 not Ready again after healing: $(pyget 'pod tol30' "d['status']['conditions']")"

# ---- a user's NoExecute taint evicts what does not tolerate it ------------------

k taint node m1-cpu-1 dedicated=db:NoExecute >/dev/null || fail "kubectl taint"
wait_for "[ \"\$(podstate be)\" != '- Running' ]" 3 || fail "be not evicted by the user's taint"
k taint node m1-cpu-1 dedicated- >/dev/null || fail "kubectl taint -"

# ---- a run-for pod completes -------------------------------------------------------

cat >"$TMP/job.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: once, annotations: {flotilla.io/run-for: 1s}}
spec:
  nodeName: m1-gpu-0
  restartPolicy: Never
  containers: [{name: c, image: busybox}]
YAML
k apply -f "$TMP/job.yaml" >/dev/null
wait_for "k get pod once | grep -qE '^once +0/1 +Completed '" 8 || fail "once not Completed: $(k get pod once)"
api GET /api/v1/namespaces/default/pods/once
assert_json "d['status']['phase'] == 'Succeeded' and d['status']['containerStatuses'][0]['state']['terminated']['reason'] == 'Completed' and d['status']['containerStatuses'][0]['state']['terminated']['exitCode'] == 0"
k logs once >/dev/null || fail "logs of a completed pod"

# ---- many containers: O(N) status writes, events capped as client-go's spam filter

"$PY" -c 'import json; print(json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "wide"}, "spec": {"nodeName": "m1-gpu-0", "containers": [{"name": "c%d" % i, "image": "busybox"} for i in range(2000)]}}))' >"$TMP/wide.json"
k create -f "$TMP/wide.json" >/dev/null || fail "kubectl create wide"
wait_for "k get pod wide | grep -qE '^wide +2000/2000 +Running '" 15 || fail "wide not Running: $(k get pod wide)"
assert_eq 25 "$(k get events --field-selector involvedObject.name=wide,reason=Started -o name | wc -l)" \
    "Started events of a 2000-container pod (EventSourceObjectSpamFilter burst)"

stop_server
finish
