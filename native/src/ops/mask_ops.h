#pragma once

#include <ATen/core/Tensor.h>

namespace inp::ops {

// Grey-level dilation of mask [H, W] (uint8) by a 3x3 cross, `iterations` times, outside
// pixels counting as 0: OpenCV's cv2.dilate(mask, MORPH_CROSS 3x3, iterations) as the
// upstream inpainting app (inpainterz c574782, inpainting.py) calls it. Runs on the mask's device.
at::Tensor dilate_cross(const at::Tensor &mask, int64_t iterations);

} // namespace inp::ops
