#!/usr/bin/env bash
# Real kubectl, unchanged, against the HTTPS server through the kubeconfig it
# generates: /usr/bin/kubectl is a dispatcher that runs kubectl 1.32 for the
# server's /version. Everything a user does in a first week: discovery and
# explain; get in every output format, with selectors, across namespaces and
# as a watch; the create generators (protobuf bodies); create/apply (client-
# and server-side, with conflicts)/diff/replace/edit/patch (merge, JSON,
# strategic by container name)/label/annotate/scale; delete by label, with
# --wait and with each cascade mode over a Deployment that owns a ReplicaSet;
# rollout restart; wait for a condition, a jsonpath value and a deletion;
# describe with events; a CRD and its custom resources; Karmada's policies as
# its docs write them (tests/e2e/manifests/); and bad input as kubectl shows
# it.
#
# Each feature is one group of checks: the first failing check in a group
# names the command, what was expected and what kubectl printed, and the
# group stops there (later checks would only repeat the cause); the other
# groups still run, and the script fails at the end if any group failed.
. "$(dirname "$0")/lib.sh"

KUBECTL=/usr/bin/kubectl
M=$E2E_DIR/manifests
NS=e2e

[ -x "$KUBECTL" ] || fail "no kubectl at $KUBECTL (the dispatcher from the kubectl package); scripts/deps.sh installs it"

start_server_https "$TMP/data"

# ---- helpers ---------------------------------------------------------------

GROUP=''
# group NAME: the feature the next checks are about (named in failures).
group() {
    GROUP=$1
}

# The script line that called into the helpers below.
k_where() {
    local i
    for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
        case ${FUNCNAME[$i]} in
        kc | ok | bad | has | hasnt | line | outis | expect | pycheck | words | jp_is | kfail | k_where | \
            poll_jp | poll_gone | file_line | owned_rs) ;;
        *)
            echo "${BASH_SOURCE[$i]##*/}:${BASH_LINENO[$((i - 1))]}"
            return
            ;;
        esac
    done
}

# kfail MSG: one failed check, counted; `finish` fails the script.
kfail() {
    echo "FAIL: [$GROUP] $* ($(k_where))" >&2
    E2E_FAILURES=$((E2E_FAILURES + 1))
    return 1
}

