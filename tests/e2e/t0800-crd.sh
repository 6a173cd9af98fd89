#!/usr/bin/env bash
# CustomResourceDefinitions with real kubectl over plain HTTP: a namespaced
# CRD with status and scale subresources, printer columns, selectable fields
# and a structural schema (required, enum, default, integer minimum) becomes
# Established; its custom resources are pruned, defaulted and validated as
# kube-apiserver does it (kubectl prints `The Gadget "x" is invalid: ...`),
# print their columns, explain their schema, scale through /scale and change
# status only through /status; everything survives a restart; deleting the
# CRD deletes its custom resources and its endpoints. Also a cluster-scoped,
# two-version CRD (Karmada's CRDs are cluster-scoped and multi-version), and a
# CRD whose names collide with a built-in type (not accepted, and deleting it
# leaves the built-in objects alone).
. "$(dirname "$0")/lib.sh"

KUBECTL=/usr/bin/kubectl
[ -x "$KUBECTL" ] || fail "no kubectl at $KUBECTL; scripts/deps.sh installs it"

start_server "$TMP/data"

# kfail MSG: a failed check (counted), named by the script line that called
# the helper that failed.
kfail() {
    echo "FAIL: $* (${BASH_SOURCE[0]##*/}:${BASH_LINENO[1]})" >&2
    E2E_FAILURES=$((E2E_FAILURES + 1))
}
# kc ARGS...: kubectl against the server; output (stdout+stderr) in $OUT.
kc() {
    OUT=$("$KUBECTL" --server "http://127.0.0.1:$PORT" --cache-dir "$TMP/kube-cache" \
        --request-timeout 30s "$@" 2>&1)
}
# ok ARGS...: kubectl must succeed.
ok() {
    kc "$@" || kfail "kubectl $*: exit $?: $OUT"
}
# bad ARGS...: kubectl must fail.
bad() {
    ! kc "$@" || kfail "kubectl $* succeeded: $OUT"
}
# has STRING...: the last kubectl output contains each string.
has() {
    local s
    for s in "$@"; do
        grep -qF -- "$s" <<<"$OUT" || kfail "no '$s' in: $OUT"
    done
}
# hasnt STRING: the last kubectl output does not contain it.
hasnt() {
    ! grep -qF -- "$1" <<<"$OUT" || kfail "unexpected '$1' in: $OUT"
}
# line REGEX: some line of the last output matches (extended regex, whole line).
line() {
    grep -qxE -- "$1" <<<"$OUT" || kfail "no line matching '$1' in: $OUT"
}

GADGETS=/apis/stable.example.com/v1/namespaces/default/gadgets

cat >"$TMP/crd-gadget.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: gadgets
    singular: gadget
    kind: Gadget
    shortNames: [gd]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    selectableFields:
    - jsonPath: .spec.size
    additionalPrinterColumns:
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Size
      type: string
      jsonPath: .spec.size
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A Gadget is a thing the CRD tests make.
        properties:
          spec:
            type: object
            description: The desired state of the gadget.
            required: [size]
            properties:
              replicas:
                type: integer
                minimum: 0
                default: 1
                description: How many copies of the gadget run.
              size:
                type: string
                enum: [small, large]
                description: How big each copy is.
              mode:
                type: string
                default: fast
          status:
            type: object
            properties:
              replicas:
                type: integer
              selector:
                type: string
EOF

# ---- the CRD becomes Established -------------------------------------------

ok apply -f "$TMP/crd-gadget.yaml"
has "customresourcedefinition.apiextensions.k8s.io/gadgets.stable.example.com created"
ok wait --for condition=established --timeout=10s crd/gadgets.stable.example.com
has "condition met"

api GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.stable.example.com
assert_status 200
assert_json "{c['type']: (c['status'], c['reason']) for c in d['status']['conditions']} == {'NamesAccepted': ('True', 'NoConflicts'), 'Established': ('True', 'InitialNamesAccepted')}" \
    "NamesAccepted and Established:"
