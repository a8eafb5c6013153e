// Tests of DeAOT's local-window ops (ops/correlation.h) and short-term attention
// (deaot/local_attention.h):
//   fixture_*   parity with aot-benchmark's LocalGatedPropagation (deaot/deaott/local_attn),
//   oracle_*    both ops against pure-ATen oracles (zero padding + im2col, upstream's fallback
//               path, itself checked against explicit loops) on random inputs,
//   mutation_*  the oracle comparison fails for a window shifted by one or transposed,
//   errors_*    bad input is refused with INP_ERR_INVALID_ARGUMENT,
//   loader_*    the fixture checkpoint's short-term attention loads and runs at DeAOT's width,
//   npy_reader  the test's .npy reader on uint8, int64 and a truncated file,
//   bf16_*      the opt-in bf16 path (nn::Bf16Products) against float32 on each fixture clip,
//               teacher-forced: labels agree on at least 99.5 % of pixels, and do differ,
//   cuda_*      in a CUDA build on a GPU: the CUDA kernels against the CPU ones, the fixture.
// Usage: test_deaot_ops [PARITY_DIR] [--bench]. $INPAINTERZ_PARITY_DIR wins over PARITY_DIR; a
// missing folder or file is a failure, never a skip. --bench prints CPU timings.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/equal.h>
#include <ATen/ops/im2col.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/zeros.h>
#include <c10/util/StringUtil.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <utility>
#include <unistd.h>
#include <vector>

#include "deaot/local_attention.h"
#include "deaot/session.h"
#include "check.h"
#include "npy.h"
#include "ops/correlation.h"
#include "runtime/checkpoint.h"
#include "runtime/error.h"
#include "runtime/run.h"
#include "runtime/weights.h"

using inp::test::read_npy;

namespace {

using namespace inp::test; // failures, fail_test, expect, num, max_abs_diff, expect_close

// Random inputs of magnitude ~1: float32 rounding of sums of up to 225 * 1024 terms stays below
// ~1e-6 of the largest result; the tolerance is 4e-6 of it (at least 4e-6), while a wrong window
// index moves entries by O(1).
constexpr double kRandomRtol = 4e-6;
// case.json -> tolerances -> local_attn -> atol.
constexpr double kFixtureAtol = 1e-5;


void expect_near(const std::string &name, const at::Tensor &got, const at::Tensor &want) {
    const double scale = want.numel() ? std::max(1.0, want.abs().max().item<double>()) : 1.0;
    expect_close(name, got, want, kRandomRtol * scale);
}

// Runs one named test; an exception (a missing fixture file, say) fails it.
void run(const std::string &name, const std::function<void()> &body) {
    const int before = failures;
    try {
        body();
    } catch (const std::exception &e) {
        fail_test(name + ": " + e.what());
    }
    std::printf("%s %s\n", failures == before ? "PASS" : "FAIL", name.c_str());
}

// x [N, C, H, W] -> [N, C, P * P, H, W]: entry i * P + j is x at (y + i - r + dy, x + j - r + dx),
// 0 outside the map. dy = dx = 0 is the sampler's window; other shifts are mutations.
at::Tensor unfold_window(const at::Tensor &x, int64_t patch, int64_t dy = 0, int64_t dx = 0) {
    const int64_t r = patch / 2, n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const at::Tensor padded = at::constant_pad_nd(x, {r - dx, r + dx, r - dy, r + dy}, 0);
    return at::im2col(padded, {patch, patch}, {1, 1}, {0, 0}, {1, 1}).view({n, c, patch * patch, h, w});
}

// Upstream's fallback (pad_and_unfold, then multiply and sum over channels).
at::Tensor oracle_correlation(const at::Tensor &q, const at::Tensor &k, int64_t patch, int64_t dy = 0, int64_t dx = 0) {
    return (q.unsqueeze(2) * unfold_window(k, patch, dy, dx)).sum(1);
}

at::Tensor oracle_aggregate(const at::Tensor &attn, const at::Tensor &v, int64_t patch, int64_t dy = 0, int64_t dx = 0) {
    return (unfold_window(v, patch, dy, dx) * attn.unsqueeze(1)).sum(2);
}

// The definitions written out as loops (double accumulation), to check the oracles themselves.
at::Tensor loop_correlation(const at::Tensor &q_in, const at::Tensor &k_in, int64_t patch) {
    const at::Tensor q = q_in.to(at::kDouble).contiguous(), k = k_in.to(at::kDouble).contiguous();
    const int64_t n = q.size(0), c = q.size(1), h = q.size(2), w = q.size(3), r = patch / 2;
    at::Tensor out = at::zeros({n, patch * patch, h, w}, q.options());
    auto qa = q.accessor<double, 4>(), ka = k.accessor<double, 4>();
    auto oa = out.accessor<double, 4>();
    for (int64_t b = 0; b < n; b++)
        for (int64_t i = 0; i < patch; i++)
            for (int64_t j = 0; j < patch; j++)
                for (int64_t y = 0; y < h; y++)
                    for (int64_t x = 0; x < w; x++) {
                        const int64_t yy = y + i - r, xx = x + j - r;
                        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                        double s = 0;
                        for (int64_t ch = 0; ch < c; ch++) s += qa[b][ch][y][x] * ka[b][ch][yy][xx];
                        oa[b][i * patch + j][y][x] = s;
                    }
    return out;
}

at::Tensor loop_aggregate(const at::Tensor &attn_in, const at::Tensor &v_in, int64_t patch) {
    const at::Tensor a = attn_in.to(at::kDouble).contiguous(), v = v_in.to(at::kDouble).contiguous();
    const int64_t n = v.size(0), c = v.size(1), h = v.size(2), w = v.size(3), r = patch / 2;
    at::Tensor out = at::zeros({n, c, h, w}, v.options());
    auto aa = a.accessor<double, 4>(), va = v.accessor<double, 4>();
    auto oa = out.accessor<double, 4>();
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t y = 0; y < h; y++)
                for (int64_t x = 0; x < w; x++) {
                    double s = 0;
                    for (int64_t i = 0; i < patch; i++)
                        for (int64_t j = 0; j < patch; j++) {
                            const int64_t yy = y + i - r, xx = x + j - r;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += aa[b][i * patch + j][y][x] * va[b][ch][yy][xx];
                        }
                    oa[b][ch][y][x] = s;
                }
    return out;
}

