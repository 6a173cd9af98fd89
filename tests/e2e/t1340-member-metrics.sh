#!/usr/bin/env bash
# metrics.k8s.io on a simulated member cluster (member/metrics.c, the load
# model of docs/member-load-model.md), through curl and real `kubectl top`:
#  - a bare pod's baseline: 10% of its cpu request, its memory request;
#    a pod's flotilla.io/cpu-usage / memory-usage annotations used as is;
#  - a Deployment with flotilla.io/cpu-demand "2" and memory-demand
#    "256Mi": 4 ready replicas get 500m and 64Mi+64Mi each; scaled to 2 they
#    get 1 cpu and 64Mi+128Mi; the annotation changed to "3", 1500m;
#  - PodMetrics/NodeMetrics objects shaped like metrics-server's (kind,
#    labels, timestamp, window, containers), lists with labelSelector;
#  - a node's usage = its pods' usage + 100m / 512Mi;
#  - 404 Status for an unknown pod, a pod that is not running, an unknown
#    node and a node whose kubelet stopped (which also drops its pods).
. "$(dirname "$0")/lib.sh"

KUBECTL=/usr/bin/kubectl
[ -x "$KUBECTL" ] || fail "no kubectl at $KUBECTL"
M=/apis/metrics.k8s.io/v1beta1
PODS=/api/v1/namespaces/default/pods
DEP=/apis/apps/v1/namespaces/default/deployments

k() {
    "$KUBECTL" --server "http://127.0.0.1:$PORT" --kubeconfig /dev/null --request-timeout 20s "$@"
}

# wait_for 'SHELL-CONDITION' SECONDS [WHAT]: poll every 0.2 s.
wait_for() {
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        eval "$1" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    fail "${3:-$1} not true within $2 s (last response: ${RESP:0:400})"
}

# pod_running NAME: phase Running and Ready.
pod_running() {
    api GET "$PODS/$1"
    [ "$CODE" = 200 ] && "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = d.get("status", {}).get("phase") == "Running" and any(
    c.get("type") == "Ready" and c.get("status") == "True" for c in d["status"].get("conditions", []))
sys.exit(0 if ok else 1)' "$RESP_FILE"
}

# web_usage N CPU MEM: the PodMetrics list of app=web has N pods, each with
# exactly this cpu and memory.
web_usage() {
    api GET "$M/namespaces/default/pods?labelSelector=app%3Dweb"
    [ "$CODE" = 200 ] && "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
u = [(c["usage"]["cpu"], c["usage"]["memory"]) for i in d["items"] for c in i["containers"]]
sys.exit(0 if len(d["items"]) == int(sys.argv[2]) and all(x == (sys.argv[3], sys.argv[4]) for x in u) else 1)' \
        "$RESP_FILE" "$1" "$2" "$3"
}

cat >"$TMP/fleet.yaml" <<'EOF'
clusters:
- name: m1
  nodePools:
  - {name: cpu, count: 2, capacity: {cpu: "8", memory: 32Gi, pods: "110"}}
  podStartDelay: 100ms
EOF
start_member "$TMP/fleet.yaml"

wait_for '[ "$(k get nodes --no-headers 2>/dev/null | grep -c " Ready ")" = 2 ]' 20 "2 Ready nodes"

# ---- nodes without pods: the overhead ------------------------------------
api GET "$M/nodes"
assert_status 200
assert_json "d['kind'] == 'NodeMetricsList' and d['apiVersion'] == 'metrics.k8s.io/v1beta1' and d['metadata'] == {'resourceVersion': ''}"
assert_json "[i['metadata']['name'] for i in d['items']] == ['m1-cpu-0', 'm1-cpu-1']"
assert_json "all(i['usage'] == {'cpu': '100m', 'memory': '512Mi'} and i['window'] == '15s' for i in d['items'])"
api GET "$M/nodes/m1-cpu-0"
assert_status 200
assert_json "d['kind'] == 'NodeMetrics' and d['metadata']['name'] == 'm1-cpu-0' and d['usage']['cpu'] == '100m' and d['metadata']['labels'].get('kubernetes.io/hostname') == 'm1-cpu-0'"
api GET "$M/nodes?labelSelector=$(urlenc kubernetes.io/hostname=m1-cpu-1)"
assert_status 200
assert_json "[i['metadata']['name'] for i in d['items']] == ['m1-cpu-1']" "labelSelector on node labels:"
api GET "$M/nodes/m1-cpu-9"
assert_error 404 NotFound
assert_json "d['message'] == 'nodes \"m1-cpu-9\" not found'"

