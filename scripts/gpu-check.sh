#!/usr/bin/env bash
# The device check for a lent GPU machine (nvcc, CMake, ninja and a CUDA PyTorch, no JDK, no
# FFmpeg headers): builds the library and the native tests against that PyTorch's libtorch
# without video, then runs the native parity tests on the GPU with TF32 off (the tests turn it
# off) and prints E2FGVI window timings. Usage: scripts/gpu-check.sh [PARITY_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PARITY="${1:-${INPAINTERZ_PARITY_DIR:-$ROOT/../shared/parity}}"
BUILD="$ROOT/build/gpu"
TORCH_PREFIX="$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" -DINPAINTERZ_VIDEO=OFF \
      -DCMAKE_CUDA_ARCHITECTURES=90 -Wno-dev > "$BUILD.configure.log" 2>&1 || { tail -30 "$BUILD.configure.log"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target test_deaot_ops test_e2fgvi_ops test_e2fgvi
export INPAINTERZ_PARITY_DIR="$PARITY"
status=0
"$BUILD/test_deaot_ops" "$PARITY" || status=1          # includes cuda_* cases when a GPU is present
"$BUILD/test_e2fgvi_ops" "$PARITY" || status=1         # the deformable conv, CUDA vs CPU
"$BUILD/test_e2fgvi" "$PARITY" --device cuda || status=1 # every E2FGVI stage and the loop on the GPU
exit $status
