#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/im2col.h>

#include <cstring>
#include <memory>

#include "capi/guard.h"
#include "capi/handles.h"
#include "deaot/deaot.h"
#include "deaot/session.h"
#include "ops/correlation.h"
#include "runtime/checkpoint.h"
#include "runtime/device.h"
#include "runtime/error.h"
#include "runtime/image_tensor.h"

using inp::capi::guard;
using inp::capi::require;
using inp::capi::require_image;

struct inp_deaot {
    std::shared_ptr<const inp::deaot::Model> model;
    int32_t num_threads = 0;
};

struct inp_deaot_session {
    std::shared_ptr<const inp::deaot::Model> model; // sessions keep the model alive
    int32_t num_threads = 0;
    std::unique_ptr<inp::deaot::Session> session;
};

namespace {

inp::TensorList *as_list(inp_tensors *t) { return reinterpret_cast<inp::TensorList *>(t); }

std::unique_ptr<inp_deaot> make_model(const inp::Checkpoint &ck, const inp_deaot_params &p) {
    inp::check_device_params(p.device);
    // BF16 runs the propagation layers' products in bfloat16 on the CPU (oneDNN; RESULTS.md: labels
    // 99.7-99.8 % in agreement with float32, teacher-forced). A bfloat16 encoder flipped 10 % of
    // the labels and is not offered; on a GPU nothing would be in bf16, so it is refused there.
    const bool bf16 = inp::compute_dtype(p.device) != c10::kFloat;
    if (bf16 && p.device.kind != INP_DEVICE_CPU) inp::fail(INP_ERR_UNSUPPORTED, "DeAOT's bf16 path is CPU only (device dtype BF16 on CUDA is not offered)");
    auto h = std::make_unique<inp_deaot>();
    std::unique_ptr<inp::deaot::Model> model = inp::deaot::load(ck, at::TensorOptions().dtype(at::kFloat).device(inp::to_device(p.device)));
    model->bf16_products = bf16;
    h->model = std::move(model);
    h->num_threads = p.device.num_threads;
    return h;
}

void check_frame(const inp_deaot_session *s, const inp_image *frame, const char *fn) {
    const inp::deaot::Session &x = *s->session;
    if (x.network_input()) require_image(frame, fn, "frame", 3, x.network_width(), x.network_height());
    else require_image(frame, fn, "frame", 3, x.width(), x.height());
}

// The zero-pad + unfold oracle: every window position as a copy of the padded map.
at::Tensor unfold_window(const at::Tensor &x, int64_t patch) {
    const int64_t r = patch / 2, n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const at::Tensor padded = at::constant_pad_nd(x, {r, r, r, r}, 0);
    return at::im2col(padded, {patch, patch}, {1, 1}, {0, 0}, {1, 1}).view({n, c, patch * patch, h * w});
}

} // namespace

