#!/usr/bin/env bash
# `make run`: start the control plane over HTTPS on its embedded SQLite store
# in ./data, write an admin kubeconfig there, and say how to talk to it. The
# PKI (CA, certificates, admin token) is generated in ./data/pki on the first
# run and reused. Stop it with Ctrl-C; the data stays for next time.
set -euo pipefail
bin=$1
addr=${FLOTILLA_LISTEN:-127.0.0.1:8080}
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

TXT
exec "$bin" serve --listen "$addr" --data-dir data --kubeconfig-out data/kubeconfig