# ---- a bare pod: the baseline; overrides ---------------------------------
api POST "$PODS" '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"solo","labels":{"app":"solo","tier":"x"}},"spec":{"nodeName":"m1-cpu-0","containers":[{"name":"main","image":"nginx","resources":{"requests":{"cpu":"300m","memory":"100Mi"}}},{"name":"side","image":"busybox"}]}}'
assert_status 201
api POST "$PODS" '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fixed","labels":{"app":"fixed"},"annotations":{"flotilla.io/cpu-usage":"750m","flotilla.io/memory-usage":"1Gi"}},"spec":{"nodeName":"m1-cpu-1","containers":[{"name":"c","image":"nginx"}]}}'
assert_status 201
# Never scheduled: no node matches.
api POST "$PODS" '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pending"},"spec":{"nodeSelector":{"no":"such-node"},"containers":[{"name":"c","image":"nginx"}]}}'
assert_status 201
wait_for 'pod_running solo && pod_running fixed' 20 "pods solo and fixed running"

api GET "$M/namespaces/default/pods/solo"
assert_status 200
assert_json "d['kind'] == 'PodMetrics' and d['apiVersion'] == 'metrics.k8s.io/v1beta1'"
assert_json "d['metadata']['name'] == 'solo' and d['metadata']['namespace'] == 'default' and d['metadata']['labels'] == {'app': 'solo', 'tier': 'x'}"
assert_json "d['window'] == '15s' and d['timestamp'].endswith('Z') and 'creationTimestamp' in d['metadata']"
# main: 10% of 300m, its 100Mi request; side: no requests, 1m and 32Mi.
assert_json "d['containers'] == [{'name': 'main', 'usage': {'cpu': '30m', 'memory': '100Mi'}}, {'name': 'side', 'usage': {'cpu': '1m', 'memory': '32Mi'}}]"
api GET "$M/namespaces/default/pods/fixed"
assert_status 200
assert_json "d['containers'] == [{'name': 'c', 'usage': {'cpu': '750m', 'memory': '1Gi'}}]"

out=$(k top pod solo --no-headers) || fail "kubectl top pod solo: $out"
assert_eq "solo 31m 132Mi" "$(echo $out)" "kubectl top pod solo"
out=$(k top pod solo --containers --no-headers) || fail "kubectl top pod --containers: $out"
assert_eq "solo main 30m 100Mi solo side 1m 32Mi" "$(echo $out)" "kubectl top pod --containers"

api GET "$M/namespaces/default/pods/pending"
assert_error 404 NotFound
assert_json "d['message'] == 'podmetrics.metrics.k8s.io \"default/pending\" not found'"
api GET "$M/namespaces/default/pods/nope"
assert_error 404 NotFound
assert_json "d['message'] == 'pods \"nope\" not found'"
out=$(k top pod nope 2>&1) && fail "kubectl top pod nope succeeded: $out"
case $out in *NotFound*'"nope" not found'*) ;; *) fail "kubectl top pod nope: $out" ;; esac

# ---- a Deployment with demand --------------------------------------------
api POST "$DEP" '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{"flotilla.io/cpu-demand":"2","flotilla.io/memory-demand":"256Mi"}},"spec":{"replicas":4,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}}}}'
assert_status 201
wait_for 'web_usage 4 500m 128Mi' 30 "4 web pods at 500m / 64Mi+64Mi"

# Each pod by GET agrees with the list (the share counts the whole workload).
api GET "$M/namespaces/default/pods?labelSelector=app%3Dweb"
first=$(json "d['items'][0]['metadata']['name']")
api GET "$M/namespaces/default/pods/$first"
assert_status 200
assert_json "d['containers'][0]['usage'] == {'cpu': '500m', 'memory': '128Mi'}"
out=$(k top pod -l app=web --no-headers | awk '{print $2, $3}' | sort -u) || fail "kubectl top pod -l app=web"
assert_eq "500m 128Mi" "$out" "kubectl top pod -l app=web"

api GET "$M/namespaces/default/pods"
assert_status 200
assert_json "d['kind'] == 'PodMetricsList' and sorted(i['metadata']['name'] for i in d['items']) == [i['metadata']['name'] for i in d['items']]" "name order:"
assert_json "'pending' not in [i['metadata']['name'] for i in d['items']] and len(d['items']) == 6"
assert_json "all('kind' not in i for i in d['items'])" "list items without kind:"
api GET "$M/pods?labelSelector=$(urlenc 'app in (solo,fixed)')"
assert_status 200
assert_json "[i['metadata']['name'] for i in d['items']] == ['fixed', 'solo']"

