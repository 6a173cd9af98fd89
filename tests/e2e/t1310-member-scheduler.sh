#!/usr/bin/env bash
# flotilla member's scheduler, as kubectl shows it: pods that fit are bound
# (spec.nodeName, PodScheduled=True, a Scheduled event); node selectors,
# node affinity, taints and tolerations, cordoned and NotReady nodes,
# resources (cpu, extended resources) and topology spread decide where; pods
# that fit nowhere stay Pending with upstream's exact PodScheduled message
# and a FailedScheduling event, and are scheduled once a deletion or a node
# change makes room. Asserts are on placement and conditions, not on
# Running (the kubelet's business).
. "$(dirname "$0")/lib.sh"

cat >"$TMP/fleet.yaml" <<'YAML'
clusters:
- name: m1
  nodePools:
  - {name: cpu, count: 3, capacity: {cpu: "4", memory: 16Gi, pods: "110"}, labels: {pool: cpu}}
  - {name: gpu, count: 1, capacity: {cpu: "8", memory: 32Gi, pods: "110", nvidia.com/gpu: "2"},
     labels: {pool: gpu}, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
  podStartDelay: 100ms
  podStopDelay: 50ms
YAML
start_member "$TMP/fleet.yaml"

K() {
    kubectl -s "http://127.0.0.1:$PORT" "$@"
}

# wait_for 'SHELL CONDITION' [SECONDS]: poll until true (default 20 s).
wait_for() {
    local i lim=$((${2:-20} * 10))
    for ((i = 0; i < lim; i++)); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}

# pod NAME RESOURCES-JSON [SPEC-EXTRA-JSON] [LABELS-JSON]: kubectl create a
# bare Pod with one container.
pod() {
    "$PY" - "$@" >"$TMP/pod.json" <<'PYEOF'
import json, sys
a = sys.argv[1:] + ["", "", ""]
spec = {"containers": [{"name": "app", "image": "nginx:1.27",
                        "resources": json.loads(a[1] or "{}")}]}
spec.update(json.loads(a[2] or "{}"))
md = {"name": a[0], "labels": json.loads(a[3] or "{}")}
print(json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}))
PYEOF
    K create -f "$TMP/pod.json" >/dev/null || fail "kubectl create pod $1"
}

node_of() {
    K get pod "$1" -o jsonpath='{.spec.nodeName}'
}

# cond POD FIELD: a field of the pod's PodScheduled condition.
cond() {
    K get pod "$1" -o jsonpath="{.status.conditions[?(@.type==\"PodScheduled\")].$2}"
}

bound() {
    [ -n "$(node_of "$1")" ]
}

unschedulable() {
    [ "$(cond "$1" reason)" = Unschedulable ]
}

# expect_pending POD MESSAGE: Pending, PodScheduled False/Unschedulable with
# exactly MESSAGE, and a FailedScheduling event from default-scheduler.
expect_pending() {
    wait_for "unschedulable $1" || fail "$1: not reported unschedulable: $(K get pod "$1" -o json)"
    assert_eq "" "$(node_of "$1")" "$1 nodeName"
    assert_eq Pending "$(K get pod "$1" -o jsonpath='{.status.phase}')" "$1 phase"
    assert_eq False "$(cond "$1" status)" "$1 PodScheduled status"
    assert_eq "$2" "$(cond "$1" message)" "$1 PodScheduled message"
    local ev
    wait_for "[ -n \"\$(K get events --field-selector involvedObject.name=$1,reason=FailedScheduling -o name)\" ]" ||
        fail "$1: no FailedScheduling event"
    ev=$(K get events --field-selector "involvedObject.name=$1,reason=FailedScheduling" \
        -o jsonpath='{range .items[*]}{.type}|{.source.component}|{.message}{"\n"}{end}')
    [[ $ev == *"Warning|default-scheduler|$2"* ]] || fail "$1: FailedScheduling event: $ev"
}

ALL_NODES="m1-cpu-0 m1-cpu-1 m1-cpu-2 m1-gpu-0"
wait_for '[ "$(K get nodes --no-headers 2>/dev/null | grep -c " Ready ")" = 4 ]' ||
    fail "4 Ready nodes: $(K get nodes 2>&1)"
