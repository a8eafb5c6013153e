// Small functional building blocks shared by the model ports (ATen ops on loaded weights).
// Models are written as plain structs of tensors instead of torch::nn modules: the keys still
// mirror upstream one to one (through Weights), but each translation unit compiles against
// per-operator ATen headers in seconds instead of <torch/torch.h>'s half a minute.
#pragma once

#include <ATen/TensorOperators.h>
#include <ATen/core/Tensor.h>

#include <string>

#include "runtime/weights.h"

namespace inp::nn {

struct Linear {
    at::Tensor weight, bias; // bias may be undefined
    at::Tensor operator()(const at::Tensor &x) const;
};
// `prefix`.weight [out, in] and `prefix`.bias [out] (when has_bias).
Linear linear(Weights &w, const std::string &prefix, int64_t in, int64_t out, bool has_bias = true);

struct Norm { // LayerNorm over the last dim, or LayerNorm2d over channels (dim 1) of NCHW
    at::Tensor weight, bias;
    double eps;
    at::Tensor last_dim(const at::Tensor &x) const;
    at::Tensor channels(const at::Tensor &x) const; // upstream LayerNorm2d: mean/biased var over C
};
Norm norm(Weights &w, const std::string &prefix, int64_t dim, double eps);

struct Conv2d {
    at::Tensor weight, bias; // bias may be undefined
    int64_t stride = 1, padding = 0, dilation = 1, groups = 1;
    at::Tensor operator()(const at::Tensor &x) const;
};
Conv2d conv2d(Weights &w, const std::string &prefix, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool has_bias);

at::Tensor gelu(const at::Tensor &x); // exact (erf) form, as torch.nn.GELU()

} // namespace inp::nn