assert_json "d['status']['acceptedNames'] == {'plural': 'gadgets', 'singular': 'gadget', 'kind': 'Gadget', 'listKind': 'GadgetList', 'shortNames': ['gd']} and d['status']['storedVersions'] == ['v1']"
assert_json "all(c['lastTransitionTime'] for c in d['status']['conditions'])"
assert_json "'customresourcecleanup.apiextensions.k8s.io' in d['metadata']['finalizers']"

api GET /apis/stable.example.com/v1
assert_status 200
assert_json "[(r['name'], r['kind'], r['namespaced'], r.get('shortNames')) for r in d['resources'] if r['name'] == 'gadgets'] == [('gadgets', 'Gadget', True, ['gd'])]" \
    "discovery lists the resource:"
assert_json "{'gadgets/status', 'gadgets/scale'} <= {r['name'] for r in d['resources']}"

# ---- custom resources: pruning, defaults, columns ---------------------------

cat >"$TMP/g1.yaml" <<'EOF'
apiVersion: stable.example.com/v1
kind: Gadget
metadata:
  name: g1
spec:
  size: small
  bogus: pruned
EOF
# kubectl validates strictly by default: an unknown field is an error, as
# with kube-apiserver; without validation it is pruned.
bad apply -f "$TMP/g1.yaml"
has 'strict decoding error: unknown field "spec.bogus"'
ok apply --validate=false -f "$TMP/g1.yaml"
has "gadget.stable.example.com/g1 created"

ok get gadgets
line 'NAME +REPLICAS +SIZE +AGE'
line 'g1 +1 +small +[0-9]+s'
ok get gd g1 -o yaml
has "apiVersion: stable.example.com/v1" "kind: Gadget" "  replicas: 1" "  mode: fast" "  size: small" \
    "  generation: 1"
ok get gd g1 -o 'jsonpath={.spec}'
assert_eq '{"mode":"fast","replicas":1,"size":"small"}' "$OUT" "the stored spec"

# The API directly: unknown metadata and top-level fields go, status is
# dropped on create (status subresource), defaults fill in.
api POST $GADGETS '{"apiVersion":"stable.example.com/v1","kind":"Gadget","metadata":{"name":"g2","junk":1},"spec":{"size":"large","replicas":2,"extra":{"a":1}},"status":{"replicas":5},"top":true}'
assert_status 201
assert_json "d['spec'] == {'size': 'large', 'replicas': 2, 'mode': 'fast'} and 'status' not in d and 'top' not in d and 'junk' not in d['metadata']" \
    "pruned and defaulted:"
ok get gadgets --field-selector spec.size=large
line 'g2 +2 +large +[0-9]+s'
hasnt "g1"

# ---- validation -------------------------------------------------------------

cat >"$TMP/bad.yaml" <<'EOF'
apiVersion: stable.example.com/v1
kind: Gadget
metadata:
  name: bad
spec:
  size: medium
  replicas: "three"
EOF
bad apply -f "$TMP/bad.yaml"
has 'The Gadget "bad" is invalid' \
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"' \
    'spec.size: Unsupported value: "medium": supported values: "small", "large"'
api POST $GADGETS '{"metadata":{"name":"bad"},"spec":{"replicas":-1}}'
assert_error 422 Invalid
assert_json "sorted((c['field'], c['reason'], c['message']) for c in d['details']['causes']) == [('spec.replicas', 'FieldValueInvalid', 'Invalid value: -1: spec.replicas in body should be greater than or equal to 0'), ('spec.size', 'FieldValueRequired', 'Required value')]"
assert_json "d['details']['kind'] == 'Gadget' and d['details']['group'] == 'stable.example.com' and d['details']['name'] == 'bad'"
api GET $GADGETS/bad
assert_status 404

# An update is validated too (a merge patch making the object invalid).
api -H 'Content-Type: application/merge-patch+json' PATCH $GADGETS/g1 '{"spec":{"size":"huge"}}'
assert_error 422 Invalid spec.size
# ... and a valid one bumps generation.
ok patch gadget g1 --type=merge -p '{"spec":{"mode":"slow"}}'
ok get gadget g1 -o 'jsonpath={.spec.mode} {.metadata.generation}'
assert_eq "slow 2" "$OUT" "patched spec and generation"

# ---- explain ----------------------------------------------------------------