# shown: what the last kubectl printed, stdout then stderr, shortened.
shown() {
    local s
    s=$(printf '%s\n%s' "$OUT" "$ERR")
    s=${s#$'\n'}
    s=${s%$'\n'}
    [ ${#s} -le 1500 ] || s="${s:0:1500}..."
    printf '%s' "${s:-<no output>}"
}

# kc ARGS...: run kubectl in namespace $NS; sets OUT (stdout), ERR (stderr),
# RC and CMD. Never fails by itself.
kc() {
    CMD="kubectl $*"
    "$KUBECTL" --cache-dir "$TMP/kube-cache" --request-timeout 30s -n "$NS" "$@" \
        >"$TMP/kc.out" 2>"$TMP/kc.err" </dev/null
    RC=$?
    OUT=$(cat "$TMP/kc.out")
    ERR=$(cat "$TMP/kc.err")
    if [ "$RC" -ne 0 ] && ! server_alive; then
        fail "the server died during: $CMD: $(shown)"
    fi
    return 0
}

# ok ARGS...: kubectl must exit 0.
ok() {
    kc "$@"
    [ "$RC" -eq 0 ] || kfail "$CMD: expected exit 0, got $RC; output:"$'\n'"$(shown)"
}

# bad [-c CODE] ARGS...: kubectl must fail (exit CODE if given, else nonzero).
bad() {
    local want=''
    if [ "$1" = -c ]; then want=$2; shift 2; fi
    kc "$@"
    if [ -n "$want" ]; then
        [ "$RC" -eq "$want" ] || kfail "$CMD: expected exit $want, got $RC; output:"$'\n'"$(shown)"
    else
        [ "$RC" -ne 0 ] || kfail "$CMD: expected an error, got exit 0; output:"$'\n'"$(shown)"
    fi
}

# has STRING...: the last command printed (stdout or stderr) every STRING.
has() {
    local s
    for s in "$@"; do
        grep -qF -- "$s" <<<"$OUT"$'\n'"$ERR" ||
            { kfail "$CMD: expected output containing '$s'; got:"$'\n'"$(shown)"; return 1; }
    done
}

# hasnt STRING...: the last command printed none of the STRINGs.
hasnt() {
    local s
    for s in "$@"; do
        ! grep -qF -- "$s" <<<"$OUT"$'\n'"$ERR" ||
            { kfail "$CMD: expected no '$s' in the output; got:"$'\n'"$(shown)"; return 1; }
    done
}

# line REGEX...: stdout has a line matching each extended REGEX (whole line).
line() {
    local re
    for re in "$@"; do
        grep -qxE -- "$re" <<<"$OUT" ||
            { kfail "$CMD: expected a line matching /$re/; got:"$'\n'"$(shown)"; return 1; }
    done
}

# outis EXPECTED: the last command's stdout is exactly EXPECTED.
outis() {
    [ "$OUT" == "$1" ] || kfail "$CMD: expected '$1', got '$OUT'${ERR:+ (stderr: $ERR)}"
}

# expect WHAT CMD...: CMD (a test over $OUT, say) succeeds, else "expected WHAT".
expect() {
    local what=$1
    shift
    "$@" || kfail "$CMD: expected $what; got:"$'\n'"$(shown)"
}

# pycheck CODE: Python asserts over the last stdout parsed as JSON (`d`).
pycheck() {
    "$PY" -c 'import json, sys
d = json.loads(sys.argv[1])
exec(sys.argv[2])' "$OUT" "$1" 2>"$TMP/py.err" ||
        kfail "$CMD: $(tail -1 "$TMP/py.err"); got:"$'\n'"$(shown)"
}

# words WORD...: stdout has each WORD as a whole word.
words() {
    local w
    for w in "$@"; do
        grep -qw -- "$w" <<<"$OUT" || { kfail "$CMD: expected the word '$w'; got '$OUT'"; return 1; }
    done
}

# jp_is EXPECTED ARGS...: `kubectl ARGS` (a get with -o jsonpath=...)
# prints exactly EXPECTED.
jp_is() {
    local want=$1
    shift
    ok "$@" || return 1
    [ "$OUT" == "$want" ] || kfail "$CMD: expected '$want', got '$OUT'${ERR:+ (stderr: $ERR)}"
}

# poll_jp EXPECTED SECONDS ARGS...: like jp_is, retried until it matches.
poll_jp() {
    local want=$1 secs=$2 i
    shift 2
    for ((i = 0; i < secs * 5; i++)); do
        kc "$@"
        [ "$RC" -eq 0 ] && [ "$OUT" == "$want" ] && return 0
        sleep 0.2
    done
    kfail "$CMD: expected '$want' within $secs s, got exit $RC:"$'\n'"$(shown)"
}

# poll_gone SECONDS RESOURCE/NAME: the object is NotFound within SECONDS.
poll_gone() {
    local secs=$1 what=$2 i
    for ((i = 0; i < secs * 5; i++)); do
        kc get "$what" -o name
        [ "$RC" -ne 0 ] && grep -q NotFound <<<"$ERR" && return 0
        sleep 0.2
    done
    kfail "$CMD: expected $what to be gone (NotFound) within $secs s; got exit $RC:"$'\n'"$(shown)"
}

# file_line FILE REGEX SECONDS: FILE gets a line matching REGEX in time.
file_line() {
    local f=$1 re=$2 secs=$3 i
    for ((i = 0; i < secs * 20; i++)); do
        grep -qE -- "$re" "$f" && return 0
        sleep 0.05
    done
    kfail "$CMD: expected a line matching /$re/ within $secs s; got:"$'\n'"$(head -c 1500 "$f")"
}

# ---- discovery, explain ----------------------------------------------------

group version
ok version &&
    line 'Client Version: v1\.32\..*' 'Server Version: v1\.32\..*'

group api-resources
ok api-resources &&
    line 'configmaps +cm +v1 +true +ConfigMap' \
        'namespaces +ns +v1 +false +Namespace' \
        'deployments +deploy +apps/v1 +true +Deployment' \
        'replicasets +rs +apps/v1 +true +ReplicaSet' \
        'events +ev +v1 +true +Event' \
        'customresourcedefinitions +crd,crds +apiextensions.k8s.io/v1 +false +CustomResourceDefinition' \
        'propagationpolicies +pp +policy.karmada.io/v1alpha1 +true +PropagationPolicy' \
        'clusterpropagationpolicies +cpp +policy.karmada.io/v1alpha1 +false +ClusterPropagationPolicy' \
        'overridepolicies +op +policy.karmada.io/v1alpha1 +true +OverridePolicy'
ok api-resources --api-group=apps -o name &&
    line 'deployments.apps' 'replicasets.apps' 'statefulsets.apps'

group api-versions
ok api-versions &&
    line v1 apps/v1 apiextensions.k8s.io/v1 policy.karmada.io/v1alpha1 cluster.karmada.io/v1alpha1

group explain
ok explain deployment.spec.replicas &&
    has "KIND:       Deployment" "FIELD: replicas <integer>" "Number of desired pods."

# ---- the create generators: protobuf bodies --------------------------------

# kubectl create namespace/configmap/secret/deployment send protobuf, not JSON.
group create-namespace
ok create namespace "$NS" && has "namespace/$NS created"
kc get namespace "$NS" -o name
[ "$RC" -eq 0 ] || fail "namespace $NS does not exist, every later check needs it: $(shown)"

group create-configmap
ok create configmap gen-cm --from-literal=greeting=hello --from-literal=n=1 &&
    has "configmap/gen-cm created" &&
    jp_is 'hello 1' get configmap gen-cm -o 'jsonpath={.data.greeting} {.data.n}'

group create-secret
ok create secret generic gen-secret --from-literal=password=s3cret &&
    has "secret/gen-secret created" &&
    jp_is "$(printf s3cret | base64)" get secret gen-secret -o 'jsonpath={.data.password}'
# kubectl sends no type; the server defaults it (SetDefaults_Secret).
group secret-defaults
jp_is Opaque get secret gen-secret -o 'jsonpath={.type}'

group create-deployment
ok create deployment gen-deploy --image=nginx --replicas=2 &&
    has "deployment.apps/gen-deploy created" &&
    jp_is '2 nginx nginx gen-deploy gen-deploy' get deployment gen-deploy \
        -o 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].name} {.spec.template.spec.containers[0].image} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app}'

