// Flow-guided video inpainting without E2FGVI: completed flows, pixels traced along them to the
// nearest frames that show them, content carried from the previous output, Telea for the rest.
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

#include "classical/classical.h"
#include "runtime/error.h"

namespace inp::classical {

struct FlowInpainter::Slot {
    cv::Mat3b rgb;      // the frame (working size)
    cv::Mat1b hole;     // its dilated mask, 255 = to fill
    cv::Mat1b gray;     // at the flow size
    cv::Mat1b hole_flow;// the hole at the flow size, grown by the band where object motion leaks into the flow
    cv::Mat2f fwd, bwd; // completed flows to the next and the previous frame (flow size and pixels); empty at the ends
    bool empty = true;  // nothing to fill
};

namespace {

// Flow pixels around a hole whose flow is replaced by the completion. DIS (8 px patches, then a
// variational smoothing) carries an object's motion well past its edge; a band of 6 left that
// motion in the completed flow and cost 7 dB on the quality set's mountains-pan (25.8 -> 33.2 dB,
// flicker 9.4 -> 4.1 given the true masks); beyond 16 little changes.
constexpr int kFlowBand = 16;

cv::Vec2f sample_flow(const cv::Mat2f &m, float x, float y) {
    x = std::clamp(x, 0.f, m.cols - 1.f), y = std::clamp(y, 0.f, m.rows - 1.f);
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, m.cols - 1), y1 = std::min(y0 + 1, m.rows - 1);
    const float ax = x - x0, ay = y - y0;
    return (m(y0, x0) * (1 - ax) + m(y0, x1) * ax) * (1 - ay) + (m(y1, x0) * (1 - ax) + m(y1, x1) * ax) * ay;
}

// Catmull-Rom weights. Colours are sampled bicubically: bilinear blurs fine texture by a
// different amount at each sub-pixel phase, which shows as shimmer (forest-pan: +1.2 dB, flicker
// 5.4 -> 4.6, given the true masks).
inline void cubic_weights(float t, float w[4]) {
    const float t2 = t * t, t3 = t2 * t;
    w[0] = -0.5f * t3 + t2 - 0.5f * t;
    w[1] = 1.5f * t3 - 2.5f * t2 + 1.f;
    w[2] = -1.5f * t3 + 2.f * t2 + 0.5f * t;
    w[3] = 0.5f * t3 - 0.5f * t2;
}

cv::Vec3f sample_rgb(const cv::Mat3b &m, float x, float y) {
    x = std::clamp(x, 0.f, m.cols - 1.f), y = std::clamp(y, 0.f, m.rows - 1.f);
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    float wx[4], wy[4];
    cubic_weights(x - x0, wx);
    cubic_weights(y - y0, wy);
    cv::Vec3f c(0, 0, 0);
    for (int j = 0; j < 4; j++) {
        const cv::Vec3b *row = m.ptr<cv::Vec3b>(std::clamp(y0 - 1 + j, 0, m.rows - 1));
        cv::Vec3f r(0, 0, 0);
        for (int i = 0; i < 4; i++) r += cv::Vec3f(row[std::clamp(x0 - 1 + i, 0, m.cols - 1)]) * wx[i];
        c += r * wy[j];
    }
    return c;
}

// Flow from a to b with its unknown part (pixels in a's hole, or landing in b's) replaced by
// the membrane interpolation of the rest.
cv::Mat2f completed_flow(FlowEngine &engine, const cv::Mat1b &a, const cv::Mat1b &hole_a, const cv::Mat1b &b, const cv::Mat1b &hole_b,
                         bool any_hole) {
    cv::Mat2f f = engine.compute(a, b);
    if (!any_hole) return f;
    cv::Mat1b unknown = hole_a.clone();
    for (int y = 0; y < f.rows; y++) {
        for (int x = 0; x < f.cols; x++) {
            const cv::Vec2f d = f(y, x);
            const int tx = static_cast<int>(std::lround(x + d[0])), ty = static_cast<int>(std::lround(y + d[1]));
            if (tx >= 0 && ty >= 0 && tx < f.cols && ty < f.rows && hole_b(ty, tx)) unknown(y, x) = 255;
        }
    }
    membrane_fill(f, unknown);
    return f;
}

} // namespace

FlowInpainter::FlowInpainter(int width, int height, const InpainterOptions &o) : width_(width), height_(height), o_(o) {
    if (width < 1 || height < 1) fail(INP_ERR_INVALID_ARGUMENT, "flow inpainter: the size must be at least 1x1");
    if (o.window < 1 || !(o.consistency > 0) || o.dilation < 0 || o.flow_max_side < 16 || o.fill_radius < 1) {
        fail(INP_ERR_INVALID_ARGUMENT, "flow inpainter: window must be >= 1, consistency > 0, dilation >= 0, flow_max_side >= 16, fill_radius >= 1");
    }
    const double s = std::min(1.0, static_cast<double>(o.flow_max_side) / std::max(width, height));
    flow_size_ = cv::Size(std::max(1, static_cast<int>(std::lround(width * s))), std::max(1, static_cast<int>(std::lround(height * s))));
    flow_scale_ = static_cast<float>(flow_size_.width) / width;
}

