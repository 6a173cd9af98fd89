#!/usr/bin/env bash
# Builds each tests/fuzz/fuzz_*.c as a real libFuzzer binary with clang into
# build/fuzz/, against a clang-built copy of the library sources. Run one with
#   build/fuzz/fuzz_labels -max_total_time=60 tests/fuzz/corpus/labels
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang libclang-rt-14-dev)"; exit 1; }
PKGS="libevent libevent_openssl jansson yaml-0.1 sqlite3 libcurl openssl libprotobuf-c cmocka"
mkdir -p build/fuzz
srcs=$(ls src/*/*.c | grep -v src/cli/main.c)
for f in tests/fuzz/fuzz_*.c; do
    n=$(basename "$f" .c)
    clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined \
        $(pkg-config --cflags $PKGS) "$f" $srcs $(pkg-config --libs $PKGS) -lm -o "build/fuzz/$n"
    echo "built build/fuzz/$n"
done
