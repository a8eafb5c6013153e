#!/usr/bin/env bash
# Builds the checkpoint-parser fuzz target with clang (libFuzzer + ASan + UBSan) and runs it
# for a bounded time, seeded with the fixture checkpoints. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

seconds="${1:-60}"
out="$ROOT/build/fuzz"
mkdir -p "$out/corpus"
src=(native/src/runtime/checkpoint_parser.cpp native/src/runtime/pickle.cpp native/src/runtime/zip_reader.cpp
     native/src/runtime/error.cpp native/fuzz/fuzz_checkpoint.cpp)
cd "$ROOT"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Inative/include -Inative/src "${src[@]}" -o "$out/fuzz_checkpoint"

# Seeds: small hand-made checkpoints in both formats, and the head of a real legacy file
# (its pickle comes first, so the head exercises the unpickler on a real state dict).
python3 native/fuzz/make_seeds.py "$out/corpus"
parity="${INPAINTERZ_PARITY_DIR:-$ROOT/../shared/parity}"
if [ -f "$parity/deaot/deaott/weights_legacy.pth" ]; then
  head -c 60000 "$parity/deaot/deaott/weights_legacy.pth" > "$out/corpus/deaott_legacy_head.pth"
fi
log "fuzz: running for ${seconds}s on $(ls "$out/corpus" | wc -l) seeds"
"$out/fuzz_checkpoint" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -timeout=20 \
  -print_final_stats=1 "$out/corpus" 2>&1 | tail -n 12
