#include "runtime/nn.h"

#include <ATen/Context.h>
#include <ATen/ops/addmm.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/gelu.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/mkldnn_convolution.h>
#include <ATen/ops/mm.h>
#include <ATen/ops/sqrt.h>

#include <cstdlib>
#include <cstring>

namespace inp::nn {

namespace {

// Below about a million multiply-adds oneDNN's per-call setup outweighs its faster kernel.
constexpr int64_t kOneDnnMinMacs = int64_t{1} << 20;

bool onednn_available() {
    static const bool available = [] {
        const char *choice = std::getenv("INPAINTERZ_CPU_GEMM");
        return at::hasMKLDNN() && !(choice != nullptr && std::strcmp(choice, "blas") == 0);
    }();
    return available;
}

thread_local bool bf16_products = false;

bool use_onednn(const at::Tensor &a, const at::Tensor &b) {
    return a.dim() == 2 && b.dim() == 2 && a.is_cpu() && b.is_cpu() && a.scalar_type() == at::kFloat && b.scalar_type() == at::kFloat &&
           a.size(0) * a.size(1) * b.size(0) >= kOneDnnMinMacs && onednn_available();
}

// a [M, K] @ bt [N, K]^T as oneDNN's 1x1 convolution: a row-major is a channels-last [1, K, M, 1]
// image, bt the [N, K, 1, 1] filter, and the channels-last [1, N, M, 1] result is c row-major.
at::Tensor onednn_matmul_bt(const at::Tensor &a, const at::Tensor &bt, const at::Tensor &bias) {
    const int64_t m = a.size(0), k = a.size(1), n = bt.size(0);
    const auto operand = [](const at::Tensor &t) { return bf16_products ? t.to(at::kBFloat16) : t; };
    const at::Tensor image = operand(a.contiguous()).view({1, m, 1, k}).permute({0, 3, 1, 2});
    const at::Tensor filter = operand(bt.contiguous()).view({n, k, 1, 1});
    const std::optional<at::Tensor> b = bias.defined() ? std::optional<at::Tensor>(operand(bias)) : std::nullopt;
    const at::Tensor c = at::mkldnn_convolution(image, filter, b, {0, 0}, {1, 1}, {1, 1}, 1);
    return c.permute({0, 2, 3, 1}).reshape({m, n}).to(at::kFloat);
}

} // namespace

Bf16Products::Bf16Products(bool enable) : previous_(bf16_products) { bf16_products = previous_ || enable; }
Bf16Products::~Bf16Products() { bf16_products = previous_; }

at::Tensor matmul(const at::Tensor &a, const at::Tensor &b) {
    // libtorch's own check and wording, before either path (oneDNN's would be a reshape error).
    TORCH_CHECK(a.dim() != 2 || b.dim() != 2 || a.size(1) == b.size(0), "mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x",
                a.size(1), " and ", b.size(0), "x", b.size(1), ")");
    if (use_onednn(a, b.t())) return onednn_matmul_bt(a, b.t(), {});
    return at::mm(a, b);
}

at::Tensor matmul_bt(const at::Tensor &a, const at::Tensor &bt, const at::Tensor &bias) {
    TORCH_CHECK(a.dim() != 2 || bt.dim() != 2 || a.size(1) == bt.size(1), "mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x",
                a.size(1), " and ", bt.size(1), "x", bt.size(0), ")");
    if (use_onednn(a, bt)) return onednn_matmul_bt(a, bt, bias);
    return bias.defined() ? at::addmm(bias, a, bt.t()) : at::mm(a, bt.t());
}

at::Tensor Linear::operator()(const at::Tensor &x) const {
    if (x.dim() == 2) return matmul_bt(x, weight, bias);
    std::vector<int64_t> out_shape = x.sizes().vec();
    out_shape.back() = weight.size(0);
    return matmul_bt(x.reshape({-1, x.size(-1)}), weight, bias).view(out_shape);
}

Linear linear(Weights &w, const std::string &prefix, int64_t in, int64_t out, bool has_bias) {
    Linear l;
    l.weight = w.take(prefix + ".weight", {out, in});
    if (has_bias) l.bias = w.take(prefix + ".bias", {out});
    return l;
}

at::Tensor Norm::last_dim(const at::Tensor &x) const { return at::layer_norm(x, {weight.size(0)}, weight, bias, eps); }

at::Tensor Norm::channels(const at::Tensor &x) const {
    const at::Tensor u = x.mean(1, true);
    const at::Tensor d = x - u;
    const at::Tensor s = (d * d).mean(1, true);
    const at::Tensor y = d / at::sqrt(s + eps);
    return weight.view({1, -1, 1, 1}) * y + bias.view({1, -1, 1, 1});
}

Norm norm(Weights &w, const std::string &prefix, int64_t dim, double eps) {
    return Norm{w.take(prefix + ".weight", {dim}), w.take(prefix + ".bias", {dim}), eps};
}

at::Tensor Conv2d::operator()(const at::Tensor &x) const { return at::conv2d(x, weight, bias, stride, padding, dilation, groups); }

Conv2d conv2d(Weights &w, const std::string &prefix, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool has_bias) {
    Conv2d c;
    c.weight = w.take(prefix + ".weight", {out, in, kernel, kernel});
    if (has_bias) c.bias = w.take(prefix + ".bias", {out});
    c.stride = stride;
    c.padding = padding;
    return c;
}

at::Tensor gelu(const at::Tensor &x) { return at::gelu(x); }

} // namespace inp::nn
