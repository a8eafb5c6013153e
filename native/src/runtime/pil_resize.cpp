// Algorithm from Pillow's libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc,
// ImagingResampleHorizontal/Vertical_8bpc, the bilinear and bicubic filters; HPND licence) and
// Geometry.c (nearest-neighbour affine transform), re-implemented.
#include "runtime/pil_resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace inp {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coeffs {
    std::vector<int> start, count; // per output index: first input tap and tap count
    std::vector<int32_t> k;        // count_max taps per output index, fixed point
    int max_taps = 0;
};

double triangle(double x) { return std::max(0.0, 1.0 - std::abs(x)); }

double bicubic(double x) { // a = -0.5, as Pillow
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

Coeffs precompute(int64_t in_size, int64_t out_size, PilFilter f) {
    const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
    const double filterscale = std::max(scale, 1.0);
    const double support = (f == PilFilter::Bicubic ? 2.0 : 1.0) * filterscale;
    double (*filter)(double) = f == PilFilter::Bicubic ? bicubic : triangle;
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
            const double v = filter((static_cast<double>(j + xmin) - center + 0.5) * ss);
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

void nearest(const uint8_t *src, int64_t in_w, int64_t in_h, int64_t src_stride, int64_t ch, uint8_t *dst, int64_t out_w, int64_t out_h, int64_t dst_stride) {
    const double sx = static_cast<double>(in_w) / out_w, sy = static_cast<double>(in_h) / out_h;
    std::vector<int64_t> xs(out_w);
    for (int64_t x = 0; x < out_w; x++) xs[x] = std::min<int64_t>(in_w - 1, static_cast<int64_t>((x + 0.5) * sx));
    for (int64_t y = 0; y < out_h; y++) {
        const uint8_t *row = src + std::min<int64_t>(in_h - 1, static_cast<int64_t>((y + 0.5) * sy)) * src_stride;
        uint8_t *o = dst + y * dst_stride;
        for (int64_t x = 0; x < out_w; x++)
            for (int64_t c = 0; c < ch; c++) o[x * ch + c] = row[xs[x] * ch + c];
    }
}

} // namespace

void pil_resize(const uint8_t *src, int64_t in_w, int64_t in_h, int64_t src_stride, int64_t ch, uint8_t *dst, int64_t out_w, int64_t out_h,
                int64_t dst_stride, PilFilter filter) {
    if (filter == PilFilter::Nearest) return nearest(src, in_w, in_h, src_stride, ch, dst, out_w, out_h, dst_stride);
    // Horizontal pass (skipped when the width does not change), rounded to uint8.
    std::vector<uint8_t> mid;
    const uint8_t *h_out = src;
    int64_t h_stride = src_stride;
    if (out_w != in_w) {
        const Coeffs c = precompute(in_w, out_w, filter);
        mid.resize(static_cast<size_t>(in_h) * out_w * ch);
        for (int64_t y = 0; y < in_h; y++) {
            const uint8_t *row = src + y * src_stride;
            uint8_t *o = mid.data() + y * out_w * ch;
            for (int64_t x = 0; x < out_w; x++) {
                const int32_t *k = &c.k[x * c.max_taps];
                int64_t s[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
                for (int j = 0; j < c.count[x]; j++) {
                    const uint8_t *p = row + (c.start[x] + j) * ch;
                    for (int64_t q = 0; q < ch; q++) s[q] += int64_t{p[q]} * k[j];
                }
                for (int64_t q = 0; q < ch; q++) o[x * ch + q] = clip8(s[q]);
            }
        }
        h_out = mid.data();
        h_stride = out_w * ch;
    }
    // Vertical pass (a copy when the height does not change).
    if (out_h == in_h) {
        for (int64_t y = 0; y < out_h; y++) std::copy_n(h_out + y * h_stride, out_w * ch, dst + y * dst_stride);
        return;
    }
    const Coeffs c = precompute(in_h, out_h, filter);
    for (int64_t y = 0; y < out_h; y++) {
        const int32_t *k = &c.k[y * c.max_taps];
        uint8_t *o = dst + y * dst_stride;
        for (int64_t x = 0; x < out_w * ch; x++) {
            int64_t s = 1 << (kPrecisionBits - 1);
            for (int j = 0; j < c.count[y]; j++) s += int64_t{h_out[(c.start[y] + j) * h_stride + x]} * k[j];
            o[x] = clip8(s);
        }
    }
}

} // namespace inp
