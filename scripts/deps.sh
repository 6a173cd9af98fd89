#!/usr/bin/env bash
# Installs the Debian packages Flotilla's build and tests need, when they are
# missing. Idempotent: a machine that has everything is left untouched.
#   scripts/deps.sh          build + test dependencies
#   scripts/deps.sh bench    also what `make bench` compares against (nginx, wrk)
set -euo pipefail

pkgs=(gcc make pkg-config libevent-dev libjansson-dev libyaml-dev libsqlite3-dev
      libcurl4-openssl-dev libssl-dev libcmocka-dev libbsd-dev libprotobuf-c-dev curl python3
      python3-kubernetes)
# kubectl: any that is installed will do (these machines have a dispatcher that
# follows the server's version); Debian's kubernetes-client otherwise.
command -v kubectl >/dev/null 2>&1 || pkgs+=(kubernetes-client)
if [ "${1:-}" = bench ]; then
    pkgs+=(nginx-light wrk)
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=sudo
    else
        echo "deps: missing Debian packages: ${missing[*]}" >&2
        echo "deps: run as root: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
    $SUDO apt-get update >/dev/null
    if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
        echo "deps: apt-get could not install: ${missing[*]}" >&2
        echo "deps: install them by hand, then run make again" >&2
        exit 1
    fi
fi