# ---- create -f, and get in every shape -------------------------------------

group create-f
ok create -f "$M/deploy-web.yaml" && has "deployment.apps/web created" &&
    bad -c 1 create -f "$M/deploy-web.yaml" &&
    has 'Error from server (AlreadyExists)' 'deployments.apps "web" already exists'

group get-wide
ok get deployment web -o wide &&
    line 'NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR' \
        'web +[0-9]+/2 +[0-9]+ +[0-9]+ +[0-9]+s +nginx,sidecar +nginx:1\.27,busybox:1\.36 +app=web'

group get-yaml
ok get deployment web -o yaml &&
    has 'apiVersion: apps/v1' 'kind: Deployment' '  name: web' "  namespace: $NS" '  replicas: 2' \
        '      - image: nginx:1.27' '        name: nginx' '  uid: ' '  resourceVersion: "' '  creationTimestamp: "'

group get-json
ok get deployment web -o json &&
    pycheck '
assert d["kind"] == "Deployment" and d["apiVersion"] == "apps/v1", ("kind/apiVersion", d["kind"], d["apiVersion"])
assert d["metadata"]["labels"] == {"app": "web", "tier": "frontend"}, ("labels", d["metadata"]["labels"])
cs = d["spec"]["template"]["spec"]["containers"]
assert [c["name"] for c in cs] == ["nginx", "sidecar"], ("containers", cs)
assert cs[0]["ports"][0]["containerPort"] == 80, ("ports", cs[0]["ports"])
assert cs[1]["command"] == ["sleep", "infinity"], ("command", cs[1])'

# Defaults a real kube-apiserver fills in on create (SetDefaults_Deployment,
# SetDefaults_PodSpec, SetDefaults_Container); -o yaml shows them, and
# describe prints StrategyType from them.
group deployment-defaults
ok get deployment web -o yaml &&
    has '  progressDeadlineSeconds: 600' '  revisionHistoryLimit: 10' \
        '    type: RollingUpdate' '      maxSurge: 25%' '      maxUnavailable: 25%' \
        '        imagePullPolicy: IfNotPresent' '          protocol: TCP' \
        '        terminationMessagePath: /dev/termination-log' '        terminationMessagePolicy: File' \
        '      dnsPolicy: ClusterFirst' '      restartPolicy: Always' '      schedulerName: default-scheduler' \
        '      securityContext: {}' '      terminationGracePeriodSeconds: 30'

# Selectors, all namespaces, labels: a namespace of its own with known objects.
NS_MAIN=$NS
NS=e2e-get
group get-setup
ok create namespace e2e-get && ok create configmap sel-a --from-literal=k=v &&
    ok create configmap sel-b --from-literal=k=v && ok label configmap sel-a app=x &&
    ok label configmap sel-b app=y

