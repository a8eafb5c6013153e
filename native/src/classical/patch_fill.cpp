// Patch-based spatial fill: the hole is rebuilt from patches of the rest of the picture, coarse
// to fine. At each level, a nearest-neighbour field (PatchMatch: random start, propagation from
// neighbours, random search) maps every patch that touches the hole to the most alike patch
// entirely outside it, and each hole pixel becomes the mean of what the patches covering it say
// (Wexler, Shechtman and Irani's completion, for one frame). Telea starts the coarsest level.
// Unlike Telea's smooth diffusion it carries texture (stripes, grass, gravel) into the hole.
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "classical/classical.h"

namespace inp::classical {

namespace {

constexpr int kRadius = 3;          // 7x7 patches
constexpr int kSearchIterations = 4; // PatchMatch sweeps per EM step (2 at the finest level, which starts from the coarser field)
constexpr int kMinSide = 24;         // the coarsest level is no smaller than this a side

struct Level {
    cv::Mat3b img;   // current estimate (known pixels: the source's)
    cv::Mat1b hole;  // 255 = to fill
    cv::Mat1b valid; // 255 = centre of a patch entirely known and inside the picture
};

// Sum of squared differences between the patches centred at a (target) and b (source), over the
// target patch's pixels inside the picture; stops early above `bound`.
int64_t distance(const cv::Mat3b &img, cv::Point a, cv::Point b, int64_t bound) {
    int64_t d = 0;
    for (int dy = -kRadius; dy <= kRadius; dy++) {
        const int ya = a.y + dy;
        if (ya < 0 || ya >= img.rows) continue;
        const cv::Vec3b *ra = img.ptr<cv::Vec3b>(ya), *rb = img.ptr<cv::Vec3b>(b.y + dy);
        for (int dx = -kRadius; dx <= kRadius; dx++) {
            const int xa = a.x + dx;
            if (xa < 0 || xa >= img.cols) continue;
            const cv::Vec3b &p = ra[xa], &q = rb[b.x + dx];
            for (int c = 0; c < 3; c++) {
                const int e = p[c] - q[c];
                d += e * e;
            }
        }
        if (d >= bound) return d;
    }
    return d;
}

// One level's fill: EM steps of (nearest-neighbour field, vote), starting from `nnf` (source
// centre per target centre, or empty) and leaving the field in it for the next level.
void fill_level(Level &l, std::vector<cv::Point> &targets, std::vector<cv::Point> &nnf, const std::vector<cv::Point> &sources, int em_steps,
                int sweeps, std::mt19937 &rng) {
    const int w = l.img.cols, h = l.img.rows;
    cv::Mat1i index(h, w, -1); // target number of each target centre
    for (size_t i = 0; i < targets.size(); i++) index(targets[i]) = static_cast<int>(i);
    std::uniform_int_distribution<size_t> any(0, sources.size() - 1);
    auto is_valid = [&](cv::Point q) { return q.x >= 0 && q.y >= 0 && q.x < w && q.y < h && l.valid(q) != 0; };
    if (nnf.size() != targets.size()) {
        nnf.resize(targets.size());
        for (cv::Point &q : nnf) q = sources[any(rng)];
    }
    for (int step = 0; step < em_steps; step++) {
        std::vector<int64_t> cost(targets.size());
        for (size_t i = 0; i < targets.size(); i++) {
            if (!is_valid(nnf[i])) nnf[i] = sources[any(rng)];
            cost[i] = distance(l.img, targets[i], nnf[i], std::numeric_limits<int64_t>::max());
        }
        for (int it = 0; it < sweeps; it++) {
            const bool forward = it % 2 == 0;
            const int dir = forward ? 1 : -1;
            for (size_t n = 0; n < targets.size(); n++) {
                const size_t i = forward ? n : targets.size() - 1 - n;
                const cv::Point p = targets[i];
                auto attempt = [&](cv::Point q) {
                    if (!is_valid(q)) return;
                    const int64_t d = distance(l.img, p, q, cost[i]);
                    if (d < cost[i]) cost[i] = d, nnf[i] = q;
                };
                // Propagation: the neighbour's match, shifted back by the neighbour's offset.
                for (const cv::Point off : {cv::Point(dir, 0), cv::Point(0, dir)}) {
                    const cv::Point np = p - off;
                    if (np.x < 0 || np.y < 0 || np.x >= w || np.y >= h) continue;
                    const int j = index(np);
                    if (j >= 0) attempt(nnf[j] + off);
                }
                // Random search around the best so far, in windows halving from the picture's size.
                for (int r = std::max(w, h); r >= 1; r /= 2) {
                    std::uniform_int_distribution<int> dx(-r, r), dy(-r, r);
                    attempt(nnf[i] + cv::Point(dx(rng), dy(rng)));
                }
            }
        }
        // Vote: every hole pixel, the mean of the pixels the patches covering it point at.
        cv::Mat3f sum(h, w, cv::Vec3f(0, 0, 0));
        cv::Mat1f weight(h, w, 0.f);
        for (size_t i = 0; i < targets.size(); i++) {
            const cv::Point p = targets[i], q = nnf[i];
            for (int dy = -kRadius; dy <= kRadius; dy++) {
                for (int dx = -kRadius; dx <= kRadius; dx++) {
                    const cv::Point a(p.x + dx, p.y + dy);
                    if (a.x < 0 || a.y < 0 || a.x >= w || a.y >= h || !l.hole(a)) continue;
                    sum(a) += cv::Vec3f(l.img(q.y + dy, q.x + dx));
                    weight(a) += 1.f;
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!l.hole(y, x) || weight(y, x) == 0) continue;
                const cv::Vec3f c = sum(y, x) / weight(y, x);
                l.img(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]), cv::saturate_cast<uchar>(c[2]));
            }
        }
    }
}

