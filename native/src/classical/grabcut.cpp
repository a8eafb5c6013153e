// Masks from boxes and points without SAM: GrabCut seeded by the prompt.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "classical/classical.h"
#include "runtime/error.h"

namespace inp::classical {

namespace {

constexpr int kPointGrow = 5; // a positive point's probable-object disc, in sure-disc radii (smaller ones leave GrabCut no colour model)

std::string fmt(float v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

} // namespace

void grab_cut(const cv::Mat &img, cv::Mat1b &seeds, cv::Mat &bgd, cv::Mat &fgd, int iterations, int mode) {
    if (mode == cv::GC_EVAL) return cv::grabCut(img, seeds, cv::Rect(), bgd, fgd, iterations, mode);
    const cv::RNG thread_rng = cv::theRNG();
    cv::theRNG() = cv::RNG(0x6772616263757431ull);
    cv::grabCut(img, seeds, cv::Rect(), bgd, fgd, iterations, mode);
    cv::theRNG() = thread_rng;
}

cv::Mat1b grabcut(const cv::Mat3b &rgb, const std::vector<float> &points, const std::vector<int32_t> &labels, const float *box,
                  const GrabCutOptions &o, const Run &run) {
    const int w = rgb.cols, h = rgb.rows;
    if (points.size() != 2 * labels.size()) fail(INP_ERR_INVALID_ARGUMENT, "grabcut: points must hold an x, y pair per label");
    if (o.iterations < 1 || o.max_side < 8 || o.point_radius < 0) {
        fail(INP_ERR_INVALID_ARGUMENT, "grabcut: iterations must be >= 1, max_side >= 8 and point_radius >= 0");
    }
    bool positive = box != nullptr;
    // The region GrabCut sees: the box and the points, with a margin for the background model.
    float rx0 = static_cast<float>(w), ry0 = static_cast<float>(h), rx1 = 0, ry1 = 0;
    for (size_t i = 0; i < labels.size(); i++) {
        const float x = points[2 * i], y = points[2 * i + 1];
        if (!(x >= 0 && x < w && y >= 0 && y < h)) {
            fail(INP_ERR_INVALID_ARGUMENT, "point (" + fmt(x) + ", " + fmt(y) + ") is outside the " + std::to_string(w) + "x" +
                                               std::to_string(h) + " frame");
        }
        if (labels[i] != 0 && labels[i] != 1) fail(INP_ERR_INVALID_ARGUMENT, "point labels must be 1 (object) or 0 (background)");
        positive |= labels[i] == 1;
        rx0 = std::min(rx0, x), ry0 = std::min(ry0, y), rx1 = std::max(rx1, x + 1), ry1 = std::max(ry1, y + 1);
    }
    if (box != nullptr) {
        const float x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3];
        const std::string b = "box (" + fmt(x0) + ", " + fmt(y0) + ", " + fmt(x1) + ", " + fmt(y1) + ")";
        if (!(x0 >= 0 && y0 >= 0 && x1 <= w && y1 <= h)) {
            fail(INP_ERR_INVALID_ARGUMENT, b + " is outside the " + std::to_string(w) + "x" + std::to_string(h) + " frame");
        }
        if (!(x1 - x0 >= 2 && y1 - y0 >= 2)) fail(INP_ERR_INVALID_ARGUMENT, b + " must be at least 2 pixels wide and high (x0 < x1, y0 < y1)");
        rx0 = std::min(rx0, x0), ry0 = std::min(ry0, y0), rx1 = std::max(rx1, x1), ry1 = std::max(ry1, y1);
    }
    if (!positive) fail(INP_ERR_INVALID_ARGUMENT, "grabcut needs a box or a positive point");
    apply_threads(run);

    // With a box the region is the box grown by half its size; points alone search the frame.
    cv::Rect roi(0, 0, w, h);
    if (box != nullptr) {
        const float mx = std::max(16.f, 0.5f * (rx1 - rx0)), my = std::max(16.f, 0.5f * (ry1 - ry0));
        const int x0 = std::max(0, static_cast<int>(std::floor(rx0 - mx))), y0 = std::max(0, static_cast<int>(std::floor(ry0 - my)));
        const int x1 = std::min(w, static_cast<int>(std::ceil(rx1 + mx))), y1 = std::min(h, static_cast<int>(std::ceil(ry1 + my)));
        roi = cv::Rect(x0, y0, x1 - x0, y1 - y0);
    }
    const double scale = std::min(1.0, static_cast<double>(o.max_side) / std::max(roi.width, roi.height));
    const cv::Size small(std::max(1, static_cast<int>(std::lround(roi.width * scale))), std::max(1, static_cast<int>(std::lround(roi.height * scale))));
    const double sx = static_cast<double>(small.width) / roi.width, sy = static_cast<double>(small.height) / roi.height;
    cv::Mat3b img;
    cv::resize(rgb(roi), img, small, 0, 0, cv::INTER_AREA);

