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

// Matrix products for the model ports. On the CPU in float32, products big enough to matter go
// through oneDNN (libtorch's bundled copy, reached through its 1x1 convolution) instead of
// libtorch's BLAS: MKL runs AVX2 kernels on AMD CPUs, half of oneDNN's AVX-512 rate there
// (measured on Zen 5: 80 vs 170 GFLOP/s a core), and oneDNN is MKL's equal on Intel. Elsewhere
// (CUDA, other dtypes, small products) they are libtorch's own ops. INPAINTERZ_CPU_GEMM=blas in
// the environment keeps libtorch's BLAS everywhere (to compare the two).
at::Tensor matmul(const at::Tensor &a, const at::Tensor &b);                          // a [M, K] @ b [K, N]
at::Tensor matmul_bt(const at::Tensor &a, const at::Tensor &bt, const at::Tensor &bias = {}); // a [M, K] @ bt[N, K]^T (+ bias [N])

// While one lives, the CPU float32 products above that go through oneDNN run in bfloat16 on this
// thread: operands and result rounded to bf16, float32 accumulation inside (AVX512-BF16 doubles
// the rate). DeAOT's opt-in bf16 path; scopes nest.
class Bf16Products {
public:
    explicit Bf16Products(bool enable);
    ~Bf16Products();
    Bf16Products(const Bf16Products &) = delete;
    Bf16Products &operator=(const Bf16Products &) = delete;

private:
    bool previous_;
};

struct Linear {
    at::Tensor weight, bias; // bias may be undefined
    at::Tensor operator()(const at::Tensor &x) const; // x [..., in] -> [..., out], through matmul_bt
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
