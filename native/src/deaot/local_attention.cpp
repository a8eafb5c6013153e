// aot-benchmark networks/layers/attention.py LocalGatedPropagation.forward (use_linear=False,
// use_dis=False, eval). Upstream's sampler call and its dense local2global matrix product
// become ops::spatial_correlation and ops::spatial_aggregate (same sums, O(h w P^2) memory
// instead of O((h w)^2)).
#include "deaot/local_attention.h"

#include <ATen/ops/arange.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/softmax.h>
#include <c10/util/StringUtil.h>

#include <cmath>

#include "ops/correlation.h"
#include "runtime/error.h"

namespace inp::deaot {

namespace {

std::string sizes(const at::Tensor &t) { return c10::str(t.sizes()); }

[[noreturn]] void bad_input(const std::string &what) { fail(INP_ERR_INVALID_ARGUMENT, "DeAOT local attention: " + what); }

// 1 at window positions (i, j) whose pixel (y + i - r, x + j - r) lies outside the map:
// [1, 1, P * P, h * w], upstream's qk_mask (1 - unfold of a zero-padded map of ones).
at::Tensor outside_window(int64_t patch, int64_t h, int64_t w, const at::TensorOptions &options) {
    const int64_t r = patch / 2;
    const at::TensorOptions longs = options.dtype(at::kLong);
    const at::Tensor off = at::arange(patch, longs).sub_(r);
    const at::Tensor ys = at::arange(h, longs).view({1, h}) + off.view({patch, 1}); // [P, h]
    const at::Tensor xs = at::arange(w, longs).view({1, w}) + off.view({patch, 1}); // [P, w]
    const at::Tensor row_in = ys.ge(0).logical_and(ys.lt(h)).view({patch, 1, h, 1});
    const at::Tensor col_in = xs.ge(0).logical_and(xs.lt(w)).view({1, patch, 1, w});
    return row_in.logical_and(col_in).logical_not().reshape({1, 1, patch * patch, h * w}).to(options.dtype());
}

} // namespace

LocalGatedPropagation load_local_gated_propagation(Weights &w, const std::string &prefix, int64_t heads, int64_t d_att, int64_t max_dis) {
    if (heads < 1 || d_att < 1 || max_dis < 0)
        fail(INP_ERR_INVALID_ARGUMENT, "DeAOT local attention: heads and d_att must be >= 1 and max_dis >= 0, got " + std::to_string(heads) +
                                           ", " + std::to_string(d_att) + ", " + std::to_string(max_dis));
    LocalGatedPropagation m;
    m.heads = heads;
    m.d_att = d_att;
    m.max_dis = max_dis;
    const int64_t window = (2 * max_dis + 1) * (2 * max_dis + 1);
    m.relative_emb_k.weight = w.take(prefix + ".relative_emb_k.weight", {heads * window, d_att, 1, 1});
    m.relative_emb_k.bias = w.take(prefix + ".relative_emb_k.bias", {heads * window});
    const std::string dw_key = prefix + ".dw_conv.conv.weight";
    const std::vector<int64_t> dw = w.shape_of(dw_key);
    if (dw.size() != 4 || dw[1] != 1 || dw[2] != dw[3] || dw[2] % 2 == 0 || dw[0] % heads != 0)
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(w.path()) + ": tensor " + in_quotes(dw_key) + " has shape " + shape_string(dw) +
                                     ", expected a depthwise [C, 1, k, k] with k odd and C a multiple of " + std::to_string(heads) + " heads");
    m.dw_conv.conv.weight = w.take(dw_key, dw);
    const std::string proj_key = prefix + ".projection.weight";
    const std::vector<int64_t> proj = w.shape_of(proj_key);
    if (proj.size() != 2)
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(w.path()) + ": tensor " + in_quotes(proj_key) + " has shape " + shape_string(proj) +
                                     ", expected [out, " + std::to_string(dw[0]) + "]");
    m.projection = nn::linear(w, prefix + ".projection", dw[0], proj[0]);
    return m;
}

