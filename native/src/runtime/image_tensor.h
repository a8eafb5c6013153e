// Caller-owned images seen as libtorch tensors without a copy (DESIGN: zero-copy frames).
#pragma once

#include <ATen/core/Tensor.h>

#include "inpainterz.h"

namespace inp {

// Checks the descriptor (NULL data, sizes, channels, stride) and wraps image->data as a
// uint8 tensor [height, width, channels] with the image's row stride. The tensor borrows
// the memory: it must not outlive the call that received `image`.
at::Tensor wrap_image(const inp_image *image, const char *function, const char *argument);

} // namespace inp
