// Algorithm from Pillow's libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc,
// ImagingResampleHorizontal/Vertical_8bpc; HPND licence), re-implemented for RGB24.
#include "sam/pil_resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace inp::sam {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coeffs {
    std::vector<int> start, count; // per output index: first input tap and tap count
    std::vector<int32_t> k;        // count_max taps per output index, fixed point
    int max_taps = 0;
};

Coeffs precompute(int64_t in_size, int64_t out_size) {
    const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
    const double filterscale = std::max(scale, 1.0);
    const double support = 1.0 * filterscale; // bilinear filter support is 1
    Coeffs c;
    c.max_taps = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.start.resize(out_size);
    c.count.resize(out_size);
    c.k.assign(static_cast<size_t>(out_size) * c.max_taps, 0);
    std::vector<double> w(c.max_taps);
    const double ss = 1.0 / filterscale; // multiplied, not divided: Pillow's rounding
    for (int64_t i = 0; i < out_size; i++) {
        const double center = (static_cast<double>(i) + 0.5) * scale;
        int64_t xmin = static_cast<int64_t>(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int64_t xmax = static_cast<int64_t>(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        const int64_t n = std::min<int64_t>(xmax - xmin, c.max_taps);
        double total = 0;
        for (int64_t j = 0; j < n; j++) {
            const double x = (static_cast<double>(j + xmin) - center + 0.5) * ss;
            const double v = std::max(0.0, 1.0 - std::abs(x)); // triangle
            w[j] = v;
            total += v;
        }
        for (int64_t j = 0; j < n; j++) {
            const double v = total != 0 ? w[j] / total : 0.0;
            c.k[i * c.max_taps + j] = static_cast<int32_t>(v < 0 ? std::trunc(v * (1 << kPrecisionBits) - 0.5) : std::trunc(v * (1 << kPrecisionBits) + 0.5));
        }
        c.start[i] = static_cast<int>(xmin);
        c.count[i] = static_cast<int>(n);
    }
    return c;
}

inline uint8_t clip8(int64_t v) {
    v >>= kPrecisionBits;
    return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

} // namespace

void pil_resize_bilinear_rgb(const uint8_t *src, int64_t in_w, int64_t in_h, int64_t src_stride, uint8_t *dst, int64_t out_w,
                             int64_t out_h) {
    // Horizontal pass (skipped when the width does not change), rounded to uint8.
    std::vector<uint8_t> mid;
    const uint8_t *h_out = src;
    int64_t h_stride = src_stride;
    if (out_w != in_w) {
        const Coeffs c = precompute(in_w, out_w);
        mid.resize(static_cast<size_t>(in_h) * out_w * 3);
        for (int64_t y = 0; y < in_h; y++) {
            const uint8_t *row = src + y * src_stride;
            uint8_t *o = mid.data() + y * out_w * 3;
            for (int64_t x = 0; x < out_w; x++) {
                const int32_t *k = &c.k[x * c.max_taps];
                int64_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
                for (int j = 0; j < c.count[x]; j++) {
                    const uint8_t *p = row + (c.start[x] + j) * 3;
                    s0 += int64_t{p[0]} * k[j];
                    s1 += int64_t{p[1]} * k[j];
                    s2 += int64_t{p[2]} * k[j];
                }
                o[x * 3] = clip8(s0);
                o[x * 3 + 1] = clip8(s1);
                o[x * 3 + 2] = clip8(s2);
            }
        }
        h_out = mid.data();
        h_stride = out_w * 3;
    }
    // Vertical pass (a copy when the height does not change).
    if (out_h == in_h) {
        for (int64_t y = 0; y < out_h; y++) std::copy_n(h_out + y * h_stride, out_w * 3, dst + y * out_w * 3);
        return;
    }
    const Coeffs c = precompute(in_h, out_h);
    for (int64_t y = 0; y < out_h; y++) {
        const int32_t *k = &c.k[y * c.max_taps];
        uint8_t *o = dst + y * out_w * 3;
        for (int64_t x = 0; x < out_w * 3; x++) {
            int64_t s = 1 << (kPrecisionBits - 1);
            for (int j = 0; j < c.count[y]; j++) s += int64_t{h_out[(c.start[y] + j) * h_stride + x]} * k[j];
            o[x] = clip8(s);
        }
    }
}

} // namespace inp::sam