at::Tensor local_gated_propagation(const LocalGatedPropagation &m, const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                                   const at::Tensor &u, at::Tensor *local_attn) {
    if (m.dilation != 1) bad_input("dilation " + std::to_string(m.dilation) + " is not supported (upstream's local2global assumes 1)");
    const int64_t heads = m.heads, d_att = m.d_att, patch = 2 * m.max_dis + 1, window = patch * patch;
    const at::Tensor &dw = m.dw_conv.conv.weight;
    if (heads < 1 || d_att < 1 || m.max_dis < 0 || !dw.defined() || dw.dim() != 4 || dw.size(0) % heads != 0 ||
        !m.relative_emb_k.weight.defined() || m.relative_emb_k.weight.sizes() != at::IntArrayRef({heads * window, d_att, 1, 1}))
        bad_input("weights do not fit heads " + std::to_string(heads) + ", d_att " + std::to_string(d_att) + ", max_dis " +
                  std::to_string(m.max_dis) + " (relative_emb_k.weight must be [heads * P * P, d_att, 1, 1], dw_conv.conv.weight [C, 1, k, k])");
    if (!q.defined() || !k.defined() || !v.defined() || !u.defined()) bad_input("q, k, v and u must be defined tensors");
    const int64_t c = dw.size(0);
    if (v.dim() != 4 || v.size(1) != c) bad_input("v must be [n, " + std::to_string(c) + ", h, w], got " + sizes(v));
    const int64_t n = v.size(0), h = v.size(2), w = v.size(3), hw = h * w;
    const std::vector<int64_t> qk_shape = {n, heads * d_att, h, w};
    if (q.sizes() != at::IntArrayRef(qk_shape) || k.sizes() != at::IntArrayRef(qk_shape))
        bad_input("q and k must be " + c10::str(at::IntArrayRef(qk_shape)) + " for v " + sizes(v) + ", got " + sizes(q) + " and " + sizes(k));
    if (u.sizes() != at::IntArrayRef({hw, n, c}))
        bad_input("u must be [" + std::to_string(hw) + ", " + std::to_string(n) + ", " + std::to_string(c) + "] (h * w, n, C), got " + sizes(u));

    const int64_t one = 1, zero = 0; // lvalues: a literal 0 would also match conv2d's string padding overload
    // Relative position term from the unscaled query; the correlation takes q / sqrt(d_att).
    const at::Tensor relative_emb = at::conv2d(q, m.relative_emb_k.weight, m.relative_emb_k.bias, one, zero, one, heads).view({n, heads, window, hw});
    const at::Tensor qs = (q / std::sqrt(static_cast<double>(d_att))).reshape({n * heads, d_att, h, w});
    at::Tensor qk = ops::spatial_correlation(qs, k.reshape({n * heads, d_att, h, w}), patch).view({n, heads, window, hw});
    qk = qk + relative_emb;
    // Upstream subtracts 1e8 (1e4 when not float32) where the window leaves the map: those
    // weights are exactly 0 after the softmax, since the centre is always inside.
    qk = qk - outside_window(patch, h, w, qk.options()) * (qk.scalar_type() == at::kFloat ? 1e8 : 1e4);
    const at::Tensor attn = at::softmax(qk, 2);
    if (local_attn != nullptr) *local_attn = attn;

    const at::Tensor agg = ops::spatial_aggregate(attn.view({n * heads, window, h, w}), v.reshape({n * heads, c / heads, h, w}), patch);
    // [hw, n, c] with channel = head * (c / heads) + d, as upstream's permute(2, 0, 1, 3). Made
    // contiguous before the gate: a product of transposed operands is several times slower.
    const at::Tensor gated = agg.view({n, c, h, w}).permute({2, 3, 0, 1}).reshape({hw, n, c}) * u;

    // DWConv2d over the h x w grid, then the projection (Dropout2d inactive in eval). The grid is
    // [hw, n, c] memory, i.e. channels-last: handed to the convolution as such (a third of the
    // NCHW time for a depthwise 5x5) and read back as [hw, n, c] without a copy for n = 1.
    const at::Tensor grid = gated.view({h, w, n, c}).permute({2, 3, 0, 1}).contiguous(at::MemoryFormat::ChannelsLast);
    const at::Tensor conv = at::conv2d(grid, dw, std::nullopt, one, dw.size(2) / 2, one, c);
    return m.projection(conv.permute({2, 3, 0, 1}).reshape({hw, n, c}));
}

} // namespace inp::deaot
