#!/usr/bin/env bash
# Bad input: every malformed, invalid or unsupported request gets the right
# HTTP code and a metav1.Status with the right reason, and none of them
# writes anything (the full lists, revision included, are the same before and
# after the batch). The server must survive all of it and exit ASan-clean.
. "$(dirname "$0")/lib.sh"

start_server "$TMP/data"
NS=/api/v1/namespaces
CM=$NS/default/configmaps

# Objects the batch may try to clobber.
api POST $CM "$(cm_json exists '{"k":"v"}' '{"app":"x"}')"
assert_status 201
exists_rv=$(json "d['metadata']['resourceVersion']")
api POST $CM "$(cm_json fin '{}' '{}' '"finalizers":["example.com/f"]')"
assert_status 201
for v in victim1 victim2; do
    api POST $CM "$(cm_json $v)"
    assert_status 201
done

# snapshot FILE: every namespace and configmap, with the list revisions.
snapshot() {
    api GET $NS && assert_status 200 && cp "$RESP_FILE" "$TMP/$1.ns"
    api GET /api/v1/configmaps && assert_status 200 && cp "$RESP_FILE" "$TMP/$1.cm"
}
snapshot before

# bad CODE REASON FIELD API-ARGS...: the request fails with a Status of this
# code and reason (and first cause field, unless FIELD is "").
bad() {
    local code=$1 reason=$2 field=$3
    shift 3
    api "$@"
    if [ -n "$field" ]; then
        assert_error "$code" "$reason" "$field"
    else
        assert_error "$code" "$reason"
    fi
}

# bad_any "CODES" API-ARGS...: fails with one of these codes (4xx) and,
# when the body is JSON, it is a Failure Status; nothing else is required.
bad_any() {
    local codes=" $1 "
    shift
    api "$@"
    [[ $codes == *" $CODE "* ]] || { e2e_bad "$LAST_REQ: expected HTTP one of ($1), got $CODE: ${RESP:0:300}"; return; }
    if [ -s "$RESP_FILE" ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$RESP_FILE" 2>/dev/null; then
        assert_json "d.get('kind') == 'Status' and d.get('status') == 'Failure' and d.get('code') == $CODE" "a Failure Status:"
    fi
}

# gen FILE PYTHON-EXPR: write the bytes of a Python expression (bytes or str).
gen() {
    "$PY" -c '
import sys
v = eval(sys.argv[2])
open(sys.argv[1], "wb").write(v if isinstance(v, bytes) else v.encode())' "$TMP/$1" "$2" ||
        fail "gen $1: bad expression"
}

E2E_SOFT=1

# ---- not JSON, not an object -------------------------------------------------
bad 400 BadRequest '' POST $CM '{"metadata":'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":"x"},}'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":"x"}} trailing'
bad 400 BadRequest '' POST $CM "{'metadata':{'name':'x'}}"
bad 400 BadRequest '' POST $CM '[]'
bad 400 BadRequest '' POST $CM '[{"metadata":{"name":"x"}}]'
bad 400 BadRequest '' POST $CM '"configmap"'
bad 400 BadRequest '' POST $CM '42'
bad 400 BadRequest '' POST $CM 'null'
bad 400 BadRequest '' POST $CM 'true'
bad 400 BadRequest '' POST $CM ''
bad 400 BadRequest '' POST $CM '   '
bad 400 BadRequest '' PUT $CM/exists ''
bad 400 BadRequest '' PUT $CM/exists '[1,2]'
bad 400 BadRequest '' POST $NS 'not json'
gen deep '"[" * 100000 + "]" * 100000'
bad 400 BadRequest '' -F "$TMP/deep" POST $CM
gen deep2 '"{\"metadata\":{\"name\":\"deep\"},\"x\":" + "{\"a\":" * 50000 + "1" + "}" * 50000 + "}"'
bad 400 BadRequest '' -F "$TMP/deep2" POST $CM
gen nul '"{\"metadata\":{\"name\":\"nul\"},\"data\":{\"k\":\"a" + chr(0) + "b\"}}"'
bad 400 BadRequest '' -F "$TMP/nul" POST $CM
gen nul2 'b"\x00" * 64'
bad 400 BadRequest '' -F "$TMP/nul2" POST $CM
gen utf8 'b"{\"metadata\":{\"name\":\"bad\"},\"data\":{\"k\":\"\xff\xfe\"}}"'
bad 400 BadRequest '' -F "$TMP/utf8" POST $CM
bad 400 BadRequest '' POST $CM '{"metadata":{"name":"big","generation":1e999}}'

