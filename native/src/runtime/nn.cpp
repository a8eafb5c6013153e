#include "runtime/nn.h"

#include <ATen/ops/conv2d.h>
#include <ATen/ops/gelu.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/sqrt.h>

namespace inp::nn {

at::Tensor Linear::operator()(const at::Tensor &x) const { return at::linear(x, weight, bias); }

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
