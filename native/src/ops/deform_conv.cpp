// Provenance: the semantics are mmcv's modulated_deform_conv2d (open-mmlab/mmcv,
// mmcv/ops/csrc/common/cuda/modulated_deform_conv_cuda_kernel.cuh, Apache-2.0) as the E2FGVI
// fixture README's "mmcv shim" section states them; torchvision's deform_conv2d (BSD-3-Clause)
// computes the same numbers. Written from that definition, not from either code.
//
// CPU kernel. A modulated deformable convolution is an ordinary convolution over sampled
// columns, so the work splits in two:
//   1. the columns: for every output pixel p, tap k and input channel c, mask * bilinear sample;
//   2. one GEMM per weight group: out[o, p] = sum over (k, c) of weight[o, c, k] * col[p, k, c].
// The GEMM is most of the FLOPs (E2FGVI: 2 * 128 * 2304 per pixel) and goes to at::mm. The
// columns are built here so that every inner loop is a run of vector instructions:
//   - the input is copied once to channels-last [H*W + 1, C] (row H*W is zeros), so the C_in/DG
//     channels a deform group shares at one corner are contiguous;
//   - the columns are pixel-major, [pixels, groups, kh*kw, C_in/groups] (the weight is permuted
//     to match, [C_out, kh*kw, C_in/groups], a small copy), so the channels of one (pixel, tap)
//     are written as one contiguous run;
//   - the bilinear weights (times the mask) and the four corner rows are computed once per
//     (deform group, tap, pixel), for a block of kBlock pixels at a time in a loop over
//     contiguous offsets that the compiler vectorises (`omp simd`), then reused for every channel
//     of that deform group: each column entry is then four vector loads and four FMAs.
//     A corner outside the image (and every corner of a sample outside (-1, H) x (-1, W)) points
//     at the zero row with weight 0, so reads are always in bounds and out-of-image samples
//     are exact zeros, as in mmcv, whatever the input holds.
// Columns are built for a chunk of output pixels at a time (at most kColumnBytes), with
// at::parallel_for over blocks of pixels; the GEMM of a chunk writes its output columns in place
// (a strided view of the output, which BLAS takes as its leading dimension).
// On x86-64 the loops are compiled for SSE2, AVX2+FMA and AVX-512 and picked at run time, as in
// ops/correlation.cpp (the library itself is built for baseline x86-64).
// Measured at E2FGVI's 1x256x60x108 -> 128 on one Zen 5 core: columns ~9 ms, GEMM ~42 ms (the
// machine's GEMM rate); the pure-ATen reference takes ~270 ms.
//
// The CUDA path (ops/cuda/deform_conv.cu) builds classic im2col columns [C_in*kh*kw, pixels]
// with one thread per column entry and multiplies them with cuBLAS through at::mm here.
#include "ops/deform_conv.h"

#include <ATen/Parallel.h>
#include <ATen/TensorOperators.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/gather.h>
#include <ATen/ops/mm.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros.h>
#include <c10/util/StringUtil.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "runtime/error.h"

#if defined(INP_WITH_CUDA)
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "ops/cuda/kernels.h"
#endif

// GCC or Clang (the vector extensions below need one of them).
#define INP_ALWAYS_INLINE [[gnu::always_inline]] inline
#if defined(__x86_64__)
#define INP_HAVE_X86_CLONES 1
#else
#define INP_HAVE_X86_CLONES 0
#endif