ok explain gadgets.spec
has "KIND:       Gadget" "VERSION:    v1" "FIELD: spec <Object>" "The desired state of the gadget." \
    "replicas" "<integer>" "How many copies of the gadget run." "size" "-required-"
ok explain gadget.spec.replicas
has "FIELD: replicas <integer>" "How many copies of the gadget run."

# ---- scale and status subresources -----------------------------------------

ok scale gadgets g1 --replicas=3
has "gadget.stable.example.com/g1 scaled"
ok get gadget g1 -o 'jsonpath={.spec.replicas}'
assert_eq 3 "$OUT" "spec.replicas after kubectl scale"
api GET $GADGETS/g1/scale
assert_status 200
assert_json "d['kind'] == 'Scale' and d['apiVersion'] == 'autoscaling/v1' and d['spec']['replicas'] == 3"
api -H 'Content-Type: application/merge-patch+json' PATCH $GADGETS/g1/scale '{"spec":{"replicas":-2}}'
assert_status 422

# /status changes status only; the main resource ignores status.
api -H 'Content-Type: application/merge-patch+json' PATCH $GADGETS/g1/status \
    '{"status":{"replicas":2,"selector":"app=g1"},"spec":{"replicas":9}}'
assert_status 200
assert_json "d['status'] == {'replicas': 2, 'selector': 'app=g1'} and d['spec']['replicas'] == 3"
ok patch gadget g1 --type=merge -p '{"status":{"replicas":7}}'
ok get gadget g1 -o 'jsonpath={.status.replicas} {.spec.replicas}'
assert_eq "2 3" "$OUT" "status after a patch of the main resource"
api GET $GADGETS/g1/scale
assert_json "d['status']['replicas'] == 2"
# A status that breaks the schema is refused.
api -H 'Content-Type: application/merge-patch+json' PATCH $GADGETS/g1/status '{"status":{"replicas":"two"}}'
assert_error 422 Invalid status.replicas

# ---- a cluster-scoped CRD with two versions (Karmada-like) ------------------

cat >"$TMP/crd-widget.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Cluster
  names:
    plural: widgets
    singular: widget
    kind: Widget
    categories: [fleet]
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            properties:
              clusters:
                type: array
                x-kubernetes-list-type: set
                items:
                  type: string
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            properties:
              clusters:
                type: array
                x-kubernetes-list-type: set
                items:
                  type: string
EOF
ok apply -f "$TMP/crd-widget.yaml"
ok wait --for condition=established --timeout=10s crd/widgets.example.com
has "condition met"
api GET /apis/example.com
assert_status 200
assert_json "d['preferredVersion']['version'] == 'v1beta1' and [v['version'] for v in d['versions']] == ['v1beta1', 'v1alpha1']" \
    "v1beta1 is preferred over v1alpha1:"
cat >"$TMP/w1.yaml" <<'EOF'
apiVersion: example.com/v1alpha1
kind: Widget
metadata:
  name: w1
spec:
  clusters: [member1, member2]
  anything: kept
EOF
ok apply -f "$TMP/w1.yaml"
has "widget.example.com/w1 created"
ok get widgets
line 'NAME +AGE'
line 'w1 +[0-9]+s'
ok get fleet
line 'w1 +[0-9]+s' # the category names the type
api GET /apis/example.com/v1alpha1/widgets/w1
assert_status 200
assert_json "d['spec'] == {'clusters': ['member1', 'member2'], 'anything': 'kept'} and 'namespace' not in d['metadata']"
api GET /apis/example.com/v1alpha1/namespaces/default/widgets/w1
assert_status 404
api POST /apis/example.com/v1alpha1/widgets '{"metadata":{"name":"w2"},"spec":{"clusters":["a","a"]}}'
assert_error 422 Invalid 'spec.clusters[1]'
# Stored once, served by both versions (conversion strategy None: only
# apiVersion differs).
api GET /apis/example.com/v1beta1/widgets/w1
assert_status 200
assert_json "d['metadata']['name'] == 'w1' and d['spec']['anything'] == 'kept'"
assert_json "d['apiVersion'] == 'example.com/v1beta1'"
api GET /apis/example.com/v1beta1/widgets
assert_json "d['apiVersion'] == 'example.com/v1beta1' and [i['apiVersion'] for i in d['items']] == ['example.com/v1beta1']"
api GET /apis/example.com/v1alpha1/widgets/w1
assert_json "d['apiVersion'] == 'example.com/v1alpha1'"
# A patch through the other version applies to the object as it serves it.
api -H 'Content-Type: application/merge-patch+json' PATCH /apis/example.com/v1beta1/widgets/w1 '{"spec":{"anything":"changed"}}'
assert_status 200
assert_json "d['apiVersion'] == 'example.com/v1beta1' and d['spec']['anything'] == 'changed'"
watch_start w1beta "/apis/example.com/v1beta1/widgets?watch=true&fieldSelector=metadata.name%3Dw1"
watch_wait w1beta 1
watch_stop w1beta
assert_eq "example.com/v1beta1" "$(watch_events w1beta "e['object']['apiVersion']" | head -1)" "watch through v1beta1"
ok get widgets.v1beta1.example.com w1 -o 'jsonpath={.apiVersion} {.spec.anything}'
assert_eq "example.com/v1beta1 changed" "$OUT" "kubectl get through v1beta1"

