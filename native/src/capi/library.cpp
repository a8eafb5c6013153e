#include <ATen/Parallel.h>
#include <ATen/ops/from_blob.h>
#include <torch/version.h>

extern "C" {
#if defined(INP_WITH_VIDEO)
#include <libavutil/avutil.h>
#include <libavutil/log.h>
#endif
}

#include "capi/guard.h"
#include "ops/deform_conv.h"
#include "runtime/nn.h"
#include "runtime/run.h"

#include <cstdlib>

using inp::capi::guard;

namespace {
// Large tensors (attention logits, MLP activations) are allocated and freed many times per
// frame; with transparent huge pages c10 faults them in 2 MB at a time instead of 4 KB, which
// cut the SAM encoder's system time by half here. Only libtorch's own allocator reads this
// variable, and a value the user set is kept.
__attribute__((constructor)) void enable_huge_pages_for_tensors() { setenv("THP_MEM_ALLOC_ENABLE", "1", 0); }

// FFmpeg's informational chatter (x264 settings, stream notes) would go to the host's stderr;
// failures reach callers as status codes with messages instead. INPAINTERZ_FFMPEG_LOG=1 keeps it.
#if defined(INP_WITH_VIDEO)
__attribute__((constructor)) void quiet_ffmpeg() {
    const char *keep = getenv("INPAINTERZ_FFMPEG_LOG");
    if (keep == nullptr || *keep == '0') av_log_set_level(AV_LOG_ERROR);
}
#endif
} // namespace
using inp::capi::require;

extern "C" {

int32_t inp_abi_version(void) { return INP_ABI_VERSION; }

const char *inp_build_info(void) {
    static const std::string info = std::string("inpainterz 0.1.0; abi ") + std::to_string(INP_ABI_VERSION) +
                                    "; torch " + TORCH_VERSION +
#if defined(INP_WITH_VIDEO)
                                    "; ffmpeg " + av_version_info() +
#else
                                    "; ffmpeg: no (built with INPAINTERZ_VIDEO=OFF)" +
#endif
#if defined(INP_WITH_CUDA)
                                    "; cuda: yes"
#else
                                    "; cuda: no"
#endif
#if defined(_OPENMP)
                                    "; openmp: yes";
#else
                                    "; openmp: no";
#endif
    return info.c_str();
}

int32_t inp_set_num_threads(int32_t n) {
    return guard([&] {
        require(n >= 1, "inp_set_num_threads", "thread count must be >= 1, got " + std::to_string(n));
        inp::set_default_threads(n);
    });
}

int32_t inp_get_num_threads(void) { return at::get_num_threads(); }

inp_device_params inp_device_default_params(void) {
    inp_device_params p{};
    p.kind = INP_DEVICE_CPU;
    p.index = 0;
    p.dtype = INP_DTYPE_F32;
    p.num_threads = 0;
    return p;
}

int32_t inp_matmul_f32(const float *a, int64_t m, int64_t k, const float *b, int64_t k2, int64_t n, float *out) {
    return guard([&] {
        require(a != nullptr && b != nullptr && out != nullptr, "inp_matmul_f32", "a, b and out must not be NULL");
        require(m >= 0 && k >= 0 && k2 >= 0 && n >= 0, "inp_matmul_f32", "sizes must be >= 0");
        auto f32 = at::TensorOptions().dtype(at::kFloat);
        at::Tensor ta = at::from_blob(const_cast<float *>(a), {m, k}, f32);
        at::Tensor tb = at::from_blob(const_cast<float *>(b), {k2, n}, f32);
        at::Tensor tout = at::from_blob(out, {m, n}, f32);
        // The models' own product (nn::matmul: oneDNN on the CPU), so the rate measured is what
        // they get; it checks the shapes with libtorch's message, which reaches the caller.
        tout.copy_(inp::nn::matmul(ta, tb));
    });
}

int32_t inp_modulated_deform_conv(const float *input, const float *offset, const float *mask, const float *weight, const float *bias,
                                  int64_t n, int64_t c_in, int64_t h, int64_t w, int64_t c_out, int64_t kh, int64_t kw, int32_t stride,
                                  int32_t padding, int32_t dilation, int32_t groups, int32_t deform_groups, bool reference, float *out) {
    return guard([&] {
        const char *fn = "inp_modulated_deform_conv";
        require(input != nullptr && offset != nullptr && mask != nullptr && weight != nullptr && out != nullptr, fn,
                "input, offset, mask, weight and out must not be NULL (bias may be)");
        require(n >= 0 && c_in >= 0 && h >= 0 && w >= 0 && c_out >= 0, fn, "sizes must be >= 0");
        require(kh >= 1 && kw >= 1, fn, "the kernel must be at least 1x1, got " + std::to_string(kh) + "x" + std::to_string(kw));
        require(stride >= 1 && dilation >= 1 && padding >= 0, fn,
                "stride and dilation must be >= 1 and padding >= 0, got stride " + std::to_string(stride) + ", padding " +
                    std::to_string(padding) + ", dilation " + std::to_string(dilation));
        require(groups >= 1 && deform_groups >= 1, fn,
                "groups and deform_groups must be >= 1, got " + std::to_string(groups) + " and " + std::to_string(deform_groups));
        // The buffers' sizes follow from the arguments, so these are checked before wrapping them.
        require(c_in % groups == 0, fn, "c_in = " + std::to_string(c_in) + " is not divisible by groups = " + std::to_string(groups));
        const int64_t pad = padding, dil = dilation, span_h = dil * (kh - 1) + 1, span_w = dil * (kw - 1) + 1; // int64: no overflow
        require(h + 2 * pad >= span_h && w + 2 * pad >= span_w, fn,
                "the output would be empty: the padded input " + std::to_string(h + 2 * pad) + "x" + std::to_string(w + 2 * pad) +
                    " is smaller than the dilated kernel " + std::to_string(span_h) + "x" + std::to_string(span_w));
        const int64_t ho = (h + 2 * pad - span_h) / stride + 1, wo = (w + 2 * pad - span_w) / stride + 1;
        const int64_t taps = kh * kw;
        const auto f32 = at::TensorOptions().dtype(at::kFloat);
        const at::Tensor ti = at::from_blob(const_cast<float *>(input), {n, c_in, h, w}, f32);
        const at::Tensor to = at::from_blob(const_cast<float *>(offset), {n, static_cast<int64_t>(deform_groups) * 2 * taps, ho, wo}, f32);
        const at::Tensor tm = at::from_blob(const_cast<float *>(mask), {n, static_cast<int64_t>(deform_groups) * taps, ho, wo}, f32);
        const at::Tensor tw = at::from_blob(const_cast<float *>(weight), {c_out, c_in / groups, kh, kw}, f32);
        const at::Tensor tb = bias != nullptr ? at::from_blob(const_cast<float *>(bias), {c_out}, f32) : at::Tensor();
        const inp::Run run(nullptr, 0); // the process default thread count, on this thread
        const at::Tensor r = (reference ? inp::ops::modulated_deform_conv2d_reference : inp::ops::modulated_deform_conv2d)(
            ti, to, tm, tw, tb, stride, stride, padding, padding, dilation, dilation, groups, deform_groups);
        at::from_blob(out, r.sizes(), f32).copy_(r);
    });
}

} // extern "C"