# ---- apiVersion, kind, namespace ---------------------------------------------
bad 400 BadRequest '' POST $CM '{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"x"}}'
bad 400 BadRequest '' POST $CM '{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}'
bad 400 BadRequest '' POST $CM '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}'
bad 400 BadRequest '' POST $CM '{"apiVersion":"v1","kind":"configmap","metadata":{"name":"x"}}'
bad 400 BadRequest '' POST $CM '{"apiVersion":1,"kind":"ConfigMap","metadata":{"name":"x"}}'
bad 400 BadRequest '' POST $CM '{"apiVersion":"v1","kind":["ConfigMap"],"metadata":{"name":"x"}}'
bad 400 BadRequest '' POST $NS '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}'
bad 400 BadRequest '' PUT $CM/exists '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"exists"}}'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":"x","namespace":"kube-system"}}'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":"x","namespace":7}}'
bad 400 BadRequest '' PUT $CM/exists '{"metadata":{"name":"exists","namespace":"kube-system"}}'
bad 400 BadRequest '' POST $CM '{"metadata":"x"}'
bad 400 BadRequest '' POST $CM '{"metadata":["x"]}'
bad 400 BadRequest '' PUT $CM/exists '{"metadata":"x"}'
bad_any "400 422" POST $CM '{"metadata":null}'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":5}}'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":["x"]}}'
bad 400 BadRequest '' PUT $CM/exists '{"metadata":{"name":"other"}}'
# a resourceVersion that is not a string must not turn into an unconditional update
bad 400 BadRequest '' PUT $CM/exists "{\"metadata\":{\"name\":\"exists\",\"resourceVersion\":$exists_rv},\"data\":{\"k\":\"number-rv\"}}"
bad_any "400 409 422" PUT $CM/exists '{"metadata":{"name":"exists","resourceVersion":"abc"},"data":{"k":"abc-rv"}}'
bad 409 Conflict '' PUT $CM/exists '{"metadata":{"name":"exists","resourceVersion":"1"},"data":{"k":"stale"}}'
bad 409 Conflict '' PUT $CM/exists '{"metadata":{"name":"exists","uid":"00000000-0000-4000-8000-000000000000"},"data":{"k":"uid"}}'

# ---- names ---------------------------------------------------------------------
bad 422 Invalid metadata.name POST $CM '{"metadata":{}}'
bad 422 Invalid metadata.name POST $CM '{}'
bad 422 Invalid metadata.name POST $CM '{"data":{"k":"v"}}'
bad 422 Invalid metadata.name POST $CM '{"metadata":{"name":""}}'
for name in Bad_Name -x x- UPPER 'a..b' .x x. 'a/b' 'a b' 'a%2Fb' . .. 'é' "$(printf 'a%.0s' $(seq 254))"; do
    bad 422 Invalid metadata.name POST $CM "{\"metadata\":{\"name\":\"$name\"}}"
done
bad 422 Invalid metadata.name POST $CM '{"metadata":{"name":"tab\there"}}'
bad 400 BadRequest '' POST $CM '{"metadata":{"name":"a\u0000b"}}'
for name in a.b Bad_Name -x "$(printf 'n%.0s' $(seq 64))"; do
    bad 422 Invalid metadata.name POST $NS "{\"metadata\":{\"name\":\"$name\"}}"