group get-jsonpath
ok get configmap -o 'jsonpath={.items[*].metadata.name}' && words sel-a sel-b

group get-label-selector
jp_is 'sel-a' get configmap -l app=x -o 'jsonpath={.items[*].metadata.name}' &&
    jp_is 'sel-b' get configmap -l 'app in (y,z)' -o 'jsonpath={.items[*].metadata.name}' &&
    ok get configmap -l app=x && line 'NAME +DATA +AGE' 'sel-a +1 +[0-9]+s' && hasnt sel-b

group get-no-match
ok get configmap -l app=nothing && has "No resources found in e2e-get namespace."

group get-field-selector
jp_is 'sel-b' get configmap --field-selector metadata.name=sel-b -o 'jsonpath={.items[*].metadata.name}' &&
    ok get configmap --field-selector metadata.name!=sel-b -o name && line configmap/sel-a &&
    hasnt configmap/sel-b

group get-all-namespaces
ok get configmap -A &&
    line 'NAMESPACE +NAME +DATA +AGE' 'e2e-get +sel-a +1 +[0-9]+s' "$NS_MAIN +gen-cm +2 +[0-9]+s"

group get-show-labels
ok get configmap --show-labels && line 'NAME +DATA +AGE +LABELS' 'sel-a +1 +[0-9]+s +app=x' 'sel-b +1 +[0-9]+s +app=y'

group get-name-list
ok get configmap sel-a sel-b -o name && line configmap/sel-a configmap/sel-b

group get-not-found
bad -c 1 get configmap nope && has 'Error from server (NotFound): configmaps "nope" not found'

# ---- get -w ----------------------------------------------------------------

# A watch from kubectl, the events kubectl prints for writes made meanwhile.
NS=e2e-watch
group get-watch
if ok create namespace e2e-watch && ok create configmap before --from-literal=a=1; then
    : >"$TMP/watch.out"
    "$KUBECTL" --cache-dir "$TMP/kube-cache" -n e2e-watch get configmap -w --output-watch-events \
        >"$TMP/watch.out" 2>&1 &
    wpid=$!
    E2E_PIDS+=("$wpid")
    CMD="kubectl get configmap -w --output-watch-events (in the background)"
    # The list comes first; the watch starts from its resourceVersion, so
    # writes after this line are seen even if the watch is not yet open.
    if file_line "$TMP/watch.out" '^ADDED +before +1 ' 10; then
        ok create configmap wcm --from-literal=a=1 &&
            ok patch configmap wcm --type=merge -p '{"data":{"a":"2","b":"3"}}' &&
            ok delete configmap wcm
        CMD="kubectl get configmap -w --output-watch-events (in the background)"
        file_line "$TMP/watch.out" '^ADDED +wcm +1 ' 10 &&
            file_line "$TMP/watch.out" '^MODIFIED +wcm +2 ' 10 &&
            file_line "$TMP/watch.out" '^DELETED +wcm +2 ' 10 &&
            { grep -qE '^EVENT +NAME +DATA +AGE' "$TMP/watch.out" ||
                kfail "$CMD: no 'EVENT NAME DATA AGE' header: $(cat "$TMP/watch.out")"; }
    fi
    kill -0 "$wpid" 2>/dev/null || kfail "kubectl get -w exited by itself: $(cat "$TMP/watch.out")"
    kill -TERM "$wpid" 2>/dev/null
    wait "$wpid" 2>/dev/null
    e2e_forget_pid "$wpid"
fi

# The same as JSON events (kubectl -o json prints one object per event).
group get-watch-json
: >"$TMP/watchj.out"
"$KUBECTL" --cache-dir "$TMP/kube-cache" -n e2e-watch get configmap -w --output-watch-events -o json \
    >"$TMP/watchj.out" 2>&1 &
wpid=$!
E2E_PIDS+=("$wpid")
CMD="kubectl get configmap -w --output-watch-events -o json (in the background)"
if file_line "$TMP/watchj.out" '"name": ?"before"' 5; then
    if ok create configmap wcm-json; then
        CMD="kubectl get configmap -w --output-watch-events -o json (in the background)"
        file_line "$TMP/watchj.out" '"type": ?"ADDED".*"name": ?"wcm-json"' 5
    fi
fi
kill -TERM "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
e2e_forget_pid "$wpid"
NS=$NS_MAIN

# ---- apply (client-side) ---------------------------------------------------

