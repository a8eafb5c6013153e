// Provenance: the correlation's semantics are Pytorch-Correlation-extension's
// correlation_cpp_forward (ClementPinard, MIT) for kernel_size 1; the aggregation's are
// aot-benchmark's LocalGatedPropagation.local2global + matmul (yoxu515, BSD-3-Clause). Written
// from their definitions, not their code.
//
// CPU: one task per (n, y) output row. The maps are copied once to channels-last scratch with
// the channels zero-padded to kLanes, so every inner loop is a tail-free run of vector
// instructions over contiguous channels (a dot product for the correlation, an axpy for the
// aggregation). On x86-64 the loops are compiled twice, for SSE2 and for AVX2+FMA, and picked at
// run time (the library itself is built for baseline x86-64).
#include "ops/correlation.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>
#include <c10/util/StringUtil.h>

#include <algorithm>
#include <cstring>
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
#define INP_HAVE_AVX2_CLONE 1
#else
#define INP_HAVE_AVX2_CLONE 0
#endif

namespace inp::ops {

namespace {

constexpr int64_t kLanes = 16; // channel padding, in floats: a multiple of every vector width below

// W floats as one GCC/Clang vector, W = the target's register width (4 for SSE, 8 for AVX2):
// compiled to packed instructions at any optimisation level (the same sums as plain loops are
// vectorised well at -O3 but only partly at -O2). Wider than a register, a vector would live on
// the stack. Only used inside always-inline helpers, so the -Wpsabi note on passing vectors to
// functions of another target does not apply.
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
INP_ALWAYS_INLINE float hsum(const typename Vec<W>::type &v) {
    float s = 0.f;
#pragma GCC unroll 8
    for (int l = 0; l < W; l++) s += v[l];
    return s;
}

struct Dims {
    int64_t n, c, h, w, cp, patch;
};

// Dot products of q with 4 consecutive k pixels (kp, kp + cp, ...): q's loads are shared.
template <int W>
INP_ALWAYS_INLINE void dot4(const float *q, const float *kp, int64_t cp, float *res) {
    typename Vec<W>::type a0 = {}, a1 = {}, a2 = {}, a3 = {};
    for (int64_t c = 0; c < cp; c += W) {
        const auto x = load<W>(q + c);
        a0 += x * load<W>(kp + c);
        a1 += x * load<W>(kp + cp + c);
        a2 += x * load<W>(kp + 2 * cp + c);
        a3 += x * load<W>(kp + 3 * cp + c);
    }
    res[0] = hsum<W>(a0), res[1] = hsum<W>(a1), res[2] = hsum<W>(a2), res[3] = hsum<W>(a3);
}

template <int W>
INP_ALWAYS_INLINE float dot1(const float *q, const float *kp, int64_t cp) {
    static_assert(kLanes % (2 * W) == 0, "cp is a multiple of kLanes, the loop steps 2 * W");
    typename Vec<W>::type a0 = {}, a1 = {}; // two chains: half the add latency
    for (int64_t c = 0; c < cp; c += 2 * W) {
        a0 += load<W>(q + c) * load<W>(kp + c);
        a1 += load<W>(q + c + W) * load<W>(kp + c + W);
    }
    return hsum<W>(a0 + a1);
}

// q, k: [n, h, w, cp] scratch; out [n, P*P, h, w] zero-filled; only in-map entries are written.
template <int W>
INP_ALWAYS_INLINE void correlation_rows_impl(const float *q, const float *k, float *out, const Dims &d, int64_t begin, int64_t end) {
    const int64_t h = d.h, w = d.w, cp = d.cp, patch = d.patch, r = patch / 2, hw = h * w;
    for (int64_t row = begin; row < end; row++) {
        const int64_t b = row / h, y = row % h;
        float *o = out + b * patch * patch * hw + y * w; // o[p * hw + x] = out[b, p, y, x]
        const int64_t i0 = std::max<int64_t>(0, r - y), i1 = std::min(patch, h - y + r);
        for (int64_t x = 0; x < w; x++) {
            const float *qv = q + (row * w + x) * cp;
            const int64_t j0 = std::max<int64_t>(0, r - x), j1 = std::min(patch, w - x + r);
            for (int64_t i = i0; i < i1; i++) {
                const float *krow = k + ((b * h + y + i - r) * w) * cp;
                float *op = o + i * patch * hw + x;
                int64_t j = j0;
                for (; j + 4 <= j1; j += 4) {
                    float res[4];
                    dot4<W>(qv, krow + (x + j - r) * cp, cp, res);
                    for (int t = 0; t < 4; t++) op[(j + t) * hw] = res[t];
                }
                for (; j < j1; j++) op[j * hw] = dot1<W>(qv, krow + (x + j - r) * cp, cp);
            }
        }
    }
}

// NV vectors of channels from c0 on, for every pixel of the row: the accumulators stay in
// registers over the whole window.
template <int W, int NV>
INP_ALWAYS_INLINE void aggregate_block(const float *a, const float *v, float *orow, const Dims &d, int64_t b, int64_t y, int64_t c0) {
    const int64_t h = d.h, w = d.w, cp = d.cp, patch = d.patch, r = patch / 2, hw = h * w;
    const int64_t i0 = std::max<int64_t>(0, r - y), i1 = std::min(patch, h - y + r);
    for (int64_t x = 0; x < w; x++) {
        const int64_t j0 = std::max<int64_t>(0, r - x), j1 = std::min(patch, w - x + r);
        typename Vec<W>::type acc[NV] = {};
        for (int64_t i = i0; i < i1; i++) {
            const float *vrow = v + (b * h + y + i - r) * w * cp + c0;
            const float *arow = a + i * patch * hw + x;
            for (int64_t j = j0; j < j1; j++) {
                const float wt = arow[j * hw];
                const float *vp = vrow + (x + j - r) * cp;
#pragma GCC unroll 8 // keeps acc[] in registers at -O2 too
                for (int t = 0; t < NV; t++) acc[t] += wt * load<W>(vp + t * W);
            }
        }
        std::memcpy(orow + x * cp + c0, acc, sizeof acc);
    }
}

// attn [n, P*P, h, w]; v, out: [n, h, w, cp] scratch (every element of out is written).
template <int W>
INP_ALWAYS_INLINE void aggregate_rows_impl(const float *attn, const float *v, float *out, const Dims &d, int64_t begin, int64_t end) {
    static_assert(kLanes % W == 0);
    const int64_t h = d.h, w = d.w, cp = d.cp, hw = h * w;
    constexpr int kBlock = 8, kTail = kLanes / W; // vectors: 8 accumulator registers; a kLanes step
    for (int64_t row = begin; row < end; row++) {
        const int64_t b = row / h, y = row % h;
        const float *a = attn + b * d.patch * d.patch * hw + y * w; // a[p * hw + x] = attn[b, p, y, x]
        float *orow = out + row * w * cp;
        int64_t c0 = 0;
        for (; c0 + kBlock * W <= cp; c0 += kBlock * W) aggregate_block<W, kBlock>(a, v, orow, d, b, y, c0);
        for (; c0 < cp; c0 += kLanes) aggregate_block<W, kTail>(a, v, orow, d, b, y, c0);
    }
}

// Baseline x86-64 has SSE2 (4 floats); elsewhere (NEON) 4 is the usual width as well.
void correlation_rows(const float *q, const float *k, float *out, const Dims &d, int64_t begin, int64_t end) {
    correlation_rows_impl<4>(q, k, out, d, begin, end);
}
void aggregate_rows(const float *attn, const float *v, float *out, const Dims &d, int64_t begin, int64_t end) {
    aggregate_rows_impl<4>(attn, v, out, d, begin, end);
}

#if INP_HAVE_AVX2_CLONE
// The same loops inlined into AVX2+FMA functions (a default-target callee may be inlined into
// a caller whose ISA is a superset), for machines that have it.
[[gnu::target("avx2,fma")]] void correlation_rows_avx2(const float *q, const float *k, float *out, const Dims &d, int64_t begin, int64_t end) {
    correlation_rows_impl<8>(q, k, out, d, begin, end);
}
[[gnu::target("avx2,fma")]] void aggregate_rows_avx2(const float *attn, const float *v, float *out, const Dims &d, int64_t begin, int64_t end) {
    aggregate_rows_impl<8>(attn, v, out, d, begin, end);
}
bool has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return yes;
}
#endif

std::string sizes(const at::Tensor &t) { return c10::str(t.sizes()); }

void check_patch(const char *op, int64_t patch) {
    if (patch < 1 || patch % 2 == 0)
        fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": patch must be odd and >= 1 (a window centred on the pixel), got " + std::to_string(patch));
}

