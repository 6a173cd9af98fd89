#!/usr/bin/env bash
# `make run`: start the control plane on its embedded SQLite store in ./data
# and say how to talk to it. Stop it with Ctrl-C; the data stays for next time.
set -euo pipefail
bin=$1
addr=${FLOTILLA_LISTEN:-127.0.0.1:8080}
cat <<TXT
Starting flotilla serve on http://$addr (store: ./data)

Try, from another terminal:
  curl -s http://$addr/api/v1/namespaces
  curl -s -XPOST -H 'Content-Type: application/json' \\
       -d '{"metadata":{"name":"demo"},"data":{"greeting":"hello"}}' \\
       http://$addr/api/v1/namespaces/default/configmaps
  curl -s "http://$addr/api/v1/namespaces/default/configmaps?watch=true"
  kubectl --server http://$addr get --raw /api/v1/namespaces/default/configmaps

TXT
exec "$bin" serve --listen "$addr" --data-dir data
