// Label maps carried along dense optical flow, without DeAOT.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "classical/classical.h"
#include "runtime/error.h"

namespace inp::classical {

namespace {
constexpr int kAlike = 16;    // gray levels a pixel may differ from where its flow says it came from
constexpr int kTextured = 40; // Sobel |gx| + |gy| from which a pixel's flow tells its object's motion


cv::Size fit(int width, int height, int max_side) {
    const double s = std::min(1.0, static_cast<double>(max_side) / std::max(width, height));
    return {std::max(1, static_cast<int>(std::lround(width * s))), std::max(1, static_cast<int>(std::lround(height * s)))};
}

// The ids present in a label map, each with its bounding box.
std::vector<std::pair<int, cv::Rect>> objects(const cv::Mat1b &labels) {
    std::vector<int> x0(256, INT32_MAX), y0(256, INT32_MAX), x1(256, -1), y1(256, -1);
    for (int y = 0; y < labels.rows; y++) {
        const uchar *l = labels.ptr<uchar>(y);
        for (int x = 0; x < labels.cols; x++) {
            const int k = l[x];
            if (k == 0) continue;
            x0[k] = std::min(x0[k], x), x1[k] = std::max(x1[k], x), y0[k] = std::min(y0[k], y), y1[k] = std::max(y1[k], y);
        }
    }
    std::vector<std::pair<int, cv::Rect>> out;
    for (int k = 1; k < 256; k++) {
        if (x1[k] >= 0) out.emplace_back(k, cv::Rect(x0[k], y0[k], x1[k] - x0[k] + 1, y1[k] - y0[k] + 1));
    }
    return out;
}

// An object's motion from the previous frame to this one: the median forward flow of its textured
// pixels that pass the forward-backward check (flow inside flat regions says nothing; of all its
// pixels when too few qualify).
cv::Vec2f object_motion(const cv::Mat1b &labels, int k, const cv::Rect &box, const cv::Mat2f &fwd, const cv::Mat2f &back, const cv::Mat1b &textured,
                        float consistency) {
    std::vector<float> xs, ys, all_x, all_y;
    for (int y = box.y; y < box.y + box.height; y++) {
        for (int x = box.x; x < box.x + box.width; x++) {
            if (labels(y, x) != k) continue;
            const cv::Vec2f f = fwd(y, x);
            all_x.push_back(f[0]), all_y.push_back(f[1]);
            const int tx = static_cast<int>(std::lround(x + f[0])), ty = static_cast<int>(std::lround(y + f[1]));
            if (!textured(y, x) || tx < 0 || ty < 0 || tx >= fwd.cols || ty >= fwd.rows) continue;
            const cv::Vec2f e = f + back(ty, tx);
            if (e.dot(e) <= consistency * consistency) xs.push_back(f[0]), ys.push_back(f[1]);
        }
    }
    if (xs.size() < 16) xs.swap(all_x), ys.swap(all_y);
    if (xs.empty()) return {0, 0};
    auto median = [](std::vector<float> &v) {
        std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    return {median(xs), median(ys)};
}

cv::Rect grow(const cv::Rect &r, int margin, const cv::Size &bounds) {
    return cv::Rect(r.x - margin, r.y - margin, r.width + 2 * margin, r.height + 2 * margin) & cv::Rect(cv::Point(0, 0), bounds);
}

} // namespace

FlowTracker::FlowTracker(int width, int height, const TrackerOptions &o) : width_(width), height_(height), o_(o) {
    if (width < 1 || height < 1) fail(INP_ERR_INVALID_ARGUMENT, "flow tracker: the size must be at least 1x1");
    if (o.max_side < 16 || !(o.consistency > 0) || o.refine_every < 0 || o.refine_iterations < 1) {
        fail(INP_ERR_INVALID_ARGUMENT, "flow tracker: max_side must be >= 16, consistency > 0, refine_every >= 0, refine_iterations >= 1");
    }
    work_ = fit(width, height, o.max_side);
}

cv::Mat1b FlowTracker::gray(const cv::Mat3b &rgb) const {
    cv::Mat3b small;
    if (rgb.size() == work_) small = rgb;
    else cv::resize(rgb, small, work_, 0, 0, cv::INTER_AREA);
    cv::Mat1b g;
    cv::cvtColor(small, g, cv::COLOR_RGB2GRAY);
    return g;
}

void FlowTracker::add_reference(const cv::Mat3b &rgb, const cv::Mat1b &labels, const Run &run) {
    apply_threads(run);
    prev_gray_ = gray(rgb);
    cv::resize(labels, prev_labels_, work_, 0, 0, cv::INTER_NEAREST);
    since_refine_ = 0;
}

void FlowTracker::track(const cv::Mat3b &rgb, cv::Mat1b &labels, bool commit, const Run &run) {
    if (prev_gray_.empty()) fail(INP_ERR_INVALID_ARGUMENT, "flow tracker: track called before the first reference");
    apply_threads(run);
    const cv::Mat1b g = gray(rgb);
    const cv::Mat2f back = flow_.compute(g, prev_gray_); // current pixel -> where it was in the previous frame
    const cv::Mat2f fwd = flow_.compute(prev_gray_, g);
    run.step("track.flow", 1, 1);

    const int w = work_.width, h = work_.height;
    cv::Mat2f map(h, w);
    float max_motion = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const cv::Vec2f b = back(y, x);
            map(y, x) = cv::Vec2f(x + b[0], y + b[1]);
            max_motion = std::max(max_motion, std::abs(b[0]) + std::abs(b[1]));
        }
    }
    // A pixel's warp is trusted when following the backward flow and then the forward one returns
    // home, and the pixel it came from looks like it (flat regions give consistent but wrong flows).
    cv::Mat2f fwd_at;
    cv::remap(fwd, fwd_at, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::Mat1b came_from;
    cv::remap(prev_gray_, came_from, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::Mat1f trust(h, w);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const cv::Vec2f e = back(y, x) + fwd_at(y, x), m = map(y, x);
            const bool inside = m[0] >= 0 && m[1] >= 0 && m[0] <= w - 1 && m[1] <= h - 1;
            const bool alike = std::abs(int(g(y, x)) - int(came_from(y, x))) <= kAlike;
            trust(y, x) = inside && alike && e.dot(e) <= o_.consistency * o_.consistency ? 1.f : 0.f;
        }
    }

