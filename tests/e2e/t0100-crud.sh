#!/usr/bin/env bash
# CRUD of namespaces and configmaps through the REST API with curl:
# create/get/list/update/delete, resourceVersion and generation rules,
# optimistic concurrency, label and field selectors, snapshot-consistent
# pagination, finalizers, namespace deletion, and a clean restart that keeps
# every object and revision.
. "$(dirname "$0")/lib.sh"

DATA=$TMP/data
start_server "$DATA"

NS=/api/v1/namespaces

# rv_gt A B: resourceVersion A is numerically greater than B.
rv_gt() {
    [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] || fail "resourceVersions must be decimal: '$1' '$2'"
    [ "$1" -gt "$2" ] || fail "${3:-resourceVersion}: expected $1 > $2"
}

# ---- namespaces ------------------------------------------------------------

api GET $NS
assert_status 200
assert_json "d['kind'] == 'NamespaceList' and d['apiVersion'] == 'v1'"
assert_json "{'default','kube-system','kube-public','kube-node-lease'} <= {i['metadata']['name'] for i in d['items']}" \
    "the default namespaces exist:"
assert_json "d['metadata']['resourceVersion'].isdigit()"

api POST $NS '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"env":"prod"}}}'
assert_status 201
assert_json "d['kind'] == 'Namespace' and d['metadata']['name'] == 'team-a' and d['metadata']['labels'] == {'env': 'prod'}"
assert_json "len(d['metadata']['uid']) == 36 and d['metadata']['creationTimestamp'].endswith('Z')"
assert_json "'namespace' not in d['metadata'] and d['status']['phase'] == 'Active'"
ns_rv=$(json "d['metadata']['resourceVersion']")
save ns-create
api GET $NS/team-a
assert_status 200
assert_eq "$(cat "$TMP/ns-create.json")" "$RESP" "GET after create returns the created object"

api POST $NS '{"metadata":{"name":"team-a"}}'
assert_error 409 AlreadyExists
api GET $NS/no-such-ns
assert_error 404 NotFound
api POST $NS '{"metadata":{"name":"sel"}}'
assert_status 201
rv_gt "$(json "d['metadata']['resourceVersion']")" "$ns_rv" "second namespace create"

# ---- configmap create / get / update ---------------------------------------

CM=$NS/team-a/configmaps
api POST $CM "$(cm_json cm1 '{"a":"1"}' '{"app":"web"}')"
assert_status 201
assert_json "d['kind'] == 'ConfigMap' and d['apiVersion'] == 'v1'"
assert_json "d['metadata']['name'] == 'cm1' and d['metadata']['namespace'] == 'team-a'"
assert_json "'generation' not in d['metadata'] and d['data'] == {'a': '1'}"
rv1=$(json "d['metadata']['resourceVersion']")
uid=$(json "d['metadata']['uid']")
cts=$(json "d['metadata']['creationTimestamp']")
rv_gt "$rv1" "$ns_rv" "configmap create after namespace create"

api GET $CM/cm1
assert_status 200
assert_json "d['metadata']['resourceVersion'] == '$rv1' and d['data'] == {'a': '1'}"

# data changes: new revision, identity kept (ConfigMaps have no generation,
# as upstream; the generation rules are checked on a Deployment below)
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"2"}' '{"app":"web"}' "\"resourceVersion\":\"$rv1\"")"
assert_status 200
rv2=$(json "d['metadata']['resourceVersion']")
rv_gt "$rv2" "$rv1" "update"
assert_json "'generation' not in d['metadata'] and d['data'] == {'a': '2'}"
assert_json "d['metadata']['uid'] == '$uid' and d['metadata']['creationTimestamp'] == '$cts'" "uid and creationTimestamp kept:"

# labels only: new revision
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"2"}' '{"app":"web","tier":"fe"}' "\"resourceVersion\":\"$rv2\"")"
assert_status 200
rv3=$(json "d['metadata']['resourceVersion']")
rv_gt "$rv3" "$rv2" "label update"
assert_json "'generation' not in d['metadata'] and d['metadata']['labels'] == {'app': 'web', 'tier': 'fe'}" \
    "a label-only update:"
