// A loaded checkpoint: the parsed state dict as libtorch tensors that alias the mapped file
// where dtype and alignment allow (one aliasing tensor per storage; tensors are strided views
// of it, so storages shared between tensors stay shared).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "inpainterz.h"
#include "runtime/mapped_file.h"
#include "runtime/model_detect.h"
#include "runtime/run.h"
#include "runtime/tensor_list.h"

namespace inp {

class Checkpoint {
public:
    // Throws inp::Error (see inp_checkpoint_init for the codes).
    // run: progress and cancel after each tensor built (stage "checkpoint").
    static std::unique_ptr<Checkpoint> load(const std::string &path, bool use_mmap, const Run &run);

    const std::string &path() const { return path_; }
    int32_t format() const { return format_; }
    const std::string &wrapper() const { return wrapper_; }
    const ModelInfo &model() const { return model_; }
    // The state dict, in file order.
    const TensorList &tensors() const { return tensors_; }

private:
    std::string path_;
    int32_t format_ = 0;
    std::string wrapper_;
    ModelInfo model_;
    TensorList tensors_;
};

at::ScalarType to_scalar_type(int32_t dtype);

} // namespace inp
