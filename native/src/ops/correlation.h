// Local-window correlation and its aggregation twin, the two halves of DeAOT's short-term attention.
// spatial_correlation is ClementPinard/Pytorch-Correlation-extension's SpatialCorrelationSampler
// (Correlation_Module/correlation.cpp, MIT) as aot-benchmark calls it: kernel_size 1, stride 1,
// padding 0, dilation 1, dilation_patch 1. spatial_aggregate replaces aot-benchmark's
// LocalGatedPropagation.local2global (a dense [h*w, h*w] matrix product) with the same sums.
//
// Both take float32 (bfloat16 and float16 are computed in float32 and returned in their dtype),
// any N, C, H, W (maps smaller than the window too) and any strides, run on the inputs' device
// (CPU, or CUDA in a CUDA build) and throw inp::Error(INP_ERR_INVALID_ARGUMENT) on bad shapes,
// dtypes or devices. The window side `patch` must be odd; r = patch / 2 and window position
// p = i * patch + j is the offset (i - r, j - r).
#pragma once

#include <ATen/core/Tensor.h>

namespace inp::ops {

// q, k [N, C, H, W] -> [N, patch * patch, H, W]:
//   out[n, i * patch + j, y, x] = sum_c q[n, c, y, x] * k[n, c, y + i - r, x + j - r],
// 0 where (y + i - r, x + j - r) lies outside the map.
at::Tensor spatial_correlation(const at::Tensor &q, const at::Tensor &k, int64_t patch);

// attn [N, patch * patch, H, W], v [N, C, H, W] -> [N, C, H, W]:
//   out[n, c, y, x] = sum over in-map window positions p = (i, j) of
//                     attn[n, p, y, x] * v[n, c, y + i - r, x + j - r];
// attn at out-of-map positions is ignored.
at::Tensor spatial_aggregate(const at::Tensor &attn, const at::Tensor &v, int64_t patch);

} // namespace inp::ops
