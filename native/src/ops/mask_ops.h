#pragma once

#include <ATen/core/Tensor.h>

namespace inp::ops {

// Grey-level dilation of mask [H, W] (uint8) by a 3x3 cross, `iterations` times, outside
// pixels counting as 0: OpenCV's cv2.dilate(mask, MORPH_CROSS 3x3, iterations) as the
// upstream inpainting app (inpainterz c574782, inpainting.py) calls it. Runs on the mask's device.
at::Tensor dilate_cross(const at::Tensor &mask, int64_t iterations);

// segment_anything/utils/amg.py remove_small_regions (cv2.connectedComponentsWithStats, 8-
// connectivity): holes = background regions smaller than min_area are filled; islands = object
// regions smaller than min_area are removed (if all are small, the largest is kept).
// mask: [H, W] uint8 or bool, nonzero = object. Returns a bool mask; *changed says whether
// anything was filled or removed.
at::Tensor remove_small_regions(const at::Tensor &mask, int64_t min_area, bool holes, bool *changed);

} // namespace inp::ops
