#include <ATen/ops/from_blob.h>

#include <cstring>
#include <memory>

#include "capi/guard.h"
#include "capi/handles.h"
#include "e2fgvi/e2fgvi.h"
#include "e2fgvi/session.h"
#include "runtime/checkpoint.h"
#include "runtime/device.h"
#include "runtime/error.h"
#include "runtime/image_tensor.h"

using inp::capi::guard;
using inp::capi::require;
using inp::capi::require_image;

struct inp_e2fgvi {
    std::shared_ptr<const inp::e2fgvi::Model> model;
    int32_t num_threads = 0;
};

struct inp_e2fgvi_session {
    std::shared_ptr<const inp::e2fgvi::Model> model; // sessions keep the model alive
    int32_t num_threads = 0;
    std::unique_ptr<inp::e2fgvi::Session> session;
};

namespace {

std::unique_ptr<inp_e2fgvi> make_model(const inp::Checkpoint &ck, const inp_e2fgvi_params &p) {
    inp::check_device_params(p.device);
    auto h = std::make_unique<inp_e2fgvi>();
    h->model = inp::e2fgvi::load(ck, at::TensorOptions().dtype(inp::compute_dtype(p.device)).device(inp::to_device(p.device)));
    h->num_threads = p.device.num_threads;
    return h;
}

} // namespace

