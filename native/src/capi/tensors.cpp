#include <cstring>

#include "capi/guard.h"
#include "runtime/error.h"
#include "runtime/tensor_list.h"

using inp::capi::guard;
using inp::capi::require;

// inp_tensors is inp::TensorList itself: borrowed lists (a checkpoint's state dict) and owned
// ones (made by inp_tensors_init) share every accessor.
static const inp::TensorList &list(const inp_tensors *t) { return *reinterpret_cast<const inp::TensorList *>(t); }

extern "C" {

int32_t inp_tensors_init(inp_tensors **ret_tensors) {
    return guard([&] {
        require(ret_tensors != nullptr, "inp_tensors_init", "ret_tensors must not be NULL");
        *ret_tensors = reinterpret_cast<inp_tensors *>(new inp::TensorList());
    });
}

void inp_tensors_free(inp_tensors *tensors) { delete reinterpret_cast<inp::TensorList *>(tensors); }

int32_t inp_tensors_count(const inp_tensors *tensors, int64_t *ret_count) {
    return guard([&] {
        require(tensors != nullptr && ret_count != nullptr, "inp_tensors_count", "tensors and ret_count must not be NULL");
        *ret_count = static_cast<int64_t>(list(tensors).size());
    });
}

int32_t inp_tensors_info(const inp_tensors *tensors, int64_t index, inp_tensor_info *ret_info) {
    return guard([&] {
        require(tensors != nullptr && ret_info != nullptr, "inp_tensors_info", "tensors and ret_info must not be NULL");
        const inp::NamedTensor &t = list(tensors).at(index);
        require(t.tensor.dim() <= INP_MAX_DIMS, "inp_tensors_info", "tensor " + inp::in_quotes(t.name) + " has more than " + std::to_string(INP_MAX_DIMS) + " dimensions");
        inp_tensor_info info{};
        info.name = t.name.c_str();
        info.dtype = inp::dtype_code(t.tensor.scalar_type());
        info.ndim = static_cast<int32_t>(t.tensor.dim());
        for (int32_t d = 0; d < info.ndim; d++) info.shape[d] = t.tensor.size(d);
        info.num_bytes = static_cast<int64_t>(t.tensor.numel() * t.tensor.element_size());
        info.is_mapped = t.is_mapped;
        *ret_info = info;
    });
}

int32_t inp_tensors_find(const inp_tensors *tensors, const char *name, int64_t *ret_index) {
    return guard([&] {
        require(tensors != nullptr && name != nullptr && ret_index != nullptr, "inp_tensors_find", "tensors, name and ret_index must not be NULL");
        *ret_index = list(tensors).index_of(name);
    });
}

int32_t inp_tensors_copy(const inp_tensors *tensors, int64_t index, void *dst, size_t dst_bytes) {
    return guard([&] {
        require(tensors != nullptr && dst != nullptr, "inp_tensors_copy", "tensors and dst must not be NULL");
        const inp::NamedTensor &t = list(tensors).at(index);
        const size_t nbytes = static_cast<size_t>(t.tensor.numel() * t.tensor.element_size());
        require(dst_bytes == nbytes, "inp_tensors_copy",
                "tensor " + inp::in_quotes(t.name) + " has " + std::to_string(nbytes) + " bytes, the buffer " + std::to_string(dst_bytes));
        const at::Tensor c = t.tensor.to(at::kCPU).contiguous();
        std::memcpy(dst, c.data_ptr(), nbytes);
    });
}

} // extern "C"