# ---- names taken by a built-in type -----------------------------------------

api POST /apis/coordination.k8s.io/v1/namespaces/default/leases '{"metadata":{"name":"keep-me"},"spec":{"holderIdentity":"x"}}'
assert_status 201
cat >"$TMP/crd-lease.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: leases.coordination.k8s.io
spec:
  group: coordination.k8s.io
  scope: Namespaced
  names: {plural: leases, singular: lease, kind: Lease}
  versions:
  - name: v9
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
EOF
ok apply -f "$TMP/crd-lease.yaml"
bad wait --for condition=established --timeout=2s crd/leases.coordination.k8s.io
api GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/leases.coordination.k8s.io
assert_json "{c['type']: (c['status'], c['reason']) for c in d['status']['conditions']} == {'NamesAccepted': ('False', 'PluralConflict'), 'Established': ('False', 'NotAccepted')}" \
    "a built-in's names are not accepted:"
api GET /apis/coordination.k8s.io/v9/namespaces/default/leases
assert_status 404
ok delete crd leases.coordination.k8s.io --timeout=20s
api GET /apis/coordination.k8s.io/v1/namespaces/default/leases/keep-me
assert_status 200

# ---- restart ------------------------------------------------------------------

stop_server
start_server "$TMP/data"
ok get gadgets
line 'g1 +3 +small +[0-9]+s'
line 'g2 +2 +large +[0-9]+s'
ok get widgets
line 'w1 +[0-9]+s'
ok wait --for condition=established --timeout=10s crd/gadgets.stable.example.com
api GET $GADGETS/g1/scale
assert_status 200
assert_json "d['spec']['replicas'] == 3 and d['status']['replicas'] == 2"
ok explain gadgets.spec.size
has "FIELD: size <string>"
api POST $GADGETS '{"metadata":{"name":"bad"},"spec":{"size":"tiny"}}'
assert_error 422 Invalid spec.size

# ---- deleting the CRD --------------------------------------------------------

# A custom resource held by a finalizer goes too (nothing would serve it).
api -H 'Content-Type: application/merge-patch+json' PATCH $GADGETS/g2 '{"metadata":{"finalizers":["example.com/hold"]}}'
assert_status 200
ok delete crd gadgets.stable.example.com --timeout=20s
has 'customresourcedefinition.apiextensions.k8s.io "gadgets.stable.example.com" deleted'
api GET $GADGETS
assert_status 404
api GET $GADGETS/g1
assert_status 404
api GET /apis/stable.example.com/v1
assert_status 404
api GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.stable.example.com
assert_status 404
bad get gadgets
# Created again, it starts empty: the old objects are gone from the store.
ok apply -f "$TMP/crd-gadget.yaml"
ok wait --for condition=established --timeout=10s crd/gadgets.stable.example.com
api GET $GADGETS
assert_status 200
assert_json "d['kind'] == 'GadgetList' and d['items'] == []"
# The other CRD is untouched.
api GET /apis/example.com/v1alpha1/widgets/w1
assert_status 200

stop_server
finish