assert_eq "$ALL_NODES" "$(K get nodes -o jsonpath='{.items[*].metadata.name}')" "node names"

# ---- resources: exactly the excess pods stay Pending -------------------------
# 3 cpu nodes x 4 cpu hold two 1500m pods each; the gpu node is tainted.
for i in 0 1 2 3 4 5 6 7; do
    pod "hog-$i" '{"requests":{"cpu":"1500m","memory":"1Gi"}}' '' '{"app":"hog"}'
done
hogs_bound() {
    K get pods -l app=hog -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | grep -c .
}
hogs_unsched() {
    K get pods -l app=hog \
        -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="PodScheduled")].reason}{"\n"}{end}' |
        grep -c '^Unschedulable$'
}
wait_for '[ "$(hogs_bound)" = 6 ] && [ "$(hogs_unsched)" = 2 ]' ||
    fail "hogs: $(hogs_bound) bound, $(hogs_unsched) unschedulable: $(K get pods -o wide)"
per_node=$(K get pods -l app=hog -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' |
    grep . | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
assert_eq "m1-cpu-0=2 m1-cpu-1=2 m1-cpu-2=2 " "$per_node" "hogs per node"
# FIFO: the last two created are the ones left over.
assert_eq "" "$(node_of hog-6)$(node_of hog-7)" "nodeName of hog-6 and hog-7"
MSG_CPU="0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.."
expect_pending hog-6 "$MSG_CPU"
expect_pending hog-7 "$MSG_CPU"
K describe pod hog-7 >"$TMP/describe.txt"
grep -Eq 'Warning +FailedScheduling .*default-scheduler +0/4 nodes are available: .*3 Insufficient cpu' \
    "$TMP/describe.txt" || fail "describe pod hog-7: $(cat "$TMP/describe.txt")"
grep -Eq 'PodScheduled +False' "$TMP/describe.txt" || fail "describe: no PodScheduled False"

# A bound pod that fits: PodScheduled True, a Scheduled event naming its node.
n0=$(node_of hog-0)
assert_eq True "$(cond hog-0 status)" "hog-0 PodScheduled"
[ -n "$(cond hog-0 lastTransitionTime)" ] || fail "hog-0: PodScheduled without lastTransitionTime"
ev=$(K get events --field-selector involvedObject.name=hog-0,reason=Scheduled \
    -o jsonpath='{range .items[*]}{.type}|{.source.component}|{.message}{"\n"}{end}')
assert_eq "Normal|default-scheduler|Successfully assigned default/hog-0 to $n0" "$ev" "Scheduled event"

# Deleting a bound pod makes room for exactly one of the two pending ones.
K delete pod hog-0 --wait=false >/dev/null || fail "delete hog-0"
wait_for '! K get pod hog-0 >/dev/null 2>&1 && [ "$(hogs_bound)" = 6 ]' ||
    fail "after deleting hog-0: $(hogs_bound) bound: $(K get pods -o wide)"
assert_eq "$n0" "$(node_of hog-6)" "hog-6 took hog-0's place"
assert_eq "" "$(node_of hog-7)" "hog-7 still pending"
assert_eq "$MSG_CPU" "$(cond hog-7 message)" "hog-7 message"
K delete pod -l app=hog --grace-period=0 --force >/dev/null 2>&1
wait_for '[ -z "$(K get pods -l app=hog -o name)" ]' || fail "hogs not deleted"

# ---- node selector and node affinity -----------------------------------------
pod sel '{}' '{"nodeSelector":{"kubernetes.io/hostname":"m1-cpu-1"}}'
pod aff '{}' '{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
    {"matchExpressions":[{"key":"pool","operator":"In","values":["cpu"]},
                         {"key":"kubernetes.io/hostname","operator":"NotIn","values":["m1-cpu-0","m1-cpu-1"]}]}]}}}}'
pod field '{}' '{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
    {"matchExpressions":[{"key":"pool","operator":"In","values":["nope"]}]},
    {"matchFields":[{"key":"metadata.name","operator":"In","values":["m1-cpu-0"]}]}]}}}}'
