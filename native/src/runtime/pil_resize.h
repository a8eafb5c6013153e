// Pillow's Image.resize(size, filter) on 8-bit images of 1 or 3 channels, bit for bit: SAM's
// upstream predictor resizes with BILINEAR (torchvision resize on a PIL image; SAM parity README,
// "Image and resize"), the inpainting app frames with BICUBIC (Pillow's default for RGB) and
// masks with NEAREST. BILINEAR and BICUBIC are separable filters (antialiased when shrinking) in
// 22-bit fixed point, the horizontal pass first and rounded to uint8 before the vertical one;
// NEAREST takes the source pixel at floor((x + 0.5) * in / out).
#pragma once

#include <cstdint>

namespace inp {

enum class PilFilter { Nearest, Bilinear, Bicubic };

// src: in_h x in_w x channels, rows src_stride bytes apart; dst: out_h x out_w x channels, rows
// dst_stride bytes apart. channels is 1 or 3.
void pil_resize(const uint8_t *src, int64_t in_w, int64_t in_h, int64_t src_stride, int64_t channels, uint8_t *dst, int64_t out_w, int64_t out_h,
                int64_t dst_stride, PilFilter filter);

} // namespace inp
