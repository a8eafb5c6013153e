// CUDA twin of ops/mask_ops.cpp's dilate_cross, used when masks live on the GPU.
#include <cuda_runtime.h>

#include "ops/cuda/kernels.h"

namespace inp::cuda {

namespace {

__global__ void dilate_cross_kernel(const uint8_t *src, uint8_t *dst, int64_t h, int64_t w) {
    const int64_t x = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    const int64_t y = blockIdx.y * static_cast<int64_t>(blockDim.y) + threadIdx.y;
    if (x >= w || y >= h) return;
    const int64_t i = y * w + x;
    uint8_t v = src[i];
    if (x > 0) v = max(v, src[i - 1]);
    if (x + 1 < w) v = max(v, src[i + 1]);
    if (y > 0) v = max(v, src[i - w]);
    if (y + 1 < h) v = max(v, src[i + w]);
    dst[i] = v;
}

} // namespace

const char *dilate_cross_step(const uint8_t *src, uint8_t *dst, int64_t h, int64_t w, void *stream) {
    const dim3 block(32, 8);
    const dim3 grid(static_cast<unsigned>((w + block.x - 1) / block.x), static_cast<unsigned>((h + block.y - 1) / block.y));
    dilate_cross_kernel<<<grid, block, 0, static_cast<cudaStream_t>(stream)>>>(src, dst, h, w);
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

} // namespace inp::cuda