pod nomatch '{}' '{"nodeSelector":{"pool":"nope"}}'
wait_for 'bound sel && bound aff && bound field' || fail "selector pods: $(K get pods -o wide)"
assert_eq m1-cpu-1 "$(node_of sel)" "nodeSelector pod"
assert_eq m1-cpu-2 "$(node_of aff)" "node affinity pod"
assert_eq m1-cpu-0 "$(node_of field)" "matchFields pod"
expect_pending nomatch "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.."
# A plain pod never lands on the tainted gpu node.
for i in 0 1 2 3 4 5; do pod "plain-$i" '{"requests":{"cpu":"100m"}}'; done
wait_for 'for i in 0 1 2 3 4 5; do bound plain-$i || exit 1; done' || fail "plain pods: $(K get pods -o wide)"
for i in 0 1 2 3 4 5; do
    [[ $(node_of "plain-$i") == m1-cpu-* ]] || fail "plain-$i on $(node_of "plain-$i")"
done

# ---- taints, tolerations and extended resources -------------------------------
GPU_TOL='{"tolerations":[{"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}]}'
pod gpu-ok '{"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"1"}}' "$GPU_TOL"
pod gpu-notol '{"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"1"}}'
pod tainted-only '{}' '{"nodeSelector":{"pool":"gpu"}}'
wait_for 'bound gpu-ok' || fail "gpu-ok not bound: $(K get pods -o wide)"
assert_eq m1-gpu-0 "$(node_of gpu-ok)" "tolerating gpu pod"
expect_pending gpu-notol "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient nvidia.com/gpu. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.."
expect_pending tainted-only "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.."
# Two GPUs: only one is left on the gpu node (preemption could help there, in
# principle), the cpu nodes have none.
pod gpu-two '{"requests":{"nvidia.com/gpu":"2"},"limits":{"nvidia.com/gpu":"2"}}' "$GPU_TOL"
expect_pending gpu-two "0/4 nodes are available: 4 Insufficient nvidia.com/gpu. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.."
K delete pod gpu-ok --wait=false >/dev/null || fail "delete gpu-ok"
wait_for 'bound gpu-two' || fail "gpu-two not scheduled after gpu-ok went: $(K get pods -o wide)"
assert_eq m1-gpu-0 "$(node_of gpu-two)" "gpu-two"
assert_eq True "$(cond gpu-two status)" "gpu-two PodScheduled after retry"
assert_eq "" "$(node_of gpu-notol)" "gpu-notol still pending"

# ---- cordon and uncordon; a node that stops being Ready -----------------------
K cordon m1-cpu-2 >/dev/null || fail "cordon"
pod on-cpu2 '{}' '{"nodeSelector":{"kubernetes.io/hostname":"m1-cpu-2"}}'
expect_pending on-cpu2 "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.."
K uncordon m1-cpu-2 >/dev/null || fail "uncordon"
wait_for 'bound on-cpu2' || fail "on-cpu2 not scheduled after uncordon: $(K get pod on-cpu2 -o yaml)"
assert_eq m1-cpu-2 "$(node_of on-cpu2)" "on-cpu2"

curl -s -o /dev/null -X PUT "$CONTROL/clusters/m1/nodes/m1-cpu-1/fault" -d '{"ready":false}' ||
    fail "node fault"
wait_for '[ "$(K get node m1-cpu-1 -o jsonpath="{.status.conditions[?(@.type==\"Ready\")].status}")" != True ]' ||
    fail "m1-cpu-1 still Ready"
pod on-cpu1 '{}' '{"nodeSelector":{"kubernetes.io/hostname":"m1-cpu-1"}}'
expect_pending on-cpu1 "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.."
curl -s -o /dev/null -X PUT "$CONTROL/clusters/m1/nodes/m1-cpu-1/fault" -d '{"ready":true}' ||
    fail "node recovery"
wait_for 'bound on-cpu1' || fail "on-cpu1 not scheduled after the node recovered"
assert_eq m1-cpu-1 "$(node_of on-cpu1)" "on-cpu1"

# ---- topology spread over hostname -------------------------------------------
SPREAD='"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule","labelSelector":{"matchLabels":{"app":"web"}}}]'
for i in 0 1 2 3 4 5; do
    pod "web-$i" '{}' "{$SPREAD,\"nodeSelector\":{\"pool\":\"cpu\"}}" '{"app":"web"}'
