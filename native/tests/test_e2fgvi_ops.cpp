// Tests of E2FGVI's modulated deformable convolution (ops/deform_conv.h, mmcv semantics):
//   fixture_*   the kernel, the ATen reference and a float64 loop oracle against the fixtures'
//               torchvision outputs (dcn: E2FGVI's configuration; dcn_general: stride 2, pad 2,
//               dilation 2, 2 weight groups, 2 deform groups), parameters read from case.json,
//   hand_*      values worked out by hand: interior, border and outside samples, mask, bias,
//   oracle_*    the kernel against the reference on random inputs of many configurations, and
//               both against the float64 loops where those are affordable,
//   cpu_variants_* the SSE2, AVX2 and AVX-512 column loops (those this CPU has) agree,
//   layouts_*   strided inputs, bfloat16/float16, thread counts, empty and degenerate shapes,
//   mutation_*  the comparisons fail for offsets with dy and dx swapped (and other mutants),
//   errors_*    bad input is refused with INP_ERR_INVALID_ARGUMENT naming the argument,
//   json_reader the test's case.json reader,
//   cuda_*      in a CUDA build on a GPU: the CUDA kernel against the CPU one, the fixtures.
// Usage: test_e2fgvi_ops [PARITY_DIR] [--bench]. $INPAINTERZ_PARITY_DIR wins over PARITY_DIR; a
// missing folder or file is a failure, never a skip. --bench prints CPU timings.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/TensorOperators.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/equal.h>
#include <ATen/ops/full.h>
#include <ATen/ops/full_like.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/rand.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/round.h>
#include <ATen/ops/stack.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <c10/util/StringUtil.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "json.h"
#include "check.h"
#include "npy.h"
#include "ops/deform_conv.h"
#include "runtime/error.h"

using inp::test::read_npy;