// The level's target centres (patches touching the hole) and source centres (patches entirely known).
void centres(Level &l, std::vector<cv::Point> &targets, std::vector<cv::Point> &sources) {
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * kRadius + 1, 2 * kRadius + 1));
    cv::Mat1b touched, known_all;
    cv::dilate(l.hole, touched, kernel);
    cv::dilate(l.hole, known_all, kernel, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar(255)); // the picture's outside counts as unknown
    l.valid = known_all == 0;
    targets.clear();
    sources.clear();
    for (int y = 0; y < l.img.rows; y++) {
        for (int x = 0; x < l.img.cols; x++) {
            if (touched(y, x)) targets.emplace_back(x, y);
            if (l.valid(y, x)) sources.emplace_back(x, y);
        }
    }
}

} // namespace

void patch_fill(cv::Mat3b &img, const cv::Mat1b &hole, int fallback_radius) {
    if (cv::countNonZero(hole) == 0) return;
    // The pyramid: halve while both sides stay above kMinSide and the hole is wider than a patch.
    std::vector<Level> levels(1);
    levels[0].img = img.clone();
    levels[0].hole = hole != 0;
    while (true) {
        const Level &f = levels.back();
        const cv::Rect box = cv::boundingRect(f.hole);
        if (std::min(f.img.cols, f.img.rows) / 2 < kMinSide || std::max(box.width, box.height) <= 2 * kRadius + 1) break;
        Level c;
        const cv::Size half((f.img.cols + 1) / 2, (f.img.rows + 1) / 2);
        cv::resize(f.img, c.img, half, 0, 0, cv::INTER_AREA);
        cv::resize(f.hole, c.hole, half, 0, 0, cv::INTER_AREA);
        c.hole = c.hole != 0; // a coarse pixel with any hole in it is hole
        levels.push_back(std::move(c));
    }
    std::mt19937 rng(12345); // fixed: the same frame is filled the same way every time
    std::vector<cv::Point> targets, sources, nnf;
    for (int k = static_cast<int>(levels.size()) - 1; k >= 0; k--) {
        Level &l = levels[k];
        const size_t previous_targets = targets.size();
        std::vector<cv::Point> coarse_targets = targets, coarse_nnf = nnf;
        centres(l, targets, sources);
        if (sources.empty()) { // nothing to copy from: Telea at the finest level
            cv::Mat3b out;
            cv::inpaint(img, hole, out, fallback_radius, cv::INPAINT_TELEA);
            out.copyTo(img, hole);
            return;
        }
        if (k == static_cast<int>(levels.size()) - 1) {
            cv::Mat3b start;
            cv::inpaint(l.img, l.hole, start, 3, cv::INPAINT_TELEA);
            start.copyTo(l.img, l.hole);
            nnf.clear();
        } else {
            // Start from the coarser level's result, enlarged, and its field, doubled.
            cv::Mat3b up;
            cv::resize(levels[k + 1].img, up, l.img.size(), 0, 0, cv::INTER_LINEAR);
            up.copyTo(l.img, l.hole);
            cv::Mat1i coarse_index(levels[k + 1].img.size(), -1);
            for (size_t i = 0; i < previous_targets; i++) coarse_index(coarse_targets[i]) = static_cast<int>(i);
            nnf.assign(targets.size(), cv::Point(-1, -1));
            for (size_t i = 0; i < targets.size(); i++) {
                const cv::Point c(std::min(targets[i].x / 2, coarse_index.cols - 1), std::min(targets[i].y / 2, coarse_index.rows - 1));
                const int j = coarse_index(c);
                if (j >= 0) nnf[i] = coarse_nnf[j] * 2 + (targets[i] - c * 2);
            }
        }
        fill_level(l, targets, nnf, sources, k == 0 ? 1 : 3, k == 0 ? 2 : kSearchIterations, rng);
    }
    levels[0].img.copyTo(img, levels[0].hole);
}

} // namespace inp::classical
