#!/usr/bin/env bash
# Runs the JMH benchmarks (all, or those matching the given regexes) after printing the facts a
# result needs beside it: CPU model, flags of interest, threads, build. Extra JMH options go in
# $JMH_OPTS (e.g. JMH_OPTS="-f 1 -wi 1 -i 3"). Usage: scripts/bench.sh [REGEX...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -f "$ROOT/benchmarks/target/benchmarks.jar" ] && [ -f "$NATIVE_LIB" ] || "$ROOT/scripts/build.sh"
export INPAINTERZ_PARITY_DIR="${INPAINTERZ_PARITY_DIR:-$ROOT/../shared/parity}"
# Inputs the benchmarks read from build/bench: random-weight SAM checkpoints of the real shapes
# (numpy only; the official weights are not needed for timings). Video clips are made on first use.
mkdir -p "$ROOT/build/bench"
variants="vit_b"
for v in vit_l vit_h; do case " $* ${JMH_OPTS:-} " in *"$v"*) variants="$variants $v" ;; esac; done
for variant in $variants; do
  f="$ROOT/build/bench/sam_${variant}_random.pth"
  if [ ! -f "$f" ]; then
    log "bench: writing $f (random weights, real $variant shapes)"
    python3 -c 'import numpy' 2>/dev/null || python3 -m pip install -q --index-url file:///opt/pypi/simple --find-links /opt/wheels numpy 2>/dev/null || python3 -m pip install -q numpy
    python3 "$ROOT/tools/make_random_sam.py" "$variant" "$f.part" && mv "$f.part" "$f"
  fi
done
# E2FGVI and E2FGVI-HQ with the official 8 blocks, random weights (numpy only): keys and shapes
# from the 2-block parity fixtures, their structural index buffers copied. When every benchmark
# runs (no regex) or a regex names E2FGVI.
case "$#: ${*,,}" in
  0:*|*e2fgvi*)
    for model in e2fgvi e2fgvi_hq; do
      f="$ROOT/build/bench/${model}_random.pth"
      if [ ! -f "$f" ]; then
        log "bench: writing $f (random weights, 8 blocks)"
        python3 -c 'import numpy' 2>/dev/null || python3 -m pip install -q --index-url file:///opt/pypi/simple --find-links /opt/wheels numpy 2>/dev/null || python3 -m pip install -q numpy
        python3 "$ROOT/tools/make_random_e2fgvi.py" "$model" "$f.part" --fixtures "$INPAINTERZ_PARITY_DIR" && mv "$f.part" "$f"
      fi
    done ;;
esac
lscpu | grep -E '^(Model name|CPU family|Model|CPU\(s\)|Thread)' >&2
grep -o -w -E 'avx512f|avx512_bf16|amx_bf16|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ' >&2; echo >&2
cd "$ROOT"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dinpainterz.library.path="$NATIVE_LIB" \
  -jar benchmarks/target/benchmarks.jar ${JMH_OPTS:-} "$@"
