#include "ops/mask_ops.h"

#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/maximum.h>

namespace inp::ops {

at::Tensor dilate_cross(const at::Tensor &mask, int64_t iterations) {
    TORCH_CHECK(mask.dim() == 2, "dilate_cross: expected a [H, W] mask, got ", mask.sizes());
    TORCH_CHECK(iterations >= 0, "dilate_cross: iterations must be >= 0, got ", iterations);
    at::Tensor out = mask.contiguous();
    const int64_t h = mask.size(0), w = mask.size(1);
    for (int64_t it = 0; it < iterations; it++) {
        const at::Tensor p = at::constant_pad_nd(out, {1, 1, 1, 1}, 0);
        at::Tensor m = at::maximum(p.slice(0, 1, h + 1).slice(1, 1, w + 1), p.slice(0, 0, h).slice(1, 1, w + 1));
        m = at::maximum(m, p.slice(0, 2, h + 2).slice(1, 1, w + 1));
        m = at::maximum(m, p.slice(0, 1, h + 1).slice(1, 0, w));
        out = at::maximum(m, p.slice(0, 1, h + 1).slice(1, 2, w + 2));
    }
    return out;
}

} // namespace inp::ops
