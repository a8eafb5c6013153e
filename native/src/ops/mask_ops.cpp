#include "ops/mask_ops.h"

#include <ATen/ops/empty_like.h>
#include <opencv2/imgproc.hpp>

#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/maximum.h>
#include <numeric>
#include <vector>

namespace inp::ops {

at::Tensor dilate_cross(const at::Tensor &mask, int64_t iterations) {
    TORCH_CHECK(mask.dim() == 2, "dilate_cross: expected a [H, W] mask, got ", mask.sizes());
    TORCH_CHECK(iterations >= 0, "dilate_cross: iterations must be >= 0, got ", iterations);
    at::Tensor out = mask.contiguous();
    const int64_t h = mask.size(0), w = mask.size(1);
    if (out.device().is_cpu() && out.scalar_type() == at::kByte && iterations > 0) {
        // On the CPU, OpenCV's own dilate, the reference itself: no OpenMP regions (a pipeline's
        // threads contend for them), one pass per iteration.
        at::Tensor result = at::empty_like(out);
        const cv::Mat src(static_cast<int>(h), static_cast<int>(w), CV_8UC1, out.data_ptr<uint8_t>());
        cv::Mat dst(static_cast<int>(h), static_cast<int>(w), CV_8UC1, result.data_ptr<uint8_t>());
        cv::dilate(src, dst, cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3)), cv::Point(-1, -1), static_cast<int>(iterations));
        return result;
    }
    for (int64_t it = 0; it < iterations; it++) {
        const at::Tensor p = at::constant_pad_nd(out, {1, 1, 1, 1}, 0);
        at::Tensor m = at::maximum(p.slice(0, 1, h + 1).slice(1, 1, w + 1), p.slice(0, 0, h).slice(1, 1, w + 1));
        m = at::maximum(m, p.slice(0, 2, h + 2).slice(1, 1, w + 1));
        m = at::maximum(m, p.slice(0, 1, h + 1).slice(1, 0, w));
        out = at::maximum(m, p.slice(0, 1, h + 1).slice(1, 2, w + 2));
    }
    return out;
}

namespace {

int64_t find(std::vector<int64_t> &parent, int64_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

} // namespace

at::Tensor remove_small_regions(const at::Tensor &mask, int64_t min_area, bool holes, bool *changed) {
    TORCH_CHECK(mask.dim() == 2, "remove_small_regions: expected a [H, W] mask, got ", mask.sizes());
    const at::Tensor m = mask.ne(0).to(at::kByte).to(at::kCPU).contiguous(); // labelled on the CPU, whatever the mask's device
    const int64_t h = m.size(0), w = m.size(1), n = h * w;
    const uint8_t *src = m.data_ptr<uint8_t>();
    // Pixels of the regions under study: the background for holes, the object for islands.
    auto working = [&](int64_t i) { return holes ? src[i] == 0 : src[i] != 0; };
    std::vector<int64_t> parent(static_cast<size_t>(n));
    std::iota(parent.begin(), parent.end(), 0);
    auto unite = [&](int64_t a, int64_t b) {
        a = find(parent, a);
        b = find(parent, b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    };
    for (int64_t y = 0; y < h; y++)
        for (int64_t x = 0; x < w; x++) {
            const int64_t i = y * w + x;
            if (!working(i)) continue;
            // Already-visited 8-neighbours: left, up-left, up, up-right.
            if (x > 0 && working(i - 1)) unite(i, i - 1);
            if (y > 0) {
                if (x > 0 && working(i - w - 1)) unite(i, i - w - 1);
                if (working(i - w)) unite(i, i - w);
                if (x + 1 < w && working(i - w + 1)) unite(i, i - w + 1);
            }
        }
    std::vector<int64_t> size(static_cast<size_t>(n), 0);
    for (int64_t i = 0; i < n; i++)
        if (working(i)) size[find(parent, i)]++;
    int64_t small = 0, largest_root = -1;
    bool any_large = false;
    for (int64_t i = 0; i < n; i++) {
        if (!working(i) || find(parent, i) != i) continue;
        if (size[i] < min_area) small++;
        else any_large = true;
        if (largest_root < 0 || size[i] > size[largest_root]) largest_root = i;
    }
    at::Tensor out = m.to(at::kBool).clone();
    const auto restore = [&](at::Tensor t) { return t.to(mask.device()); };
    *changed = small > 0;
    if (small == 0) return restore(out);
    bool *o = out.data_ptr<bool>();
    for (int64_t i = 0; i < n; i++) {
        if (!working(i)) continue;
        const int64_t r = find(parent, i);
        if (size[r] >= min_area) continue;
        if (holes) o[i] = true;                              // fill a small hole
        else if (any_large || r != largest_root) o[i] = false; // drop a small island (keep the largest if all are small)
    }
    return restore(out);
}

} // namespace inp::ops
