// CUDA twins of ops/correlation.cpp's CPU kernels (same sums, NCHW in and out). One thread per
// output element, x fastest, so a warp reads consecutive pixels of one channel: coalesced loads
// of q/attn and of the shifted k/v row, which the window's neighbours then find in cache.
#include <cuda_runtime.h>

#include "ops/cuda/kernels.h"

namespace inp::cuda {

namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
__device__ __forceinline__ int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

__global__ void correlation_kernel(const float *__restrict__ q, const float *__restrict__ k, float *__restrict__ out,
                                   int64_t n, int64_t c, int64_t h, int64_t w, int64_t patch) {
    const int64_t hw = h * w, pp = patch * patch, r = patch / 2, total = n * pp * hw;
    for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
         e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t x = e % w, y = (e / w) % h, p = (e / hw) % pp, b = e / (hw * pp);
        const int64_t yy = y + p / patch - r, xx = x + p % patch - r;
        float s = 0.f;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
            const float *qp = q + b * c * hw + y * w + x;
            const float *kp = k + b * c * hw + yy * w + xx;
            for (int64_t ch = 0; ch < c; ch++) s = fmaf(qp[ch * hw], kp[ch * hw], s);
        }
        out[e] = s;
    }
}

__global__ void aggregate_kernel(const float *__restrict__ attn, const float *__restrict__ v, float *__restrict__ out,
                                 int64_t n, int64_t c, int64_t h, int64_t w, int64_t patch) {
    const int64_t hw = h * w, pp = patch * patch, r = patch / 2, total = n * c * hw;
    for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
         e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t x = e % w, y = (e / w) % h, b = e / (hw * c);
        const float *ap = attn + b * pp * hw + y * w + x;
        const float *vp = v + (e - y * w - x); // channel (b, ch) plane
        // Only the window rows/columns inside the map contribute.
        const int64_t i0 = max64(0, r - y), i1 = min64(patch, h - y + r);
        const int64_t j0 = max64(0, r - x), j1 = min64(patch, w - x + r);
        float s = 0.f;
        for (int64_t i = i0; i < i1; i++)
            for (int64_t j = j0; j < j1; j++) s = fmaf(ap[(i * patch + j) * hw], vp[(y + i - r) * w + x + j - r], s);
        out[e] = s;
    }
}

unsigned blocks_for(int64_t total) {
    const int64_t b = (total + kThreads - 1) / kThreads;
    return static_cast<unsigned>(b < (1 << 20) ? b : (1 << 20)); // the grid-stride loops cover the rest
}

const char *launched() {
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

} // namespace

const char *spatial_correlation(const float *q, const float *k, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                                int64_t patch, void *stream) {
    const int64_t total = n * patch * patch * h * w;
    if (total == 0) return nullptr;
    correlation_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(q, k, out, n, c, h, w, patch);
    return launched();
}

const char *spatial_aggregate(const float *attn, const float *v, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                              int64_t patch, void *stream) {
    const int64_t total = n * c * h * w;
    if (total == 0) return nullptr;
    aggregate_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(attn, v, out, n, c, h, w, patch);
    return launched();
}

} // namespace inp::cuda