struct Shape {
    int64_t n, c, h, w, patch;
    std::string str() const {
        return std::to_string(n) + "x" + std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w) + " patch " + std::to_string(patch);
    }
};

// 1x128x30x54 is DeAOT's 1/16 grid of an 854x480 video (481x849 network input); 10x14 the
// fixture clip's; the others: maps smaller than the window, N > 1, C off the vector width.
const std::vector<Shape> kShapes = {
    {1, 128, 30, 54, 15}, {1, 1024, 10, 14, 15}, {2, 20, 5, 4, 15}, {1, 3, 1, 1, 15}, {2, 17, 9, 11, 15},
    {1, 16, 12, 17, 15},  {3, 1, 6, 7, 3},       {1, 33, 8, 8, 1},  {1, 5, 20, 3, 5},  {2, 48, 16, 16, 7},
};

void fixture_case(const std::string &parity, const std::string &c) {
    const std::string dir = parity + "/deaot/deaott/local_attn/" + c + "_";
    auto npy = [&](const std::string &name) { return read_npy(dir + name + ".npy"); };
    const at::Tensor q = npy("q"), k = npy("k"), v = npy("v"), u = npy("u");
    inp::deaot::LocalGatedPropagation m;
    m.relative_emb_k.weight = npy("relative_emb_k_weight");
    m.relative_emb_k.bias = npy("relative_emb_k_bias");
    m.dw_conv.conv.weight = npy("dw_conv_weight");
    m.projection = {npy("projection_weight"), npy("projection_bias")};
    m.heads = 1;
    m.d_att = q.size(1);
    m.max_dis = 7;
    at::Tensor attn;
    const at::Tensor out = inp::deaot::local_gated_propagation(m, q, k, v, u, &attn);
    expect_close(c + "_out", out, npy("out"), kFixtureAtol);
    expect_close(c + "_local_attn", attn, npy("local_attn"), kFixtureAtol);
    // Without an attention map asked for, the same output.
    expect(at::equal(inp::deaot::local_gated_propagation(m, q, k, v, u), out), c + ": output depends on whether local_attn is asked for");
    if (c == "a") {
        // The sampler's output as upstream calls it: sampler(q / sqrt(d_att), k), [1, 15, 15, h, w].
        const at::Tensor corr = npy("corr");
        const at::Tensor got = inp::ops::spatial_correlation(q / std::sqrt(static_cast<double>(m.d_att)), k, 15);
        expect_close("a_corr", got.view(corr.sizes()), corr, kFixtureAtol);
    }
}