# Scale to 2: twice the share each.
k scale deployment web --replicas 2 >/dev/null || fail "kubectl scale"
wait_for 'web_usage 2 1 192Mi' 30 "2 web pods at 1 cpu / 64Mi+128Mi"

# Change the demand.
k annotate deployment web --overwrite flotilla.io/cpu-demand=3 >/dev/null || fail "kubectl annotate"
wait_for 'web_usage 2 1500m 192Mi' 10 "2 web pods at 1500m"

# ---- node usage = pods on it + overhead ----------------------------------
api GET "/api/v1/pods"
cp "$RESP_FILE" "$TMP/pods.json"
api GET "$M/pods"
cp "$RESP_FILE" "$TMP/podmetrics.json"
api GET "$M/nodes"
assert_status 200
"$PY" - "$TMP/pods.json" "$TMP/podmetrics.json" "$RESP_FILE" <<'EOF' || fail "node metrics are not the sum of their pods' + 100m/512Mi"
import json, sys
pods = json.load(open(sys.argv[1]))["items"]
pm = json.load(open(sys.argv[2]))["items"]
nodes = json.load(open(sys.argv[3]))["items"]
where = {(p["metadata"]["namespace"], p["metadata"]["name"]): p["spec"].get("nodeName") for p in pods}
def cpu(q):
    return int(q[:-1]) if q.endswith("m") else int(q) * 1000
def mem(q):
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
    return int(q[:-2]) * units[q[-2:]] if q[-2:] in units else int(q)
want = {}
for p in pm:
    n = where[(p["metadata"]["namespace"], p["metadata"]["name"])]
    c, m = want.get(n, (100, 512 << 20))
    for x in p["containers"]:
        c += cpu(x["usage"]["cpu"])
        m += mem(x["usage"]["memory"])
    want[n] = (c, m)
ok = True
for n in nodes:
    name = n["metadata"]["name"]
    got = (cpu(n["usage"]["cpu"]), mem(n["usage"]["memory"]))
    exp = want.get(name, (100, 512 << 20))
    if got != exp:
        print("node %s: usage %s, expected %s" % (name, got, exp), file=sys.stderr)
        ok = False
sys.exit(0 if ok and len(nodes) == 2 else 1)
EOF
# m1-cpu-0 holds solo (31m, 132Mi) plus whichever web pods landed there.
nweb0=$("$PY" -c '
import json, sys
print(sum(1 for p in json.load(open(sys.argv[1]))["items"]
          if p["metadata"].get("labels", {}).get("app") == "web" and p["spec"].get("nodeName") == "m1-cpu-0"
          and not p["metadata"].get("deletionTimestamp")))' "$TMP/pods.json")
out=$(k top node m1-cpu-0 --no-headers | awk '{print $2, $4}') || fail "kubectl top node m1-cpu-0"
assert_eq "$((131 + 1500 * nweb0))m $((644 + 192 * nweb0))Mi" "$out" "kubectl top node m1-cpu-0 ($nweb0 web pods)"
out=$(k top node --no-headers | awk '{print $1}' | tr '\n' ' ') || fail "kubectl top node"
assert_eq "m1-cpu-0 m1-cpu-1 " "$out" "kubectl top node"

# ---- a node whose kubelet stops: no metrics for it or its pods -----------
curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' -d '{"ready":false}' \
    "$CONTROL/clusters/m1/nodes/m1-cpu-1/fault" || fail "control: node fault"
wait_for 'api GET "$M/nodes/m1-cpu-1"; [ "$CODE" = 404 ]' 10 "m1-cpu-1 without metrics"
assert_error 404 NotFound
assert_json "d['message'] == 'nodemetrics.metrics.k8s.io \"m1-cpu-1\" not found'"
api GET "$M/nodes"
assert_json "[i['metadata']['name'] for i in d['items']] == ['m1-cpu-0']"
api GET "$M/namespaces/default/pods/fixed"
assert_error 404 NotFound
curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' -d '{"ready":true}' \
    "$CONTROL/clusters/m1/nodes/m1-cpu-1/fault" || fail "control: node recovery"
wait_for 'api GET "$M/nodes/m1-cpu-1"; [ "$CODE" = 200 ]' 20 "m1-cpu-1 with metrics again"

stop_server
finish
