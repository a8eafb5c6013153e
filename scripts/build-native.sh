#!/usr/bin/env bash
# Configures and builds libinpainterz.so into build/native (incremental; ccache when present).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

torch_dir="$("$ROOT/scripts/setup-libtorch.sh")"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$torch_dir" \
        -Wno-dev ${INPAINTERZ_CMAKE_ARGS:-} >&2
fi
cmake --build "$BUILD_DIR" -j "${INPAINTERZ_JOBS:-$(nproc)}" >&2