void oracle_checks() {
    for (const Shape &s : kShapes) {
        const int64_t pp = s.patch * s.patch;
        const at::Tensor q = at::randn({s.n, s.c, s.h, s.w}), k = at::randn({s.n, s.c, s.h, s.w});
        const at::Tensor attn = at::randn({s.n, pp, s.h, s.w}), v = at::randn({s.n, s.c, s.h, s.w});
        const at::Tensor corr = inp::ops::spatial_correlation(q, k, s.patch);
        const at::Tensor agg = inp::ops::spatial_aggregate(attn, v, s.patch);
        expect_near("correlation " + s.str(), corr, oracle_correlation(q, k, s.patch));
        // attn is random at out-of-map positions too: the aggregation must ignore them.
        expect_near("aggregate " + s.str(), agg, oracle_aggregate(attn, v, s.patch));
        if (s.c * s.h * s.w * pp <= 2000000) { // the loops are slow; small shapes validate the oracles
            expect_near("oracle vs loops, correlation " + s.str(), oracle_correlation(q, k, s.patch), loop_correlation(q, k, s.patch));
            expect_near("oracle vs loops, aggregate " + s.str(), oracle_aggregate(attn, v, s.patch), loop_aggregate(attn, v, s.patch));
            expect_near("loops, correlation " + s.str(), corr, loop_correlation(q, k, s.patch));
        }
    }
}

void layout_and_dtype_checks() {
    const Shape s{2, 20, 9, 11, 15};
    const int64_t pp = s.patch * s.patch;
    // Non-contiguous views: channels-last storage, a strided slice, a permuted attention map.
    const at::Tensor q = at::randn({s.n, s.h, s.w, s.c}).permute({0, 3, 1, 2});
    const at::Tensor k = at::randn({s.n, s.c, s.h, 2 * s.w}).slice(3, 0, 2 * s.w, 2);
    const at::Tensor attn = at::randn({s.n, s.h, s.w, pp}).permute({0, 3, 1, 2});
    const at::Tensor v = at::randn({s.n, 2 * s.c, s.h, s.w}).slice(1, 1, 2 * s.c, 2);
    expect(!q.is_contiguous() && !k.is_contiguous() && !attn.is_contiguous() && !v.is_contiguous(), "views are not contiguous");
    expect_near("correlation, strided inputs", inp::ops::spatial_correlation(q, k, s.patch), oracle_correlation(q, k, s.patch));
    expect_near("aggregate, strided inputs", inp::ops::spatial_aggregate(attn, v, s.patch), oracle_aggregate(attn, v, s.patch));

    // Rows are independent: the thread count does not change a bit.
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    const at::Tensor c1 = inp::ops::spatial_correlation(q, k, s.patch), a1 = inp::ops::spatial_aggregate(attn, v, s.patch);
    at::set_num_threads(2);
    const at::Tensor c2 = inp::ops::spatial_correlation(q, k, s.patch), a2 = inp::ops::spatial_aggregate(attn, v, s.patch);
    at::set_num_threads(threads);
    expect(at::equal(c1, c2) && at::equal(a1, a2), "results differ between 1 and 2 threads");

    // bfloat16 and float16 run in float32 and come back in their dtype.
    for (const at::ScalarType t : {at::kBFloat16, at::kHalf}) {
        const at::Tensor ql = q.to(t), kl = k.to(t), al = attn.to(t), vl = v.to(t);
        const at::Tensor cl = inp::ops::spatial_correlation(ql, kl, s.patch), agl = inp::ops::spatial_aggregate(al, vl, s.patch);
        expect(cl.scalar_type() == t && agl.scalar_type() == t, std::string("result dtype for ") + c10::toString(t));
        expect(at::equal(cl, inp::ops::spatial_correlation(ql.to(at::kFloat), kl.to(at::kFloat), s.patch).to(t)), "correlation of low-precision input");
        expect(at::equal(agl, inp::ops::spatial_aggregate(al.to(at::kFloat), vl.to(at::kFloat), s.patch).to(t)), "aggregate of low-precision input");
    }

    // Empty maps and zero channels.
    const at::Tensor z = inp::ops::spatial_correlation(at::randn({2, 0, 4, 5}), at::randn({2, 0, 4, 5}), 3);
    expect(z.sizes() == at::IntArrayRef({2, 9, 4, 5}) && z.abs().max().item<float>() == 0.f, "correlation over 0 channels is 0");
    expect(inp::ops::spatial_correlation(at::randn({1, 4, 0, 5}), at::randn({1, 4, 0, 5}), 3).sizes() == at::IntArrayRef({1, 9, 0, 5}), "empty map");
    expect(inp::ops::spatial_aggregate(at::randn({1, 9, 4, 5}), at::randn({1, 0, 4, 5}), 3).sizes() == at::IntArrayRef({1, 0, 4, 5}), "aggregate of 0 channels");
    expect(inp::ops::spatial_aggregate(at::randn({0, 9, 4, 5}), at::randn({0, 3, 4, 5}), 3).sizes() == at::IntArrayRef({0, 3, 4, 5}), "aggregate of N = 0");

    // A hand-checked value: ones against a ramp, patch 3, pixel (0, 0) of a 2x2 map.
    const at::Tensor ramp = at::arange(4, at::kFloat).view({1, 1, 2, 2}); // [[0, 1], [2, 3]]
    const at::Tensor hand = inp::ops::spatial_correlation(at::ones({1, 1, 2, 2}), ramp, 3);
    // Window (i, j) at (0, 0) looks at (i - 1, j - 1): only i, j in {1, 2} are inside.
    const std::vector<float> want = {0, 0, 0, 0, 0, 1, 0, 2, 3};
    for (int64_t p = 0; p < 9; p++)
        expect(hand[0][p][0][0].item<float>() == want[p], "hand-checked correlation at window position " + std::to_string(p));
}

