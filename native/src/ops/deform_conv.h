// Modulated deformable convolution (DCNv2) forward, as mmcv's modulated_deform_conv2d computes it
// (E2FGVI's SecondOrderDeformableAlignment is an mmcv ModulatedDeformConv2d). Semantics, from
// the E2FGVI fixture README ("mmcv shim"):
//   Ho = (H + 2 pad_h - (dil_h (kh - 1) + 1)) / stride_h + 1, Wo likewise;
//   tap k = i * kw + j of deform group g reads offset channel g*2*kh*kw + 2k (dy, rows) and
//   + 1 (dx, columns) and mask channel g*kh*kw + k; input channel c belongs to deform group
//   c / (C_in / deform_groups);
//   y = ho * stride_h - pad_h + i * dil_h + dy, x = wo * stride_w - pad_w + j * dil_w + dx; the
//   sample is 0 if y <= -1, y >= H, x <= -1 or x >= W, else bilinear from (floor y, floor x)
//   with each of the 4 corners read as 0 outside the image; it is multiplied by the mask;
//   out[n, o] = bias[o] + sum over the input channels c of o's weight group (o / (C_out/groups)),
//   i and j of weight[o, c, i, j] * mask * sample.
//
// Shapes: input [N, C_in, H, W], offset [N, DG*2*kh*kw, Ho, Wo], mask [N, DG*kh*kw, Ho, Wo],
// weight [C_out, C_in/groups, kh, kw], bias [C_out] or an undefined tensor -> [N, C_out, Ho, Wo].
// Ho and Wo must be >= 1; N may be 0.
//
// float32 compute. bfloat16 and float16 tensors (all arguments of one dtype) are computed in
// float32 and the result is returned in their dtype. Any strides. The tensors must be on one
// device: CPU, or CUDA in a CUDA build (there, columns and GEMM run on the current stream;
// the GEMM is cuBLAS through at::mm, so torch's allow_tf32 setting applies to it).
// Bad shapes, dtypes, devices or parameters throw inp::Error(INP_ERR_INVALID_ARGUMENT) with a
// message naming the argument and the shapes; a CUDA tensor in a CPU-only build throws
// INP_ERR_UNSUPPORTED.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace inp::ops {

// The engine's kernel: CPU (vectorised sampled columns + one GEMM per weight group and chunk
// of output pixels) or CUDA (an im2col-style column kernel + cuBLAS).
at::Tensor modulated_deform_conv2d(const at::Tensor &input, const at::Tensor &offset, const at::Tensor &mask,
                                   const at::Tensor &weight, const at::Tensor &bias, int64_t stride_h, int64_t stride_w,
                                   int64_t pad_h, int64_t pad_w, int64_t dil_h, int64_t dil_w, int64_t groups,
                                   int64_t deform_groups);

// The same numbers from plain ATen ops: the sampled columns [N, C_in, kh*kw, Ho*Wo] built with
// at::gather of the four corners (mmcv's order of operations: bilinear sum, then the mask), then
// one at::mm per batch item and weight group. Slow and memory-hungry (several column-sized
// temporaries); a test oracle and the benchmarks' reference im2col implementation. Same
// arguments, checks and devices as modulated_deform_conv2d.
at::Tensor modulated_deform_conv2d_reference(const at::Tensor &input, const at::Tensor &offset, const at::Tensor &mask,
                                             const at::Tensor &weight, const at::Tensor &bias, int64_t stride_h,
                                             int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dil_h, int64_t dil_w,
                                             int64_t groups, int64_t deform_groups);

namespace deform_conv_testing {
// Which CPU column loops modulated_deform_conv2d runs: "auto" (the widest this CPU has, the
// default), "baseline" (SSE2 on x86-64), "avx2" (AVX2 + FMA) or "avx512" (AVX-512 F/VL/DQ/BW).
// Returns false, changing nothing, for a name this CPU or build lacks. Process-wide; for tests
// that cover every variant on one machine.
bool use_isa(const std::string &isa);
} // namespace deform_conv_testing

} // namespace inp::ops