void check_map(const char *op, const char *name, const at::Tensor &t) {
    if (!t.defined()) fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": " + name + " is an undefined tensor");
    if (t.dim() != 4) fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": " + name + " must be [N, C, H, W], got " + sizes(t));
    const at::ScalarType s = t.scalar_type();
    if (s != at::kFloat && s != at::kBFloat16 && s != at::kHalf)
        fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": " + name + " must be float32 (or bfloat16/float16, computed in float32), got " +
                                           c10::toString(s));
    if (!t.is_cpu() && !t.is_cuda())
        fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": " + name + " is on " + t.device().str() + "; only CPU and CUDA are supported");
}

void check_same(const char *op, const at::Tensor &a, const at::Tensor &b) {
    if (a.device() != b.device())
        fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": inputs on different devices, " + a.device().str() + " and " + b.device().str());
    if (a.scalar_type() != b.scalar_type())
        fail(INP_ERR_INVALID_ARGUMENT, std::string(op) + ": inputs of different dtypes, " + c10::toString(a.scalar_type()) + " and " +
                                           c10::toString(b.scalar_type()));
}

at::Tensor as_float(const at::Tensor &t) { return (t.scalar_type() == at::kFloat ? t : t.to(at::kFloat)).contiguous(); }

// [n, c, h, w] float -> [n, h, w, cp] with channels c..cp zero.
at::Tensor channels_last_padded(const at::Tensor &x, int64_t cp) {
    const at::Tensor nhwc = x.permute({0, 2, 3, 1});
    if (cp == x.size(1)) return nhwc.contiguous();
    at::Tensor t = at::zeros({x.size(0), x.size(2), x.size(3), cp}, x.options());
    t.narrow(3, 0, x.size(1)).copy_(nhwc);
    return t;
}

