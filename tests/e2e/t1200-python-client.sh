#!/usr/bin/env bash
# The Python kubernetes client (Debian's python3-kubernetes, run by
# /usr/bin/python3 — not whatever python3 is first on PATH) against the
# HTTPS server through its generated kubeconfig, loaded with
# kubernetes.config.load_kube_config(config_file=...): namespaces,
# configmaps and deployments through the typed APIs; lists with label and
# field selectors and pages; a watch with writes from a thread; merge,
# strategic and JSON patches; read, replace (and a stale resourceVersion),
# delete; the 404/409/422 ApiExceptions; and the custom objects API on
# Karmada's PropagationPolicy and ClusterPropagationPolicy. The checks are in
# python_client.py, one FAIL line per failed check.
. "$(dirname "$0")/lib.sh"

if ! out=$("$PY" -c 'import kubernetes, sys; sys.stdout.write(kubernetes.__version__)' 2>&1); then
    fail "the Python kubernetes client is not installed for $PY (apt-get install python3-kubernetes; scripts/deps.sh should list it): $out"
fi
echo "# python3-kubernetes $out"

start_server_https "$TMP/data"

# Under 90 s in all: the watch check waits 5 s at most.
timeout 75 "$PY" "$E2E_DIR/python_client.py" "$KUBECONFIG" >"$TMP/py.out" 2>&1
rc=$?
cat "$TMP/py.out"
server_alive || fail "the server died during python_client.py"
case $rc in
0) ;;
124) fail "python_client.py did not finish within 75 s" ;;
1) grep -q '^FAIL: ' "$TMP/py.out" || fail "python_client.py exited 1 without a FAIL line (a crash?)"
   E2E_FAILURES=$(grep -c '^FAIL: ' "$TMP/py.out") ;;
*) fail "python_client.py exited with status $rc" ;;
esac

stop_server
finish