// The comparison that oracle_checks relies on would catch a wrong window: each mutation of the
// oracle differs from the op by far more than the tolerance.
void mutation_checks() {
    for (const Shape &s : {Shape{1, 128, 30, 54, 15}, Shape{2, 20, 5, 4, 15}, Shape{1, 5, 20, 3, 5}}) {
        const int64_t pp = s.patch * s.patch;
        const at::Tensor q = at::randn({s.n, s.c, s.h, s.w}), k = at::randn({s.n, s.c, s.h, s.w});
        const at::Tensor attn = at::randn({s.n, pp, s.h, s.w}), v = at::randn({s.n, s.c, s.h, s.w});
        const at::Tensor corr = inp::ops::spatial_correlation(q, k, s.patch), agg = inp::ops::spatial_aggregate(attn, v, s.patch);
        auto far = [&](const std::string &what, const at::Tensor &got, const at::Tensor &mutant) {
            const double d = max_abs_diff(got, mutant);
            expect(d > 0.5, what + " " + s.str() + " is not detected: max |diff| " + num(d));
        };
        far("correlation with the window one column off", corr, oracle_correlation(q, k, s.patch, 0, 1));
        far("correlation with the window one row off", corr, oracle_correlation(q, k, s.patch, -1, 0));
        far("correlation with i and j swapped", corr, oracle_correlation(q, k, s.patch).view({s.n, s.patch, s.patch, s.h, s.w}).transpose(1, 2).reshape({s.n, pp, s.h, s.w}));
        far("correlation with q and k swapped", corr, oracle_correlation(k, q, s.patch));
        far("aggregate with the window one column off", agg, oracle_aggregate(attn, v, s.patch, 0, -1));
        far("aggregate with the window one row off", agg, oracle_aggregate(attn, v, s.patch, 1, 0));
        far("aggregate with i and j swapped", agg, oracle_aggregate(attn.view({s.n, s.patch, s.patch, s.h, s.w}).transpose(1, 2).reshape({s.n, pp, s.h, s.w}), v, s.patch));
    }
}

void expect_error(const std::string &what, int32_t status, const std::string &text, const std::function<void()> &body) {
    try {
        body();
        fail_test(what + ": no error");
    } catch (const inp::Error &e) {
        expect(e.status() == status, what + ": status " + std::to_string(e.status()) + ", expected " + std::to_string(status));
        expect(std::string(e.what()).find(text) != std::string::npos, what + ": message '" + e.what() + "' lacks '" + text + "'");
    }
}