assert_json "d['metadata']['uid'] == '$uid' and d['metadata']['creationTimestamp'] == '$cts'"
# creationTimestamp in the body cannot overwrite the stored one; a uid that
# differs is a failed precondition (as upstream)
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"2"}' '{"app":"web","tier":"fe"}' "\"resourceVersion\":\"$rv3\",\"creationTimestamp\":\"2001-01-01T00:00:00Z\"")"
assert_status 200
rv3=$(json "d['metadata']['resourceVersion']")
assert_json "d['metadata']['uid'] == '$uid' and d['metadata']['creationTimestamp'] == '$cts'" "creationTimestamp from the body ignored:"
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"2"}' '{"app":"web","tier":"fe"}' "\"resourceVersion\":\"$rv3\",\"uid\":\"00000000-0000-4000-8000-000000000000\"")"
assert_error 409 Conflict
api GET $CM/cm1
save cm1-current

# stale resourceVersion: 409 Conflict and nothing changes
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"stale"}' '{}' "\"resourceVersion\":\"$rv1\"")"
assert_error 409 Conflict
api GET $CM/cm1
assert_status 200
assert_eq "$(cat "$TMP/cm1-current.json")" "$RESP" "object after a conflicting update"
api GET "$CM?limit=500"
assert_eq "$rv3" "$(json "d['metadata']['resourceVersion']")" "list revision after a conflicting update"

# no resourceVersion in the body: unconditional update (configmaps allow it)
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"3"}' '{"app":"web","tier":"fe"}')"
assert_status 200
rv4=$(json "d['metadata']['resourceVersion']")
rv_gt "$rv4" "$rv3" "unconditional update"
assert_json "'generation' not in d['metadata'] and d['data'] == {'a': '3'}"

# generation: kinds whose upstream strategy has one (workloads, Karmada's
# types) get 1 on create and a bump when the spec changes, not on labels.
DEP=/apis/apps/v1/namespaces/team-a/deployments
dep_json() { # replicas, labels
    printf '{"metadata":{"name":"gen","labels":%s},"spec":{"replicas":%s,"selector":{"matchLabels":{"app":"gen"}},"template":{"metadata":{"labels":{"app":"gen"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}' "$2" "$1"
}
api POST $DEP "$(dep_json 1 '{}')"
assert_status 201
assert_json "d['metadata']['generation'] == 1" "a new deployment:"
api PUT $DEP/gen "$(dep_json 1 '{"x":"y"}')"
assert_status 200
assert_json "d['metadata']['generation'] == 1" "a label-only update keeps the generation:"
api PUT $DEP/gen "$(dep_json 2 '{"x":"y"}')"
assert_status 200
assert_json "d['metadata']['generation'] == 2" "a spec change bumps the generation:"
rvd=$(json "d['metadata']['resourceVersion']")
api PUT $DEP/gen "$(dep_json 2 '{"x":"y"}')"
assert_status 200
assert_json "d['metadata']['resourceVersion'] == '$rvd' and d['metadata']['generation'] == 2" \
    "an update that changes nothing is no write:"

# update of a missing object, name differing from the URL
api PUT $CM/nope "$(cm_json nope)"
assert_error 404 NotFound
api PUT $CM/cm1 "$(cm_json other)"
assert_error 400 BadRequest

# create in a missing namespace
api POST $NS/no-such-ns/configmaps "$(cm_json x)"
assert_error 404 NotFound

# ---- selectors -------------------------------------------------------------

