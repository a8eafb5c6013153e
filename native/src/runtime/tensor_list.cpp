#include "runtime/tensor_list.h"

#include "runtime/error.h"

namespace inp {

void TensorList::add(std::string name, at::Tensor tensor, bool is_mapped) {
    if (!index_.emplace(name, items_.size()).second) fail(INP_ERR_INVALID_ARGUMENT, "tensor " + in_quotes(name) + " is listed twice");
    items_.push_back({std::move(name), std::move(tensor), is_mapped});
}

void TensorList::put(const std::string &name, at::Tensor tensor) {
    auto it = index_.find(name);
    if (it == index_.end()) add(name, std::move(tensor));
    else items_[it->second].tensor = std::move(tensor);
}

const NamedTensor *TensorList::find(const std::string &name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &items_[it->second];
}

int64_t TensorList::index_of(const std::string &name) const {
    auto it = index_.find(name);
    return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

const NamedTensor &TensorList::at(int64_t index) const {
    if (index < 0 || index >= static_cast<int64_t>(items_.size()))
        fail(INP_ERR_INVALID_ARGUMENT, "tensor index " + std::to_string(index) + " is out of range [0, " + std::to_string(items_.size()) + ")");
    return items_[static_cast<size_t>(index)];
}

int32_t dtype_code(at::ScalarType t) {
    switch (t) {
    case at::kFloat: return INP_DTYPE_F32;
    case at::kHalf: return INP_DTYPE_F16;
    case at::kBFloat16: return INP_DTYPE_BF16;
    case at::kDouble: return INP_DTYPE_F64;
    case at::kLong: return INP_DTYPE_I64;
    case at::kInt: return INP_DTYPE_I32;
    case at::kShort: return INP_DTYPE_I16;
    case at::kChar: return INP_DTYPE_I8;
    case at::kByte: return INP_DTYPE_U8;
    case at::kBool: return INP_DTYPE_BOOL;
    default: return INP_DTYPE_UNKNOWN;
    }
}

} // namespace inp
