#include "capi/guard.h"
#include "runtime/pil_resize.h"
#include "ops/mask_ops.h"
#include "runtime/image_tensor.h"

using inp::capi::guard;
using inp::capi::require;

namespace inp::capi {

void require_image(const inp_image *image, const char *fn, const char *what, int32_t channels, int64_t width, int64_t height) {
    inp::wrap_image(image, fn, what);
    require(image->channels == channels, fn, std::string(what) + " must have " + std::to_string(channels) + " channel(s), got " + std::to_string(image->channels));
    require(image->width == width && image->height == height, fn,
            std::string(what) + " is " + std::to_string(image->width) + "x" + std::to_string(image->height) + " but the session is " +
                std::to_string(width) + "x" + std::to_string(height));
}

} // namespace inp::capi

extern "C" {

int32_t inp_image_native_address(const inp_image *image, uint64_t *ret_address) {
    return guard([&] {
        require(ret_address != nullptr, "inp_image_native_address", "ret_address must not be NULL");
        const at::Tensor t = inp::wrap_image(image, "inp_image_native_address", "image");
        *ret_address = reinterpret_cast<uint64_t>(t.data_ptr());
    });
}

int32_t inp_mask_dilate(const inp_image *src, int32_t iterations, inp_image *dst) {
    return guard([&] {
        const at::Tensor s = inp::wrap_image(src, "inp_mask_dilate", "src");
        at::Tensor d = inp::wrap_image(dst, "inp_mask_dilate", "dst");
        require(src->channels == 1 && dst->channels == 1, "inp_mask_dilate", "masks must have 1 channel");
        require(src->width == dst->width && src->height == dst->height, "inp_mask_dilate",
                "src is " + std::to_string(src->width) + "x" + std::to_string(src->height) + " but dst is " +
                    std::to_string(dst->width) + "x" + std::to_string(dst->height));
        require(iterations >= 0, "inp_mask_dilate", "iterations must be >= 0, got " + std::to_string(iterations));
        // Computed in full before dst is written, so src and dst may be the same buffer.
        const at::Tensor result = inp::ops::dilate_cross(s.select(2, 0), iterations);
        d.select(2, 0).copy_(result);
    });
}

int32_t inp_image_resize(const inp_image *src, inp_image *dst, int32_t filter) {
    return guard([&] {
        const char *fn = "inp_image_resize";
        inp::wrap_image(src, fn, "src");
        inp::wrap_image(dst, fn, "dst");
        require(src->channels == dst->channels && (src->channels == 1 || src->channels == 3), fn,
                "src and dst must both have 1 or both 3 channels, got " + std::to_string(src->channels) + " and " + std::to_string(dst->channels));
        require(filter >= INP_RESIZE_NEAREST && filter <= INP_RESIZE_BICUBIC, fn, "unknown filter " + std::to_string(filter));
        const inp::PilFilter f = filter == INP_RESIZE_NEAREST ? inp::PilFilter::Nearest : filter == INP_RESIZE_BILINEAR ? inp::PilFilter::Bilinear : inp::PilFilter::Bicubic;
        inp::pil_resize(src->data, src->width, src->height, src->row_stride, src->channels, dst->data, dst->width, dst->height, dst->row_stride, f);
    });
}

int32_t inp_mask_remove_small_regions(const inp_image *src, int64_t min_area, int32_t mode, inp_image *dst, int32_t *ret_changed) {
    return guard([&] {
        const at::Tensor s = inp::wrap_image(src, "inp_mask_remove_small_regions", "src");
        at::Tensor d = inp::wrap_image(dst, "inp_mask_remove_small_regions", "dst");
        require(src->channels == 1 && dst->channels == 1, "inp_mask_remove_small_regions", "masks must have 1 channel");
        require(src->width == dst->width && src->height == dst->height, "inp_mask_remove_small_regions", "src and dst sizes differ");
        require(mode == INP_REGIONS_HOLES || mode == INP_REGIONS_ISLANDS, "inp_mask_remove_small_regions", "mode must be INP_REGIONS_HOLES or INP_REGIONS_ISLANDS");
        require(min_area >= 0, "inp_mask_remove_small_regions", "min_area must be >= 0");
        bool changed = false;
        const at::Tensor r = inp::ops::remove_small_regions(s.select(2, 0), min_area, mode == INP_REGIONS_HOLES, &changed);
        at::Tensor out = d.select(2, 0);
        out.copy_(r);
        out.mul_(255);
        if (ret_changed != nullptr) *ret_changed = changed ? 1 : 0;
    });
}

} // extern "C"