SEL=$NS/sel/configmaps
for spec in 'c1 {"app":"web","tier":"fe"}' 'c2 {"app":"web","tier":"be"}' 'c3 {"app":"db"}' \
    'c4 {}' 'c5 {"app":"cache","tier":"be"}'; do
    api POST $SEL "$(cm_json "${spec%% *}" '{}' "${spec#* }")"
    assert_status 201
done

E2E_SOFT=1
# lsel SELECTOR EXPECTED-NAMES
lsel() {
    api GET "$SEL?labelSelector=$(urlenc "$1")"
    assert_status 200 && assert_eq "$2" "$(names)" "labelSelector '$1'"
}
lsel 'app=web' c1,c2
lsel 'app==web' c1,c2
lsel 'app!=web' c3,c4,c5
lsel 'app in (web,db)' c1,c2,c3
lsel 'app notin (web,db)' c4,c5
lsel 'tier' c1,c2,c5
lsel '!tier' c3,c4
lsel 'app=web,tier=be' c2
lsel 'app,!tier' c3
lsel 'app=nothing' ''
lsel '' c1,c2,c3,c4,c5

fsel() { # fsel PATH-PREFIX SELECTOR EXPECTED-NAMES
    api GET "$1?fieldSelector=$(urlenc "$2")"
    assert_status 200 && assert_eq "$3" "$(names)" "fieldSelector '$2' on $1"
}
fsel $SEL 'metadata.name=c3' c3
fsel $SEL 'metadata.name==c3' c3
fsel $SEL 'metadata.name!=c3' c1,c2,c4,c5
fsel $SEL 'metadata.name=c3,metadata.namespace=sel' c3
fsel $SEL 'metadata.name=missing' ''
fsel /api/v1/configmaps 'metadata.namespace=sel' c1,c2,c3,c4,c5
fsel /api/v1/configmaps 'metadata.name=cm1' cm1
fsel $NS 'metadata.name=team-a' team-a
api GET "$SEL?labelSelector=$(urlenc app=web)&fieldSelector=$(urlenc metadata.name!=c1)"
assert_status 200 && assert_eq c2 "$(names)" "label and field selector together"
E2E_SOFT=0

# all namespaces
api GET /api/v1/configmaps
assert_status 200
assert_json "d['kind'] == 'ConfigMapList'"
assert_json "sorted((i['metadata']['namespace'], i['metadata']['name']) for i in d['items']) == [('sel','c1'),('sel','c2'),('sel','c3'),('sel','c4'),('sel','c5'),('team-a','cm1')]" \
    "all-namespace list:"
assert_json "[(i['metadata']['namespace'], i['metadata']['name']) for i in d['items']] == sorted((i['metadata']['namespace'], i['metadata']['name']) for i in d['items'])" \
    "all-namespace list in key order:"
api GET $SEL
assert_json "{i['metadata']['namespace'] for i in d['items']} == {'sel'}" "a namespace's list holds only it:"

# ---- pagination ------------------------------------------------------------

api POST $NS '{"metadata":{"name":"page"}}'
assert_status 201
PG=$NS/page/configmaps
for i in $(seq -w 0 24); do
    api POST $PG "$(cm_json "p-$i" "{\"i\":\"$i\"}" "{\"parity\":\"$((10#$i % 2))\"}")"
    assert_status 201
    cp "$RESP_FILE" "$TMP/created-p-$i.json"
done

api GET "$PG?limit=10"
assert_status 200
save page1
snap=$(json "d['metadata']['resourceVersion']")
assert_eq "p-00,p-01,p-02,p-03,p-04,p-05,p-06,p-07,p-08,p-09" "$(names)" "page 1"
tok=$(json "d['metadata'].get('continue', '')")
[ -n "$tok" ] || fail "page 1 has no continue token"

# changes between pages must not show: create after and between, delete,
# update
api POST $PG "$(cm_json p-15x)" && assert_status 201
api POST $PG "$(cm_json p-30)" && assert_status 201
api DELETE $PG/p-20 && assert_status 200
api DELETE $PG/p-05 && assert_status 200
api GET $PG/p-22
api PUT $PG/p-22 "$(cm_json p-22 '{"i":"changed"}' '{"parity":"0"}' "\"resourceVersion\":\"$(json "d['metadata']['resourceVersion']")\"")"
assert_status 200