extern "C" {

inp_e2fgvi_params inp_e2fgvi_default_params(void) {
    inp_e2fgvi_params p{};
    p.device = inp_device_default_params();
    return p;
}

int32_t inp_e2fgvi_init(const char *path, const inp_e2fgvi_params *params, const inp_run *run, inp_e2fgvi **ret_model) {
    return guard([&] {
        require(path != nullptr && ret_model != nullptr, "inp_e2fgvi_init", "path and ret_model must not be NULL");
        const inp_e2fgvi_params p = params != nullptr ? *params : inp_e2fgvi_default_params();
        inp::check_device_params(p.device);
        const inp::Run controls(run, p.device.num_threads);
        auto ck = inp::Checkpoint::load(path, true, controls);
        *ret_model = make_model(*ck, p).release();
    });
}

int32_t inp_e2fgvi_init_from_checkpoint(const inp_checkpoint *ckpt, const inp_e2fgvi_params *params, inp_e2fgvi **ret_model) {
    return guard([&] {
        require(ckpt != nullptr && ret_model != nullptr, "inp_e2fgvi_init_from_checkpoint", "ckpt and ret_model must not be NULL");
        const inp_e2fgvi_params p = params != nullptr ? *params : inp_e2fgvi_default_params();
        const inp::Run controls(nullptr, p.device.num_threads);
        *ret_model = make_model(*ckpt->impl, p).release();
    });
}

void inp_e2fgvi_free(inp_e2fgvi *model) { delete model; }

const char *inp_e2fgvi_variant(const inp_e2fgvi *model) { return model == nullptr ? "" : model->model->variant.c_str(); }

bool inp_e2fgvi_is_hq(const inp_e2fgvi *model) { return model != nullptr && model->model->hq; }

inp_e2fgvi_session_params inp_e2fgvi_session_default_params(void) {
    const inp::e2fgvi::SessionOptions d;
    inp_e2fgvi_session_params p{};
    p.neighbor_stride = static_cast<int32_t>(d.neighbor_stride);
    p.ref_stride = static_cast<int32_t>(d.ref_stride);
    p.ref_radius = static_cast<int32_t>(d.ref_radius);
    p.dilation = static_cast<int32_t>(d.dilation);
    p.reuse = d.reuse;
    return p;
}

int32_t inp_e2fgvi_session_init(const inp_e2fgvi *model, int32_t width, int32_t height, const inp_e2fgvi_session_params *params,
                                inp_e2fgvi_session **ret_session) {
    return guard([&] {
        require(model != nullptr && ret_session != nullptr, "inp_e2fgvi_session_init", "model and ret_session must not be NULL");
        const inp_e2fgvi_session_params p = params != nullptr ? *params : inp_e2fgvi_session_default_params();
        require(p.ref_radius >= -1, "inp_e2fgvi_session_init", "ref_radius must be >= 0, or -1 for the whole clip, got " + std::to_string(p.ref_radius));
        inp::e2fgvi::SessionOptions o;
        o.neighbor_stride = p.neighbor_stride;
        o.ref_stride = p.ref_stride;
        o.ref_radius = p.ref_radius;
        o.dilation = p.dilation;
        o.reuse = p.reuse;
        auto s = std::make_unique<inp_e2fgvi_session>();
        s->model = model->model;
        s->num_threads = model->num_threads;
        s->session = std::make_unique<inp::e2fgvi::Session>(*s->model, width, height, o);
        *ret_session = s.release();
    });
}

void inp_e2fgvi_session_free(inp_e2fgvi_session *session) { delete session; }

int32_t inp_e2fgvi_session_push(inp_e2fgvi_session *session, const inp_image *frame, const inp_image *mask, const inp_run *run, int64_t *ret_ready) {
    return guard([&] {
        const char *fn = "inp_e2fgvi_session_push";
        require(session != nullptr, fn, "session must not be NULL");
        inp::e2fgvi::Session &s = *session->session;
        require_image(frame, fn, "frame", 3, s.width(), s.height());
        require_image(mask, fn, "mask", 1, s.width(), s.height());
        const inp::Run controls(run, session->num_threads);
        s.push(frame->data, frame->row_stride, mask->data, mask->row_stride, controls);
        if (ret_ready != nullptr) *ret_ready = s.ready();
    });
}

int32_t inp_e2fgvi_session_finish(inp_e2fgvi_session *session, const inp_run *run, int64_t *ret_ready) {
    return guard([&] {
        require(session != nullptr, "inp_e2fgvi_session_finish", "session must not be NULL");
        const inp::Run controls(run, session->num_threads);
        session->session->finish(controls);
        if (ret_ready != nullptr) *ret_ready = session->session->ready();
    });
}

int32_t inp_e2fgvi_session_pop(inp_e2fgvi_session *session, inp_image *dst, int64_t *ret_index) {
    return guard([&] {
        const char *fn = "inp_e2fgvi_session_pop";
        require(session != nullptr, fn, "session must not be NULL");
        inp::e2fgvi::Session &s = *session->session;
        require_image(dst, fn, "dst", 3, s.width(), s.height());
        const int64_t index = s.pop(dst->data, dst->row_stride);
        if (ret_index != nullptr) *ret_index = index;
    });
}

int32_t inp_e2fgvi_session_info(const inp_e2fgvi_session *session, inp_e2fgvi_info *ret_info) {
    return guard([&] {
        require(session != nullptr && ret_info != nullptr, "inp_e2fgvi_session_info", "session and ret_info must not be NULL");
        const inp::e2fgvi::Session &s = *session->session;
        const inp::e2fgvi::SessionInfo x = s.info();
        inp_e2fgvi_info i{};
        i.frames_in = x.frames_in;
        i.frames_out = x.frames_out;
        i.ready = s.ready();
        i.windows = x.windows;
        i.buffered_frames = x.buffered_frames;
        i.memory_bytes = x.memory_bytes;
        i.encoder_frames = x.encoder_frames;
        i.flow_pairs = x.flow_pairs;
        i.padded_width = static_cast<int32_t>(x.padded_width);
        i.padded_height = static_cast<int32_t>(x.padded_height);
        i.finished = s.finished();
        *ret_info = i;
    });
}

int32_t inp_e2fgvi_forward(const inp_e2fgvi *model, const float *masked, int64_t frames, int64_t height, int64_t width, int64_t num_local,
                           const inp_run *run, float *pred, inp_tensors *record) {
    return guard([&] {
        const char *fn = "inp_e2fgvi_forward";
        require(model != nullptr && masked != nullptr && pred != nullptr, fn, "model, masked and pred must not be NULL");
        require(frames >= 1 && height >= 1 && width >= 1, fn, "frames, height and width must be positive");
        const inp::Run controls(run, model->num_threads);
        const at::Tensor in = at::from_blob(const_cast<float *>(masked), {frames, 3, height, width}, at::kFloat).to(model->model->options);
        const at::Tensor out = inp::e2fgvi::forward(*model->model, in, num_local, controls, reinterpret_cast<inp::TensorList *>(record));
        at::from_blob(pred, {frames, 3, height, width}, at::kFloat).copy_(out);
    });
}

} // extern "C"