done
wait_for 'for i in 0 1 2 3 4 5; do bound web-$i || exit 1; done' || fail "web pods: $(K get pods -o wide)"
per_node=$(K get pods -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' |
    sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
assert_eq "m1-cpu-0=2 m1-cpu-1=2 m1-cpu-2=2 " "$per_node" "web pods per node"
# With nodeAffinityPolicy Ignore every node with the key is a domain (the
# empty gpu node too): a third web pod on m1-cpu-0 would make the skew 3.
pod web-pinned '{}' '{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule","nodeAffinityPolicy":"Ignore","labelSelector":{"matchLabels":{"app":"web"}}}],"nodeSelector":{"kubernetes.io/hostname":"m1-cpu-0"}}' '{"app":"web"}'
expect_pending web-pinned "0/4 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.."
# A pod without the constraint is not held back by it.
pod web-free '{}' '{"nodeSelector":{"kubernetes.io/hostname":"m1-cpu-0"}}' '{"app":"web"}'
wait_for 'bound web-free' || fail "web-free not scheduled"

# ---- other schedulers, gates, deletion while pending --------------------------
pod other '{}' '{"schedulerName":"my-scheduler"}'
pod gated '{}' '{"schedulingGates":[{"name":"example.com/wait"}]}'
wait_for '[ "$(cond gated reason)" = SchedulingGated ]' || fail "gated: $(K get pod gated -o yaml)"
assert_eq "Scheduling is blocked due to non-empty scheduling gates" "$(cond gated message)" "gated message"
K patch pod gated --type=json -p '[{"op":"remove","path":"/spec/schedulingGates"}]' >/dev/null ||
    fail "remove gates"
wait_for 'bound gated' || fail "gated pod not scheduled once its gates went"
assert_eq "" "$(node_of other)" "pod of another scheduler"
assert_eq "" "$(cond other status)" "PodScheduled of another scheduler's pod"
K delete pod nomatch gpu-notol tainted-only web-pinned --wait=false >/dev/null || fail "delete pending"
wait_for '[ -z "$(K get pod nomatch gpu-notol tainted-only web-pinned -o name 2>/dev/null)" ]' ||
    fail "pending pods not deleted at once"

# ---- hostile requests and long toleration lists ---------------------------------
# Two pods bound by nodeName asking 7Ei each: the node's sums must not
# overflow (the member crashed under UBSan), and the node stays full.
for i in 1 2; do
    pod "huge-$i" '{"requests":{"memory":"7Ei"}}' '{"nodeName":"m1-cpu-2"}'
done
server_alive || fail "member died on two 7Ei pods on one node"
pod after-huge '{"requests":{"memory":"1Gi"}}' '{"nodeSelector":{"kubernetes.io/hostname":"m1-cpu-2"}}'
wait_for "unschedulable after-huge" || fail "after-huge: $(K get pod after-huge -o json)"
[[ $(cond after-huge message) == *"1 Insufficient memory"* ]] ||
    fail "after-huge message: $(cond after-huge message)"
# Preferred affinity weights beyond upstream's 1..100 (our API accepts them)
pod heavy '{}' '{"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":9223372036854775807,"preference":{"matchExpressions":[{"key":"pool","operator":"In","values":["cpu"]}]}},{"weight":9223372036854775807,"preference":{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]}]}}]}}}'
wait_for 'bound heavy' || fail "heavy not scheduled: $(cond heavy message)"
server_alive || fail "member died on huge preferred affinity weights"
# The toleration that matters is the 101st: upstream reads them all.
TOLS=$("$PY" -c 'import json; print(json.dumps([{"key": "junk%d" % i, "operator": "Exists"} for i in range(100)] + [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]))')
pod many-tols '{}' "{\"tolerations\":$TOLS,\"nodeSelector\":{\"pool\":\"gpu\"}}"
wait_for 'bound many-tols' || fail "many-tols not scheduled: $(cond many-tols message)"
assert_eq m1-gpu-0 "$(node_of many-tols)" "many-tols"

server_alive || fail "member died"
stop_server
finish