    // A pixel takes the objects of where the backward flow says it was, if that pixel passes the
    // check. One that fails it (flat regions, where flow is anyone's guess, and background the
    // object uncovered) follows the object's own motion instead: the median forward flow of its
    // trustworthy pixels. Uncovered background then lands outside the object, as it should.
    cv::Mat1b next = cv::Mat1b::zeros(h, w);
    cv::Mat1f best(h, w, 0.5f); // an object takes a pixel where its share exceeds one half and every other's
    cv::Mat1s gx, gy;
    cv::Sobel(prev_gray_, gx, CV_16S, 1, 0);
    cv::Sobel(prev_gray_, gy, CV_16S, 0, 1);
    const cv::Mat1b textured = (cv::abs(gx) + cv::abs(gy)) > kTextured;
    const int reach = static_cast<int>(std::ceil(max_motion)) + 2;
    for (const auto &[k, box] : objects(prev_labels_)) {
        const cv::Rect roi = grow(box, reach, work_);
        if (roi.empty()) continue;
        // The object's previous pixels, only around its box (outside it they are 0): no full frame per object.
        const cv::Rect src = grow(box, 2, work_);
        cv::Mat1f mine = cv::Mat1f::zeros(src.size());
        mine.setTo(1.f, prev_labels_(src) == k);
        const cv::Vec2f motion = object_motion(prev_labels_, k, box, fwd, back, textured, o_.consistency);
        cv::Mat2f from = map(roi) - cv::Scalar(src.x, src.y); // the backward flow's targets, relative to src
        cv::Mat1f warped;
        cv::remap(mine, warped, from, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
        cv::Mat1f m;
        const cv::Matx23f shift(1, 0, motion[0] + static_cast<float>(src.x - roi.x), 0, 1, motion[1] + static_cast<float>(src.y - roi.y));
        cv::warpAffine(mine, m, shift, roi.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
        const cv::Mat1f t = trust(roi);
        cv::Mat1b taken = cv::Mat1b::zeros(roi.height + 2, roi.width + 2); // a free rim for the flood fill below
        for (int y = 0; y < roi.height; y++) {
            for (int x = 0; x < roi.width; x++) {
                const float share = t(y, x) > 0 ? warped(y, x) : m(y, x);
                float &b = best(roi.y + y, roi.x + x);
                if (share > b) b = share, next(roi.y + y, roi.x + x) = static_cast<uchar>(k), taken(y + 1, x + 1) = 255;
            }
        }
        cv::floodFill(taken, cv::Point(0, 0), 255); // what the flood does not reach is enclosed by the object
        for (int y = 0; y < roi.height; y++) {
            for (int x = 0; x < roi.width; x++) {
                uchar &l = next(roi.y + y, roi.x + x);
                if (!taken(y + 1, x + 1) && l == 0) l = static_cast<uchar>(k);
            }
        }
    }
    run.step("track.warp", 1, 1);
    const int64_t since = since_refine_ + 1; // a prediction (commit = false) must not move the refinement's schedule
    const bool refine_now = o_.refine_every > 0 && since >= o_.refine_every;
    if (refine_now) {
        cv::Mat3b small;
        if (rgb.size() == work_) small = rgb;
        else cv::resize(rgb, small, work_, 0, 0, cv::INTER_AREA);
        refine(small, next, back, static_cast<int>(since));
        run.step("track.refine", 1, 1);
    }
    if (labels.size() == work_) next.copyTo(labels);
    else cv::resize(next, labels, labels.size(), 0, 0, cv::INTER_NEAREST);
    if (commit) {
        prev_gray_ = g;
        prev_labels_ = next;
        since_refine_ = refine_now ? 0 : since;
        tracked_++;
    }
}

void FlowTracker::refine(const cv::Mat3b &small, cv::Mat1b &labels, const cv::Mat2f &back, int frames) const {
    // GrabCut may move each object's edge within a band around the tracked one, never beyond it.
    for (const auto &[k, box] : objects(labels)) {
        // The band covers what the edge may have drifted since the last refinement: the object's motion per frame, times the frames.
        const cv::Scalar motion = cv::mean(back(box), labels(box) == k);
        const double speed = std::hypot(motion[0], motion[1]);
        const int band = std::max({2, static_cast<int>(std::lround(0.1 * std::hypot(box.width, box.height))),
                                   static_cast<int>(std::ceil(speed * frames)) + 2});
        const cv::Rect roi = grow(box, 2 * band + 4, work_);
        const cv::Mat1b mine = labels(roi) == k;
        if (cv::countNonZero(mine) < 16) continue;
        const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * band + 1, 2 * band + 1));
        cv::Mat1b outer, inner;
        cv::dilate(mine, outer, kernel);
        cv::erode(mine, inner, kernel);
        cv::Mat1b seeds(roi.size(), static_cast<uchar>(cv::GC_BGD));
        seeds.setTo(cv::GC_PR_BGD, outer);
        seeds.setTo(cv::GC_PR_FGD, mine);
        seeds.setTo(cv::GC_FGD, inner);
        if (cv::countNonZero(inner) == 0 || cv::countNonZero(outer) == roi.area()) continue; // nothing sure on one side
        cv::Mat bgd, fgd;
        grab_cut(small(roi), seeds, bgd, fgd, o_.refine_iterations, cv::GC_INIT_WITH_MASK);
        cv::Mat1b l = labels(roi);
        for (int y = 0; y < roi.height; y++) {
            for (int x = 0; x < roi.width; x++) {
                const bool fg = seeds(y, x) == cv::GC_FGD || seeds(y, x) == cv::GC_PR_FGD;
                if (!fg && l(y, x) == k) l(y, x) = 0;
                else if (fg && l(y, x) == 0) l(y, x) = static_cast<uchar>(k); // never takes another object's pixels
            }
        }
    }
}

} // namespace inp::classical
