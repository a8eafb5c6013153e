#include "runtime/image_tensor.h"

#include <ATen/ops/from_blob.h>

#include "runtime/error.h"

namespace inp {

at::Tensor wrap_image(const inp_image *image, const char *function, const char *argument) {
    auto bad = [&](const std::string &what) { fail(INP_ERR_INVALID_ARGUMENT, std::string(function) + ": " + argument + " " + what); };
    if (image == nullptr || image->data == nullptr) bad("is NULL");
    if (image->width < 1 || image->height < 1) bad("has size " + std::to_string(image->width) + "x" + std::to_string(image->height) + "; both must be >= 1");
    if (image->channels != 1 && image->channels != 3) bad("has " + std::to_string(image->channels) + " channels; expected 1 (mask) or 3 (RGB24)");
    if (image->row_stride < static_cast<int64_t>(image->width) * image->channels)
        bad("row stride " + std::to_string(image->row_stride) + " is below width x channels = " + std::to_string(int64_t{image->width} * image->channels));
    return at::from_blob(image->data, {image->height, image->width, image->channels}, {image->row_stride, image->channels, 1},
                         at::TensorOptions().dtype(at::kByte));
}

} // namespace inp
