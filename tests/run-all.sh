#!/usr/bin/env bash
# Runs every test suite of `make test`: unit tests (cmocka), fuzz corpora
# replayed through the fuzz drivers, then the end-to-end scripts. Each test
# program or script counts once; the last line is "N passed, N failed".
#   tests/run-all.sh "<unit binaries>" "<fuzz binaries>" <flotilla binary>
set -uo pipefail
cd "$(dirname "$0")/.."
unit=($1) fuzz=($2)
export FLOTILLA=$3
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logdir=build/test-logs
rm -rf "$logdir" && mkdir -p "$logdir"
pass=0 fail=0 failed=()

run() { # name, command...
    local name=$1; shift
    local log="$logdir/$(basename "$name").log" t0=$SECONDS
    if "$@" >"$log" 2>&1; then
        pass=$((pass + 1)); printf 'ok    %-44s %3ss\n' "$name" $((SECONDS - t0))
    else
        fail=$((fail + 1)); failed+=("$name")
        printf 'FAIL  %-44s %3ss\n' "$name" $((SECONDS - t0))
        sed 's/^/      | /' "$log" | tail -40
    fi
}

for t in "${unit[@]}"; do run "unit/$(basename "$t")" "$t"; done
for f in "${fuzz[@]}"; do
    n=$(basename "$f")
    run "fuzz/$n" "$f" "tests/fuzz/corpus/${n#fuzz_}"
done
for s in tests/e2e/t[0-9]*.sh; do run "e2e/$(basename "$s" .sh)" bash "$s"; done

[ ${#failed[@]} -gt 0 ] && printf 'failed: %s (logs in %s)\n' "${failed[*]}" "$logdir"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
