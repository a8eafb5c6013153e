// Raw-pointer CUDA kernels. Torch headers stay out of .cu files (nvcc here cannot compile
// libtorch's C++20 headers); the ATen wrappers that call these live in .cpp files.
#pragma once

#include <cstdint>

namespace inp::cuda {

// One 3x3-cross dilation step of an [h, w] uint8 mask on `stream` (a cudaStream_t).
// Returns nullptr on success, else the CUDA error text.
const char *dilate_cross_step(const uint8_t *src, uint8_t *dst, int64_t h, int64_t w, void *stream);

// ops/correlation.h on contiguous float32 NCHW maps, on `stream`; patch odd. Every output element
// is written. Return nullptr on success, else the CUDA error text.
// q, k [n, c, h, w] -> out [n, patch * patch, h, w]
const char *spatial_correlation(const float *q, const float *k, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                                int64_t patch, void *stream);
// attn [n, patch * patch, h, w], v [n, c, h, w] -> out [n, c, h, w]
const char *spatial_aggregate(const float *attn, const float *v, float *out, int64_t n, int64_t c, int64_t h, int64_t w,
                              int64_t patch, void *stream);

// Geometry of ops/deform_conv.h's modulated deformable convolution (validated by the caller).
struct DeformGeometry {
    int64_t c, h, w;        // input channels and size
    int64_t ho, wo;         // output size
    int64_t kh, kw;         // kernel
    int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
    int64_t deform_groups;  // divides c
};

// The modulated sampled columns of one batch item for output pixels p0 .. p0 + np - 1 (flat
// index ho * wo_size + wo), on `stream`: cols [c * kh * kw, np], row ch * kh * kw + (i * kw + j),
// every element written. in [c, h, w], offset [deform_groups * 2 * kh * kw, ho * wo],
// mask [deform_groups * kh * kw, ho * wo], all contiguous float32 on the device. Returns nullptr
// on success, else the CUDA error text.
const char *deform_columns(const float *in, const float *offset, const float *mask, float *cols, const DeformGeometry &g,
                           int64_t p0, int64_t np, void *stream);

} // namespace inp::cuda