void error_checks() {
    using inp::ops::spatial_aggregate;
    using inp::ops::spatial_correlation;
    const int32_t bad = INP_ERR_INVALID_ARGUMENT;
    const at::Tensor x = at::randn({1, 4, 5, 6});
    expect_error("even patch", bad, "patch must be odd", [&] { spatial_correlation(x, x, 4); });
    expect_error("patch 0", bad, "patch must be odd", [&] { spatial_aggregate(at::randn({1, 0, 5, 6}), x, 0); });
    expect_error("3-D q", bad, "q must be [N, C, H, W], got [4, 5, 6]", [&] { spatial_correlation(x[0], x, 3); });
    expect_error("q and k shapes", bad, "same shape", [&] { spatial_correlation(x, at::randn({1, 4, 5, 7}), 3); });
    expect_error("float64", bad, "must be float32", [&] { spatial_correlation(x.to(at::kDouble), x.to(at::kDouble), 3); });
    expect_error("int64", bad, "must be float32", [&] { spatial_aggregate(at::zeros({1, 9, 5, 6}, at::kLong), x, 3); });
    expect_error("mixed dtypes", bad, "different dtypes", [&] { spatial_correlation(x, x.to(at::kHalf), 3); });
    expect_error("undefined", bad, "undefined", [&] { spatial_correlation(at::Tensor(), x, 3); });
    expect_error("window count", bad, "attn must be [N, patch * patch, H, W] = [1, 9, 5, 6]", [&] { spatial_aggregate(at::randn({1, 8, 5, 6}), x, 3); });
    expect_error("attn map size", bad, "got [1, 9, 5, 5]", [&] { spatial_aggregate(at::randn({1, 9, 5, 5}), x, 3); });

    inp::deaot::LocalGatedPropagation m;
    m.relative_emb_k.weight = at::randn({225, 8, 1, 1});
    m.relative_emb_k.bias = at::randn({225});
    m.dw_conv.conv.weight = at::randn({16, 1, 5, 5});
    m.projection = {at::randn({4, 16}), at::randn({4})};
    m.d_att = 8;
    const at::Tensor q = at::randn({1, 8, 3, 4}), v = at::randn({1, 16, 3, 4}), u = at::randn({12, 1, 16});
    expect(inp::deaot::local_gated_propagation(m, q, q, v, u).sizes() == at::IntArrayRef({12, 1, 4}), "local attention output shape");
    expect_error("u layout", bad, "u must be [12, 1, 16]", [&] { inp::deaot::local_gated_propagation(m, q, q, v, u.view({1, 12, 16})); });
    expect_error("q width", bad, "q and k must be [1, 8, 3, 4]", [&] { inp::deaot::local_gated_propagation(m, v, v, v, u); });
    expect_error("v width", bad, "v must be [n, 16, h, w]", [&] { inp::deaot::local_gated_propagation(m, q, q, q, u); });
    expect_error("undefined u", bad, "must be defined", [&] { inp::deaot::local_gated_propagation(m, q, q, v, at::Tensor()); });
    m.d_att = 4;
    expect_error("d_att against relative_emb_k", bad, "weights do not fit heads 1, d_att 4", [&] { inp::deaot::local_gated_propagation(m, q, q, v, u); });
    m.d_att = 8;
    m.dilation = 2;
    expect_error("dilation", bad, "dilation 2", [&] { inp::deaot::local_gated_propagation(m, q, q, v, u); });
}