done
bad 422 Invalid metadata.name POST $CM '{"metadata":{"generateName":"Bad_"}}'

# ---- labels, annotations, finalizers, data -------------------------------------
lbl() { bad 422 Invalid metadata.labels POST $CM "{\"metadata\":{\"name\":\"l\",\"labels\":$1}}"; }
lbl '{"bad key":"v"}'
lbl '{"":"v"}'
lbl '{"a/b/c":"v"}'
lbl '{"-a":"v"}'
lbl '{"Bad_Prefix/a":"v"}'
lbl "{\"$(printf 'k%.0s' $(seq 64))\":\"v\"}"
lbl "{\"$(printf 'p%.0s' $(seq 254))/k\":\"v\"}"
lbl "{\"k\":\"$(printf 'v%.0s' $(seq 64))\"}"
lbl '{"k":"-v"}'
lbl '{"k":"a b"}'
lbl '{"k":5}'
lbl '{"k":null}'
lbl '{"k":{"x":"y"}}'
lbl '["k"]'
lbl '"k=v"'
gen hugelabel '"{\"metadata\":{\"name\":\"l\",\"labels\":{\"k\":\"" + "v" * 200000 + "\"}}}"'
bad 422 Invalid metadata.labels -F "$TMP/hugelabel" POST $CM
# 200 labels, all invalid: one 422, the causes capped
gen manylabels '"{\"metadata\":{\"name\":\"l\",\"labels\":{" + ",".join("\"bad key %d\":\"v\"" % i for i in range(200)) + "}}}"'
bad 422 Invalid metadata.labels -F "$TMP/manylabels" POST $CM
assert_json "len(d['details']['causes']) <= 50 and len(d['message']) < 10000" "causes and message bounded:"
# 200 labels with one bad value at the end
gen manylabels2 '"{\"metadata\":{\"name\":\"l\",\"labels\":{" + ",".join("\"k%d\":\"v\"" % i for i in range(199)) + ",\"k199\":\"bad value\"}}}"'
bad 422 Invalid metadata.labels -F "$TMP/manylabels2" POST $CM
bad 422 Invalid metadata.annotations POST $CM '{"metadata":{"name":"a","annotations":{"bad key":"v"}}}'
bad 422 Invalid metadata.annotations POST $CM '{"metadata":{"name":"a","annotations":{"k":1}}}'
gen bigann '"{\"metadata\":{\"name\":\"a\",\"annotations\":{\"k\":\"" + "x" * (256 * 1024 + 1) + "\"}}}"'
bad 422 Invalid metadata.annotations -F "$TMP/bigann" POST $CM
bad 422 Invalid metadata.finalizers POST $CM '{"metadata":{"name":"f","finalizers":"example.com/f"}}'
bad 422 Invalid metadata.finalizers POST $CM '{"metadata":{"name":"f","finalizers":["bad finalizer"]}}'
bad 422 Invalid metadata.finalizers POST $CM '{"metadata":{"name":"f","finalizers":[5]}}'
bad 422 Invalid 'data[k]' POST $CM '{"metadata":{"name":"d"},"data":{"k":5}}'
bad 422 Invalid 'data[a b]' POST $CM '{"metadata":{"name":"d"},"data":{"a b":"v"}}'
bad 422 Invalid 'data[..]' POST $CM '{"metadata":{"name":"d"},"data":{"..":"v"}}'
bad 422 Invalid data POST $CM '{"metadata":{"name":"d"},"data":["v"]}'
bad 422 Invalid 'data[k]' POST $CM '{"metadata":{"name":"d"},"data":{"k":"v"},"binaryData":{"k":"dg=="}}'
bad 422 Invalid 'data[k]' PUT $CM/exists '{"metadata":{"name":"exists"},"data":{"k":{"nested":"v"}}}'
gen bigdata '"{\"metadata\":{\"name\":\"d\"},\"data\":{\"k\":\"" + "x" * (1024 * 1024 + 1) + "\"}}"'
bad 422 Invalid '' -F "$TMP/bigdata" POST $CM
# several problems at once: one 422 listing them
bad 422 Invalid '' POST $CM '{"metadata":{"name":"Bad_Name","labels":{"bad key":"v"}},"data":{"a b":"v"}}'
assert_json "{c['field'] for c in d['details']['causes']} >= {'metadata.name', 'metadata.labels'}" "all causes listed:"