namespace {

using namespace inp::test; // failures, fail_test, expect, num, max_abs_diff, expect_close

// Random inputs: both implementations round each column entry within a few ulp and sum the
// GEMM in different orders (MKL's blocking against at::mm over other views), so their difference
// is bounded by a small multiple of eps = 6e-8 times the magnitude sum S = sum |weight * column|
// (+ |bias|) of each output element; S is computed exactly as the reference run on |input|,
// |mask|, |weight|, |bias| (the bilinear weights are >= 0, so that bounds every |term|). Measured
// differences stay below 1e-7 * S; the tolerance is 2e-6 * S (+ 1e-6 absolute for exact zeros),
// while a wrong offset channel moves outputs by a sizeable fraction of S.
constexpr double kRandomRtol = 2e-6, kRandomAtol = 1e-6;
// The README's measured f32-vs-f64 difference is ~5e-7; case.json's per-file atol (5e-6 or
// 1e-5) is used and must not exceed 1e-5.
constexpr double kFixtureAtolCap = 1e-5;


// Runs one named test; an exception (a missing fixture file, say) fails it.
void run(const std::string &name, const std::function<void()> &body) {
    const int before = failures;
    const auto start = std::chrono::steady_clock::now();
    try {
        body();
    } catch (const std::exception &e) {
        fail_test(name + ": " + e.what());
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s %s (%.1f s)\n", failures == before ? "PASS" : "FAIL", name.c_str(), s);
}

struct Params {
    int64_t sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1, groups = 1, dg = 1;
    std::string str() const {
        return "stride " + std::to_string(sh) + "x" + std::to_string(sw) + " pad " + std::to_string(ph) + "x" + std::to_string(pw) + " dil " +
               std::to_string(dh) + "x" + std::to_string(dw) + " groups " + std::to_string(groups) + " dg " + std::to_string(dg);
    }
};

struct Inputs {
    at::Tensor input, offset, mask, weight, bias;
};

at::Tensor kernel(const Inputs &x, const Params &p) {
    return inp::ops::modulated_deform_conv2d(x.input, x.offset, x.mask, x.weight, x.bias, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw, p.groups, p.dg);
}

at::Tensor reference(const Inputs &x, const Params &p) {
    return inp::ops::modulated_deform_conv2d_reference(x.input, x.offset, x.mask, x.weight, x.bias, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw, p.groups,
                                                       p.dg);
}

// S of the tolerance comment: the magnitude sum of each output element's terms.
at::Tensor magnitude(const Inputs &x, const Params &p) {
    const Inputs a{x.input.abs(), x.offset, x.mask.abs(), x.weight.abs(), x.bias.defined() ? x.bias.abs() : at::Tensor()};
    return reference(a, p).to(at::kDouble);
}

// |got - want| <= rtol * S + atol everywhere (NaN fails); prints the worst |diff| / S.
void expect_bounded(const std::string &name, const at::Tensor &got, const at::Tensor &want, const at::Tensor &s) {
    if (got.sizes() != want.sizes()) {
        fail_test(name + ": shape " + c10::str(got.sizes()) + ", expected " + c10::str(want.sizes()));
        return;
    }
    if (got.numel() == 0) return;
    const at::Tensor d = (got.to(at::kDouble) - want.to(at::kDouble)).abs();
    const double excess = (d - (kRandomRtol * s + kRandomAtol)).max().item<double>();
    const double ratio = (d / (s + 1e-30)).max().item<double>();
    if (!(excess <= 0)) fail_test(name + ": max |diff| " + num(d.max().item<double>()) + " beyond " + num(kRandomRtol) + " * S + " + num(kRandomAtol));
    else std::printf("ok   %s (max |diff| %.3g, max |diff| / S %.3g)\n", name.c_str(), d.max().item<double>(), ratio);
}

// The definition written out as loops in float64 (mmcv's kernel, per output element).
at::Tensor loop_dcn(const Inputs &x, const Params &p) {
    const at::Tensor in = x.input.to(at::kDouble).contiguous(), off = x.offset.to(at::kDouble).contiguous();
    const at::Tensor msk = x.mask.to(at::kDouble).contiguous(), wt = x.weight.to(at::kDouble).contiguous();
    const int64_t n = in.size(0), c = in.size(1), h = in.size(2), w = in.size(3), c_out = wt.size(0), kh = wt.size(2), kw = wt.size(3);
    const int64_t ho = off.size(2), wo = off.size(3), cg = c / p.groups, cog = c_out / p.groups, cdg = c / p.dg, taps = kh * kw;
    at::Tensor out = at::zeros({n, c_out, ho, wo}, in.options());
    auto ia = in.accessor<double, 4>(), oa = off.accessor<double, 4>(), ma = msk.accessor<double, 4>(), wa = wt.accessor<double, 4>();
    auto ra = out.accessor<double, 4>();
    auto pixel = [&](int64_t b, int64_t ch, int64_t yy, int64_t xx) { return yy >= 0 && yy < h && xx >= 0 && xx < w ? ia[b][ch][yy][xx] : 0.0; };
    for (int64_t b = 0; b < n; b++)
        for (int64_t o = 0; o < c_out; o++)
            for (int64_t oy = 0; oy < ho; oy++)
                for (int64_t ox = 0; ox < wo; ox++) {
                    double s = x.bias.defined() ? x.bias[o].item<double>() : 0.0;
                    const int64_t g = o / cog;
                    for (int64_t cl = 0; cl < cg; cl++) {
                        const int64_t ch = g * cg + cl, d = ch / cdg;
                        for (int64_t i = 0; i < kh; i++)
                            for (int64_t j = 0; j < kw; j++) {
                                const int64_t k = i * kw + j;
                                const double y = static_cast<double>(oy * p.sh - p.ph + i * p.dh) + oa[b][d * 2 * taps + 2 * k][oy][ox];
                                const double xv = static_cast<double>(ox * p.sw - p.pw + j * p.dw) + oa[b][d * 2 * taps + 2 * k + 1][oy][ox];
                                if (!(y > -1 && y < h && xv > -1 && xv < w)) continue;
                                const double y0 = std::floor(y), x0 = std::floor(xv), ly = y - y0, lx = xv - x0;
                                const int64_t iy = static_cast<int64_t>(y0), ix = static_cast<int64_t>(x0);
                                const double v = (1 - ly) * (1 - lx) * pixel(b, ch, iy, ix) + (1 - ly) * lx * pixel(b, ch, iy, ix + 1) +
                                                 ly * (1 - lx) * pixel(b, ch, iy + 1, ix) + ly * lx * pixel(b, ch, iy + 1, ix + 1);
                                s += wa[o][cl][i][j] * v * ma[b][d * taps + k][oy][ox];
                            }
                    }
                    ra[b][o][oy][ox] = s;
                }
    return out;
}

// ---- fixtures ------------------------------------------------------------------------------

void fixture_case(const std::string &parity, const std::string &c, const std::string &name) {
    const std::string dir = parity + "/e2fgvi/" + c + "/";
    const inp::test::Json json = inp::test::read_json(dir + "case.json");
    const inp::test::Json &params = json.at({"tolerances", "dcn", name, "params"});
    const auto stride = params.at({"stride"}).as_ints(), pad = params.at({"padding"}).as_ints(), dil = params.at({"dilation"}).as_ints();
    const auto ks = params.at({"kernel_size"}).as_ints();
    const Params p{stride.at(0), stride.at(1), pad.at(0), pad.at(1), dil.at(0), dil.at(1), params.at({"groups"}).as_int(), params.at({"deform_groups"}).as_int()};
    const double atol = json.at({"files", name + "_output.npy", "tolerance", "atol"}).as_number();
    expect(atol > 0 && atol <= kFixtureAtolCap, c + "/" + name + ": case.json atol " + num(atol) + " outside (0, 1e-5]");
    auto npy = [&](const std::string &t) { return read_npy(dir + name + "_" + t + ".npy"); };
    const Inputs x{npy("input"), npy("offset"), npy("mask"), npy("weight"), npy("bias")};
    const at::Tensor want = npy("output");
    expect(x.weight.size(2) == ks.at(0) && x.weight.size(3) == ks.at(1), c + "/" + name + ": weight " + c10::str(x.weight.sizes()) + " vs kernel_size in case.json");
    std::printf("note %s/%s: %s, input %s, weight %s, atol %s\n", c.c_str(), name.c_str(), p.str().c_str(), c10::str(x.input.sizes()).c_str(),
                c10::str(x.weight.sizes()).c_str(), num(atol).c_str());
    expect_close(c + "/" + name + " kernel", kernel(x, p), want, atol);
    expect_close(c + "/" + name + " reference", reference(x, p), want, atol);
    expect_close(c + "/" + name + " float64 loops", loop_dcn(x, p), want, atol);
}

// ---- hand-checked values -------------------------------------------------------------------

at::Tensor values(const std::vector<float> &v, at::IntArrayRef shape) {
    at::Tensor t = at::empty(shape, at::kFloat);
    if (static_cast<int64_t>(v.size()) != t.numel()) throw std::runtime_error("values: size mismatch");
    std::copy(v.begin(), v.end(), t.mutable_data_ptr<float>());
    return t;
}

void hand_checks() {
    // input [[0, 1], [2, 3]], 1x1 kernel of weight 2, bias 0.25, one offset per output pixel.
    const at::Tensor input = at::arange(4, at::kFloat).view({1, 1, 2, 2});
    const at::Tensor weight = at::full({1, 1, 1, 1}, 2.0), bias = at::full({1}, 0.25);
    // Offsets [1, 2, 2, 2]: channel 0 = dy, 1 = dx, at output pixels (0,0), (0,1), (1,0), (1,1).
    const at::Tensor offset = values({0.5f, -0.5f, 0.5f, -2.f, 0.25f, 0.f, 0.f, 0.f}, {1, 2, 2, 2});
    const at::Tensor mask = values({0.5f, 1.f, 1.f, 1.f}, {1, 1, 2, 2});
    const Inputs x{input, offset, mask, weight, bias};
    const Params p{};
    // (0,0) samples (0.5, 0.25): .5*.75*0 + .5*.25*1 + .5*.75*2 + .5*.25*3 = 1.25, times mask 0.5.
    // (0,1) samples (-0.5, 1): only the bottom corners are inside: 0.5 * input[0][1] = 0.5.
    // (1,0) samples (1.5, 0): only the top corners are inside: 0.5 * input[1][0] = 1.
    // (1,1) samples (-1, 1): y <= -1 is outside, 0.
    const std::vector<float> sample = {0.625f, 0.5f, 1.f, 0.f};
    for (const auto &[what, out] : {std::pair{"kernel", kernel(x, p)}, std::pair{"reference", reference(x, p)}}) {
        for (int64_t q = 0; q < 4; q++) {
            const float got = out[0][0][q / 2][q % 2].item<float>(), want = 2.f * sample[q] + 0.25f;
            expect(got == want, std::string("hand-checked ") + what + " at pixel " + std::to_string(q) + ": " + num(got) + ", expected " + num(want));
        }
    }
    // No bias: the same without the 0.25.
    const Inputs nb{input, offset, mask, weight, at::Tensor()};
    expect(kernel(nb, p)[0][0][0][0].item<float>() == 1.25f, "hand-checked kernel without bias");
    // x = W - 0.5 and x = W: half the right column, then nothing.
    const at::Tensor edge = values({0.f, 0.f, 0.f, 0.f, 1.5f, 1.f, 0.5f, 1.f}, {1, 2, 2, 2});
    const at::Tensor e = kernel({input, edge, at::ones({1, 1, 2, 2}), at::ones({1, 1, 1, 1}), at::Tensor()}, p);
    // (0,0) at (0, 1.5): 0.5 * 1; (0,1) at (0, 2): outside; (1,0) at (1, 0.5): 0.5*2 + 0.5*3; (1,1) at (1, 2): outside.
    const std::vector<float> want = {0.5f, 0.f, 2.5f, 0.f};
    for (int64_t q = 0; q < 4; q++) expect(e[0][0][q / 2][q % 2].item<float>() == want[q], "hand-checked right border at pixel " + std::to_string(q));
}

// ---- random configurations -----------------------------------------------------------------

struct Config {
    std::string name;
    int64_t n, c, h, w, c_out, kh, kw;
    Params p;
    double offset_scale; // offsets ~ N(0, scale^2)
    bool bias = true;
};

const std::vector<Config> kConfigs = {
    // E2FGVI's deform_align at 432x240 (quarter-resolution 60x108): 2 column chunks on the CPU.
    {"e2fgvi 60x108", 1, 256, 60, 108, 128, 3, 3, {1, 1, 1, 1, 1, 1, 1, 16}, 4.0},
    {"e2fgvi-like small", 1, 32, 12, 20, 16, 3, 3, {1, 1, 1, 1, 1, 1, 1, 16}, 3.0},
    {"fixture-general-like N=2", 2, 8, 9, 11, 6, 3, 3, {2, 2, 2, 2, 2, 2, 2, 2}, 1.5},
    {"1x3 kernel", 1, 12, 7, 13, 10, 1, 3, {1, 1, 0, 1, 1, 1, 1, 3}, 2.0},
    {"5x1 kernel, stride 2x1, dilation 1x3", 2, 6, 15, 8, 4, 5, 1, {2, 1, 2, 0, 1, 3, 1, 2}, 2.0},
    {"dg finer than groups", 1, 16, 10, 9, 8, 3, 3, {1, 1, 1, 1, 1, 1, 4, 8}, 2.0},
    {"dg coarser than groups (a deform group spans weight groups)", 1, 24, 8, 10, 12, 3, 3, {1, 1, 1, 1, 1, 1, 4, 2}, 2.0},
    {"odd channels, no bias", 2, 7, 6, 9, 5, 3, 3, {1, 1, 1, 1, 1, 1, 1, 1}, 2.0, false},
    {"far outside", 1, 16, 8, 8, 8, 3, 3, {1, 1, 1, 1, 1, 1, 1, 4}, 40.0},
    {"1-pixel map, padding", 1, 4, 1, 1, 3, 3, 3, {1, 1, 1, 1, 1, 1, 1, 2}, 1.0},
    {"1-row map, 2x2 kernel, stride 3", 1, 8, 1, 17, 4, 2, 2, {3, 3, 1, 1, 1, 1, 2, 4}, 1.0},
    {"wide channels, 5x5, 40 per deform group", 1, 80, 11, 13, 24, 5, 5, {1, 1, 2, 2, 1, 1, 1, 2}, 2.5},
    {"17 channels per deform group (vector tail)", 1, 34, 9, 9, 6, 3, 3, {1, 1, 1, 1, 1, 1, 1, 2}, 2.0},
    {"empty input map (the output is padding alone)", 1, 4, 0, 3, 2, 1, 1, {1, 1, 1, 1, 1, 1, 1, 2}, 1.0},
};

// Offsets N(0, scale^2), with 20 % rounded to integers and 10 % to halves (samples exactly on
// pixels, exactly at -1 and H, and on corner edges); masks U[0, 1) with 15 % exactly 0 and 10 %
// exactly 1. Weights N(0, 1 / fan_in).
Inputs random_inputs(const Config &c) {
    const int64_t taps = c.kh * c.kw;
    const int64_t ho = (c.h + 2 * c.p.ph - (c.p.dh * (c.kh - 1) + 1)) / c.p.sh + 1, wo = (c.w + 2 * c.p.pw - (c.p.dw * (c.kw - 1) + 1)) / c.p.sw + 1;
    at::Tensor off = at::randn({c.n, c.p.dg * 2 * taps, ho, wo}) * c.offset_scale;
    const at::Tensor r = at::rand(off.sizes());
    off = at::where(r < 0.2, at::round(off), at::where(r < 0.3, at::round(off * 2) / 2, off));
    at::Tensor m = at::rand({c.n, c.p.dg * taps, ho, wo});
    const at::Tensor rm = at::rand(m.sizes());
    m = at::where(rm < 0.15, 0.0, at::where(rm < 0.25, 1.0, m));
    const int64_t fan_in = c.c / c.p.groups * taps;
    const at::Tensor wt = at::randn({c.c_out, c.c / c.p.groups, c.kh, c.kw}) / std::sqrt(static_cast<double>(fan_in));
    return {at::randn({c.n, c.c, c.h, c.w}), off, m, wt, c.bias ? at::randn({c.c_out}) : at::Tensor()};
}

void oracle_checks() {
    for (const Config &c : kConfigs) {
        const Inputs x = random_inputs(c);
        const at::Tensor got = kernel(x, c.p), ref = reference(x, c.p), s = magnitude(x, c.p);
        expect_bounded("kernel vs reference, " + c.name, got, ref, s);
        const int64_t work = got.numel() * (c.c / c.p.groups) * c.kh * c.kw;
        if (work <= 3000000) {
            const at::Tensor loops = loop_dcn(x, c.p);
            expect_bounded("kernel vs float64 loops, " + c.name, got, loops, s);
            expect_bounded("reference vs float64 loops, " + c.name, ref, loops, s);
        }
    }
}

// Every CPU variant of the column loops this machine can run gives the same columns as the
// widest one (the default, which oracle_checks covered): the GEMM is the same call, so the
// outputs agree to the bit on every configuration.
void isa_checks() {
    namespace isa_knob = inp::ops::deform_conv_testing;
    expect(!isa_knob::use_isa("sse9"), "an unknown ISA name is refused");
    std::vector<Inputs> inputs;
    std::vector<at::Tensor> want;
    for (const Config &c : kConfigs) {
        inputs.push_back(random_inputs(c));
        want.push_back(kernel(inputs.back(), c.p));
    }
    for (const std::string isa : {"baseline", "avx2", "avx512"}) {
        if (!isa_knob::use_isa(isa)) {
            std::printf("note: this CPU has no %s; its column loops are not run\n", isa.c_str());
            continue;
        }
        bool same = true;
        for (size_t i = 0; i < kConfigs.size(); i++) {
            const at::Tensor got = kernel(inputs[i], kConfigs[i].p);
            if (!at::equal(got, want[i])) {
                // FMA contraction differs between the variants (SSE2 has none): within rounding.
                expect_bounded(isa + " columns, " + kConfigs[i].name, got, want[i], magnitude(inputs[i], kConfigs[i].p));
                same = false;
            }
        }
        std::printf("ok   %s column loops on every configuration (%s)\n", isa.c_str(), same ? "bit-identical" : "within rounding");
    }
    expect(isa_knob::use_isa("auto"), "back to the widest ISA");
}

// ---- layouts, dtypes, threads, degenerate shapes -------------------------------------------

void layout_checks() {
    const Config c{"layouts", 2, 8, 9, 11, 6, 3, 3, {2, 2, 2, 2, 2, 2, 2, 2}, 1.5};
    const Inputs x = random_inputs(c);
    const Params &p = c.p;
    const at::Tensor base = kernel(x, p);
    // Strided views of the same values: channels-last storage, every second channel of an
    // interleaved tensor, a transposed map, a transposed weight.
    const int64_t oc = x.offset.size(1);
    Inputs v = x;
    v.input = x.input.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
    v.offset = at::stack({x.offset, at::zeros_like(x.offset)}, 2).view({2, 2 * oc, 5, 6}).slice(1, 0, 2 * oc, 2);
    v.mask = x.mask.transpose(2, 3).contiguous().transpose(2, 3);
    v.weight = x.weight.transpose(0, 1).contiguous().transpose(0, 1);
    expect(!v.input.is_contiguous() && !v.offset.is_contiguous() && !v.mask.is_contiguous() && !v.weight.is_contiguous(), "views are not contiguous");
    expect(at::equal(v.offset, x.offset) && at::equal(v.input, x.input), "views hold the same values");
    expect(at::equal(kernel(v, p), base), "kernel on strided inputs");
    expect(at::equal(reference(v, p), reference(x, p)), "reference on strided inputs");

    // Thread counts: the columns are the same bits; the GEMM may block differently.
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    const at::Tensor one = kernel(x, p);
    at::set_num_threads(2);
    const at::Tensor two = kernel(x, p);
    at::set_num_threads(threads);
    expect_bounded("1 vs 2 threads", one, two, magnitude(x, p));

    // bfloat16 and float16 run in float32 and come back in their dtype.
    for (const at::ScalarType t : {at::kBFloat16, at::kHalf}) {
        const Inputs l{x.input.to(t), x.offset.to(t), x.mask.to(t), x.weight.to(t), x.bias.to(t)};
        const Inputs f{l.input.to(at::kFloat), l.offset.to(at::kFloat), l.mask.to(at::kFloat), l.weight.to(at::kFloat), l.bias.to(at::kFloat)};
        const at::Tensor got = kernel(l, p);
        expect(got.scalar_type() == t, std::string("result dtype for ") + c10::toString(t));
        expect(at::equal(got, kernel(f, p).to(t)), std::string("kernel on ") + c10::toString(t) + " = float32 compute, rounded");
        expect(reference(l, p).scalar_type() == t, std::string("reference dtype for ") + c10::toString(t));
    }

    // N = 0, C_out = 0 and C_in = 0 (the output is the bias).
    Inputs e = x;
    e.input = x.input.narrow(0, 0, 0), e.offset = x.offset.narrow(0, 0, 0), e.mask = x.mask.narrow(0, 0, 0);
    expect(kernel(e, p).sizes() == at::IntArrayRef({0, 6, 5, 6}), "N = 0");
    Inputs z = x;
    z.weight = x.weight.narrow(0, 0, 0), z.bias = x.bias.narrow(0, 0, 0);
    expect(kernel(z, p).sizes() == at::IntArrayRef({2, 0, 5, 6}), "C_out = 0");
    Inputs none = x;
    none.input = x.input.narrow(1, 0, 0), none.weight = x.weight.narrow(1, 0, 0);
    const at::Tensor only_bias = kernel(none, p);
    expect(at::equal(only_bias, x.bias.view({1, 6, 1, 1}).expand({2, 6, 5, 6})), "C_in = 0: the output is the bias");
    expect(at::equal(reference(none, p), only_bias), "C_in = 0, reference");

    // A zero mask gives the bias exactly, whatever the input holds (inf and NaN included).
    Inputs inf = x;
    inf.input = at::full_like(x.input, std::numeric_limits<float>::infinity());
    inf.mask = at::zeros_like(x.mask);
    inf.offset = at::full_like(x.offset, 1000.f); // every sample outside the map
    expect(at::equal(kernel(inf, p), x.bias.view({1, 6, 1, 1}).expand({2, 6, 5, 6})), "samples outside the map are exact zeros");
}

// ---- mutations -----------------------------------------------------------------------------

// The comparison oracle_checks relies on catches offsets read in the wrong order: each mutant
// differs from the kernel far beyond the tolerance.
void mutation_checks() {
    for (const Config &c : {kConfigs[1], kConfigs[2], kConfigs[3], kConfigs[4]}) {
        const Inputs x = random_inputs(c);
        const int64_t taps = c.kh * c.kw, n = x.offset.size(0), ho = x.offset.size(2), wo = x.offset.size(3);
        const at::Tensor got = kernel(x, c.p), s = magnitude(x, c.p);
        auto far = [&](const std::string &what, const Inputs &mutant) {
            const double d = max_abs_diff(got, reference(mutant, c.p));
            const double tol = kRandomRtol * s.max().item<double>() + kRandomAtol;
            // Far beyond the tolerance, not just over it.
            if (d > 100 * tol) std::printf("ok   %s in %s: max |diff| %.3g, tolerance up to %.3g\n", what.c_str(), c.name.c_str(), d, tol);
            else fail_test(what + " in " + c.name + " is not detected: max |diff| " + num(d) + ", tolerance up to " + num(tol));
        };
        Inputs swapped = x; // dy <-> dx of every tap
        swapped.offset = x.offset.view({n, c.p.dg, taps, 2, ho, wo}).flip(3).reshape(x.offset.sizes());
        far("dy and dx swapped", swapped);
        Inputs taps_rev = x; // tap k read as tap taps - 1 - k
        taps_rev.offset = x.offset.view({n, c.p.dg, taps, 2, ho, wo}).flip(2).reshape(x.offset.sizes());
        if (taps > 1) far("taps in reverse order", taps_rev);
        Inputs mask_rev = x;
        mask_rev.mask = x.mask.view({n, c.p.dg, taps, ho, wo}).flip(2).reshape(x.mask.sizes());
        if (taps > 1) far("mask taps in reverse order", mask_rev);
        if (c.p.dg > 1) {
            Inputs groups_rev = x; // deform groups in reverse order
            groups_rev.offset = x.offset.view({n, c.p.dg, 2 * taps, ho, wo}).flip(1).reshape(x.offset.sizes());
            far("deform groups in reverse order", groups_rev);
        }
        // The same offsets without the fraction: bilinear interpolation matters.
        Inputs rounded = x;
        rounded.offset = at::round(x.offset);
        far("offsets rounded", rounded);
    }
}

// ---- errors --------------------------------------------------------------------------------

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
    const int32_t bad = INP_ERR_INVALID_ARGUMENT;
    const Config c{"errors", 2, 8, 9, 11, 6, 3, 3, {1, 1, 1, 1, 1, 1, 2, 2}, 1.0};
    const Inputs x = random_inputs(c);
    const Params p = c.p;
    for (const bool ref : {false, true}) {
        auto call = [&](const Inputs &in, const Params &q) { return ref ? reference(in, q) : kernel(in, q); };
        const std::string tag = ref ? " (reference)" : "";
        Inputs t = x;
        t.offset = x.offset.narrow(1, 0, 35);
        expect_error("offset channels" + tag, bad, "offset must be [N, deform_groups * 2 * kh * kw, Ho, Wo] = [2, 36, 9, 11]", [&] { call(t, p); });
        t = x, t.offset = x.offset.narrow(2, 0, 8);
        expect_error("offset map size" + tag, bad, "got [2, 36, 8, 11]", [&] { call(t, p); });
        t = x, t.mask = x.mask.narrow(1, 0, 17);
        expect_error("mask channels" + tag, bad, "mask must be [N, deform_groups * kh * kw, Ho, Wo] = [2, 18, 9, 11]", [&] { call(t, p); });
        t = x, t.offset = x.offset.narrow(0, 0, 1);
        expect_error("mismatched N (offset)" + tag, bad, "offset must be", [&] { call(t, p); });
        t = x, t.mask = x.mask.narrow(0, 0, 1);
        expect_error("mismatched N (mask)" + tag, bad, "got [1, 18, 9, 11]", [&] { call(t, p); });
        Params q = p;
        q.dg = 3;
        expect_error("C_in not divisible by deform_groups" + tag, bad, "C_in = 8 is not divisible by deform_groups = 3", [&] { call(x, q); });
        q = p, q.groups = 3;
        expect_error("C_in not divisible by groups" + tag, bad, "C_in = 8 is not divisible by groups = 3", [&] { call(x, q); });
        q = p, q.groups = 1; // the weight is [6, 4, 3, 3], for groups = 2
        expect_error("weight against groups" + tag, bad, "weight must be [C_out, C_in / groups, kh, kw] with C_in / groups = 8", [&] { call(x, q); });
        t = x, t.weight = x.weight.narrow(0, 0, 5), t.bias = x.bias.narrow(0, 0, 5);
        expect_error("C_out not divisible by groups" + tag, bad, "C_out = 5 is not divisible by groups = 2", [&] { call(t, p); });
        t = x, t.bias = x.bias.narrow(0, 0, 5);
        expect_error("bias size" + tag, bad, "bias must be [C_out] = [6], got [5]", [&] { call(t, p); });
        t = x, t.input = x.input.to(at::kDouble), t.offset = x.offset.to(at::kDouble), t.mask = x.mask.to(at::kDouble);
        t.weight = x.weight.to(at::kDouble), t.bias = x.bias.to(at::kDouble);
        expect_error("float64" + tag, bad, "input must be float32 (or bfloat16/float16, computed in float32), got Double", [&] { call(t, p); });
        t = x, t.mask = x.mask.to(at::kHalf);
        expect_error("mixed dtypes" + tag, bad, "mask is Half, input Float", [&] { call(t, p); });
        t = x, t.offset = x.offset.to(at::kLong);
        expect_error("int64 offsets" + tag, bad, "offset must be float32", [&] { call(t, p); });
        t = x, t.input = at::Tensor();
        expect_error("undefined input" + tag, bad, "input is an undefined tensor", [&] { call(t, p); });
        t = x, t.input = x.input[0];
        expect_error("3-D input" + tag, bad, "input must be [N, C_in, H, W], got [8, 9, 11]", [&] { call(t, p); });
        t = x, t.bias = x.bias.view({2, 3});
        expect_error("2-D bias" + tag, bad, "bias must be [C_out], got [2, 3]", [&] { call(t, p); });
        q = p, q.sh = 0;
        expect_error("stride 0" + tag, bad, "stride must be >= 1", [&] { call(x, q); });
        q = p, q.pw = -1;
        expect_error("negative padding" + tag, bad, "padding must be >= 0", [&] { call(x, q); });
        q = p, q.dh = 0;
        expect_error("dilation 0" + tag, bad, "dilation must be >= 1", [&] { call(x, q); });
        q = p, q.dg = 0;
        expect_error("deform_groups 0" + tag, bad, "deform_groups must be >= 1", [&] { call(x, q); });
        q = p, q.ph = 0, q.dh = 5; // 9 rows < the dilated kernel's 11
        expect_error("kernel larger than the padded input" + tag, bad, "the output would be empty", [&] { call(x, q); });
    }
}

// ---- the JSON reader -----------------------------------------------------------------------

void json_checks(const std::string &parity) {
    const inp::test::Json j = inp::test::parse_json(R"({"a": [1, 2.5, -3e2], "b": {"c": "x\"y", "d": true, "e": null}, "f": NaN})");
    expect(j.at({"a"}).items.size() == 3 && j.at({"a"}).items[2].as_number() == -300, "json arrays and numbers");
    expect(j.at({"b", "c"}).string == "x\"y" && j.at({"b", "d"}).boolean && j.at({"b", "e"}).kind == inp::test::Json::Kind::Null, "json strings, bools, null");
    expect(std::isnan(j.at({"f"}).as_number()), "json NaN");
    bool threw = false;
    try {
        inp::test::parse_json("{\"a\": [1, 2}");
    } catch (const std::runtime_error &) {
        threw = true;
    }
    expect(threw, "malformed json is refused");
    const inp::test::Json c = inp::test::read_json(parity + "/e2fgvi/e2fgvi_d2/case.json");
    expect(c.at({"case"}).string == "e2fgvi_d2", "case.json's case name");
}