group apply
ok apply -f "$M/cm-settings.yaml" && has "configmap/settings created" &&
    ok apply -f "$M/cm-settings.yaml" && has "configmap/settings unchanged" &&
    ok apply -f "$M/cm-settings-v2.yaml" && has "configmap/settings configured" &&
    jp_is 'green large round' get configmap settings -o 'jsonpath={.data.color} {.data.size} {.data.shape}' &&
    ok get configmap settings -o 'jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}' &&
    has '"color":"green"'

# A Deployment through apply, twice: the second is unchanged, even though the
# server filled in defaults the manifest does not mention.
group apply-deployment
sed 's/^  name: web$/  name: applied/' "$M/deploy-web.yaml" >"$TMP/applied.yaml"
ok apply -f "$TMP/applied.yaml" && has "deployment.apps/applied created" &&
    ok apply -f "$TMP/applied.yaml" && has "deployment.apps/applied unchanged"

group apply-dry-run-server
ok apply --dry-run=server -f "$M/cm-settings.yaml" && has "configmap/settings configured (server dry run)" &&
    jp_is green get configmap settings -o 'jsonpath={.data.color}'

# ---- apply --server-side ---------------------------------------------------

group apply-server-side
ok apply --server-side -f "$M/ssa-deploy.yaml" && has "deployment.apps/ssa serverside-applied" &&
    jp_is 3 get deployment ssa -o 'jsonpath={.spec.replicas}' &&
    ok get deployment ssa -o 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}' &&
    has 'kubectl/Apply' &&
    ok apply --server-side -f "$M/ssa-deploy.yaml" && has "deployment.apps/ssa serverside-applied" &&
    ok get deployment ssa -o yaml --show-managed-fields && has 'managedFields:' 'fieldsType: FieldsV1' 'f:replicas: {}'

# Client-side apply, then server-side apply of another value of the same
# field: a conflict with the client-side manager, nothing changed; then
# --force-conflicts takes the field over.
group apply-conflict
# A different field manager applying a field client-side apply set to another
# value conflicts (kubectl's own manager would take the field over, as
# upstream lets "kubectl" inherit what kubectl-client-side-apply applied).
ok apply -f "$M/cm-owned.yaml" && has "configmap/owned created" &&
    bad -c 1 apply --server-side --field-manager=team-b -f "$M/cm-owned-ssa.yaml" &&
    has 'conflict' '.data.mode' 'kubectl-client-side-apply' &&
    jp_is client get configmap owned -o 'jsonpath={.data.mode}' &&
    ok apply --server-side --field-manager=team-b --force-conflicts -f "$M/cm-owned-ssa.yaml" &&
    has "configmap/owned serverside-applied" &&
    jp_is server get configmap owned -o 'jsonpath={.data.mode}'

# ---- diff ------------------------------------------------------------------

# kubectl diff asks the server for a dry-run of the patch (server-side
# apply with --server-side) and diffs the result: exit 0 when the same, 1
# with a unified diff when not.
group diff
ok diff -f "$M/cm-settings-v2.yaml" && outis ''
group diff-changed
bad -c 1 diff -f "$M/cm-settings.yaml" &&
    has '-  color: green' '+  color: blue' '-  shape: round' &&
    jp_is green get configmap settings -o 'jsonpath={.data.color}'

# kube-apiserver gives a ConfigMap no metadata.generation (only kinds whose
# strategy sets it: Deployments, CRs...), so diff shows only data lines.
group diff-no-generation
bad -c 1 diff -f "$M/cm-settings.yaml" && hasnt 'generation:'
ok get configmap settings -o yaml && hasnt 'generation:'

# Once the object is server-side applied, a server-side diff of the same
# manifest is empty (before that, the server's dry run would also show the
# last-applied-configuration annotation it rewrites, as upstream does).
group diff-server-side
ok apply --server-side --force-conflicts -f "$M/cm-settings-v2.yaml" &&
    ok diff --server-side --force-conflicts -f "$M/cm-settings-v2.yaml" && outis '' &&
    bad -c 1 diff --server-side --force-conflicts -f "$M/cm-settings.yaml" &&
    has '-  color: green' '+  color: blue'

# ---- replace, edit ---------------------------------------------------------

group replace
ok replace -f "$M/cm-settings.yaml" && has "configmap/settings replaced" &&
    jp_is 'blue large ' get configmap settings -o 'jsonpath={.data.color} {.data.size} {.data.shape}'

group edit
EDITOR="sed -i s/blue/purple/" ok edit configmap settings && has "configmap/settings edited" &&
    jp_is purple get configmap settings -o 'jsonpath={.data.color}'