int64_t padded(int64_t c) { return (c + kLanes - 1) / kLanes * kLanes; }

#if defined(INP_WITH_CUDA)
void check_cuda(const char *op, const char *err) {
    if (err != nullptr) fail(INP_ERR_DEVICE, std::string(op) + ": CUDA kernel launch failed: " + err);
}
#else
[[noreturn]] void no_cuda(const char *op) {
    fail(INP_ERR_UNSUPPORTED, std::string(op) + ": CUDA tensor given, but this build of Inpainterz has no CUDA kernels (CPU libtorch)");
}
#endif

} // namespace

at::Tensor spatial_correlation(const at::Tensor &q_in, const at::Tensor &k_in, int64_t patch) {
    constexpr const char *name = "spatial_correlation";
    check_patch(name, patch);
    check_map(name, "q", q_in);
    check_map(name, "k", k_in);
    check_same(name, q_in, k_in);
    if (q_in.sizes() != k_in.sizes())
        fail(INP_ERR_INVALID_ARGUMENT, std::string(name) + ": q and k must have the same shape, got " + sizes(q_in) + " and " + sizes(k_in));
    const at::Tensor q = as_float(q_in), k = as_float(k_in);
    const int64_t n = q.size(0), c = q.size(1), h = q.size(2), w = q.size(3);
    at::Tensor out;
    if (q.is_cuda()) {
#if defined(INP_WITH_CUDA)
        const c10::cuda::CUDAGuard guard(q.device());
        out = at::empty({n, patch * patch, h, w}, q.options());
        check_cuda(name, cuda::spatial_correlation(q.const_data_ptr<float>(), k.const_data_ptr<float>(), out.mutable_data_ptr<float>(), n, c, h,
                                                 w, patch, c10::cuda::getCurrentCUDAStream().stream()));
#else
        no_cuda(name);
#endif
    } else {
        out = at::zeros({n, patch * patch, h, w}, q.options());
        if (out.numel() > 0 && c > 0) {
            const Dims d{n, c, h, w, padded(c), patch};
            const at::Tensor qs = channels_last_padded(q, d.cp), ks = channels_last_padded(k, d.cp);
            const float *qp = qs.const_data_ptr<float>(), *kp = ks.const_data_ptr<float>();
            float *o = out.mutable_data_ptr<float>();
#if INP_HAVE_AVX2_CLONE
            const auto rows = has_avx2() ? correlation_rows_avx2 : correlation_rows;
#else
            const auto rows = correlation_rows;
#endif
            at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) { rows(qp, kp, o, d, begin, end); });
        }
    }
    return q_in.scalar_type() == at::kFloat ? out : out.to(q_in.scalar_type());
}

