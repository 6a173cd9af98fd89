#!/usr/bin/env bash
# A larger store across restarts: 2,000 varied configmaps in 5 namespaces
# (updated, labelled, annotated, unicode and binary data, some terminating
# with finalizers), then a clean restart and a SIGKILL of the idle server:
# every object must come back byte for byte, the lists identical, pagination
# over the reloaded store complete, and revisions continue upward.
. "$(dirname "$0")/lib.sh"

DATA=$TMP/data
N=${LARGE_N:-2000}
start_server "$DATA"

# load: create N objects with keep-alive connections, 4 threads.
"$PY" - "$PORT" "$N" <<'EOF' || fail "loading $N objects failed"
import http.client, json, sys, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
nss = ["large-%d" % i for i in range(5)]
errors = []

def req(c, method, path, body=None):
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, json.loads(r.read() or b"null")

c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for ns in nss:
    st, _ = req(c, "POST", "/api/v1/namespaces", {"metadata": {"name": ns, "labels": {"team": ns}}})
    if st != 201:
        errors.append("namespace %s: %d" % (ns, st))

def work(t):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(t, n, 4):
        ns = nss[i % len(nss)]
        name = "obj-%05d" % i
        md = {"name": name, "labels": {"i": str(i), "mod7": str(i % 7)},
              "annotations": {"example.com/note": "note \u00e9\u4e2d\U0001F600 %d \"quoted\" \\ back" % i}}
        if i % 50 == 0:
            md["finalizers"] = ["example.com/hold"]
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md,
              "data": {"k": "v%d" % i, "multi": "line1\nline2\t\u0001", "big": "x" * (i % 997)}}
        if i % 3 == 0:
            cm["binaryData"] = {"b": "AAEC/w=="}
        if i % 11 == 0:
            cm["immutable"] = False
        st, o = req(c, "POST", "/api/v1/namespaces/%s/configmaps" % ns, cm)
        if st != 201:
            errors.append("create %s: %d %s" % (name, st, o))
            continue
        if i % 4 == 0:  # an update with new data
            o["data"]["k"] = "updated-%d" % i
            st, o = req(c, "PUT", "/api/v1/namespaces/%s/configmaps/%s" % (ns, name), o)
            if st != 200:
                errors.append("update %s: %d %s" % (name, st, o))
        if i % 100 == 0:  # terminating: stays with its deletionTimestamp
            st, o = req(c, "DELETE", "/api/v1/namespaces/%s/configmaps/%s" % (ns, name))
            if st != 200:
                errors.append("delete %s: %d %s" % (name, st, o))
        if i % 9 == 0 and i % 50 != 0:  # deleted for good
            st, o = req(c, "DELETE", "/api/v1/namespaces/%s/configmaps/%s" % (ns, name))
            if st != 200:
                errors.append("delete %s: %d %s" % (name, st, o))

ts = [threading.Thread(target=work, args=(t,)) for t in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for e in errors[:20]:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF

# dump NAME: the raw bytes of both lists, every object by GET, and pages of
# 333 joined, into $TMP/NAME.*
dump() {
    "$PY" - "$PORT" "$TMP/$1" <<'EOF' || fail "dump $1 failed"
import http.client, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def get(path):
    c.request("GET", path)
    r = c.getresponse()
    b = r.read()
    if r.status != 200:
        sys.exit("GET %s: %d %s" % (path, r.status, b[:200]))
    return b
cms = get("/api/v1/configmaps")
open(out + ".cms", "wb").write(cms)
open(out + ".nss", "wb").write(get("/api/v1/namespaces"))
items = json.loads(cms)["items"]
with open(out + ".objs", "wb") as f:
    for i in items:
        m = i["metadata"]
        f.write(get("/api/v1/namespaces/%s/configmaps/%s" % (m["namespace"], m["name"])) + b"\n")
pages, tok, rv = [], "", None
while True:
    d = json.loads(get("/api/v1/configmaps?limit=333" + ("&continue=" + tok if tok else "")))
    if rv is None:
        rv = d["metadata"]["resourceVersion"]
    elif rv != d["metadata"]["resourceVersion"]:
        sys.exit("page revision changed: %s -> %s" % (rv, d["metadata"]["resourceVersion"]))
    pages += d["items"]
    tok = d["metadata"].get("continue")
    if not tok:
        break
if pages != items:
    sys.exit("paginated list (%d items) differs from the full list (%d items)" % (len(pages), len(items)))
print(len(items))
EOF
}

count=$(dump before)
want=$((N - (N + 8) / 9 + (N + 449) / 450)) # minus deleted (i%9==0), plus those kept by finalizers (i%450==0)
assert_eq "$want" "$count" "objects stored"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = [i for i in d["items"] if i["metadata"].get("deletionTimestamp")]
assert len(t) == len(range(0, int(sys.argv[2]), 100)), len(t)' "$TMP/before.cms" "$N" || fail "terminating objects missing"
rv_before=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["resourceVersion"])' "$TMP/before.cms")

compare() { # compare A B
    local k
    for k in cms nss objs; do
        cmp -s "$TMP/$1.$k" "$TMP/$2.$k" || fail "$k after $2 differ from $1 (bytes): $(cmp "$TMP/$1.$k" "$TMP/$2.$k" 2>&1)"
    done
}

stop_server
start_server "$DATA"
grep -q "^flotilla: $((count + 9)) objects at revision $rv_before " "$SERVER_LOG" ||
    fail "startup line: $(head -1 "$SERVER_LOG") (want $((count + 9)) objects at revision $rv_before)"
dump restarted >/dev/null
compare before restarted

# SIGKILL of an idle server: everything was acknowledged, nothing may be lost
kill_server
start_server "$DATA"
dump killed >/dev/null
compare before killed

# writes continue above the old revision
api POST /api/v1/namespaces/large-0/configmaps "$(cm_json after)"
assert_status 201
rv=$(json "d['metadata']['resourceVersion']")
[ "$rv" -gt "$rv_before" ] || fail "first write after restarts got rv $rv, not above $rv_before"
# the terminating objects still finish when their finalizers go
api GET /api/v1/namespaces/large-0/configmaps/obj-00000
assert_json "d['metadata'].get('deletionTimestamp')"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["metadata"]["finalizers"] = []
open(sys.argv[1] + ".put", "w").write(json.dumps(d))' "$RESP_FILE"
api -F "$RESP_FILE.put" PUT /api/v1/namespaces/large-0/configmaps/obj-00000
assert_status 200
api GET /api/v1/namespaces/large-0/configmaps/obj-00000
assert_error 404 NotFound
# deleting a namespace with 400 objects works and survives a restart
api DELETE /api/v1/namespaces/large-1
assert_status 200
api GET "/api/v1/configmaps?fieldSelector=metadata.namespace%3Dlarge-1"
assert_eq "" "$(names)" "configmaps left in a deleted namespace"
stop_server
start_server "$DATA"
api GET "/api/v1/configmaps?fieldSelector=metadata.namespace%3Dlarge-1"
assert_eq "" "$(names)" "configmaps of a deleted namespace after restart"
api GET /api/v1/namespaces/large-1
assert_error 404 NotFound
stop_server
finish