EDITOR=true ok edit configmap settings && has "Edit cancelled, no changes made."

# ---- patch -----------------------------------------------------------------

group patch-merge
ok patch deployment web --type=merge -p '{"spec":{"replicas":3}}' && has "deployment.apps/web patched" &&
    jp_is 3 get deployment web -o 'jsonpath={.spec.replicas}' &&
    ok patch deployment web --type=merge -p '{"spec":{"replicas":3}}' &&
    has "deployment.apps/web patched (no change)"

group patch-json
ok patch deployment web --type=json \
    -p '[{"op":"test","path":"/spec/template/spec/containers/1/name","value":"sidecar"},{"op":"replace","path":"/spec/template/spec/containers/1/image","value":"busybox:1.37"}]' &&
    has "deployment.apps/web patched" &&
    jp_is 'nginx=nginx:1.27 sidecar=busybox:1.37 ' get deployment web \
        -o 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}' &&
    bad -c 1 patch deployment web --type=json -p '[{"op":"test","path":"/spec/replicas","value":99}]' &&
    jp_is 3 get deployment web -o 'jsonpath={.spec.replicas}'

# Strategic merge patch (kubectl's default): containers merge by name, so
# the other container stays (a merge patch would replace the whole list).
group patch-strategic
ok patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}' &&
    has "deployment.apps/web patched" &&
    jp_is 'nginx=nginx:1.28 sidecar=busybox:1.37 ' get deployment web \
        -o 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}' &&
    ok patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}' &&
    jp_is 'nginx ' get deployment web -o 'jsonpath={range .spec.template.spec.containers[*]}{.name} {end}'

# ---- label, annotate, scale ------------------------------------------------

group label
ok label deployment web team=a && has "deployment.apps/web labeled" &&
    bad -c 1 label deployment web team=b && has "'team' already has a value (a), and --overwrite is false" &&
    ok label deployment web team=b --overwrite && has "deployment.apps/web labeled" &&
    jp_is b get deployment web -o 'jsonpath={.metadata.labels.team}' &&
    ok label deployment web team- && has "deployment.apps/web unlabeled" &&
    ok get deployment web --show-labels && line 'web +.* +app=web,tier=frontend'

group annotate
ok annotate deployment web note=hello && has "deployment.apps/web annotated" &&
    jp_is hello get deployment web -o 'jsonpath={.metadata.annotations.note}' &&
    ok annotate deployment web note- && jp_is '' get deployment web -o 'jsonpath={.metadata.annotations.note}'

group scale
ok scale deployment web --replicas=5 && has "deployment.apps/web scaled" &&
    jp_is 5 get deployment web -o 'jsonpath={.spec.replicas}' &&
    ok scale deployment web --current-replicas=5 --replicas=5 && has "deployment.apps/web scaled" &&
    bad scale deployment web --current-replicas=4 --replicas=6 && has 'Expected replicas to be 4, was 5'

group wait-jsonpath
ok wait --for=jsonpath='{.spec.replicas}'=5 deployment/web --timeout=10s &&
    has "deployment.apps/web condition met"

# ---- rollout restart -------------------------------------------------------

group rollout-restart
ok rollout restart deployment web && has "deployment.apps/web restarted" &&
    ok get deployment web -o 'jsonpath={.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}' &&
    line '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# ---- describe with events --------------------------------------------------

group describe
uid=$("$KUBECTL" --cache-dir "$TMP/kube-cache" -n "$NS" get deployment web -o 'jsonpath={.metadata.uid}' 2>/dev/null)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$TMP/event.json" <<EOF
{"apiVersion": "v1", "kind": "Event",
 "metadata": {"name": "web.17a0e2e000000001"},
 "involvedObject": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "$NS", "uid": "$uid"},
 "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-5d4f8b9c7 to 5",
 "type": "Normal", "source": {"component": "deployment-controller"},
 "firstTimestamp": "$now", "lastTimestamp": "$now", "count": 1}
EOF
ok create -f "$TMP/event.json" && has "event/web.17a0e2e000000001 created" &&
    ok describe deployment web &&
    line 'Name: +web' "Namespace: +$NS" 'Replicas: +5 desired \| [0-9]+ updated \| [0-9]+ total \| [0-9]+ available \| [0-9]+ unavailable' \
        'Events:' '  Type +Reason +Age +From +Message' \
        '  Normal +ScalingReplicaSet +[0-9]+s +deployment-controller +Scaled up replica set web-5d4f8b9c7 to 5' &&
    ok get events && line '[0-9]+s +Normal +ScalingReplicaSet +deployment/web +Scaled up replica set web-5d4f8b9c7 to 5'