#if defined(INP_WITH_CUDA)
// CUDA kernels against the CPU kernels, and the fixture on the GPU.
void cuda_checks(const std::string &parity) {
    for (const Shape &s : kShapes) {
        const int64_t pp = s.patch * s.patch;
        const at::Tensor q = at::randn({s.n, s.c, s.h, s.w}), k = at::randn({s.n, s.c, s.h, s.w});
        const at::Tensor attn = at::randn({s.n, pp, s.h, s.w}), v = at::randn({s.n, s.c, s.h, s.w});
        const at::Tensor corr = inp::ops::spatial_correlation(q.cuda(), k.cuda(), s.patch);
        const at::Tensor agg = inp::ops::spatial_aggregate(attn.cuda(), v.cuda(), s.patch);
        expect(corr.is_cuda() && agg.is_cuda(), "CUDA results stay on the GPU");
        expect_near("CUDA correlation " + s.str(), corr.cpu(), inp::ops::spatial_correlation(q, k, s.patch));
        expect_near("CUDA aggregate " + s.str(), agg.cpu(), inp::ops::spatial_aggregate(attn, v, s.patch));
    }
    const std::string dir = parity + "/deaot/deaott/local_attn/b_";
    auto npy = [&](const std::string &name) { return read_npy(dir + name + ".npy").cuda(); };
    inp::deaot::LocalGatedPropagation m;
    m.relative_emb_k.weight = npy("relative_emb_k_weight");
    m.relative_emb_k.bias = npy("relative_emb_k_bias");
    m.dw_conv.conv.weight = npy("dw_conv_weight");
    m.projection = {npy("projection_weight"), npy("projection_bias")};
    m.d_att = 16;
    at::Tensor attn;
    const at::Tensor out = inp::deaot::local_gated_propagation(m, npy("q"), npy("k"), npy("v"), npy("u"), &attn);
    expect_close("CUDA b_out", out.cpu(), npy("out").cpu(), kFixtureAtol);
    expect_close("CUDA b_local_attn", attn.cpu(), npy("local_attn").cpu(), kFixtureAtol);
}
#endif

// The module written with the oracle ops, for the loader test at DeAOT's real widths.
at::Tensor oracle_module(const inp::deaot::LocalGatedPropagation &m, const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, const at::Tensor &u) {
    const int64_t patch = 2 * m.max_dis + 1, n = v.size(0), c = v.size(1), h = v.size(2), w = v.size(3);
    const int64_t one = 1, zero = 0;
    const at::Tensor rel = at::conv2d(q, m.relative_emb_k.weight, m.relative_emb_k.bias, one, zero, one, one);
    const at::Tensor mask = 1 - unfold_window(at::ones({1, 1, h, w}), patch).view({1, patch * patch, h, w});
    const at::Tensor qk = oracle_correlation(q / std::sqrt(static_cast<double>(m.d_att)), k, patch) + rel - mask * 1e8;
    const at::Tensor attn = at::softmax(qk, 1);
    const at::Tensor gated = oracle_aggregate(attn, v, patch).view({n, c, h * w}).permute({2, 0, 1}) * u;
    const at::Tensor grid = gated.reshape({h, w, n, c}).permute({2, 3, 0, 1});
    const int64_t pad = m.dw_conv.conv.weight.size(2) / 2;
    const at::Tensor conv = at::conv2d(grid, m.dw_conv.conv.weight, std::nullopt, one, pad, one, c).reshape({n, c, h * w}).permute({2, 0, 1});
    return at::linear(conv, m.projection.weight, m.projection.bias);
}

void loader_checks(const std::string &parity) {
    const std::string path = parity + "/deaot/deaott/weights.pth";
    const auto ck = inp::Checkpoint::load(path, true, inp::Run::none());
    const std::string prefix = "LSTT.layers.0.short_term_attn";
    {
        inp::Weights w(*ck, at::TensorOptions().dtype(at::kFloat));
        const auto m = inp::deaot::load_local_gated_propagation(w, prefix, 1, 128);
        expect(m.relative_emb_k.weight.sizes() == at::IntArrayRef({225, 128, 1, 1}), "relative_emb_k.weight shape");
        expect(m.relative_emb_k.bias.sizes() == at::IntArrayRef({225}), "relative_emb_k.bias shape");
        expect(m.dw_conv.conv.weight.sizes() == at::IntArrayRef({1024, 1, 5, 5}), "dw_conv.conv.weight shape");
        expect(m.projection.weight.sizes() == at::IntArrayRef({512, 1024}) && m.projection.bias.sizes() == at::IntArrayRef({512}), "projection shapes");
        // DeAOT's widths on the fixture clip's 10x14 grid and on an 854x480 video's 30x54.
        for (const auto &[h, w2] : std::vector<std::pair<int64_t, int64_t>>{{10, 14}, {30, 54}}) {
            const at::Tensor q = at::randn({1, 128, h, w2}), k = at::randn({1, 128, h, w2});
            const at::Tensor v = at::randn({1, 1024, h, w2}), u = at::randn({h * w2, 1, 1024});
            at::Tensor attn;
            const at::Tensor out = inp::deaot::local_gated_propagation(m, q, k, v, u, &attn);
            expect(attn.sizes() == at::IntArrayRef({1, 1, 225, h * w2}), "attention map shape");
            if (h == 10) expect_near("DeAOT-width module vs oracle 10x14", out, oracle_module(m, q, k, v, u));
            else expect(out.sizes() == at::IntArrayRef({h * w2, 1, 512}) && out.isfinite().all().item<bool>(), "30x54 output");
        }
    }
    inp::Weights w(*ck, at::TensorOptions().dtype(at::kFloat));
    expect_error("wrong d_att", INP_ERR_CHECKPOINT, prefix + ".relative_emb_k.weight' has wrong shape",
                 [&] { inp::deaot::load_local_gated_propagation(w, prefix, 1, 64); });
}