#if defined(INP_WITH_CUDA)
// The CUDA kernel (and the reference on the GPU) against the CPU kernel, and the fixtures on the GPU.
void cuda_checks(const std::string &parity) {
    at::globalContext().setAllowTF32CuBLAS(false); // the default; parity needs full float32 GEMMs
    auto to_cuda = [](const Inputs &x) {
        return Inputs{x.input.cuda(), x.offset.cuda(), x.mask.cuda(), x.weight.cuda(), x.bias.defined() ? x.bias.cuda() : at::Tensor()};
    };
    for (const Config &c : kConfigs) {
        const Inputs x = random_inputs(c), g = to_cuda(x);
        const at::Tensor got = kernel(g, c.p);
        expect(got.is_cuda(), "CUDA results stay on the GPU");
        const at::Tensor s = magnitude(x, c.p);
        expect_bounded("CUDA kernel vs CPU kernel, " + c.name, got.cpu(), kernel(x, c.p), s);
        expect_bounded("CUDA reference vs CPU kernel, " + c.name, reference(g, c.p).cpu(), kernel(x, c.p), s);
    }
    for (const std::string cs : {"e2fgvi_d2", "e2fgvi_hq_d2"}) {
        for (const std::string name : {"dcn", "dcn_general"}) {
            const std::string dir = parity + "/e2fgvi/" + cs + "/";
            const inp::test::Json json = inp::test::read_json(dir + "case.json");
            const inp::test::Json &params = json.at({"tolerances", "dcn", name, "params"});
            const auto stride = params.at({"stride"}).as_ints(), pad = params.at({"padding"}).as_ints(), dil = params.at({"dilation"}).as_ints();
            const Params p{stride.at(0), stride.at(1), pad.at(0), pad.at(1), dil.at(0), dil.at(1), params.at({"groups"}).as_int(),
                           params.at({"deform_groups"}).as_int()};
            auto npy = [&](const std::string &t) { return read_npy(dir + name + "_" + t + ".npy"); };
            const Inputs x = to_cuda({npy("input"), npy("offset"), npy("mask"), npy("weight"), npy("bias")});
            const double atol = json.at({"files", name + "_output.npy", "tolerance", "atol"}).as_number();
            expect_close("CUDA " + cs + "/" + name, kernel(x, p).cpu(), npy("output"), atol);
        }
    }
}
#endif