# describe shows the defaulted strategy and port protocol (see
# deployment-defaults).
group describe-defaults
ok describe deployment web && line 'StrategyType: +RollingUpdate' 'RollingUpdateStrategy: +25% max unavailable, 25% max surge' \
    ' +Port: +80/TCP'

# ---- delete ----------------------------------------------------------------

group delete-label
ok create configmap del-1 && ok create configmap del-2 && ok create configmap keep-1 &&
    ok label configmap del-1 del-2 app=del &&
    ok delete configmap -l app=del && line 'configmap "del-1" deleted' 'configmap "del-2" deleted' &&
    ok get configmap -l app=del && has "No resources found in $NS namespace." &&
    ok get configmap keep-1 -o name

group delete-wait
ok create configmap dw && ok delete configmap dw --wait=true --timeout=10s && has 'configmap "dw" deleted' &&
    poll_gone 1 configmap/dw

group wait-delete
if ok create configmap gone; then
    ( sleep 1; "$KUBECTL" --cache-dir "$TMP/kube-cache" -n "$NS" delete configmap gone >/dev/null 2>&1 ) &
    dpid=$!
    E2E_PIDS+=("$dpid")
    ok wait --for=delete configmap/gone --timeout=10s && has "configmap/gone condition met"
    wait "$dpid"
    e2e_forget_pid "$dpid"
fi

# owned_rs DEPLOYMENT RS: a ReplicaSet owned by the Deployment (what the
# deployment controller would create).
owned_rs() {
    local uid
    ok create deployment "$1" --image=nginx || return 1
    uid=$("$KUBECTL" --cache-dir "$TMP/kube-cache" -n "$NS" get deployment "$1" -o 'jsonpath={.metadata.uid}' 2>/dev/null)
    cat >"$TMP/rs-$2.json" <<EOF
{"apiVersion": "apps/v1", "kind": "ReplicaSet",
 "metadata": {"name": "$2", "labels": {"app": "$1"},
  "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "$1", "uid": "$uid",
                       "controller": true, "blockOwnerDeletion": true}]},
 "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "$1"}},
  "template": {"metadata": {"labels": {"app": "$1"}},
   "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}
EOF
    ok create -f "$TMP/rs-$2.json" && has "replicaset.apps/$2 created"
}

# --cascade=foreground: the Deployment is deleted after its dependents; kubectl
# waits for it to be gone.
group delete-cascade-foreground
owned_rs fg fg-rs &&
    ok delete deployment fg --cascade=foreground --timeout=20s && has 'deployment.apps "fg" deleted' &&
    poll_gone 5 replicaset/fg-rs && poll_gone 1 deployment/fg

# --cascade=background (the default): the garbage collector deletes the RS.
group delete-cascade-background
owned_rs bg bg-rs &&
    ok delete deployment bg && has 'deployment.apps "bg" deleted' &&
    poll_gone 5 replicaset/bg-rs

# --cascade=orphan: the RS stays, without its owner reference.
group delete-cascade-orphan
owned_rs orph orph-rs &&
    ok delete deployment orph --cascade=orphan && has 'deployment.apps "orph" deleted' &&
    poll_gone 5 deployment/orph &&
    poll_jp '' 5 get replicaset orph-rs -o 'jsonpath={.metadata.ownerReferences}'

# ---- CRDs and custom resources ---------------------------------------------

group crd
ok apply -f "$M/crd-widget.yaml" && has "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created" &&
    ok wait --for=condition=Established crd/widgets.example.com --timeout=5s &&
    has "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met"

group custom-resource
ok apply -f "$M/widget.yaml" && has "widget.example.com/w1 created" &&
    ok apply -f "$M/widget.yaml" && has "widget.example.com/w1 unchanged" &&
    ok get widgets && line 'NAME +SIZE +AGE' 'w1 +3 +[0-9]+s' &&
    jp_is '3 red' get wg w1 -o 'jsonpath={.spec.size} {.spec.color}' &&
    ok get widget w1 -o yaml && has 'apiVersion: example.com/v1' 'kind: Widget' '  generation: 1' &&
    ok patch widget w1 --type=merge -p '{"spec":{"size":4}}' && has "widget.example.com/w1 patched" &&
    jp_is 4 get widget w1 -o 'jsonpath={.spec.size}' &&
    ok api-resources --api-group=example.com && line 'widgets +wg +example.com/v1 +true +Widget'

