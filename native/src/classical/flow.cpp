// Dense flow (OpenCV's DIS) and the membrane fill that completes flow inside holes.
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "classical/classical.h"

namespace inp::classical {

void apply_threads(const Run &run) {
    if (run.threads() > 0 && cv::getNumThreads() != run.threads()) cv::setNumThreads(run.threads());
}

namespace {

// One removal asks for each flow twice: the tracker and the inpainter see the same grayscale
// frames at the same size (both scale to at most 640 a side by the same rule) and both want the
// flows between neighbours both ways. Flows are kept here, keyed by the two frames' contents,
// until asked for again (or pushed out by newer ones), so each is computed once. DIS is
// deterministic, so a flow from here is the flow that would have been computed.
class FlowCache {
public:
    static FlowCache &instance() {
        static FlowCache cache;
        return cache;
    }

    // Hands out (and forgets) the flow from a to b if it is here.
    bool take(uint64_t a, uint64_t b, cv::Size size, cv::Mat2f &flow) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->a == a && it->b == b && it->flow.size() == size) {
                flow = it->flow;
                entries_.erase(it);
                return true;
            }
        }
        return false;
    }

    void put(uint64_t a, uint64_t b, const cv::Mat2f &flow) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (entries_.size() >= kEntries) entries_.pop_front();
        entries_.push_back({a, b, flow.clone()}); // the caller may change its copy (the inpainter completes it)
    }

private:
    // The tracker runs a few frames ahead of the inpainter (the pipeline's queues): two flows a
    // frame. At 640x360 an entry is 1.8 MB.
    static constexpr size_t kEntries = 32;
    struct Entry {
        uint64_t a, b;
        cv::Mat2f flow;
    };
    std::mutex mutex_;
    std::deque<Entry> entries_;
};

// 64-bit FNV-1a over the image's size and pixels, 8 bytes at a time.
uint64_t content_key(const cv::Mat1b &g) {
    uint64_t h = 1469598103934665603ull ^ (static_cast<uint64_t>(g.cols) << 32 | static_cast<uint32_t>(g.rows));
    for (int y = 0; y < g.rows; y++) {
        const uchar *row = g.ptr<uchar>(y);
        int x = 0;
        for (; x + 8 <= g.cols; x += 8) {
            uint64_t w;
            std::memcpy(&w, row + x, 8);
            h = (h ^ w) * 1099511628211ull;
        }
        for (; x < g.cols; x++) h = (h ^ row[x]) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

} // namespace

FlowEngine::FlowEngine() : dis_(cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM)) {}

FlowEngine::~FlowEngine() = default;

cv::Mat2f FlowEngine::compute(const cv::Mat1b &a, const cv::Mat1b &b) {
    const uint64_t ka = content_key(a), kb = content_key(b);
    cv::Mat2f flow;
    if (FlowCache::instance().take(ka, kb, a.size(), flow)) return flow;
    cv::Mat raw;
    dis_->calc(a, b, raw);
    flow = raw;
    FlowCache::instance().put(ka, kb, flow);
    return flow;
}

namespace {

constexpr int kSweeps = 24; // Jacobi sweeps per pyramid level (each level starts near its solution)

void fill_level(cv::Mat2f &f, const cv::Mat1b &unknown) {
    const int w = f.cols, h = f.rows;
    std::vector<int> holes;
    for (int y = 0; y < h; y++) {
        const uchar *u = unknown.ptr<uchar>(y);
        for (int x = 0; x < w; x++) {
            if (u[x]) holes.push_back(y * w + x);
        }
    }
    if (holes.empty()) return;
    if (w <= 2 || h <= 2) {
        // The coarsest level: the mean of what is known (nothing known: zero).
        cv::Vec2d sum(0, 0);
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!unknown(y, x)) sum += cv::Vec2d(f(y, x)), n++;
            }
        }
        const cv::Vec2f mean = n > 0 ? cv::Vec2f(static_cast<float>(sum[0] / n), static_cast<float>(sum[1] / n)) : cv::Vec2f(0, 0);
        for (const int i : holes) f(i / w, i % w) = mean;
        return;
    }
    // The coarser level: known where any child is known (their mean).
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    cv::Mat2f coarse(ch, cw, cv::Vec2f(0, 0));
    cv::Mat1b cu(ch, cw, static_cast<uchar>(0));
    for (int cy = 0; cy < ch; cy++) {
        for (int cx = 0; cx < cw; cx++) {
            cv::Vec2f sum(0, 0);
            int n = 0;
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    const int x = 2 * cx + dx, y = 2 * cy + dy;
                    if (x < w && y < h && !unknown(y, x)) sum += f(y, x), n++;
                }
            }
            if (n > 0) coarse(cy, cx) = sum / static_cast<float>(n);
            else cu(cy, cx) = 255;
        }
    }
    fill_level(coarse, cu);
    for (const int i : holes) {
        const int x = i % w, y = i / w;
        const float fx = std::clamp((x + 0.5f) / 2 - 0.5f, 0.f, cw - 1.f), fy = std::clamp((y + 0.5f) / 2 - 0.5f, 0.f, ch - 1.f);
        const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
        const int x1 = std::min(x0 + 1, cw - 1), y1 = std::min(y0 + 1, ch - 1);
        const float ax = fx - x0, ay = fy - y0;
        f(y, x) = (coarse(y0, x0) * (1 - ax) + coarse(y0, x1) * ax) * (1 - ay) + (coarse(y1, x0) * (1 - ax) + coarse(y1, x1) * ax) * ay;
    }
    // Jacobi sweeps of the Laplace equation on the unknown pixels; the known ones are the boundary.
    std::vector<cv::Vec2f> next(holes.size());
    for (int s = 0; s < kSweeps; s++) {
        for (size_t k = 0; k < holes.size(); k++) {
            const int x = holes[k] % w, y = holes[k] / w;
            next[k] = (f(y, std::max(x - 1, 0)) + f(y, std::min(x + 1, w - 1)) + f(std::max(y - 1, 0), x) + f(std::min(y + 1, h - 1), x)) * 0.25f;
        }
        for (size_t k = 0; k < holes.size(); k++) f(holes[k] / w, holes[k] % w) = next[k];
    }
}

} // namespace

void membrane_fill(cv::Mat2f &field, const cv::Mat1b &unknown) {
    CV_Assert(field.size() == unknown.size());
    fill_level(field, unknown);
}

} // namespace inp::classical
