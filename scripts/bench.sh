#!/usr/bin/env bash
# Runs the JMH benchmarks (all, or those matching the given regexes) after printing the facts a
# result needs beside it: CPU model, flags of interest, threads, build. Extra JMH options go in
# $JMH_OPTS (e.g. JMH_OPTS="-f 1 -wi 1 -i 3"). Usage: scripts/bench.sh [REGEX...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -f "$ROOT/benchmarks/target/benchmarks.jar" ] && [ -f "$NATIVE_LIB" ] || "$ROOT/scripts/build.sh"
export INPAINTERZ_PARITY_DIR="${INPAINTERZ_PARITY_DIR:-$ROOT/../shared/parity}"
lscpu | grep -E '^(Model name|CPU family|Model|CPU\(s\)|Thread)' >&2
grep -o -w -E 'avx512f|avx512_bf16|amx_bf16|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ' >&2; echo >&2
cd "$ROOT"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dinpainterz.library.path="$NATIVE_LIB" \
  -jar benchmarks/target/benchmarks.jar ${JMH_OPTS:-} "$@"