FlowInpainter::~FlowInpainter() = default;

FlowInpainter::Slot &FlowInpainter::slot(int64_t index) { return *slots_[static_cast<size_t>(index - first_)]; }
const FlowInpainter::Slot &FlowInpainter::slot(int64_t index) const { return *slots_[static_cast<size_t>(index - first_)]; }

void FlowInpainter::push(const cv::Mat3b &rgb, const cv::Mat1b &mask, const Run &run) {
    if (info_.finished) fail(INP_ERR_INVALID_ARGUMENT, "flow inpainter: push after finish");
    apply_threads(run);
    auto s = std::make_unique<Slot>();
    s->rgb = rgb.clone();
    cv::Mat1b hole = mask != 0;
    if (o_.dilation > 0) cv::dilate(hole, hole, cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3)), cv::Point(-1, -1), o_.dilation);
    s->hole = hole;
    s->empty = cv::countNonZero(hole) == 0;
    cv::Mat3b small;
    cv::resize(rgb, small, flow_size_, 0, 0, cv::INTER_AREA);
    cv::cvtColor(small, s->gray, cv::COLOR_RGB2GRAY);
    cv::Mat1b hf;
    cv::resize(hole, hf, flow_size_, 0, 0, cv::INTER_AREA);
    hf = hf != 0;
    cv::dilate(hf, s->hole_flow, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * kFlowBand + 1, 2 * kFlowBand + 1)));
    const int64_t index = info_.frames_in;
    if (!slots_.empty()) {
        Slot &p = *slots_.back();
        const bool any = !(p.empty && s->empty);
        p.fwd = completed_flow(flow_, p.gray, p.hole_flow, s->gray, s->hole_flow, any);
        s->bwd = completed_flow(flow_, s->gray, s->hole_flow, p.gray, p.hole_flow, any);
        info_.flow_pairs++;
        run.step("inpaint.flow", index, index);
    }
    slots_.push_back(std::move(s));
    info_.frames_in++;
    while (next_ + o_.window < info_.frames_in) process(run);
}

void FlowInpainter::finish(const Run &run) {
    if (info_.frames_in == 0) fail(INP_ERR_INVALID_ARGUMENT, "flow inpainter: finish with no frame pushed (an empty clip)");
    apply_threads(run);
    info_.finished = true;
    while (next_ < info_.frames_in) process(run);
}

int64_t FlowInpainter::pop(cv::Mat3b &dst) {
    if (out_.empty()) fail(INP_ERR_INVALID_ARGUMENT, "flow inpainter: no frame is ready");
    out_.front().second.copyTo(dst);
    const int64_t index = out_.front().first;
    out_.pop_front();
    info_.frames_out++;
    return index;
}

InpainterInfo FlowInpainter::info() const {
    InpainterInfo i = info_;
    i.ready = ready();
    i.buffered_frames = static_cast<int64_t>(slots_.size());
    int64_t bytes = static_cast<int64_t>(prev_out_.total() * prev_out_.elemSize());
    for (const auto &s : slots_) {
        for (const cv::Mat *m : {static_cast<const cv::Mat *>(&s->rgb), static_cast<const cv::Mat *>(&s->hole), static_cast<const cv::Mat *>(&s->gray),
                                 static_cast<const cv::Mat *>(&s->hole_flow), static_cast<const cv::Mat *>(&s->fwd), static_cast<const cv::Mat *>(&s->bwd)}) {
            bytes += static_cast<int64_t>(m->total() * m->elemSize());
        }
    }
    for (const auto &o : out_) bytes += static_cast<int64_t>(o.second.total() * o.second.elemSize());
    i.memory_bytes = bytes;
    return i;
}