api GET "$PG?limit=10&continue=$(urlenc "$tok")"
assert_status 200
save page2
assert_eq "$snap" "$(json "d['metadata']['resourceVersion']")" "page 2 revision"
assert_eq "p-10,p-11,p-12,p-13,p-14,p-15,p-16,p-17,p-18,p-19" "$(names)" "page 2"
tok=$(json "d['metadata'].get('continue', '')")
[ -n "$tok" ] || fail "page 2 has no continue token"

api DELETE $PG/p-21 && assert_status 200
api POST $PG "$(cm_json p-23a)" && assert_status 201

api GET "$PG?limit=10&continue=$(urlenc "$tok")"
assert_status 200
save page3
assert_eq "$snap" "$(json "d['metadata']['resourceVersion']")" "page 3 revision"
assert_eq "p-20,p-21,p-22,p-23,p-24" "$(names)" "page 3 (deleted objects still in the snapshot)"
assert_json "not d['metadata'].get('continue')" "the last page has no continue token:"

# every item of the three pages is exactly the object as created
"$PY" - "$TMP" <<'EOF' || fail "paginated items differ from the created objects"
import json, sys
tmp = sys.argv[1]
items = []
for p in ("page1", "page2", "page3"):
    items += json.load(open("%s/%s.json" % (tmp, p)))["items"]
want = [json.load(open("%s/created-p-%02d.json" % (tmp, i))) for i in range(25)]
if items != want:
    for a, b in zip(items, want):
        if a != b:
            print("  got  %s\n  want %s" % (json.dumps(a), json.dumps(b)), file=sys.stderr)
            break
    sys.exit(1)
EOF

# a new list sees the changes
api GET $PG
assert_eq "p-00,p-01,p-02,p-03,p-04,p-06,p-07,p-08,p-09,p-10,p-11,p-12,p-13,p-14,p-15,p-15x,p-16,p-17,p-18,p-19,p-22,p-23,p-23a,p-24,p-30" "$(names)" "list after the changes"
assert_json "[i['data'] for i in d['items'] if i['metadata']['name'] == 'p-22'] == [{'i': 'changed'}]"

# paging a filtered list: limit counts matching items
got=
tok=
for ((n = 0; n < 20; n++)); do
    api GET "$PG?limit=4&labelSelector=parity%3D0${tok:+&continue=$(urlenc "$tok")}"
    assert_status 200
    [ "$(json "len(d['items']) <= 4")" = true ] || fail "filtered page longer than limit: $(names)"
    page=$(names)
    [ -z "$page" ] || got=$got${got:+,}$page
    tok=$(json "d['metadata'].get('continue', '')")
    [ -n "$tok" ] || break
done
assert_eq "p-00,p-02,p-04,p-06,p-08,p-10,p-12,p-14,p-16,p-18,p-22,p-24" "$got" "filtered pages"

# bad continue tokens
api GET "$PG?limit=10&continue=garbage!!"
assert_error 400 BadRequest
api GET "$PG?limit=10&continue=Zm9v"
assert_error 400 BadRequest
future=$("$PY" -c 'import base64, json; print(base64.urlsafe_b64encode(json.dumps({"rv": 10**12, "start": "p-05"}).encode()).decode().rstrip("="))')
api GET "$PG?limit=10&continue=$future"
assert_error 400 BadRequest

# ---- finalizers ------------------------------------------------------------

api POST $CM "$(cm_json fin '{"x":"1"}' '{}' '"finalizers":["example.com/block"]')"
assert_status 201
api DELETE $CM/fin
assert_status 200
assert_json "d['kind'] == 'ConfigMap' and d['metadata'].get('deletionTimestamp')" "delete with finalizers returns the object marked:"
api GET $CM/fin
assert_status 200
assert_json "d['metadata'].get('deletionTimestamp') and d['metadata']['finalizers'] == ['example.com/block']" \
    "object with finalizers stays, marked for deletion:"