// The bf16 path on a fixture clip, as the issue defines its agreement: every frame is tracked
// twice from the float32 run's memory (bf16 products, then float32), and the float32 labels go
// into memory. The random weights leave top-2 logit gaps near 1e-6, so some pixels must flip.
void bf16_agreement(const std::string &parity, const std::string &c) {
    const std::string dir = parity + "/deaot/" + c;
    const auto ck = inp::Checkpoint::load(dir + "/weights.pth", true, inp::Run::none());
    const auto model = inp::deaot::load(*ck, at::TensorOptions().dtype(at::kFloat));
    const at::Tensor frames = read_npy(dir + "/frames.npy").contiguous(), mask0 = read_npy(dir + "/mask0.npy").contiguous();
    const int64_t T = frames.size(0), H = frames.size(1), W = frames.size(2);
    inp::deaot::Session session(*model, W, H, inp::deaot::SessionOptions{});
    const uint8_t *rgb = frames.data_ptr<uint8_t>();
    session.add_reference(rgb, W * 3, mask0.data_ptr<uint8_t>(), W, inp::Run::none(), nullptr);
    std::vector<uint8_t> f32(static_cast<size_t>(H * W)), bf16(f32.size());
    int64_t differing = 0, total = 0;
    for (int64_t t = 1; t < T; t++) {
        const uint8_t *frame = rgb + t * H * W * 3;
        {
            const inp::nn::Bf16Products scope(true);
            session.track(frame, W * 3, inp::deaot::TrackOutputs{bf16.data(), W, nullptr}, inp::Run::none(), nullptr);
        }
        session.track(frame, W * 3, inp::deaot::TrackOutputs{f32.data(), W, nullptr}, inp::Run::none(), nullptr);
        for (size_t i = 0; i < f32.size(); i++) differing += f32[i] != bf16[i];
        total += H * W;
        session.update_memory(f32.data(), W, nullptr);
    }
    const double agreement = 1.0 - static_cast<double>(differing) / static_cast<double>(total);
    std::printf("bf16 %s: labels agree with float32 on %.3f %% of %lld pixels\n", c.c_str(), 100.0 * agreement, static_cast<long long>(total));
    expect(agreement >= 0.995, "bf16 " + c + ": agreement " + num(100.0 * agreement) + " % < 99.5 %");
    expect(differing > 0, "bf16 " + c + ": no label differs from float32 (bf16 products not in effect?)");
}

// The .npy reader on the fixtures' other dtypes, and a truncated file.
void npy_checks(const std::string &parity) {
    const at::Tensor mask = read_npy(parity + "/deaot/deaott/mask0.npy");
    expect(mask.scalar_type() == at::kByte && mask.sizes() == at::IntArrayRef({150, 208}) && mask.max().item<int>() == 2, "mask0.npy: uint8 [150, 208], ids 0..2");
    const at::Tensor labels = read_npy(parity + "/sam/tiny/case_b_two_points/point_labels.npy");
    expect(labels.scalar_type() == at::kLong && labels.sizes() == at::IntArrayRef({2}), "point_labels.npy: int64 [2]");
    const std::string cut = "/tmp/inp_test_truncated_" + std::to_string(::getpid()) + ".npy";
    {
        std::ifstream in(parity + "/deaot/deaott/local_attn/a_q.npy", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 4));
    }
    bool threw = false;
    try {
        read_npy(cut);
    } catch (const std::runtime_error &e) {
        threw = std::string(e.what()).find("truncated data") != std::string::npos;
    }
    std::remove(cut.c_str());
    expect(threw, "a truncated .npy is refused");
}