extern "C" {

inp_deaot_params inp_deaot_default_params(void) {
    inp_deaot_params p{};
    p.device = inp_device_default_params();
    return p;
}

int32_t inp_deaot_init(const char *path, const inp_deaot_params *params, const inp_run *run, inp_deaot **ret_model) {
    return guard([&] {
        require(path != nullptr && ret_model != nullptr, "inp_deaot_init", "path and ret_model must not be NULL");
        const inp_deaot_params p = params != nullptr ? *params : inp_deaot_default_params();
        inp::check_device_params(p.device);
        const inp::Run controls(run, p.device.num_threads);
        auto ck = inp::Checkpoint::load(path, true, controls);
        *ret_model = make_model(*ck, p).release();
    });
}

int32_t inp_deaot_init_from_checkpoint(const inp_checkpoint *ckpt, const inp_deaot_params *params, inp_deaot **ret_model) {
    return guard([&] {
        require(ckpt != nullptr && ret_model != nullptr, "inp_deaot_init_from_checkpoint", "ckpt and ret_model must not be NULL");
        const inp_deaot_params p = params != nullptr ? *params : inp_deaot_default_params();
        const inp::Run controls(nullptr, p.device.num_threads);
        *ret_model = make_model(*ckpt->impl, p).release();
    });
}

void inp_deaot_free(inp_deaot *model) { delete model; }

const char *inp_deaot_variant(const inp_deaot *model) { return model == nullptr ? "" : model->model->variant.c_str(); }

inp_deaot_session_params inp_deaot_session_default_params(void) {
    const inp::deaot::SessionOptions d;
    inp_deaot_session_params p{};
    p.long_term_gap = static_cast<int32_t>(d.long_term_gap);
    p.memory_cap = static_cast<int32_t>(d.memory_cap);
    p.max_objects = static_cast<int32_t>(d.max_objects);
    p.upstream_truncation = d.upstream_truncation;
    p.max_len_long_term = static_cast<int32_t>(d.max_len_long_term);
    p.network_input = d.network_input;
    return p;
}

int32_t inp_deaot_session_init(const inp_deaot *model, int32_t width, int32_t height, const inp_deaot_session_params *params,
                               inp_deaot_session **ret_session) {
    return guard([&] {
        require(model != nullptr && ret_session != nullptr, "inp_deaot_session_init", "model and ret_session must not be NULL");
        const inp_deaot_session_params p = params != nullptr ? *params : inp_deaot_session_default_params();
        inp::deaot::SessionOptions o;
        o.long_term_gap = p.long_term_gap;
        o.memory_cap = p.memory_cap;
        o.max_objects = p.max_objects;
        o.upstream_truncation = p.upstream_truncation;
        o.max_len_long_term = p.max_len_long_term;
        o.network_input = p.network_input;
        auto s = std::make_unique<inp_deaot_session>();
        s->model = model->model;
        s->num_threads = model->num_threads;
        s->session = std::make_unique<inp::deaot::Session>(*s->model, width, height, o);
        *ret_session = s.release();
    });
}

void inp_deaot_session_free(inp_deaot_session *session) { delete session; }

int32_t inp_deaot_session_add_reference(inp_deaot_session *session, const inp_image *frame, const inp_image *labels, const inp_run *run,
                                        inp_tensors *record) {
    return guard([&] {
        const char *fn = "inp_deaot_session_add_reference";
        require(session != nullptr, fn, "session must not be NULL");
        inp::deaot::Session &s = *session->session;
        check_frame(session, frame, fn);
        require_image(labels, fn, "labels", 1, s.width(), s.height());
        const inp::Run controls(run, session->num_threads);
        s.add_reference(frame->data, frame->row_stride, labels->data, labels->row_stride, controls, as_list(record));
    });
}

int32_t inp_deaot_session_track(inp_deaot_session *session, const inp_image *frame, const inp_run *run, inp_image *labels, uint8_t *probs,
                                size_t probs_bytes, inp_tensors *record) {
    return guard([&] {
        const char *fn = "inp_deaot_session_track";
        require(session != nullptr, fn, "session must not be NULL");
        inp::deaot::Session &s = *session->session;
        check_frame(session, frame, fn);
        inp::deaot::TrackOutputs out;
        if (labels != nullptr) {
            require_image(labels, fn, "labels", 1, s.width(), s.height());
            out.labels = labels->data;
            out.label_stride = labels->row_stride;
        }
        if (probs != nullptr) {
            const size_t want = static_cast<size_t>((s.objects() + 1) * s.prob_width() * s.prob_height());
            require(probs_bytes == want, fn, "probs holds " + std::to_string(probs_bytes) + " bytes; (objects + 1) x prob_height x prob_width = " + std::to_string(want));
            out.probs = probs;
        }
        const inp::Run controls(run, session->num_threads);
        s.track(frame->data, frame->row_stride, out, controls, as_list(record));
    });
}

int32_t inp_deaot_session_update_memory(inp_deaot_session *session, const inp_image *labels, inp_tensors *record) {
    return guard([&] {
        const char *fn = "inp_deaot_session_update_memory";
        require(session != nullptr, fn, "session must not be NULL");
        inp::deaot::Session &s = *session->session;
        require_image(labels, fn, "labels", 1, s.width(), s.height());
        const inp::Run controls(nullptr, session->num_threads);
        s.update_memory(labels->data, labels->row_stride, as_list(record));
    });
}

int32_t inp_deaot_session_info(const inp_deaot_session *session, inp_deaot_info *ret_info) {
    return guard([&] {
        require(session != nullptr && ret_info != nullptr, "inp_deaot_session_info", "session and ret_info must not be NULL");
        const inp::deaot::Session &s = *session->session;
        inp_deaot_info i{};
        i.objects = static_cast<int32_t>(s.objects());
        i.sub_engines = static_cast<int32_t>(s.sub_engines());
        i.network_width = static_cast<int32_t>(s.network_width());
        i.network_height = static_cast<int32_t>(s.network_height());
        i.prob_width = static_cast<int32_t>(s.prob_width());
        i.prob_height = static_cast<int32_t>(s.prob_height());
        i.frames = s.frames_tracked();
        i.long_term_frames = s.sub_engines() > 0 ? s.long_term_frames(0) : 0;
        i.memory_bytes = s.memory_bytes();
        *ret_info = i;
    });
}

int32_t inp_deaot_resize_frame(const inp_image *src, inp_image *dst) {
    return guard([&] {
        const char *fn = "inp_deaot_resize_frame";
        inp::wrap_image(src, fn, "src");
        require(src->channels == 3, fn, "src must be RGB24");
        const auto [h, w] = inp::deaot::network_size(src->height, src->width);
        require_image(dst, fn, "dst", 3, w, h);
        const at::Tensor r = inp::deaot::resize_cubic_rgb(src->data, src->width, src->height, src->row_stride, w, h);
        for (int64_t y = 0; y < h; y++) std::memcpy(dst->data + y * dst->row_stride, r.data_ptr<uint8_t>() + y * w * 3, static_cast<size_t>(w * 3));
    });
}

} // extern "C"


extern "C" int32_t inp_spatial_correlation(const float *a, const float *b, int64_t n, int64_t c, int64_t h, int64_t w, int32_t patch,
                                           bool aggregate, bool reference, float *out) {
    return guard([&] {
        const char *fn = "inp_spatial_correlation";
        require(a != nullptr && b != nullptr && out != nullptr, fn, "a, b and out must not be NULL");
        require(n >= 0 && c >= 0 && h >= 0 && w >= 0, fn, "sizes must be >= 0");
        require(patch >= 1 && patch % 2 == 1, fn, "patch must be odd and >= 1, got " + std::to_string(patch));
        const auto f32 = at::TensorOptions().dtype(at::kFloat);
        const int64_t P2 = static_cast<int64_t>(patch) * patch;
        const at::Tensor ta = at::from_blob(const_cast<float *>(a), {n, aggregate ? P2 : c, h, w}, f32);
        const at::Tensor tb = at::from_blob(const_cast<float *>(b), {n, c, h, w}, f32);
        at::Tensor result;
        if (!reference) {
            result = aggregate ? inp::ops::spatial_aggregate(ta, tb, patch) : inp::ops::spatial_correlation(ta, tb, patch);
        } else if (!aggregate) {
            result = (ta.reshape({n, c, 1, h * w}) * unfold_window(tb, patch)).sum(1).view({n, P2, h, w});
        } else {
            result = (ta.reshape({n, 1, P2, h * w}) * unfold_window(tb, patch)).sum(2).view({n, c, h, w});
        }
        at::from_blob(out, result.sizes(), f32).copy_(result);
    });
}