fin_rv=$(json "d['metadata']['resourceVersion']")
api DELETE $CM/fin
assert_status 200
api GET $CM/fin
assert_status 200
assert_eq "$fin_rv" "$(json "d['metadata']['resourceVersion']")" "a second delete changes nothing"
api GET $CM
assert_json "'fin' in [i['metadata']['name'] for i in d['items']]" "the terminating object is listed:"
api PUT $CM/fin "$(cm_json fin '{"x":"1"}' '{}' "\"resourceVersion\":\"$fin_rv\",\"finalizers\":[]")"
assert_status 200
api GET $CM/fin
assert_error 404 NotFound
api GET $CM
assert_json "'fin' not in [i['metadata']['name'] for i in d['items']]"

# ---- delete ----------------------------------------------------------------

api POST $CM "$(cm_json gone)"
assert_status 201
gone_uid=$(json "d['metadata']['uid']")
api DELETE $CM/gone
assert_status 200
assert_json "d['kind'] == 'Status' and d['status'] == 'Success' and d['details']['name'] == 'gone' and d['details'].get('uid') == '$gone_uid'"
api GET $CM/gone
assert_error 404 NotFound
api DELETE $CM/gone
assert_error 404 NotFound

# delete with a stale resourceVersion precondition
api POST $CM "$(cm_json pre)"
pre_rv=$(json "d['metadata']['resourceVersion']")
api PUT $CM/pre "$(cm_json pre '{"v":"2"}')"
assert_status 200
api DELETE $CM/pre "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"resourceVersion\":\"$pre_rv\"}}"
assert_error 409 Conflict
api GET $CM/pre
assert_status 200

# delete collection with a selector
api POST $NS '{"metadata":{"name":"dc"}}'
for n in 1 2 3; do
    api POST $NS/dc/configmaps "$(cm_json "d$n" '{}' "{\"x\":\"$((n % 2))\"}")"
    assert_status 201
done
api DELETE "$NS/dc/configmaps?labelSelector=x%3D1"
assert_status 200
assert_json "d['kind'] == 'Status' and d['status'] == 'Success'"
api GET $NS/dc/configmaps
assert_eq d2 "$(names)" "after deletecollection x=1"

# deleting a namespace deletes its configmaps
api DELETE $NS/dc
assert_status 200
api GET $NS/dc
assert_error 404 NotFound
api GET $NS/dc/configmaps/d2
assert_error 404 NotFound
api GET "/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddc"
assert_status 200
assert_eq "" "$(names)" "configmaps of a deleted namespace"
api POST $NS/dc/configmaps "$(cm_json late)"
assert_error 404 NotFound

# ---- restart ---------------------------------------------------------------

api GET /api/v1/configmaps
save before-cms
api GET $NS
save before-nss
rv_before=$(json "d['metadata']['resourceVersion']")
stop_server
start_server "$DATA"
api GET /api/v1/configmaps
assert_status 200
save after-cms
api GET $NS
assert_status 200
save after-nss
assert_eq "$rv_before" "$(json "d['metadata']['resourceVersion']")" "list revision across a restart"
for what in cms nss; do
    "$PY" - "$TMP/before-$what.json" "$TMP/after-$what.json" <<'EOF' || fail "$what differ after restart"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a != b:
    print("  before: %s\n  after:  %s" % (json.dumps(a)[:800], json.dumps(b)[:800]), file=sys.stderr)
    sys.exit(1)
EOF
done
api GET $CM/cm1
assert_json "d['metadata']['resourceVersion'] == '$rv4' and d['metadata']['uid'] == '$uid' and 'generation' not in d['metadata']"
api POST $CM "$(cm_json after-restart)"
assert_status 201
rv_gt "$(json "d['metadata']['resourceVersion']")" "$rv_before" "first write after restart"
api PUT $CM/cm1 "$(cm_json cm1 '{"a":"4"}' '{}' "\"resourceVersion\":\"$rv4\"")"
assert_status 200
api DELETE $CM/p-does-not-exist
assert_error 404 NotFound

stop_server
finish