# ---- sizes and media types ------------------------------------------------------
gen over3m '"{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"" + "x" * (3 * 1024 * 1024) + "\"}}"'
bad 413 RequestEntityTooLarge '' -F "$TMP/over3m" POST $CM
bad 413 RequestEntityTooLarge '' -F "$TMP/over3m" PUT $CM/exists
gen over3m2 '" " * (3 * 1024 * 1024 + 1)'
bad 413 RequestEntityTooLarge '' -F "$TMP/over3m2" POST $CM
gen over16m '"{\"metadata\":{\"name\":\"huge\"},\"data\":{\"k\":\"" + "x" * (17 * 1024 * 1024) + "\"}}"'
API_CURL_FAIL_OK=1 api -F "$TMP/over16m" POST $CM
[ "$CODE" = 413 ] || [ "$CODE" = 000 ] || check_fail "a 17 MiB body: expected 413 or a closed connection, got $CODE"
rm -f "$TMP"/over*
bad 415 UnsupportedMediaType '' -H 'Content-Type: application/yaml' POST $CM 'metadata: {name: y}'
bad 400 BadRequest '' -H 'Content-Type: application/vnd.kubernetes.protobuf' POST $CM 'k8s'
bad 415 UnsupportedMediaType '' -H 'Content-Type: text/plain' POST $CM '{"metadata":{"name":"t"}}'
bad 415 UnsupportedMediaType '' -H 'Content-Type: application/x-www-form-urlencoded' POST $CM '{"metadata":{"name":"t"}}'
bad 415 UnsupportedMediaType '' -H 'Content-Type: application/merge-patch+json' PUT $CM/exists '{"metadata":{"name":"exists"}}'
bad 415 UnsupportedMediaType '' -H 'Content-Type: application/yaml' POST $NS 'metadata: {name: y}'

# ---- paths and methods ------------------------------------------------------------
for p in /api/v1/foos /api/v2/namespaces /apis/nope/v1/things /api/v1/namespaces/default/foos \
    /api/v1/namespaces/default/configmaps/exists/status /api/v1/namespaces/default/configmaps/exists/a/b \
    /xyz / /api/v1/configmaps/exists /api/v1/namespaces/default/namespaces \
    "/api/v1/namespaces/$(printf 'x%.0s' $(seq 300))" "/api/v1/$(printf 'a/%.0s' $(seq 40))" \
    /api/v1//namespaces /api/v1/namespaces/default//configmaps; do
    bad 404 NotFound '' GET "$p"
