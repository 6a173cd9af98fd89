#!/usr/bin/env bash
# HTTPS and authentication, as kube-apiserver does them: the PKI generated in
# <data-dir>/pki on first start (modes, SANs, subjects) and reused after a
# restart; the kubeconfig from --kubeconfig-out used as is by curl, Python
# and kubectl; client certificates (ours → 200; another CA's, or our serving
# certificate, → 401) and bearer tokens (right → 200, wrong, truncated,
# extended, empty → 401); the anonymous health and version endpoints; 401s on
# a keep-alive connection that stays usable; 100 keep-alive requests and a
# watch over TLS, with abrupt disconnects, under ASan; a serving certificate
# issued again for a new listen IP; the --tls-cert-file, --client-ca-file and
# --token-auth-file options; and --insecure-http refused off loopback.
#
# A client certificate that does not verify gets a 401 Status, not a failed
# handshake: the server asks for a certificate without requiring one and
# judges it per request, as kube-apiserver does, so a client with a bad
# certificate learns why in a Status it can read (and may still use a token).
. "$(dirname "$0")/lib.sh"

DATA=$TMP/data
PKI=$DATA/pki
KC=$TMP/kubeconfig
ADDR=127.0.0.1

# start_https DIR [serve args...]: like start_server, but HTTPS (no
# --insecure-http) and on $ADDR.
start_https() {
    local dir=$1; shift
    E2E_NSERVERS=$((E2E_NSERVERS + 1))
    SERVER_LOG=$TMP/server.$E2E_NSERVERS.log
    : >"$SERVER_LOG"
    "$FLOTILLA" serve --listen "$ADDR:0" --data-dir "$dir" "$@" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    E2E_PIDS+=("$SERVER_PID")
    local i line
    for ((i = 0; i < 300; i++)); do
        line=$(grep -m1 -E "^listening on ${ADDR//./\\.}:[0-9]+\$" "$SERVER_LOG")
        if [ -n "$line" ]; then
            PORT=${line##*:}
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited before listening: $(cat "$SERVER_LOG")"
        sleep 0.05
    done
    fail "server did not print 'listening on' within 15 s"
}

# tapi [curl args...] METHOD PATH: one HTTPS request to $ADDR:$PORT trusting
# $CA; sets CODE (000 if curl failed), RESP, LAST_REQ, CURL_RC.
CA=$TMP/ca.crt
tapi() {
    local n=$#
    local method=${*:n-1:1} path=${*:n:1}
    : >"$RESP_FILE"
    CODE=$(curl -s -g --max-time 30 --cacert "$CA" -o "$RESP_FILE" -w '%{http_code}' \
        -X "$method" "${@:1:n-2}" "https://$ADDR:$PORT$path")
    CURL_RC=$?
    RESP=$(tr -d '\0' <"$RESP_FILE")
    LAST_REQ="$method $path [${*:1:n-2}]"
    [ "$CURL_RC" -eq 0 ] || CODE=000
    return 0
}

assert_unauthorized() {
    assert_status 401 || return 1
    assert_json "d == {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure', 'message': 'Unauthorized', 'reason': 'Unauthorized', 'code': 401}" \
        "kube-apiserver's exact 401 Status:"
}

fingerprint() {
    openssl x509 -in "$1" -noout -fingerprint -sha256
}

mode() {
    stat -c %a "$1"
}

# kubeconfig_field FILE KEY: the value of the first KEY in the kubeconfig
# (read for the shape we write; kubectl reads it for real below).
kubeconfig_field() {
    "$PY" - "$1" "$2" <<'EOF'
import sys
want = sys.argv[2]
for line in open(sys.argv[1]):
    line = line.strip().lstrip("- ")
    if line.startswith(want + ":"):
        print(line.split(":", 1)[1].strip())
        break
EOF
}

# ---- first start: the PKI and the kubeconfig -------------------------------

start_https "$DATA" --kubeconfig-out "$KC"
grep -qx "kubeconfig written to $KC" "$SERVER_LOG" || fail "no 'kubeconfig written to' line: $(cat "$SERVER_LOG")"
grep -q '^flotilla: .*HTTPS' "$SERVER_LOG" || fail "the startup line does not say HTTPS"

for f in ca.crt ca.key apiserver.crt apiserver.key admin.crt admin.key tokens.csv; do
    [ -s "$PKI/$f" ] || fail "$PKI/$f was not generated"
done
assert_eq 700 "$(mode "$PKI")" "mode of the pki directory"
for f in ca.key apiserver.key admin.key tokens.csv; do
    assert_eq 600 "$(mode "$PKI/$f")" "mode of $f"
done
assert_eq 600 "$(mode "$KC")" "mode of the kubeconfig"
openssl verify -CAfile "$PKI/ca.crt" "$PKI/apiserver.crt" "$PKI/admin.crt" >/dev/null ||
    fail "the generated certificates do not verify against the generated CA"
ca_text=$(openssl x509 -in "$PKI/ca.crt" -noout -text)
grep -q 'Subject: CN = flotilla-ca' <<<"$ca_text" || fail "CA subject: $ca_text"
grep -A1 'Basic Constraints: critical' <<<"$ca_text" | grep -q 'CA:TRUE' || fail "the CA is not a CA"
srv_text=$(openssl x509 -in "$PKI/apiserver.crt" -noout -text)
grep -q 'IP Address:127.0.0.1, DNS:localhost' <<<"$srv_text" || fail "serving SANs: $srv_text"
grep -q 'TLS Web Server Authentication' <<<"$srv_text" || fail "serving EKU: $srv_text"
admin_subject=$(openssl x509 -in "$PKI/admin.crt" -noout -subject -nameopt compat)
assert_eq "subject=/O=system:masters/CN=flotilla-admin" "$admin_subject" "admin certificate subject"
# The CA is good for 10 years, the leaves for 1.
ca_days=$(( ($(date -d "$(openssl x509 -in "$PKI/ca.crt" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
srv_days=$(( ($(date -d "$(openssl x509 -in "$PKI/apiserver.crt" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
[ "$ca_days" -ge 3640 ] && [ "$ca_days" -le 3651 ] || fail "CA valid for $ca_days days"
[ "$srv_days" -ge 360 ] && [ "$srv_days" -le 366 ] || fail "serving certificate valid for $srv_days days"
IFS=, read -r TOKEN tuser tuid tgroups <"$PKI/tokens.csv"
[[ $TOKEN =~ ^[0-9a-f]{64}$ ]] || fail "admin token: '$TOKEN'"
assert_eq 'flotilla-admin,flotilla-admin,"system:masters"' "$tuser,$tuid,$tgroups" "tokens.csv record"

# The kubeconfig: everything embedded, base64 PEM.
assert_eq "https://127.0.0.1:$PORT" "$(kubeconfig_field "$KC" server)" "kubeconfig server"
assert_eq flotilla "$(kubeconfig_field "$KC" current-context)" "current-context"
kubeconfig_field "$KC" certificate-authority-data | base64 -d >"$CA"
kubeconfig_field "$KC" client-certificate-data | base64 -d >"$TMP/admin.crt"
kubeconfig_field "$KC" client-key-data | base64 -d >"$TMP/admin.key"
cmp -s "$CA" "$PKI/ca.crt" || fail "certificate-authority-data is not the generated CA"
cmp -s "$TMP/admin.crt" "$PKI/admin.crt" || fail "client-certificate-data is not admin.crt"
[ "$(openssl pkey -in "$TMP/admin.key" -pubout)" = "$(openssl x509 -in "$PKI/admin.crt" -noout -pubkey)" ] ||
    fail "client-key-data does not match the client certificate"
ADMIN=(--cert "$TMP/admin.crt" --key "$TMP/admin.key")

# ---- authentication --------------------------------------------------------

E2E_SOFT=1

tapi "${ADMIN[@]}" GET /api/v1/namespaces
assert_status 200 && assert_json "d['kind'] == 'NamespaceList'"
tapi "${ADMIN[@]}" -H 'Content-Type: application/json' -d "$(cm_json by-cert)" \
    POST /api/v1/namespaces/default/configmaps
assert_status 201
tapi -H "Authorization: Bearer $TOKEN" GET /api/v1/namespaces/default/configmaps/by-cert
assert_status 200 && assert_json "d['metadata']['name'] == 'by-cert'"
tapi -H "authorization: bearer $TOKEN" GET /api/v1/namespaces
assert_status 200 # header name and scheme are case-insensitive
tapi -H "Authorization:   Bearer $TOKEN  " GET /api/v1/namespaces
assert_status 200 # surrounding blanks are trimmed, as kube does

tapi GET /api/v1/namespaces
assert_unauthorized
tapi -H 'Content-Type: application/json' -d "$(cm_json anon)" POST /api/v1/namespaces/default/configmaps
assert_unauthorized
tapi GET '/api/v1/namespaces/default/configmaps?watch=true'
assert_unauthorized
for bad in "Bearer ${TOKEN%?}" "Bearer ${TOKEN}0" "Bearer x$TOKEN" "Bearer " "Bearer" \
    "Basic $(printf 'admin:%s' "$TOKEN" | base64 -w0)" "$TOKEN" "Bearer  $TOKEN" "Token $TOKEN"; do
    tapi -H "Authorization: $bad" GET /api/v1/namespaces
    assert_unauthorized
done
tapi GET /api
assert_unauthorized # discovery is for authenticated users
tapi GET /healthz/../api/v1/namespaces
assert_unauthorized # anonymous paths are exact

for p in /healthz /livez /readyz /version /version/ '/healthz?verbose=1'; do
    tapi GET "$p"
    assert_status 200
done
tapi GET /version
assert_json "d['major'] == '1'"

# A client certificate from another CA, with the very same names: 401, and
# the handshake succeeds (curl gets a reply). A token still works with it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=other-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
    -keyout "$TMP/other-ca.key" -out "$TMP/other-ca.crt" 2>/dev/null || fail "openssl: other CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=system:masters/CN=flotilla-admin" -keyout "$TMP/other.key" -out "$TMP/other.csr" 2>/dev/null &&
    printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >"$TMP/other.ext" &&
    openssl x509 -req -in "$TMP/other.csr" -CA "$TMP/other-ca.crt" -CAkey "$TMP/other-ca.key" \
        -CAcreateserial -days 30 -extfile "$TMP/other.ext" -out "$TMP/other.crt" 2>/dev/null ||
    fail "openssl: client certificate of the other CA"
OTHER=(--cert "$TMP/other.crt" --key "$TMP/other.key")
tapi "${OTHER[@]}" GET /api/v1/namespaces
assert_unauthorized
tapi "${OTHER[@]}" -H "Authorization: Bearer $TOKEN" GET /api/v1/namespaces
assert_status 200
# Our serving certificate is signed by our CA but is not for clients (EKU).
tapi --cert "$PKI/apiserver.crt" --key "$PKI/apiserver.key" GET /api/v1/namespaces
assert_unauthorized

# TLS itself: 1.2 and 1.3 work, HTTP/2 is not offered (evhttp speaks 1.1),
# plain HTTP to the TLS port gets no HTTP reply and does not hurt the server.
tapi "${ADMIN[@]}" --tls-max 1.2 GET /api/v1/namespaces
assert_status 200
tapi "${ADMIN[@]}" --tlsv1.3 GET /api/v1/namespaces
assert_status 200
v=$(curl -s --http2 --cacert "$CA" "${ADMIN[@]}" -o /dev/null -w '%{http_version}' "https://$ADDR:$PORT/version")
assert_eq 1.1 "$v" "HTTP version negotiated when curl offers h2"
plain=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://$ADDR:$PORT/version")
assert_eq 000 "$plain" "plain HTTP on the HTTPS port"
curl -s --cacert "$CA" -o /dev/null -w '%{http_code}' "https://localhost:$PORT/healthz" | grep -qx 200 ||
    check_fail "https://localhost: does not verify (SAN DNS:localhost)"

E2E_SOFT=0

# ---- kubectl ---------------------------------------------------------------

KUBECTL=/usr/bin/kubectl
if [ -x "$KUBECTL" ]; then
    kc() { "$KUBECTL" --kubeconfig "$KC" --cache-dir "$TMP/kube-cache" --request-timeout 30s "$@"; }
    out=$(kc get --raw /api/v1/namespaces 2>&1) || fail "kubectl get --raw: $out"
    "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"] == "NamespaceList"' "$out" ||
        fail "kubectl get --raw /api/v1/namespaces: $out"
    out=$(kc get --raw /api/v1/namespaces/default/configmaps/by-cert 2>&1) || fail "kubectl get --raw configmap: $out"
    out=$(kc get namespaces -o name 2>&1) || fail "kubectl get namespaces: $out"
    grep -qx namespace/default <<<"$out" || fail "kubectl get namespaces -o name: $out"
    out=$(kc version -o json 2>&1) || fail "kubectl version: $out"
    # Wrong credentials: kubectl reports the 401.
    "$PY" - "$KC" "$TMP/other.crt" "$TMP/other.key" >"$TMP/bad-kubeconfig" <<'EOF'
import base64, sys
b64 = lambda f: base64.b64encode(open(f, "rb").read()).decode()
for line in open(sys.argv[1]):
    key = line.strip().split(":")[0]
    if key == "client-certificate-data":
        line = "    %s: %s\n" % (key, b64(sys.argv[2]))
    elif key == "client-key-data":
        line = "    %s: %s\n" % (key, b64(sys.argv[3]))
    sys.stdout.write(line)
EOF
    out=$("$KUBECTL" --kubeconfig "$TMP/bad-kubeconfig" --cache-dir "$TMP/kube-cache2" get --raw /api/v1/namespaces 2>&1) &&
        fail "kubectl with another CA's certificate succeeded: $out"
    grep -qi 'unauthorized' <<<"$out" || fail "kubectl with a bad certificate: $out"
else
    echo "note: no kubectl at $KUBECTL; its checks are skipped" >&2
fi

# ---- keep-alive, watches and rude clients over TLS (ASan checks leaks) -----

"$PY" - "$PORT" "$CA" "$TMP/admin.crt" "$TMP/admin.key" "$TOKEN" <<'EOF' || fail "keep-alive over TLS"
import http.client, json, socket, ssl, sys
port, ca, cert, key, token = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
c.connect()
sock = c.sock
for i in range(100):
    body = json.dumps({"metadata": {"name": "ka-%03d" % i}, "data": {"i": str(i)}})
    c.request("POST", "/api/v1/namespaces/default/configmaps", body,
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    assert r.status == 201, (i, r.status)
    c.request("GET", "/api/v1/namespaces/default/configmaps/ka-%03d" % i)
    r = c.getresponse()
    d = json.loads(r.read())
    assert r.status == 200 and d["data"]["i"] == str(i), (i, r.status, d)
assert c.sock is sock, "the connection was not kept alive"
c.close()

# Bearer token without a client certificate; 401s do not end the connection.
tctx = ssl.create_default_context(cafile=ca)
c = http.client.HTTPSConnection("127.0.0.1", port, context=tctx, timeout=30)
c.connect()
sock = c.sock
for i in range(100):
    hdrs = {"Authorization": "Bearer " + (token if i % 2 else "wrong")}
    c.request("GET", "/api/v1/namespaces/default/configmaps?limit=5", headers=hdrs)
    r = c.getresponse()
    r.read()
    assert r.status == (200 if i % 2 else 401), (i, r.status)
assert c.sock is sock, "a 401 ended the keep-alive connection"
c.close()

# Rude clients: closes right after connecting, mid-handshake, after a
# request without reading the reply, and garbage instead of a ClientHello.
for i in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    if i % 4 == 1:
        s.sendall(b"\x16\x03\x01\x00\xff\x01")  # a truncated ClientHello
    elif i % 4 == 2:
        t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        t.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n")
        s = t
    elif i % 4 == 3:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    s.close()
EOF

tapi "${ADMIN[@]}" GET '/api/v1/namespaces/default/configmaps?limit=1'
assert_status 200
rv=$(json "d['metadata']['resourceVersion']")
: >"$TMP/w.watch"
curl -sN --max-time 60 --cacert "$CA" "${ADMIN[@]}" -o "$TMP/w.watch" \
    "https://$ADDR:$PORT/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=$rv" &
WATCH_PID_w=$!
E2E_PIDS+=("$!")
sleep 0.3
tapi "${ADMIN[@]}" -H 'Content-Type: application/json' -d "$(cm_json watched)" \
    POST /api/v1/namespaces/default/configmaps
assert_status 201
watch_wait w 1
assert_eq "ADDED watched" "$(watch_events w | head -1 | cut -d' ' -f1-2)" "watch event over TLS"
watch_stop w

server_alive || fail "the server died"
stop_server

# ---- restart: the same CA, certificates and token --------------------------

ca_fp=$(fingerprint "$PKI/ca.crt")
srv_fp=$(fingerprint "$PKI/apiserver.crt")
admin_fp=$(fingerprint "$PKI/admin.crt")
tok_sum=$(sha256sum <"$PKI/tokens.csv")
start_https "$DATA" --kubeconfig-out "$KC"
assert_eq "$ca_fp" "$(fingerprint "$PKI/ca.crt")" "CA fingerprint after a restart"
assert_eq "$srv_fp" "$(fingerprint "$PKI/apiserver.crt")" "serving certificate after a restart"
assert_eq "$admin_fp" "$(fingerprint "$PKI/admin.crt")" "admin certificate after a restart"
assert_eq "$tok_sum" "$(sha256sum <"$PKI/tokens.csv")" "tokens.csv after a restart"
tapi "${ADMIN[@]}" GET /api/v1/namespaces/default/configmaps/ka-099
assert_status 200 # the old kubeconfig's credentials
tapi -H "Authorization: Bearer $TOKEN" GET /api/v1/namespaces
assert_status 200
if [ -x "$KUBECTL" ]; then
    out=$(kc get --raw /api/v1/namespaces/default/configmaps/ka-000 2>&1) || fail "kubectl after a restart: $out"
fi
stop_server

# A new listen IP: the serving certificate is issued again to cover it, by
# the same CA.
ADDR=127.0.0.2
start_https "$DATA"
assert_eq "$ca_fp" "$(fingerprint "$PKI/ca.crt")" "CA fingerprint after a new listen IP"
openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.2' ||
    fail "the serving certificate does not cover 127.0.0.2: $(openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName)"
tapi -H "Authorization: Bearer $TOKEN" GET /api/v1/namespaces
assert_status 200
stop_server
ADDR=127.0.0.1

# A damaged leaf is issued again; the CA is kept.
printf 'garbage\n' >"$PKI/admin.crt"
start_https "$DATA"
assert_eq "$ca_fp" "$(fingerprint "$PKI/ca.crt")" "CA fingerprint after a damaged admin.crt"
openssl verify -CAfile "$PKI/ca.crt" "$PKI/admin.crt" >/dev/null || fail "admin.crt was not issued again"
tapi --cert "$PKI/admin.crt" --key "$PKI/admin.key" GET /api/v1/namespaces
assert_status 200
stop_server

# ---- options ---------------------------------------------------------------

# --token-auth-file: kube's format, replacing the generated file.
cat >"$TMP/tokens.csv" <<'EOF'
tok-alice,alice,1001,"dev,ops"

  tok-bob,bob,1002
,empty-token-skipped,1003
"tok,quoted",carol,1004,"a ""quoted"" group"
EOF
start_https "$TMP/data2" --token-auth-file "$TMP/tokens.csv"
cp "$TMP/data2/pki/ca.crt" "$CA"
E2E_SOFT=1
for t in tok-alice tok-bob 'tok,quoted'; do
    tapi -H "Authorization: Bearer $t" GET /api/v1/namespaces
    assert_status 200
done
tapi -H "Authorization: Bearer $(cut -d, -f1 "$TMP/data2/pki/tokens.csv")" GET /api/v1/namespaces
assert_unauthorized # the generated token is not in the given file
tapi -H "Authorization: Bearer tok-alic" GET /api/v1/namespaces
assert_unauthorized
E2E_SOFT=0
stop_server

printf 'tok-alice,alice\n' >"$TMP/bad-tokens.csv"
"$FLOTILLA" serve --listen 127.0.0.1:0 --data-dir "$TMP/data2" --token-auth-file "$TMP/bad-tokens.csv" \
    >"$TMP/bad-tokens.log" 2>&1 && fail "a token file with 2 columns was accepted"
grep -q 'bad-tokens.csv, line 1: want at least 3 columns' "$TMP/bad-tokens.log" ||
    fail "bad token file message: $(cat "$TMP/bad-tokens.log")"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$TMP/huge-tokens.csv"
"$FLOTILLA" serve --listen 127.0.0.1:0 --data-dir "$TMP/data2" --token-auth-file "$TMP/huge-tokens.csv" \
    >"$TMP/huge-tokens.log" 2>&1 && fail "a token file over 1 MiB was accepted"
grep -q 'at most 1048576 bytes' "$TMP/huge-tokens.log" || fail "huge token file message: $(cat "$TMP/huge-tokens.log")"

# --tls-cert-file/--tls-private-key-file (self-signed, not from our CA) and
# --client-ca-file (the other CA): the kubeconfig still works for the
# server's certificate, client certificates of the other CA are accepted
# and ours are not.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=custom \
    -addext subjectAltName=IP:127.0.0.1 -addext extendedKeyUsage=serverAuth \
    -keyout "$TMP/custom.key" -out "$TMP/custom.crt" 2>/dev/null || fail "openssl: custom serving certificate"
start_https "$TMP/data3" --tls-cert-file "$TMP/custom.crt" --tls-private-key-file "$TMP/custom.key" \
    --client-ca-file "$TMP/other-ca.crt" --kubeconfig-out "$TMP/kubeconfig3"
[ ! -e "$TMP/data3/pki/apiserver.crt" ] || fail "a serving certificate was generated although one was given"
cp "$TMP/custom.crt" "$CA"
E2E_SOFT=1
tapi "${OTHER[@]}" GET /api/v1/namespaces
assert_status 200
tapi --cert "$TMP/data3/pki/admin.crt" --key "$TMP/data3/pki/admin.key" GET /api/v1/namespaces
assert_unauthorized
tapi -H "Authorization: Bearer $(cut -d, -f1 "$TMP/data3/pki/tokens.csv")" GET /api/v1/namespaces
assert_status 200
grep -q 'warning: the kubeconfig.s client certificate' "$SERVER_LOG" ||
    check_fail "no warning that the kubeconfig's certificate is not from --client-ca-file"
if [ -x "$KUBECTL" ]; then
    # The server certificate verifies with the kubeconfig's CA data; the
    # client certificate is refused (401), which is what the warning said.
    out=$("$KUBECTL" --kubeconfig "$TMP/kubeconfig3" --cache-dir "$TMP/kube-cache3" get --raw /version 2>&1) ||
        check_fail "kubectl with a custom serving certificate: $out"
fi
E2E_SOFT=0
stop_server

"$FLOTILLA" serve --listen 127.0.0.1:0 --data-dir "$TMP/data4" --tls-cert-file "$TMP/custom.crt" \
    >"$TMP/half.log" 2>&1 && fail "--tls-cert-file without --tls-private-key-file was accepted"
grep -q -- '--tls-cert-file and --tls-private-key-file go together' "$TMP/half.log" ||
    fail "message: $(cat "$TMP/half.log")"

# ---- --insecure-http -------------------------------------------------------

"$FLOTILLA" serve --listen 0.0.0.0:0 --data-dir "$TMP/data5" --insecure-http >"$TMP/insecure.log" 2>&1
rc=$?
assert_eq 2 "$rc" "exit status of --insecure-http on 0.0.0.0"
grep -q 'refusing --insecure-http on 0.0.0.0:0: .*only served on loopback' "$TMP/insecure.log" ||
    fail "message for --insecure-http on 0.0.0.0: $(cat "$TMP/insecure.log")"
! grep -q '^listening on' "$TMP/insecure.log" || fail "it listened anyway"
[ ! -e "$TMP/data5" ] || fail "it created the data directory anyway"
"$FLOTILLA" serve --listen 127.0.0.1:0 --data-dir "$TMP/data5" --insecure-http --kubeconfig-out "$TMP/k5" \
    >"$TMP/insecure2.log" 2>&1 && fail "--insecure-http with --kubeconfig-out was accepted"
grep -q 'insecure-http has no TLS or authentication' "$TMP/insecure2.log" || fail "message: $(cat "$TMP/insecure2.log")"

# On loopback it is plain HTTP for anyone, without a PKI.
start_server "$TMP/data6"
api GET /api/v1/namespaces
assert_status 200
[ ! -e "$TMP/data6/pki" ] || fail "--insecure-http generated a PKI"
stop_server

finish