// ---- timings -------------------------------------------------------------------------------

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

void bench() {
    const int threads = at::get_num_threads();
    for (const auto &[h, w] : std::vector<std::pair<int64_t, int64_t>>{{60, 108}, {120, 216}}) {
        const Config c{"bench", 1, 256, h, w, 128, 3, 3, {1, 1, 1, 1, 1, 1, 1, 16}, 4.0};
        const Inputs x = random_inputs(c);
        const double gflop = 2.0 * 128 * 256 * 9 * h * w / 1e9;
        for (const int t : {1, 2}) {
            at::set_num_threads(t);
            const double k = median_ms([&] { kernel(x, c.p); }, 10);
            const double r = median_ms([&] { reference(x, c.p); }, 3);
            std::printf("bench DCN 1x256x%ldx%ld -> 128, 3x3, dg 16, %d thread(s): kernel %.2f ms (%.1f GFLOP/s), reference %.1f ms\n",
                        static_cast<long>(h), static_cast<long>(w), t, k, gflop / k * 1e3, r);
        }
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
    for (const std::string c : {"e2fgvi_d2", "e2fgvi_hq_d2"})
        for (const std::string name : {"dcn", "dcn_general"}) run("fixture_" + c + "_" + name, [&] { fixture_case(parity, c, name); });
    run("hand_checked_values", hand_checks);
    run("oracle_random_configs", oracle_checks);
    run("cpu_variants_baseline_avx2_avx512", isa_checks);
    run("layouts_dtypes_threads_shapes", layout_checks);
    run("mutation_offsets", mutation_checks);
    run("errors_bad_input", error_checks);
    run("json_reader", [&] { json_checks(parity); });
#if defined(INP_WITH_CUDA)
    if (at::hasCUDA()) run("cuda_vs_cpu", [&] { cuda_checks(parity); });
    else std::printf("note: CUDA build on a machine without a GPU; CUDA kernels not run\n");
#endif
    if (do_bench) bench();
    if (failures) std::fprintf(stderr, "%d failure(s)\n", failures);
    else std::printf("all passed\n");
    return failures ? 1 : 0;
}