done
bad 404 NotFound '' POST /api/v1/foos '{"metadata":{"name":"x"}}'
bad 404 NotFound '' POST /api/v1/namespaces/default/foos '{"metadata":{"name":"x"}}'
bad 404 NotFound '' PUT /api/v1/namespaces/default/configmaps/exists/status '{"metadata":{"name":"exists"}}'
bad 404 NotFound '' DELETE /api/v1/namespaces/default/configmaps/exists/status
bad 404 NotFound '' POST /api/v1/namespaces/../configmaps "$(cm_json trav)"
bad 404 NotFound '' POST /api/v1/namespaces/%2e%2e/configmaps "$(cm_json trav)"
bad 404 NotFound '' POST /api/v1/namespaces/no-such/configmaps "$(cm_json x)"
bad 404 NotFound '' DELETE /api/v1/namespaces/default/../default/configmaps/exists
bad 404 NotFound '' DELETE /api/v1/namespaces/default/configmaps/../configmaps/exists
bad_any "400 404" DELETE /api/v1/namespaces/..
bad 404 NotFound '' GET $CM/missing
bad 404 NotFound '' PUT $CM/missing "$(cm_json missing)"
bad 404 NotFound '' DELETE $CM/missing
bad 404 NotFound '' GET $NS/missing
bad 404 NotFound '' DELETE $NS/missing
# Patches: a media type that is not a patch type, malformed patches, a JSON
# patch whose test fails, a patch that makes the object invalid.
bad 415 UnsupportedMediaType '' PATCH $CM/exists '{"data":{"k":"patched"}}'
bad 415 UnsupportedMediaType '' -H 'Content-Type: application/yaml' PATCH $NS/default '{"metadata":{"labels":{"a":"b"}}}'
bad 400 BadRequest '' -H 'Content-Type: application/merge-patch+json' PATCH $CM/exists '{"data":'
bad 400 BadRequest '' -H 'Content-Type: application/merge-patch+json' PATCH $CM/exists '[1,2]'
bad 400 BadRequest '' -H 'Content-Type: application/json-patch+json' PATCH $CM/exists '{"op":"add"}'
bad 422 Invalid '' -H 'Content-Type: application/json-patch+json' PATCH $CM/exists '[{"op":"test","path":"/data/k","value":"nope"}]'
bad 422 Invalid '' -H 'Content-Type: application/json-patch+json' PATCH $CM/exists '[{"op":"remove","path":"/data/missing"}]'
bad 422 Invalid metadata.name -H 'Content-Type: application/merge-patch+json' PATCH $CM/exists '{"metadata":{"name":"Bad_Name"}}'
bad 404 NotFound '' -H 'Content-Type: application/merge-patch+json' PATCH $CM/missing '{"data":{"k":"v"}}'
bad 409 Conflict '' -H 'Content-Type: application/merge-patch+json' PATCH $CM/exists '{"metadata":{"resourceVersion":"1"},"data":{"k":"stale"}}'
bad 405 MethodNotAllowed '' POST $CM/exists "$(cm_json exists)"
bad 405 MethodNotAllowed '' PUT $CM "$(cm_json exists)"
bad 405 MethodNotAllowed '' POST $NS/default '{"metadata":{"name":"default"}}'
bad 405 MethodNotAllowed '' PUT /api/v1/watch/namespaces/default/configmaps "$(cm_json w)"
bad 405 MethodNotAllowed '' DELETE /api/v1/watch/namespaces/default/configmaps
bad 405 MethodNotAllowed '' POST /api/v1/configmaps "$(cm_json all)"
bad_any "400 405 501" OPTIONS $CM
# raw requests curl would not send: any 4xx/5xx (000: connection closed),
# and the server survives (whether anything was written is checked below)
raw_bad() {
    raw_http "$1"
    [[ $CODE =~ ^(000|4[0-9][0-9]|5[0-9][0-9])$ ]] || check_fail "$LAST_REQ: got $CODE"
}
H="Host: x\r\n"
raw_bad '"FOO /api/v1/namespaces HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"TRACE /api/v1/namespaces HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"CONNECT 127.0.0.1:1 HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"GARBAGE\r\n\r\n"'
raw_bad '"\r\n\r\n\r\n"'
raw_bad 'b"\x00\xff\xfe" * 1000'
raw_bad '"GET /api/v1/namespaces/de\x00fault HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"GET /api/v1/namespaces HTTP/9.9\r\n'"$H"'\r\n"'
raw_bad '"GET api/v1/namespaces HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"GET http://other/api/v1/namespaces/../../x HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"GET /api/v1/namespaces HTTP/1.1\r\n'"$H"'X-Big: " + "x" * 100000 + "\r\n\r\n"'
raw_bad '"GET /" + "a" * 100000 + " HTTP/1.1\r\n'"$H"'\r\n"'
raw_bad '"POST '"$CM"' HTTP/1.1\r\n'"$H"'Content-Type: application/json\r\nContent-Length: -5\r\n\r\n{}"'
raw_bad '"POST '"$CM"' HTTP/1.1\r\n'"$H"'Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}"'
raw_bad '"POST '"$CM"' HTTP/1.1\r\n'"$H"'Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"metadata\":{\"name\":\"short\"}}"'
raw_bad '"POST '"$CM"' HTTP/1.1\r\n'"$H"'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"'
raw_bad '"POST '"$CM"' HTTP/1.1\r\n'"$H"'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}"'
raw_bad '"POST '"$CM"' HTTP/1.1\r\n'"$H"'Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}"'