double median_ms(const std::function<void()> &f, int reps) {
    f(); // warm-up
    std::vector<double> t;
    for (int i = 0; i < reps; i++) {
        const auto a = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void bench(const std::string &parity) {
    const int threads = at::get_num_threads();
    for (const int64_t c : {128, 1024}) {
        const int64_t patch = 15, h = 30, w = 54;
        const at::Tensor q = at::randn({1, c, h, w}), k = at::randn({1, c, h, w}), v = at::randn({1, c, h, w});
        const at::Tensor attn = at::softmax(at::randn({1, patch * patch, h, w}), 1);
        for (const int t : {1, 2}) {
            at::set_num_threads(t);
            const double corr = median_ms([&] { inp::ops::spatial_correlation(q, k, patch); }, 20);
            const double agg = median_ms([&] { inp::ops::spatial_aggregate(attn, v, patch); }, 20);
            std::printf("bench 1x%ldx%ldx%ld patch 15, %d thread(s): correlation %.2f ms, aggregate %.2f ms", static_cast<long>(c),
                        static_cast<long>(h), static_cast<long>(w), t, corr, agg);
            if (c == 128) { // the unfold oracle of C = 1024 needs 1.5 GB
                const double oc = median_ms([&] { oracle_correlation(q, k, patch); }, 5);
                const double oa = median_ms([&] { oracle_aggregate(attn, v, patch); }, 5);
                std::printf("; unfold oracle %.1f ms + %.1f ms", oc, oa);
            }
            std::printf("\n");
        }
    }
    // The whole short-term attention of DeAOT on that grid (value width 1024, output 512).
    const auto ck = inp::Checkpoint::load(parity + "/deaot/deaott/weights.pth", true, inp::Run::none());
    inp::Weights wts(*ck, at::TensorOptions().dtype(at::kFloat));
    const auto m = inp::deaot::load_local_gated_propagation(wts, "LSTT.layers.0.short_term_attn", 1, 128);
    const at::Tensor q = at::randn({1, 128, 30, 54}), k = at::randn({1, 128, 30, 54}), v = at::randn({1, 1024, 30, 54});
    const at::Tensor u = at::randn({30 * 54, 1, 1024});
    for (const int t : {1, 2}) {
        at::set_num_threads(t);
        const double ms = median_ms([&] { inp::deaot::local_gated_propagation(m, q, k, v, u); }, 10);
        std::printf("bench DeAOT short-term attention 30x54 (C 128 / 1024 -> 512), %d thread(s): %.1f ms\n", t, ms);
    }
    at::set_num_threads(threads);
}

} // namespace

int main(int argc, char **argv) {
    std::string parity;
    bool do_bench = false;
    for (int i = 1; i < argc; i++) {
        if (std::string(argv[i]) == "--bench") do_bench = true;
        else parity = argv[i];
    }
    if (const char *env = std::getenv("INPAINTERZ_PARITY_DIR"); env != nullptr && *env != '\0') parity = env;
    if (parity.empty()) {
        std::fprintf(stderr, "FAIL no parity folder: set INPAINTERZ_PARITY_DIR or pass it as the first argument\n");
        return 1;
    }
    at::manual_seed(0);
    run("fixture_local_attn_a", [&] { fixture_case(parity, "a"); });
    run("fixture_local_attn_b", [&] { fixture_case(parity, "b"); });
    run("oracle_random_shapes", oracle_checks);
    run("oracle_layouts_dtypes_threads", layout_and_dtype_checks);
    run("mutation_window_offsets", mutation_checks);
    run("errors_bad_input", error_checks);
    run("loader_deaott_short_term_attn", [&] { loader_checks(parity); });
    run("npy_reader", [&] { npy_checks(parity); });
    for (const char *c : {"deaott", "deaots", "r50_deaotl"}) run(std::string("bf16_agreement_") + c, [&] { bf16_agreement(parity, c); });
#if defined(INP_WITH_CUDA)
    if (at::hasCUDA()) run("cuda_vs_cpu", [&] { cuda_checks(parity); });
    else std::printf("note: CUDA build on a machine without a GPU; CUDA kernels not run\n");
#endif
    if (do_bench) bench(parity);
    if (failures) std::fprintf(stderr, "%d failure(s)\n", failures);
    else std::printf("all passed\n");
    return failures ? 1 : 0;
}
