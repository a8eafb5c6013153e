// Pillow's Image.resize(..., BILINEAR) on 8-bit RGB, bit for bit: the resize SAM's upstream
// predictor applies (torchvision resize on a PIL image; parity README, "Image and resize").
// A separable triangle filter (antialiased when shrinking) in 22-bit fixed point; the
// horizontal pass runs first and is rounded to uint8 before the vertical one.
#pragma once

#include <cstdint>

namespace inp::sam {

// src: in_h x in_w x 3, rows src_stride bytes apart; dst: out_h x out_w x 3, packed.
void pil_resize_bilinear_rgb(const uint8_t *src, int64_t in_w, int64_t in_h, int64_t src_stride, uint8_t *dst, int64_t out_w,
                             int64_t out_h);

} // namespace inp::sam
