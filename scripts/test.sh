#!/usr/bin/env bash
# Runs every test on a fresh or warm machine: installs what is missing (apt packages, libtorch),
# builds the native library, then runs the native tests (ctest), the checkpoint fuzzer for a bounded
# time, and the Java tests (which include the parity self-test against ../shared/parity).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step() { log "== $* ($(date +%T))"; }

export INPAINTERZ_PARITY_DIR="${INPAINTERZ_PARITY_DIR:-$ROOT/../shared/parity}"
if [ ! -d "$INPAINTERZ_PARITY_DIR" ]; then
  log "parity fixtures not found at $INPAINTERZ_PARITY_DIR: set INPAINTERZ_PARITY_DIR (a missing fixture folder fails, never skips)"
  exit 1
fi

step "system packages";   "$ROOT/scripts/install-deps.sh"
step "native build";      "$ROOT/scripts/build-native.sh"
step "native tests";      ctest --test-dir "$BUILD_DIR" --output-on-failure
step "checkpoint fuzzer"; "$ROOT/scripts/fuzz.sh" "${INPAINTERZ_FUZZ_SECONDS:-60}"
step "Java tests and jars (mvn verify)"
(cd "$ROOT" && mvn -B -ntp verify)
step "parity self-test through the CLI"
"$ROOT/bin/inpainterz" parity
step "all tests passed"