    cv::Mat1b seeds(small, static_cast<uchar>(box != nullptr ? cv::GC_BGD : cv::GC_PR_BGD));
    cv::Rect inner;
    if (box != nullptr) {
        const int x0 = static_cast<int>(std::floor((box[0] - roi.x) * sx)), y0 = static_cast<int>(std::floor((box[1] - roi.y) * sy));
        const int x1 = static_cast<int>(std::ceil((box[2] - roi.x) * sx)), y1 = static_cast<int>(std::ceil((box[3] - roi.y) * sy));
        inner = cv::Rect(x0, y0, x1 - x0, y1 - y0) & cv::Rect(0, 0, small.width, small.height);
        seeds(inner).setTo(cv::GC_PR_FGD);
        // A box over the whole region leaves no background to model: its rim becomes probable background.
        if (inner.width == small.width && inner.height == small.height && small.width > 2 && small.height > 2) {
            cv::rectangle(seeds, cv::Rect(0, 0, small.width, small.height), cv::GC_PR_BGD, 1);
        }
    }
    const int radius_src = o.point_radius > 0 ? o.point_radius : std::max(3, std::min(w, h) / 100);
    const int radius = std::max(1, static_cast<int>(std::lround(radius_src * std::min(sx, sy))));
    for (size_t i = 0; i < labels.size(); i++) {
        const cv::Point c(static_cast<int>((points[2 * i] - roi.x) * sx), static_cast<int>((points[2 * i + 1] - roi.y) * sy));
        cv::circle(seeds, c, radius, labels[i] == 1 ? cv::GC_FGD : cv::GC_BGD, cv::FILLED);
    }
    if (box == nullptr) {
        // Points alone: a probable-object disc around each positive point gives GrabCut a colour model to grow from.
        for (size_t i = 0; i < labels.size(); i++) {
            if (labels[i] != 1) continue;
            const cv::Point c(static_cast<int>((points[2 * i] - roi.x) * sx), static_cast<int>((points[2 * i + 1] - roi.y) * sy));
            cv::Mat1b disc = cv::Mat1b::zeros(small);
            cv::circle(disc, c, kPointGrow * radius, 255, cv::FILLED);
            seeds.setTo(cv::GC_PR_FGD, disc & (seeds == cv::GC_PR_BGD));
        }
    }

    int fg = 0, bg = 0;
    for (int y = 0; y < small.height; y++) {
        for (const uchar v : cv::Mat1b(seeds.row(y))) (v == cv::GC_FGD || v == cv::GC_PR_FGD ? fg : bg)++;
    }
    cv::Mat1b object;
    if (fg == 0 || bg == 0 || small.width < 2 || small.height < 2) {
        object = (seeds == cv::GC_FGD) | (seeds == cv::GC_PR_FGD); // nothing to contrast: the seeds are the answer
    } else {
        cv::Mat bgd, fgd;
        for (int i = 0; i < o.iterations; i++) {
            grab_cut(img, seeds, bgd, fgd, 1, i == 0 ? cv::GC_INIT_WITH_MASK : cv::GC_EVAL);
            run.step("grabcut", i + 1, o.iterations);
        }
        object = (seeds == cv::GC_FGD) | (seeds == cv::GC_PR_FGD);
    }
    if (box == nullptr) {
        // Points alone: only what is connected to a positive point is the object.
        cv::Mat1i comp;
        cv::connectedComponents(object, comp, 8, CV_32S);
        std::vector<uchar> keep(static_cast<size_t>(small.area()) + 1, 0);
        for (size_t i = 0; i < labels.size(); i++) {
            if (labels[i] != 1) continue;
            const int x = std::clamp(static_cast<int>((points[2 * i] - roi.x) * sx), 0, small.width - 1);
            const int y = std::clamp(static_cast<int>((points[2 * i + 1] - roi.y) * sy), 0, small.height - 1);
            keep[comp(y, x)] = 1;
        }
        keep[0] = 0;
        for (int y = 0; y < small.height; y++) {
            for (int x = 0; x < small.width; x++) object(y, x) = keep[comp(y, x)] ? 255 : 0;
        }
    }
    cv::Mat1b out = cv::Mat1b::zeros(h, w);
    if (small == roi.size()) {
        object.copyTo(out(roi));
    } else {
        cv::Mat1b up;
        cv::resize(object, up, roi.size(), 0, 0, cv::INTER_LINEAR);
        cv::threshold(up, out(roi), 127, 255, cv::THRESH_BINARY);
    }
    return out;
}

} // namespace inp::classical
