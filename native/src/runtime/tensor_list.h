// An ordered list of named tensors: a checkpoint's state dict, or the intermediates a model
// call recorded for inspection. Behind the C handle inp_tensors.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace inp {

struct NamedTensor {
    std::string name;
    at::Tensor tensor;
    bool is_mapped = false; // points into a memory-mapped file
};

class TensorList {
public:
    // Throws inp::Error(INP_ERR_INVALID_ARGUMENT) on a duplicate name.
    void add(std::string name, at::Tensor tensor, bool is_mapped = false);
    // Adds, or replaces a tensor of the same name (recording a stage twice keeps the last).
    void put(const std::string &name, at::Tensor tensor);
    const std::vector<NamedTensor> &items() const { return items_; }
    size_t size() const { return items_.size(); }
    const NamedTensor *find(const std::string &name) const; // nullptr when absent
    int64_t index_of(const std::string &name) const;        // -1 when absent
    // Throws INP_ERR_INVALID_ARGUMENT naming the index and the count when out of range.
    const NamedTensor &at(int64_t index) const;

private:
    std::vector<NamedTensor> items_;
    std::unordered_map<std::string, size_t> index_;
};

// Records `t` under `name` when `list` is not null (model code calls this at stage boundaries).
inline void record_stage(TensorList *list, const std::string &name, const at::Tensor &t) {
    if (list != nullptr) list->put(name, t);
}

int32_t dtype_code(at::ScalarType t); // inp_dtype of a scalar type, INP_DTYPE_UNKNOWN if none

} // namespace inp