# ---- duplicates, conflicts, preconditions -----------------------------------------
bad 409 AlreadyExists '' POST $CM "$(cm_json exists '{"k":"dup"}')"
bad 409 AlreadyExists '' POST $NS '{"metadata":{"name":"default"}}'
bad 409 Conflict '' DELETE $CM/exists '{"preconditions":{"resourceVersion":"1"}}'
bad 409 Conflict '' DELETE $CM/exists '{"preconditions":{"uid":"00000000-0000-4000-8000-000000000000"}}'
bad 400 BadRequest '' DELETE $CM/exists '{"preconditions":{"resourceVersion":"abc"}}'
bad 400 BadRequest '' DELETE $CM/exists '{"preconditions":'
bad 400 BadRequest '' DELETE $CM/exists '[]'
bad 415 UnsupportedMediaType '' -H 'Content-Type: application/yaml' DELETE $CM/exists 'x: y'
# preconditions of the wrong type must not turn into an unconditional delete
bad 400 BadRequest '' DELETE $CM/victim1 '{"preconditions":{"resourceVersion":1}}'
bad 400 BadRequest '' DELETE $CM/victim2 '{"preconditions":{"uid":5}}'

# ---- query strings ------------------------------------------------------------------
for q in 'labelSelector=a%20b%20c' 'labelSelector=a%20in%20(' 'labelSelector=%3Dx' 'labelSelector=a!' \
    'labelSelector=a%20in%20(b' 'labelSelector=Bad%20Key%3D1' 'labelSelector=a%3Db%3Dc' \
    "labelSelector=k%3D$(printf 'v%.0s' $(seq 64))" 'labelSelector=a%3E' 'labelSelector=a%3Ex' \
    'labelSelector=,,' 'labelSelector=a%3D1,' 'labelSelector=!' 'labelSelector=a%20notin' \
    "labelSelector=$(printf 'a,%.0s' $(seq 100))a" "labelSelector=$(printf 'k%.0s' $(seq 9000))" \
    'fieldSelector=metadata.name' 'fieldSelector=spec.foo%3Dbar' 'fieldSelector=metadata.uid%3D1' \
    'fieldSelector=status.phase%3DActive' 'fieldSelector=metadata.name%3Da%3Db' 'fieldSelector=%3Dx' \
    'fieldSelector=metadata.name%20in%20(a)' "fieldSelector=$(printf 'metadata.name%%3Da,%.0s' $(seq 40))metadata.name%3Da" \
    'limit=-1' 'limit=abc' 'limit=1e3' 'limit=10abc' 'limit=%20' 'limit=0x10' \
    'continue=garbage!!' 'continue=Zm9v' 'continue=%01' 'continue==' "continue=$(printf 'A%.0s' $(seq 5000))" \
    'limit=1&continue=eyJydiI6MCwic3RhcnQiOiIifQ' 'limit=1&continue=eyJydiI6LTEsInN0YXJ0IjoiIn0'; do
    bad 400 BadRequest '' GET "$CM?$q"
