// CUDA sampled columns of ops/deform_conv.cpp's modulated deformable convolution (mmcv's
// modulated_deform_conv2d semantics, see ops/deform_conv.h), im2col style: one thread per column
// entry (input channel, tap, output pixel), pixel fastest, so a warp reads consecutive offsets
// and mask values and writes one coalesced run of a column row; the bilinear corners are
// gathered through the read-only cache. The GEMM with the weight is cuBLAS, in the .cpp.
#include <cuda_runtime.h>

#include "ops/cuda/kernels.h"

namespace inp::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void deform_columns_kernel(const float *__restrict__ in, const float *__restrict__ offset, const float *__restrict__ mask,
                                      float *__restrict__ cols, DeformGeometry g, int64_t p0, int64_t np) {
    const int64_t taps = g.kh * g.kw, pixels = g.ho * g.wo, cdg = g.c / g.deform_groups, total = g.c * taps * np;
    for (int64_t e = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; e < total;
         e += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t t = e % np, row = e / np, k = row % taps, ch = row / taps;
        const int64_t p = p0 + t, oy = p / g.wo, ox = p % g.wo, dgi = ch / cdg;
        const int64_t tap_off = (dgi * 2 * taps + 2 * k) * pixels + p;
        const float dy = __ldg(offset + tap_off), dx = __ldg(offset + tap_off + pixels);
        const float m = __ldg(mask + (dgi * taps + k) * pixels + p);
        // (integer base + tap) is exact in float, so adding the offset rounds once, as in mmcv.
        const float y = static_cast<float>(oy * g.stride_h - g.pad_h + (k / g.kw) * g.dil_h) + dy;
        const float x = static_cast<float>(ox * g.stride_w - g.pad_w + (k % g.kw) * g.dil_w) + dx;
        float v = 0.f;
        if (y > -1.f && x > -1.f && y < static_cast<float>(g.h) && x < static_cast<float>(g.w)) { // false for NaN
            const float yf = floorf(y), xf = floorf(x);
            const int64_t y0 = static_cast<int64_t>(yf), x0 = static_cast<int64_t>(xf);
            const float ly = y - yf, lx = x - xf, hy = 1.f - ly, hx = 1.f - lx;
            const float *plane = in + ch * g.h * g.w;
            const bool top = y0 >= 0, bottom = y0 + 1 <= g.h - 1, left = x0 >= 0, right = x0 + 1 <= g.w - 1;
            const float v00 = top && left ? __ldg(plane + y0 * g.w + x0) : 0.f;
            const float v01 = top && right ? __ldg(plane + y0 * g.w + x0 + 1) : 0.f;
            const float v10 = bottom && left ? __ldg(plane + (y0 + 1) * g.w + x0) : 0.f;
            const float v11 = bottom && right ? __ldg(plane + (y0 + 1) * g.w + x0 + 1) : 0.f;
            // mmcv's order: the bilinear sum, then the mask.
            v = (hy * hx * v00 + hy * lx * v01 + ly * hx * v10 + ly * lx * v11) * m;
        }
        cols[e] = v;
    }
}

unsigned blocks_for(int64_t total) {
    const int64_t b = (total + kThreads - 1) / kThreads;
    return static_cast<unsigned>(b < (1 << 20) ? b : (1 << 20)); // the grid-stride loop covers the rest
}

} // namespace

const char *deform_columns(const float *in, const float *offset, const float *mask, float *cols, const DeformGeometry &g,
                           int64_t p0, int64_t np, void *stream) {
    const int64_t total = g.c * g.kh * g.kw * np;
    if (total == 0) return nullptr;
    deform_columns_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(in, offset, mask, cols, g, p0, np);
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

} // namespace inp::cuda
