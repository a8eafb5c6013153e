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

} // namespace inp::cuda