at::Tensor spatial_aggregate(const at::Tensor &attn_in, const at::Tensor &v_in, int64_t patch) {
    constexpr const char *name = "spatial_aggregate";
    check_patch(name, patch);
    check_map(name, "attn", attn_in);
    check_map(name, "v", v_in);
    check_same(name, attn_in, v_in);
    if (attn_in.size(0) != v_in.size(0) || attn_in.size(1) != patch * patch || attn_in.size(2) != v_in.size(2) || attn_in.size(3) != v_in.size(3))
        fail(INP_ERR_INVALID_ARGUMENT, std::string(name) + ": attn must be [N, patch * patch, H, W] = [" + std::to_string(v_in.size(0)) + ", " +
                                           std::to_string(patch * patch) + ", " + std::to_string(v_in.size(2)) + ", " +
                                           std::to_string(v_in.size(3)) + "] for v " + sizes(v_in) + " and patch " + std::to_string(patch) +
                                           ", got " + sizes(attn_in));
    const at::Tensor attn = as_float(attn_in), v = as_float(v_in);
    const int64_t n = v.size(0), c = v.size(1), h = v.size(2), w = v.size(3);
    at::Tensor out;
    if (v.is_cuda()) {
#if defined(INP_WITH_CUDA)
        const c10::cuda::CUDAGuard guard(v.device());
        out = at::empty({n, c, h, w}, v.options());
        check_cuda(name, cuda::spatial_aggregate(attn.const_data_ptr<float>(), v.const_data_ptr<float>(), out.mutable_data_ptr<float>(), n, c,
                                               h, w, patch, c10::cuda::getCurrentCUDAStream().stream()));
#else
        no_cuda(name);
#endif
    } else if (v.numel() == 0) {
        out = at::zeros({n, c, h, w}, v.options());
    } else {
        const Dims d{n, c, h, w, padded(c), patch};
        const at::Tensor vs = channels_last_padded(v, d.cp);
        at::Tensor os = at::empty({n, h, w, d.cp}, v.options());
        const float *ap = attn.const_data_ptr<float>(), *vp = vs.const_data_ptr<float>();
        float *o = os.mutable_data_ptr<float>();
#if INP_HAVE_AVX2_CLONE
        const auto rows = has_avx2() ? aggregate_rows_avx2 : aggregate_rows;
#else
        const auto rows = aggregate_rows;
#endif
        at::parallel_for(0, n * h, 1, [&](int64_t begin, int64_t end) { rows(ap, vp, o, d, begin, end); });
        out = os.narrow(3, 0, c).permute({0, 3, 1, 2}).contiguous();
    }
    return v_in.scalar_type() == at::kFloat ? out : out.to(v_in.scalar_type());
}

} // namespace inp::ops
