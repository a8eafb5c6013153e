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

namespace inp {

struct CheckpointTensor {
    std::string name;
    at::Tensor tensor;
    int32_t dtype;
    bool is_mapped;
};

class Checkpoint {
public:
    // Throws inp::Error (see inp_checkpoint_init for the codes).
    static std::unique_ptr<Checkpoint> load(const std::string &path, const inp_checkpoint_params &params);

    const std::string &path() const { return path_; }
    int32_t format() const { return format_; }
    const std::string &wrapper() const { return wrapper_; }
    const ModelInfo &model() const { return model_; }
    const std::vector<CheckpointTensor> &tensors() const { return tensors_; }
    // nullptr when absent.
    const CheckpointTensor *find(const std::string &key) const;
    // Throws INP_ERR_INVALID_ARGUMENT naming the index and the count when out of range.
    const CheckpointTensor &at(int64_t index) const;

private:
    std::string path_;
    int32_t format_ = 0;
    std::string wrapper_;
    ModelInfo model_;
    std::vector<CheckpointTensor> tensors_;
    std::unordered_map<std::string, size_t> index_;
};

at::ScalarType to_scalar_type(int32_t dtype);

} // namespace inp