void FlowInpainter::process(const Run &run) {
    const int64_t t = next_;
    const Slot &s = slot(t);
    cv::Mat3b out = s.rgb.clone();
    if (!s.empty) {
        std::vector<cv::Point> holes;
        cv::findNonZero(s.hole, holes);
        const int64_t last = first_ + static_cast<int64_t>(slots_.size()) - 1;
        const float scale = flow_scale_, tau2 = o_.consistency * o_.consistency;
        const float fw = static_cast<float>(flow_size_.width - 1), fh = static_cast<float>(flow_size_.height - 1);
        const bool carry = t > 0 && !prev_out_.empty();
        cv::Mat1b unresolved = cv::Mat1b::zeros(s.hole.size());
        std::atomic<int64_t> propagated{0}, carried{0};
        // Traces from frame t, `dir` = +1 forward or -1 backward, to the nearest frame showing the pixel.
        auto trace = [&](cv::Point p, int dir, cv::Vec3f &color, int &distance, cv::Point2f *first_step) {
            float x = (p.x + 0.5f) * scale - 0.5f, y = (p.y + 0.5f) * scale - 0.5f;
            for (int k = 1; k <= o_.window; k++) {
                const int64_t from = t + dir * (k - 1), to = t + dir * k;
                if (to < first_ || to > last) return false;
                const Slot &a = slot(from), &b = slot(to);
                const cv::Mat2f &go = dir > 0 ? a.fwd : a.bwd, &back = dir > 0 ? b.bwd : b.fwd;
                if (go.empty() || back.empty()) return false;
                const cv::Vec2f d = sample_flow(go, x, y);
                const float nx = x + d[0], ny = y + d[1];
                if (nx < 0 || ny < 0 || nx > fw || ny > fh) return false;
                const cv::Vec2f r = sample_flow(back, nx, ny);
                const float ex = nx + r[0] - x, ey = ny + r[1] - y;
                if (ex * ex + ey * ey > tau2) return false; // occluded or unreliable: stop here
                x = nx, y = ny;
                const float wx = (x + 0.5f) / scale - 0.5f, wy = (y + 0.5f) / scale - 0.5f;
                if (k == 1 && first_step != nullptr) *first_step = cv::Point2f(wx, wy);
                const int ix = std::clamp(static_cast<int>(std::lround(wx)), 0, width_ - 1);
                const int iy = std::clamp(static_cast<int>(std::lround(wy)), 0, height_ - 1);
                if (!b.hole(iy, ix)) {
                    color = sample_rgb(b.rgb, wx, wy);
                    distance = k;
                    return true;
                }
            }
            return false;
        };
        cv::parallel_for_(cv::Range(0, static_cast<int>(holes.size())), [&](const cv::Range &range) {
            int64_t prop = 0, carr = 0;
            for (int i = range.start; i < range.end; i++) {
                const cv::Point p = holes[static_cast<size_t>(i)];
                cv::Vec3f cf, cb;
                int df = 0, db = 0;
                cv::Point2f step(-1, -1);
                const bool f = trace(p, +1, cf, df, nullptr);
                const bool b = trace(p, -1, cb, db, carry ? &step : nullptr);
                cv::Vec3f c;
                if (f && b) {
                    const float wf = 1.f / df, wb = 1.f / db;
                    c = (cf * wf + cb * wb) / (wf + wb), prop++;
                } else if (f || b) {
                    c = f ? cf : cb, prop++;
                } else if (carry && step.x >= 0) {
                    c = sample_rgb(prev_out_, step.x, step.y), carr++; // what the last output showed here, carried along
                } else {
                    unresolved(p) = 255;
                    continue;
                }
                out(p) = cv::Vec3b(cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]), cv::saturate_cast<uchar>(c[2]));
            }
            propagated += prop, carried += carr;
        });
        const int64_t rest = static_cast<int64_t>(holes.size()) - propagated - carried;
        if (rest > 0) {
            if (rest == static_cast<int64_t>(out.total())) {
                fail(INP_ERR_INVALID_ARGUMENT, "frame " + std::to_string(t) + ": the mask covers the whole frame and no frame shows what is behind it");
            }
            // Patches come from around the hole: as far again as the hole is wide, so they are of the same surroundings.
            const cv::Rect box = cv::boundingRect(unresolved);
            const int m = std::max({16, box.width, box.height});
            const cv::Rect roi = cv::Rect(box.x - m, box.y - m, box.width + 2 * m, box.height + 2 * m) & cv::Rect(0, 0, width_, height_);
            cv::Mat3b part = out(roi).clone();
            patch_fill(part, unresolved(roi), o_.fill_radius);
            part.copyTo(out(roi), unresolved(roi));
        }
        info_.propagated_pixels += propagated, info_.carried_pixels += carried, info_.spatial_pixels += rest;
    }
    prev_out_ = out;
    out_.emplace_back(t, out);
    next_++;
    // Frames older than the window are never traced again.
    while (first_ < next_ - o_.window && !slots_.empty()) slots_.pop_front(), first_++;
    run.step("inpaint.frame", next_, info_.frames_in);
}

void telea(const cv::Mat3b &rgb, const cv::Mat1b &mask, int radius, cv::Mat3b &dst) {
    if (radius < 1) fail(INP_ERR_INVALID_ARGUMENT, "telea: radius must be >= 1");
    cv::Mat3b out;
    cv::inpaint(rgb, mask, out, radius, cv::INPAINT_TELEA);
    out.copyTo(dst);
}

} // namespace inp::classical
