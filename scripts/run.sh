#!/usr/bin/env bash
# `make run`: start the control plane over HTTPS on its embedded SQLite store
# in ./data, write an admin kubeconfig there, start the demo fleet of
# simulated member clusters (examples/demo-fleet.yaml, kubeconfigs in
# ./data/members), and say how to talk to them. The PKIs (CA, certificates,
# admin token) are generated on the first run and reused. Stop both with
# Ctrl-C; the control plane's data stays for next time (the simulated
# clusters keep theirs in memory).
set -euo pipefail
bin=$1
addr=${FLOTILLA_LISTEN:-127.0.0.1:8080}
fleet=${FLOTILLA_FLEET:-examples/demo-fleet.yaml}
mkdir -p data/members
"$bin" member --fleet "$fleet" --data-dir data/members --kubeconfig-dir data/members \
    >data/members/member.log 2>&1 &
member=$!
trap 'kill $member 2>/dev/null; wait $member 2>/dev/null' EXIT
for ((i = 0; i < 200; i++)); do
    grep -q '^fleet ready' data/members/member.log && break
    kill -0 $member 2>/dev/null || { cat data/members/member.log >&2; exit 1; }
    sleep 0.1
done
clusters=$(sed -n 's/^cluster \([^ ]*\) listening on \(.*\)$/  \1 (https:\/\/\2): data\/members\/\1.kubeconfig/p' data/members/member.log)
first=$(sed -n 's/^cluster \([^ ]*\) listening.*/\1/p' data/members/member.log | head -1)
cat <<TXT
Starting flotilla serve on https://$addr (store and PKI: ./data)

Try, from another terminal:
  export KUBECONFIG=$PWD/data/kubeconfig
  kubectl get namespaces
  kubectl get --raw /api/v1/namespaces/default/configmaps

or with curl, as the admin (client certificate, or the bearer token):
  cd $PWD
  curl -s --cacert data/pki/ca.crt --cert data/pki/admin.crt --key data/pki/admin.key \\
       -XPOST -H 'Content-Type: application/json' \\
       -d '{"metadata":{"name":"demo"},"data":{"greeting":"hello"}}' \\
       https://$addr/api/v1/namespaces/default/configmaps
  curl -sN --cacert data/pki/ca.crt -H "Authorization: Bearer \$(cut -d, -f1 data/pki/tokens.csv)" \\
       "https://$addr/api/v1/namespaces/default/configmaps?watch=true"

Simulated member clusters (flotilla member, log in data/members/member.log):
$clusters
  export KUBECONFIG=$PWD/data/members/$first.kubeconfig
  kubectl get nodes -o wide
  kubectl create deployment web --image=nginx --replicas=5 && kubectl rollout status deploy/web
  kubectl get pods -o wide; kubectl top pods

TXT
"$bin" serve --listen "$addr" --data-dir data --kubeconfig-out data/kubeconfig