group custom-resource-explain
ok explain widget.spec.size && has "KIND:       Widget" "FIELD: size <integer>" "Size of the widget in centimetres."

group custom-resource-delete
ok delete widget w1 && has 'widget.example.com "w1" deleted' && poll_gone 5 widget/w1

# ---- Karmada policies ------------------------------------------------------

group karmada-apply
ok apply -f "$M/karmada-pp.yaml" && has "propagationpolicy.policy.karmada.io/web-pp created" &&
    ok apply -f "$M/karmada-op.yaml" && has "overridepolicy.policy.karmada.io/web-op created" &&
    ok apply -f "$M/karmada-cpp.yaml" && has "clusterpropagationpolicy.policy.karmada.io/widgets-cpp created" &&
    ok apply -f "$M/karmada-pp.yaml" && line 'propagationpolicy\.policy\.karmada\.io/web-pp (unchanged|configured)' &&
    ok apply -f "$M/karmada-op.yaml" && line 'overridepolicy\.policy\.karmada\.io/web-op (unchanged|configured)'
# (Applied again: Karmada's webhooks fill in resourceSelectors[].namespace,
# and a merge patch replaces a list whole, so kubectl sends the list again
# and says "configured" against Karmada too.)

group karmada-get
ok get pp,op,cpp &&
    line 'propagationpolicy\.policy\.karmada\.io/web-pp( +.*)?' \
        'overridepolicy\.policy\.karmada\.io/web-op +[0-9]+s' \
        'clusterpropagationpolicy\.policy\.karmada\.io/widgets-cpp( +.*)?' &&
    ok get pp web-pp -o yaml &&
    has '      replicaDivisionPreference: Weighted' '      replicaSchedulingType: Divided' \
        '        - member1' '          weight: 2' &&
    jp_is 'registry.eu.example.com /spec/template/spec/containers/0/image eu-west' get op web-op \
        -o 'jsonpath={.spec.overrideRules[0].overriders.imageOverrider[0].value} {.spec.overrideRules[1].overriders.imageOverrider[0].predicate.path} {.spec.overrideRules[0].overriders.plaintext[0].value.region}'

# Karmada's CRD defaults (+kubebuilder:default): conflictResolution Abort,
# preemption Never, priority 0, schedulerName default-scheduler; its webhook
# sets each resource selector's namespace to the policy's. The table prints
# the first two columns from them.
group karmada-defaults
ok get pp web-pp -o yaml &&
    has '  conflictResolution: Abort' '  preemption: Never' '  priority: 0' '  schedulerName: default-scheduler' \
        "    namespace: $NS" &&
    ok get pp web-pp && line 'NAME +CONFLICT-RESOLUTION +PRIORITY +AGE' 'web-pp +Abort +0 +[0-9]+s' &&
    ok get cpp widgets-cpp -o yaml && has '  conflictResolution: Abort' '  preemption: Never' '  priority: 0'

group karmada-explain
ok explain pp.spec.placement.replicaScheduling && has "KIND:       PropagationPolicy" "replicaDivisionPreference" "weightPreference"

# ---- bad input -------------------------------------------------------------

# The full upstream message (names.c's dns1123 subdomain text).
group bad-name
bad -c 1 create -f "$M/bad-name.yaml" &&
    has 'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters' \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
bad -c 1 create configmap Bad_Name && has 'is invalid'

# An owner reference must name its owner's uid.
group bad-owner-reference
cat >"$TMP/rs-nouid.json" <<'EOF'
{"apiVersion": "apps/v1", "kind": "ReplicaSet",
 "metadata": {"name": "nouid", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": ""}]},
 "spec": {"selector": {"matchLabels": {"app": "nouid"}},
  "template": {"metadata": {"labels": {"app": "nouid"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}}
EOF
bad -c 1 create -f "$TMP/rs-nouid.json" &&
    has 'The ReplicaSet "nouid" is invalid: metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'

group unknown-field
bad -c 1 create --validate=strict -f "$M/unknown-field.yaml" && has 'unknown field "spec.replicaz"' &&
    bad -c 1 get deployment typo && has 'NotFound'

group unknown-field-warn
ok create --validate=warn -f "$M/unknown-field.yaml" && has 'unknown field "spec.replicaz"' 'deployment.apps/typo created'

group unknown-resource
bad -c 1 get nosuchthings && has 'error: the server doesn'"'"'t have a resource type "nosuchthings"'

server_alive || fail "the server died"
stop_server
finish
