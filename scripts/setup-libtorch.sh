#!/usr/bin/env bash
# Prints the Torch_DIR to build against, fetching libtorch when needed, in this order:
#   1. $Torch_DIR, or $LIBTORCH (a libtorch folder: $LIBTORCH/share/cmake/Torch)
#   2. third_party/libtorch, extracted earlier
#   3. the torch CPU wheel that pip serves (this workplace's wheel store), unzipped
#   4. the official libtorch CPU zip from download.pytorch.org
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -n "${Torch_DIR:-}" ]; then echo "$Torch_DIR"; exit 0; fi
if [ -n "${LIBTORCH:-}" ]; then echo "$LIBTORCH/share/cmake/Torch"; exit 0; fi

dest="$ROOT/third_party/libtorch"
if [ -f "$dest/share/cmake/Torch/TorchConfig.cmake" ]; then echo "$dest/share/cmake/Torch"; exit 0; fi

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
if python3 -m pip download --no-deps --only-binary=:all: -d "$tmp" "torch==$TORCH_VERSION_PIN" >&2 2>"$tmp/pip.log"; then
  log "libtorch: extracting $(basename "$tmp"/torch-*.whl)"
  (cd "$tmp" && unzip -q torch-*.whl 'torch/include/*' 'torch/lib/*' 'torch/share/*')
  src="$tmp/torch"
else
  url="https://download.pytorch.org/libtorch/cpu/libtorch-shared-with-deps-$TORCH_VERSION_PIN%2Bcpu.zip"
  log "libtorch: pip has no torch wheel ($(tail -1 "$tmp/pip.log")); downloading $url"
  curl -fsSL -o "$tmp/libtorch.zip" "$url"
  (cd "$tmp" && unzip -q libtorch.zip)
  src="$tmp/libtorch"
fi
mkdir -p "$ROOT/third_party"
# A private staging name, then one rename: a concurrent setup that finished first wins, and
# this copy is dropped instead of being moved inside it.
stage="$(mktemp -d "$ROOT/third_party/.libtorch.XXXXXX")"
mv "$src" "$stage/libtorch"
if ! mv -T "$stage/libtorch" "$dest" 2>/dev/null; then
  [ -f "$dest/share/cmake/Torch/TorchConfig.cmake" ] || { log "libtorch: cannot install into $dest"; exit 1; }
fi
rm -rf "$stage"
echo "$dest/share/cmake/Torch"
