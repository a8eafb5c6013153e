// C ABI of the weight-free engine: inp_image in and out, OpenCV inside.
#include <memory>
#include <string>
#include <vector>

#include "capi/guard.h"
#include "classical/classical.h"

using inp::capi::guard;
using inp::capi::require;
using inp::capi::require_image;

struct inp_flow_tracker {
    std::unique_ptr<inp::classical::FlowTracker> impl;
};

struct inp_flow_inpainter {
    std::unique_ptr<inp::classical::FlowInpainter> impl;
};

namespace {

// The caller's pixels as a Mat header: no copy, valid for the call.
template <typename M>
M view(const inp_image *image) {
    return M(cv::Mat(image->height, image->width, cv::traits::Type<typename M::value_type>::value, image->data, static_cast<size_t>(image->row_stride)));
}

} // namespace

extern "C" {

inp_grabcut_params inp_grabcut_default_params(void) {
    const inp::classical::GrabCutOptions d;
    return inp_grabcut_params{d.iterations, d.point_radius, d.max_side};
}

int32_t inp_grabcut_segment(const inp_image *frame, const float *points, const int32_t *labels, int64_t num_points, const float *box,
                            const inp_grabcut_params *params, const inp_run *run, inp_image *dst) {
    return guard([&] {
        const char *fn = "inp_grabcut_segment";
        require(frame != nullptr && dst != nullptr, fn, "frame and dst must not be NULL");
        require(num_points >= 0 && (num_points == 0 || (points != nullptr && labels != nullptr)), fn,
                "points and labels must hold num_points entries (>= 0)");
        require_image(frame, fn, "frame", 3, frame->width, frame->height);
        require_image(dst, fn, "dst", 1, frame->width, frame->height);
        const inp_grabcut_params p = params != nullptr ? *params : inp_grabcut_default_params();
        const inp::Run controls(run, 0);
        std::vector<float> pts(points, points + 2 * num_points);
        std::vector<int32_t> lab(labels, labels + num_points);
        const cv::Mat1b mask = inp::classical::grabcut(view<cv::Mat3b>(frame), pts, lab, box, {p.iterations, p.point_radius, p.max_side}, controls);
        cv::Mat1b out = view<cv::Mat1b>(dst);
        mask.copyTo(out);
    });
}

inp_flow_tracker_params inp_flow_tracker_default_params(void) {
    const inp::classical::TrackerOptions d;
    return inp_flow_tracker_params{d.max_side, d.consistency, d.refine_every, d.refine_iterations};
}

int32_t inp_flow_tracker_init(int32_t width, int32_t height, const inp_flow_tracker_params *params, inp_flow_tracker **ret_tracker) {
    return guard([&] {
        require(ret_tracker != nullptr, "inp_flow_tracker_init", "ret_tracker must not be NULL");
        const inp_flow_tracker_params p = params != nullptr ? *params : inp_flow_tracker_default_params();
        auto t = std::make_unique<inp_flow_tracker>();
        t->impl = std::make_unique<inp::classical::FlowTracker>(width, height,
                                                                inp::classical::TrackerOptions{p.max_side, p.consistency, p.refine_every, p.refine_iterations});
        *ret_tracker = t.release();
    });
}

void inp_flow_tracker_free(inp_flow_tracker *tracker) { delete tracker; }

int32_t inp_flow_tracker_add_reference(inp_flow_tracker *tracker, const inp_image *frame, const inp_image *labels, const inp_run *run) {
    return guard([&] {
        const char *fn = "inp_flow_tracker_add_reference";
        require(tracker != nullptr, fn, "tracker must not be NULL");
        inp::classical::FlowTracker &t = *tracker->impl;
        require_image(frame, fn, "frame", 3, t.width(), t.height());
        require_image(labels, fn, "labels", 1, t.width(), t.height());
        const inp::Run controls(run, 0);
        t.add_reference(view<cv::Mat3b>(frame), view<cv::Mat1b>(labels), controls);
    });
}

int32_t inp_flow_tracker_track(inp_flow_tracker *tracker, const inp_image *frame, bool commit, const inp_run *run, inp_image *labels) {
    return guard([&] {
        const char *fn = "inp_flow_tracker_track";
        require(tracker != nullptr, fn, "tracker must not be NULL");
        inp::classical::FlowTracker &t = *tracker->impl;
        require_image(frame, fn, "frame", 3, t.width(), t.height());
        require_image(labels, fn, "labels", 1, t.width(), t.height());
        const inp::Run controls(run, 0);
        cv::Mat1b out = view<cv::Mat1b>(labels);
        t.track(view<cv::Mat3b>(frame), out, commit, controls);
    });
}

inp_flow_inpainter_params inp_flow_inpainter_default_params(void) {
    const inp::classical::InpainterOptions d;
    return inp_flow_inpainter_params{d.window, d.consistency, d.dilation, d.flow_max_side, d.fill_radius};
}

int32_t inp_flow_inpainter_init(int32_t width, int32_t height, const inp_flow_inpainter_params *params, inp_flow_inpainter **ret_inpainter) {
    return guard([&] {
        require(ret_inpainter != nullptr, "inp_flow_inpainter_init", "ret_inpainter must not be NULL");
        const inp_flow_inpainter_params p = params != nullptr ? *params : inp_flow_inpainter_default_params();
        auto s = std::make_unique<inp_flow_inpainter>();
        s->impl = std::make_unique<inp::classical::FlowInpainter>(
            width, height, inp::classical::InpainterOptions{p.window, p.consistency, p.dilation, p.flow_max_side, p.fill_radius});
        *ret_inpainter = s.release();
    });
}

void inp_flow_inpainter_free(inp_flow_inpainter *inpainter) { delete inpainter; }

int32_t inp_flow_inpainter_push(inp_flow_inpainter *inpainter, const inp_image *frame, const inp_image *mask, const inp_run *run,
                                int64_t *ret_ready) {
    return guard([&] {
        const char *fn = "inp_flow_inpainter_push";
        require(inpainter != nullptr, fn, "inpainter must not be NULL");
        inp::classical::FlowInpainter &s = *inpainter->impl;
        require_image(frame, fn, "frame", 3, s.width(), s.height());
        require_image(mask, fn, "mask", 1, s.width(), s.height());
        const inp::Run controls(run, 0);
        s.push(view<cv::Mat3b>(frame), view<cv::Mat1b>(mask), controls);
        if (ret_ready != nullptr) *ret_ready = s.ready();
    });
}

int32_t inp_flow_inpainter_finish(inp_flow_inpainter *inpainter, const inp_run *run, int64_t *ret_ready) {
    return guard([&] {
        require(inpainter != nullptr, "inp_flow_inpainter_finish", "inpainter must not be NULL");
        const inp::Run controls(run, 0);
        inpainter->impl->finish(controls);
        if (ret_ready != nullptr) *ret_ready = inpainter->impl->ready();
    });
}

int32_t inp_flow_inpainter_pop(inp_flow_inpainter *inpainter, inp_image *dst, int64_t *ret_index) {
    return guard([&] {
        const char *fn = "inp_flow_inpainter_pop";
        require(inpainter != nullptr, fn, "inpainter must not be NULL");
        inp::classical::FlowInpainter &s = *inpainter->impl;
        require_image(dst, fn, "dst", 3, s.width(), s.height());
        cv::Mat3b out = view<cv::Mat3b>(dst);
        const int64_t index = s.pop(out);
        if (ret_index != nullptr) *ret_index = index;
    });
}

int32_t inp_flow_inpainter_info(const inp_flow_inpainter *inpainter, inp_flow_inpainter_stats *ret_info) {
    return guard([&] {
        require(inpainter != nullptr && ret_info != nullptr, "inp_flow_inpainter_info", "inpainter and ret_info must not be NULL");
        const inp::classical::InpainterInfo x = inpainter->impl->info();
        inp_flow_inpainter_stats i{};
        i.frames_in = x.frames_in;
        i.frames_out = x.frames_out;
        i.ready = x.ready;
        i.buffered_frames = x.buffered_frames;
        i.flow_pairs = x.flow_pairs;
        i.propagated_pixels = x.propagated_pixels;
        i.carried_pixels = x.carried_pixels;
        i.spatial_pixels = x.spatial_pixels;
        i.memory_bytes = x.memory_bytes;
        i.finished = x.finished;
        *ret_info = i;
    });
}

int32_t inp_telea_inpaint(const inp_image *frame, const inp_image *mask, int32_t radius, inp_image *dst) {
    return guard([&] {
        const char *fn = "inp_telea_inpaint";
        require(frame != nullptr && mask != nullptr && dst != nullptr, fn, "frame, mask and dst must not be NULL");
        require_image(frame, fn, "frame", 3, frame->width, frame->height);
        require_image(mask, fn, "mask", 1, frame->width, frame->height);
        require_image(dst, fn, "dst", 3, frame->width, frame->height);
        require(radius >= 1, fn, "radius must be >= 1, got " + std::to_string(radius));
        cv::Mat3b out = view<cv::Mat3b>(dst);
        inp::classical::telea(view<cv::Mat3b>(frame), view<cv::Mat1b>(mask) != 0, radius, out);
    });
}

} // extern "C"