namespace inp::ops {

namespace {

constexpr int64_t kBlock = 64;                           // pixels whose sampling tables are built at once
constexpr int64_t kColumnBytes = int64_t{16} << 20;      // CPU column chunk: E2FGVI's 60x108 map in 4
constexpr int64_t kCudaColumnBytes = int64_t{256} << 20; // CUDA column chunk

enum class Isa { Baseline = 0, Avx2 = 1, Avx512 = 2 };

// Validated sizes of one call.
struct Shape {
    int64_t n, c, h, w, c_out, kh, kw, ho, wo;
    int64_t sh, sw, ph, pw, dh, dw, groups, dg;
    int64_t taps() const { return kh * kw; }
    int64_t pixels() const { return ho * wo; }
    int64_t cg() const { return c / groups; }      // input channels per weight group
    int64_t cog() const { return c_out / groups; } // output channels per weight group
    int64_t cdg() const { return c / dg; }         // input channels per deform group
};

std::string sizes(const at::Tensor &t) { return c10::str(t.sizes()); }

std::string dims(std::initializer_list<int64_t> d) {
    std::string s = "[";
    for (const int64_t x : d) s += (s.size() > 1 ? ", " : "") + std::to_string(x);
    return s + "]";
}

[[noreturn]] void bad(const char *op, const std::string &what) { fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": " + what); }

void check_tensor(const char *op, const char *name, const at::Tensor &t, int64_t dim, const char *layout) {
    if (!t.defined()) bad(op, std::string(name) + " is an undefined tensor");
    if (t.dim() != dim) bad(op, std::string(name) + " must be " + layout + ", got " + sizes(t));
    const at::ScalarType s = t.scalar_type();
    if (s != at::kFloat && s != at::kBFloat16 && s != at::kHalf)
        bad(op, std::string(name) + " must be float32 (or bfloat16/float16, computed in float32), got " + c10::toString(s));
    if (!t.is_cpu() && !t.is_cuda()) bad(op, std::string(name) + " is on " + t.device().str() + "; only CPU and CUDA are supported");
}

void check_like(const char *op, const char *name, const at::Tensor &t, const at::Tensor &input) {
    if (t.device() != input.device()) bad(op, std::string(name) + " is on " + t.device().str() + ", input on " + input.device().str());
    if (t.scalar_type() != input.scalar_type())
        bad(op, std::string(name) + " is " + c10::toString(t.scalar_type()) + ", input " + c10::toString(input.scalar_type()) +
                    " (all arguments must have one dtype)");
}

Shape check_args(const char *op, const at::Tensor &input, const at::Tensor &offset, const at::Tensor &mask, const at::Tensor &weight,
                 const at::Tensor &bias, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups,
                 int64_t dg) {
    if (sh < 1 || sw < 1) bad(op, "stride must be >= 1, got (" + std::to_string(sh) + ", " + std::to_string(sw) + ")");
    if (ph < 0 || pw < 0) bad(op, "padding must be >= 0, got (" + std::to_string(ph) + ", " + std::to_string(pw) + ")");
    if (dh < 1 || dw < 1) bad(op, "dilation must be >= 1, got (" + std::to_string(dh) + ", " + std::to_string(dw) + ")");
    if (groups < 1) bad(op, "groups must be >= 1, got " + std::to_string(groups));
    if (dg < 1) bad(op, "deform_groups must be >= 1, got " + std::to_string(dg));
    check_tensor(op, "input", input, 4, "[N, C_in, H, W]");
    check_tensor(op, "offset", offset, 4, "[N, deform_groups * 2 * kh * kw, Ho, Wo]");
    check_tensor(op, "mask", mask, 4, "[N, deform_groups * kh * kw, Ho, Wo]");
    check_tensor(op, "weight", weight, 4, "[C_out, C_in / groups, kh, kw]");
    check_like(op, "offset", offset, input);
    check_like(op, "mask", mask, input);
    check_like(op, "weight", weight, input);
    if (bias.defined()) {
        check_tensor(op, "bias", bias, 1, "[C_out]");
        check_like(op, "bias", bias, input);
    }
    Shape s{};
    s.n = input.size(0), s.c = input.size(1), s.h = input.size(2), s.w = input.size(3);
    s.c_out = weight.size(0), s.kh = weight.size(2), s.kw = weight.size(3);
    s.sh = sh, s.sw = sw, s.ph = ph, s.pw = pw, s.dh = dh, s.dw = dw, s.groups = groups, s.dg = dg;
    const std::string geometry = " (input " + sizes(input) + ", weight " + sizes(weight) + ", groups " + std::to_string(groups) +
                                 ", deform_groups " + std::to_string(dg) + ")";
    if (s.kh < 1 || s.kw < 1) bad(op, "weight must have a kernel of at least 1x1, got " + sizes(weight));
    if (s.c % groups != 0) bad(op, "C_in = " + std::to_string(s.c) + " is not divisible by groups = " + std::to_string(groups) + geometry);
    if (s.c_out % groups != 0)
        bad(op, "C_out = " + std::to_string(s.c_out) + " is not divisible by groups = " + std::to_string(groups) + geometry);
    if (s.c % dg != 0)
        bad(op, "C_in = " + std::to_string(s.c) + " is not divisible by deform_groups = " + std::to_string(dg) + geometry);
    if (weight.size(1) * groups != s.c)
        bad(op, "weight must be [C_out, C_in / groups, kh, kw] with C_in / groups = " + std::to_string(s.c / groups) + geometry);
    const int64_t span_h = dh * (s.kh - 1) + 1, span_w = dw * (s.kw - 1) + 1;
    if (s.h + 2 * ph < span_h || s.w + 2 * pw < span_w)
        bad(op, "the output would be empty: the padded input " + std::to_string(s.h + 2 * ph) + "x" + std::to_string(s.w + 2 * pw) +
                    " is smaller than the dilated kernel " + std::to_string(span_h) + "x" + std::to_string(span_w) + geometry);
    s.ho = (s.h + 2 * ph - span_h) / sh + 1;
    s.wo = (s.w + 2 * pw - span_w) / sw + 1;
    const int64_t k = s.taps();
    if (offset.sizes() != at::IntArrayRef({s.n, dg * 2 * k, s.ho, s.wo}))
        bad(op, "offset must be [N, deform_groups * 2 * kh * kw, Ho, Wo] = " + dims({s.n, dg * 2 * k, s.ho, s.wo}) + geometry + ", got " +
                    sizes(offset));
    if (mask.sizes() != at::IntArrayRef({s.n, dg * k, s.ho, s.wo}))
        bad(op, "mask must be [N, deform_groups * kh * kw, Ho, Wo] = " + dims({s.n, dg * k, s.ho, s.wo}) + geometry + ", got " + sizes(mask));
    if (bias.defined() && bias.size(0) != s.c_out) bad(op, "bias must be [C_out] = " + dims({s.c_out}) + ", got " + sizes(bias));
    // The CPU kernel indexes input pixels (and the zero row after them) with int32.
    if (s.h * s.w >= std::numeric_limits<int32_t>::max()) bad(op, "input maps of 2^31 - 1 pixels or more are not supported, got " + sizes(input));
    return s;
}

at::Tensor as_float(const at::Tensor &t) { return (t.scalar_type() == at::kFloat ? t : t.to(at::kFloat)).contiguous(); }

// Output pixels per column chunk: the whole map if it fits `budget` bytes, else equal chunks.
int64_t chunk_pixels(const Shape &s, int64_t budget) {
    const int64_t row = std::max<int64_t>(1, s.c * s.taps() * static_cast<int64_t>(sizeof(float)));
    const int64_t fit = std::max<int64_t>(1, budget / row), chunks = (s.pixels() + fit - 1) / fit;
    return (s.pixels() + chunks - 1) / chunks;
}

// ---- CPU columns ---------------------------------------------------------------------------

template <int W>
struct Vec {
    typedef float type __attribute__((vector_size(W * sizeof(float))));
};
#pragma GCC diagnostic ignored "-Wpsabi"

template <int W>
INP_ALWAYS_INLINE typename Vec<W>::type load(const float *p) {
    typename Vec<W>::type v;
    std::memcpy(&v, p, sizeof v); // unaligned
    return v;
}

template <int W>
INP_ALWAYS_INLINE void store(float *p, const typename Vec<W>::type &v) {
    std::memcpy(p, &v, sizeof v);
}

// Sampling of one (deform group, tap) for a block of pixels: corner rows (pixel indices into the
// channels-last input; the zero row where the corner is outside) and weights (bilinear * mask).
struct Table {
    alignas(64) int32_t row[4][kBlock];
    alignas(64) float wt[4][kBlock];
    alignas(64) float base_y[kBlock], base_x[kBlock]; // ho * sh - ph and wo * sw - pw of each pixel
};

// v where b holds, else +0 (a bit mask, not a select: GCC will not if-convert a conditional
// float multiplication, which could trap, so a ternary here would keep the loop scalar).
INP_ALWAYS_INLINE float keep(float v, bool b) { return std::bit_cast<float>(std::bit_cast<uint32_t>(v) & (0u - static_cast<uint32_t>(b))); }

// dy, dx, m: the block's offsets and mask of this (deform group, tap); ty, tx: the tap's i * dh, j * dw.
// Written branch-free (bitwise &, clamps by comparison) so that `omp simd` vectorises it.
INP_ALWAYS_INLINE void build_table(Table &t, const float *dy, const float *dx, const float *m, float ty, float tx, int64_t nb,
                                   int32_t h, int32_t w) {
    const int32_t zero_row = h * w;
    const float hf = static_cast<float>(h), wf = static_cast<float>(w);
#pragma omp simd
    for (int64_t q = 0; q < nb; q++) {
        // (integer base + tap) is exact in float, so adding the offset rounds once, as in mmcv.
        const float y = (t.base_y[q] + ty) + dy[q], x = (t.base_x[q] + tx) + dx[q];
        const bool inside = (y > -1.f) & (y < hf) & (x > -1.f) & (x < wf); // false for NaN too
        // Clamped to [-1, h] x [-1, w] (NaN to -1): the identity inside, and outside a value
        // whose integer conversion is defined; the corners of an outside sample are all dropped.
        const float ya = y > -1.f ? y : -1.f, xa = x > -1.f ? x : -1.f;
        const float yc = ya < hf ? ya : hf, xc = xa < wf ? xa : wf;
        int32_t y0 = static_cast<int32_t>(yc), x0 = static_cast<int32_t>(xc);
        y0 -= static_cast<int32_t>(static_cast<float>(y0) > yc); // truncation -> floor
        x0 -= static_cast<int32_t>(static_cast<float>(x0) > xc);
        const float ly = yc - static_cast<float>(y0), lx = xc - static_cast<float>(x0);
        const float hy = 1.f - ly, hx = 1.f - lx, mm = m[q];
        const bool top = inside & (y0 >= 0), bottom = inside & (y0 + 1 < h), left = x0 >= 0, right = x0 + 1 < w;
        const bool tl = top & left, tr = top & right, bl = bottom & left, br = bottom & right;
        const int32_t corner = y0 * w + x0;
        t.row[0][q] = tl ? corner : zero_row;
        t.row[1][q] = tr ? corner + 1 : zero_row;
        t.row[2][q] = bl ? corner + w : zero_row;
        t.row[3][q] = br ? corner + w + 1 : zero_row;
        t.wt[0][q] = keep(hy * hx * mm, tl);
        t.wt[1][q] = keep(hy * lx * mm, tr);
        t.wt[2][q] = keep(ly * hx * mm, bl);
        t.wt[3][q] = keep(ly * lx * mm, br);
    }
}

// dst[0 .. len) = the weighted sum of the four corner runs; len a multiple of W.
template <int W>
INP_ALWAYS_INLINE void blend_vectors(float *dst, const float *a, const float *b, const float *c, const float *d, float wa, float wb,
                                     float wc, float wd, int64_t len) {
    for (int64_t i = 0; i < len; i += W)
        store<W>(dst + i, wa * load<W>(a + i) + wb * load<W>(b + i) + wc * load<W>(c + i) + wd * load<W>(d + i));
}

// The same for any len: vectors, then a scalar tail. Kept apart from blend_vectors because GCC
// auto-vectorises the tail loop behind run-time alias checks, which cost more per call than the
// whole run of 16 channels E2FGVI has.
template <int W>
INP_ALWAYS_INLINE void blend_any(float *dst, const float *a, const float *b, const float *c, const float *d, float wa, float wb, float wc,
                                 float wd, int64_t len) {
    const int64_t full = len / W * W;
    blend_vectors<W>(dst, a, b, c, d, wa, wb, wc, wd, full);
    for (int64_t i = full; i < len; i++) dst[i] = wa * a[i] + wb * b[i] + wc * c[i] + wd * d[i];
}

struct ColumnArgs {
    const float *in;     // [h * w + 1, c] channels-last, last row zeros
    const float *offset; // [dg * 2 * taps, pixels] of this batch item
    const float *mask;   // [dg * taps, pixels]
    float *cols;         // [chunk pixels, groups, taps, cg]
    int64_t p0;          // the chunk's first output pixel
};

// Columns of output pixels [begin, end) (absolute indices, inside the chunk that starts at a.p0).
template <int W>
INP_ALWAYS_INLINE void columns_impl(const ColumnArgs &a, const Shape &s, int64_t begin, int64_t end) {
    const int64_t taps = s.taps(), pixels = s.pixels(), c = s.c, cg = s.cg(), cdg = s.cdg(), row_len = c * taps;
    Table t;
    for (int64_t blk = begin; blk < end; blk += kBlock) {
        const int64_t nb = std::min(kBlock, end - blk);
        for (int64_t q = 0, oy = blk / s.wo, ox = blk % s.wo; q < nb; q++) {
            t.base_y[q] = static_cast<float>(oy * s.sh - s.ph);
            t.base_x[q] = static_cast<float>(ox * s.sw - s.pw);
            if (++ox == s.wo) ox = 0, oy++;
        }
        float *cols = a.cols + (blk - a.p0) * row_len;
        for (int64_t g = 0; g < s.dg; g++) {
            for (int64_t k = 0; k < taps; k++) {
                const float *dy = a.offset + (g * 2 * taps + 2 * k) * pixels + blk;
                build_table(t, dy, dy + pixels, a.mask + (g * taps + k) * pixels + blk, static_cast<float>((k / s.kw) * s.dh),
                            static_cast<float>((k % s.kw) * s.dw), nb, static_cast<int32_t>(s.h), static_cast<int32_t>(s.w));
                // This deform group's channels, cut where a weight group ends.
                for (int64_t c0 = g * cdg, c1 = c0 + cdg; c0 < c1;) {
                    const int64_t wg = c0 / cg, ce = std::min(c1, (wg + 1) * cg), len = ce - c0;
                    float *dst = cols + wg * taps * cg + k * cg + (c0 - wg * cg);
                    const float *in = a.in + c0;
                    if (len % W == 0) {
                        for (int64_t q = 0; q < nb; q++, dst += row_len)
                            blend_vectors<W>(dst, in + t.row[0][q] * c, in + t.row[1][q] * c, in + t.row[2][q] * c, in + t.row[3][q] * c,
                                             t.wt[0][q], t.wt[1][q], t.wt[2][q], t.wt[3][q], len);
                    } else {
                        for (int64_t q = 0; q < nb; q++, dst += row_len)
                            blend_any<W>(dst, in + t.row[0][q] * c, in + t.row[1][q] * c, in + t.row[2][q] * c, in + t.row[3][q] * c,
                                         t.wt[0][q], t.wt[1][q], t.wt[2][q], t.wt[3][q], len);
                    }
                    c0 = ce;
                }
            }
        }
    }
}

// in [c, hw] -> out [hw + 1, c] (the extra row zero), in tiles of 16 pixels.
void channels_last(const float *in, float *out, int64_t c, int64_t hw, int64_t begin, int64_t end) {
    constexpr int64_t kTile = 16;
    for (int64_t p = begin; p < end; p += kTile) {
        const int64_t np = std::min(kTile, end - p);
        for (int64_t ch = 0; ch < c; ch++) {
            const float *src = in + ch * hw + p;
            float *dst = out + p * c + ch;
            for (int64_t q = 0; q < np; q++) dst[q * c] = src[q];
        }
    }
}

// Baseline x86-64 has SSE2 (4 floats); elsewhere (NEON) 4 is the usual width as well.
void columns(const ColumnArgs &a, const Shape &s, int64_t begin, int64_t end) { columns_impl<4>(a, s, begin, end); }

#if INP_HAVE_X86_CLONES
// The same loops inlined into AVX2+FMA and AVX-512 functions, for machines that have them. The
// 16-float vectors of AVX-512 are E2FGVI's run of 16 channels per deform group in one
// instruction each (the columns take 10-15 % less time than with AVX2 on Zen 5).
[[gnu::target("avx2,fma")]] void columns_avx2(const ColumnArgs &a, const Shape &s, int64_t begin, int64_t end) {
    columns_impl<8>(a, s, begin, end);
}
[[gnu::target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")]] void columns_avx512(const ColumnArgs &a, const Shape &s, int64_t begin,
                                                                                int64_t end) {
    columns_impl<16>(a, s, begin, end);
}
bool cpu_has(Isa isa) {
    switch (isa) {
    case Isa::Baseline: return true;
    case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Avx512:
        return cpu_has(Isa::Avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
    default: return false;
    }
}
#else
bool cpu_has(Isa isa) { return isa == Isa::Baseline; }
#endif

std::atomic<int> g_forced_isa{-1}; // deform_conv_testing::use_isa; -1 = the widest available

using ColumnFn = void (*)(const ColumnArgs &, const Shape &, int64_t, int64_t);
ColumnFn column_loops() {
    static const Isa best = cpu_has(Isa::Avx512) ? Isa::Avx512 : cpu_has(Isa::Avx2) ? Isa::Avx2 : Isa::Baseline;
    const int forced = g_forced_isa.load(std::memory_order_relaxed);
    switch (forced >= 0 ? static_cast<Isa>(forced) : best) {
#if INP_HAVE_X86_CLONES
    case Isa::Avx512: return columns_avx512;
    case Isa::Avx2: return columns_avx2;
#endif
    default: return columns;
    }
}

at::Tensor forward_cpu(const Shape &s, const at::Tensor &x, const at::Tensor &off, const at::Tensor &msk, const at::Tensor &wt,
                       const at::Tensor &bs) {
    const int64_t taps = s.taps(), pixels = s.pixels(), hw = s.h * s.w, cg = s.cg(), cog = s.cog();
    at::Tensor out = at::empty({s.n, s.c_out, s.ho, s.wo}, x.options());
    if (out.numel() == 0) return out;
    if (bs.defined()) out.copy_(bs.view({1, s.c_out, 1, 1}).expand_as(out));
    // [C_out, taps, cg]: the columns' order within a group.
    const at::Tensor wk = wt.permute({0, 2, 3, 1}).reshape({s.groups, cog, taps * cg});
    const int64_t chunk = chunk_pixels(s, kColumnBytes);
    at::Tensor cols = at::empty({chunk * s.c * taps}, x.options());
    at::Tensor in_cl = at::empty({hw + 1, s.c}, x.options());
    in_cl[hw].zero_();
    const ColumnFn build = column_loops();
    for (int64_t b = 0; b < s.n; b++) {
        const float *src = x[b].const_data_ptr<float>();
        float *dst = in_cl.mutable_data_ptr<float>();
        at::parallel_for(0, hw, 256, [&](int64_t begin, int64_t end) { channels_last(src, dst, s.c, hw, begin, end); });
        const at::Tensor out_b = out[b].view({s.c_out, pixels});
        for (int64_t p0 = 0; p0 < pixels; p0 += chunk) {
            const int64_t np = std::min(chunk, pixels - p0);
            const ColumnArgs args{in_cl.const_data_ptr<float>(), off[b].const_data_ptr<float>(), msk[b].const_data_ptr<float>(),
                                  cols.mutable_data_ptr<float>(), p0};
            at::parallel_for(p0, p0 + np, kBlock, [&](int64_t begin, int64_t end) { build(args, s, begin, end); });
            const at::Tensor cv = cols.narrow(0, 0, np * s.c * taps).view({np, s.groups, taps * cg});
            for (int64_t g = 0; g < s.groups; g++) {
                at::Tensor o = out_b.narrow(0, g * cog, cog).narrow(1, p0, np); // strided: BLAS writes it in place
                const at::Tensor colT = cv.select(1, g).t();                     // [taps * cg, np], transposed view
                if (bs.defined()) o.addmm_(wk[g], colT);
                else at::mm_out(o, wk[g], colT);
            }
        }
    }
    return out;
}

#if defined(INP_WITH_CUDA)
at::Tensor forward_cuda(const Shape &s, const at::Tensor &x, const at::Tensor &off, const at::Tensor &msk, const at::Tensor &wt,
                        const at::Tensor &bs) {
    const c10::cuda::CUDAGuard guard(x.device());
    const int64_t taps = s.taps(), pixels = s.pixels(), cg = s.cg(), cog = s.cog();
    at::Tensor out = at::empty({s.n, s.c_out, s.ho, s.wo}, x.options());
    if (out.numel() == 0) return out;
    if (bs.defined()) out.copy_(bs.view({1, s.c_out, 1, 1}).expand_as(out));
    const at::Tensor wk = wt.reshape({s.groups, cog, cg * taps}); // natural order: row c * taps + k
    const int64_t chunk = chunk_pixels(s, kCudaColumnBytes);
    at::Tensor cols = at::empty({s.c * taps * chunk}, x.options());
    const cuda::DeformGeometry geo{s.c, s.h, s.w, s.ho, s.wo, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, s.dh, s.dw, s.dg};
    void *stream = c10::cuda::getCurrentCUDAStream().stream();
    for (int64_t b = 0; b < s.n; b++) {
        const at::Tensor out_b = out[b].view({s.c_out, pixels});
        for (int64_t p0 = 0; p0 < pixels; p0 += chunk) {
            const int64_t np = std::min(chunk, pixels - p0);
            const at::Tensor cv = cols.narrow(0, 0, s.c * taps * np).view({s.c * taps, np});
            const char *err = cuda::deform_columns(x[b].const_data_ptr<float>(), off[b].const_data_ptr<float>(), msk[b].const_data_ptr<float>(),
                                                   cv.mutable_data_ptr<float>(), geo, p0, np, stream);
            if (err != nullptr) fail(INP_ERR_DEVICE, std::string("modulated_deform_conv2d: CUDA kernel launch failed: ") + err);
            for (int64_t g = 0; g < s.groups; g++) {
                at::Tensor o = out_b.narrow(0, g * cog, cog).narrow(1, p0, np);
                const at::Tensor cgm = cv.narrow(0, g * cg * taps, cg * taps);
                if (bs.defined()) o.addmm_(wk[g], cgm);
                else at::mm_out(o, wk[g], cgm);
            }
        }
    }
    return out;
}
#endif

} // namespace

at::Tensor modulated_deform_conv2d(const at::Tensor &input, const at::Tensor &offset, const at::Tensor &mask, const at::Tensor &weight,
                                   const at::Tensor &bias, int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dil_h,
                                   int64_t dil_w, int64_t groups, int64_t deform_groups) {
    constexpr const char *name = "modulated_deform_conv2d";
    const Shape s = check_args(name, input, offset, mask, weight, bias, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, deform_groups);
    const at::Tensor x = as_float(input), off = as_float(offset), msk = as_float(mask), wt = as_float(weight);
    const at::Tensor bs = bias.defined() ? as_float(bias) : at::Tensor();
    at::Tensor out;
    if (x.is_cuda()) {
#if defined(INP_WITH_CUDA)
        out = forward_cuda(s, x, off, msk, wt, bs);
#else
        fail(INP_ERR_UNSUPPORTED, std::string(name) + ": CUDA tensor given, but this build of Inpainterz has no CUDA kernels (CPU libtorch)");
#endif
    } else {
        out = forward_cpu(s, x, off, msk, wt, bs);
    }
    return input.scalar_type() == at::kFloat ? out : out.to(input.scalar_type());
}

at::Tensor modulated_deform_conv2d_reference(const at::Tensor &input, const at::Tensor &offset, const at::Tensor &mask,
                                             const at::Tensor &weight, const at::Tensor &bias, int64_t stride_h, int64_t stride_w,
                                             int64_t pad_h, int64_t pad_w, int64_t dil_h, int64_t dil_w, int64_t groups,
                                             int64_t deform_groups) {
    constexpr const char *name = "modulated_deform_conv2d_reference";
    const Shape s = check_args(name, input, offset, mask, weight, bias, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, deform_groups);
    const at::Tensor x = as_float(input), off = as_float(offset), msk = as_float(mask), wt = as_float(weight);
    const int64_t n = s.n, dg = s.dg, taps = s.taps(), pixels = s.pixels(), kp = taps * pixels, cdg = s.cdg();
    const auto f32 = x.options(), i64 = x.options().dtype(at::kLong);
    // Sampling positions [n, dg, taps, ho, wo]: (integer base + tap) + offset.
    const at::Tensor ki = at::arange(s.kh, f32).view({s.kh, 1}).expand({s.kh, s.kw}).reshape({1, 1, taps, 1, 1});
    const at::Tensor kj = at::arange(s.kw, f32).view({1, s.kw}).expand({s.kh, s.kw}).reshape({1, 1, taps, 1, 1});
    const at::Tensor oy = (at::arange(s.ho, f32) * static_cast<double>(s.sh) - static_cast<double>(s.ph)).view({1, 1, 1, s.ho, 1});
    const at::Tensor ox = (at::arange(s.wo, f32) * static_cast<double>(s.sw) - static_cast<double>(s.pw)).view({1, 1, 1, 1, s.wo});
    const at::Tensor off6 = off.view({n, dg, taps, 2, s.ho, s.wo});
    const at::Tensor y = (oy + ki * static_cast<double>(s.dh)) + off6.select(3, 0);
    const at::Tensor xx = (ox + kj * static_cast<double>(s.dw)) + off6.select(3, 1);
    const at::Tensor inside = (y > -1) & (y < static_cast<double>(s.h)) & (xx > -1) & (xx < static_cast<double>(s.w));
    const at::Tensor y0 = y.floor(), x0 = xx.floor(), ly = y - y0, lx = xx - x0;
    // The bilinear sum over the four corners, each gathered from the [n, dg, cdg, h * w] input.
    const at::Tensor planes = x.view({n, dg, cdg, s.h * s.w});
    at::Tensor sampled = at::zeros({n, dg, cdg, kp}, f32);
    for (const int cy : {0, 1}) {
        if (s.h * s.w == 0) break; // an empty map (padding alone makes the output): every sample is 0
        for (const int cx : {0, 1}) {
            const at::Tensor yy = y0 + cy, xc = x0 + cx;
            const at::Tensor valid = inside & (yy >= 0) & (yy <= static_cast<double>(s.h - 1)) & (xc >= 0) & (xc <= static_cast<double>(s.w - 1));
            const at::Tensor weight_c = (cy ? ly : 1 - ly) * (cx ? lx : 1 - lx);
            const at::Tensor index = at::where(valid, yy, 0).to(i64) * s.w + at::where(valid, xc, 0).to(i64);
            const at::Tensor v = at::gather(planes, 3, index.reshape({n, dg, 1, kp}).expand({n, dg, cdg, kp}));
            sampled = sampled + at::where(valid.reshape({n, dg, 1, kp}), weight_c.reshape({n, dg, 1, kp}) * v, 0);
        }
    }
    // Columns [n, c * taps, pixels] (row ch * taps + k), then one GEMM per batch item and group.
    const at::Tensor cols = (sampled * msk.view({n, dg, 1, kp})).view({n, s.c * taps, pixels});
    const int64_t rows = s.cg() * taps, cog = s.cog();
    const at::Tensor wk = wt.reshape({s.groups, cog, rows});
    at::Tensor out = at::empty({n, s.c_out, pixels}, f32);
    for (int64_t b = 0; b < n; b++)
        for (int64_t g = 0; g < s.groups; g++) out[b].narrow(0, g * cog, cog).copy_(at::mm(wk[g], cols[b].narrow(0, g * rows, rows)));
    if (bias.defined()) out = out + as_float(bias).view({1, s.c_out, 1});
    out = out.view({n, s.c_out, s.ho, s.wo});
    return input.scalar_type() == at::kFloat ? out : out.to(input.scalar_type());
}

namespace deform_conv_testing {

bool use_isa(const std::string &isa) {
    int v;
    if (isa == "auto") v = -1;
    else if (isa == "baseline") v = static_cast<int>(Isa::Baseline);
    else if (isa == "avx2") v = static_cast<int>(Isa::Avx2);
    else if (isa == "avx512") v = static_cast<int>(Isa::Avx512);
    else return false;
    if (v >= 0 && !cpu_has(static_cast<Isa>(v))) return false;
    g_forced_isa.store(v);
    return true;
}

} // namespace deform_conv_testing

} // namespace inp::ops
