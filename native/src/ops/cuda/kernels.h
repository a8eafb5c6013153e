// Raw-pointer CUDA kernels. Torch headers stay out of .cu files (nvcc here cannot compile
// libtorch's C++20 headers); the ATen wrappers that call these live in .cpp files.
#pragma once

#include <cstdint>

namespace inp::cuda {

// One 3x3-cross dilation step of an [h, w] uint8 mask on `stream` (a cudaStream_t).
// Returns nullptr on success, else the CUDA error text.
const char *dilate_cross_step(const uint8_t *src, uint8_t *dst, int64_t h, int64_t w, void *stream);

} // namespace inp::cuda