done
bad 400 BadRequest '' GET "/api/v1/configmaps?labelSelector=a%20b"
bad 400 BadRequest '' GET "$NS?fieldSelector=metadata.namespace%3Dx"
bad 400 BadRequest '' GET "$NS?limit=-5"
bad 400 BadRequest '' DELETE "$CM?labelSelector=a%20b%20c"
bad 400 BadRequest '' DELETE "$CM?fieldSelector=spec.x%3D1"
bad 400 BadRequest '' GET "$CM?watch=true&labelSelector=a%20b%20c"
bad 400 BadRequest '' GET "$CM?watch=true&fieldSelector=spec.x%3D1"
bad 400 BadRequest '' GET "$CM?watch=true&timeoutSeconds=abc"
# absurd query strings on reads: any 200 or 400, the server survives
for q in '&&&==&' '=' '%ZZ' 'labelSelector=%ZZ' 'limit=10&limit=abc' "x=$(printf 'y%.0s' $(seq 20000))" \
    'limit=99999999999999999999' '%00=%00' 'labelSelector' 'fieldSelector=' 'continue='; do
    api GET "$CM?$q"
    [ "$CODE" = 200 ] || [ "$CODE" = 400 ] || [ "$CODE" = 414 ] || check_fail "GET $CM?${q:0:40}: got $CODE"
done

E2E_SOFT=0

# ---- nothing was written -------------------------------------------------------------
server_alive || fail "the server died during the bad-input batch"
snapshot after
for k in ns cm; do
    "$PY" - "$TMP/before.$k" "$TMP/after.$k" <<'EOF' || check_fail "bad requests changed the stored $k list"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a != b:
    print("  list revision %s -> %s" % (a["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"]), file=sys.stderr)
    before = {(i["metadata"].get("namespace"), i["metadata"]["name"]): i for i in a["items"]}
    after = {(i["metadata"].get("namespace"), i["metadata"]["name"]): i for i in b["items"]}
    for k in sorted(set(before) | set(after), key=str):
        if before.get(k) != after.get(k):
            print("  %s: %s -> %s" % (k, json.dumps(before.get(k))[:300], json.dumps(after.get(k))[:300]), file=sys.stderr)
    sys.exit(1)
EOF
done

# ---- valid edge cases still work afterwards --------------------------------------------
gen labels200 '"{\"metadata\":{\"name\":\"labels200\",\"labels\":{" + ",".join("\"example.com/k%d\":\"v%d\"" % (i, i) for i in range(200)) + "}}}"'
api -F "$TMP/labels200" POST $CM
assert_status 201
assert_json "len(d['metadata']['labels']) == 200"
api -H 'Content-Type: application/json; charset=utf-8' POST $CM "$(cm_json charset)"
assert_status 201
api -H 'Content-Type:' POST $CM "$(cm_json no-content-type)"
assert_status 201
api POST $CM "$(cm_json "$(printf 'a%.0s' $(seq 253))")"
assert_status 201
api POST $NS "{\"metadata\":{\"name\":\"$(printf 'n%.0s' $(seq 63))\"}}"
assert_status 201
gen almost3m '"{\"metadata\":{\"name\":\"almost3m\"},\"data\":{\"k\":\"" + "x" * (1024 * 1024 - 1) + "\"}}" + " " * (2 * 1024 * 1024 - 64)'
api -F "$TMP/almost3m" POST $CM
assert_status 201
api GET $CM/almost3m
assert_json "len(d['data']['k']) == 1024 * 1024 - 1"
api POST $CM '{"metadata":{"generateName":"gen-"}}'
assert_status 201
assert_json "d['metadata']['name'].startswith('gen-') and len(d['metadata']['name']) == 9"
api GET $CM/exists
assert_json "d['metadata']['resourceVersion'] == '$exists_rv' and d['data'] == {'k': 'v'}" "the target of the bad updates is untouched:"

stop_server
finish
