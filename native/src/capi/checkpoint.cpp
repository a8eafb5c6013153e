#include <cstring>

#include "capi/guard.h"
#include "runtime/checkpoint.h"
#include "runtime/error.h"

using inp::capi::guard;
using inp::capi::require;

struct inp_checkpoint {
    std::unique_ptr<inp::Checkpoint> impl;
};

extern "C" {

inp_checkpoint_params inp_checkpoint_default_params(void) {
    inp_checkpoint_params p{};
    p.use_mmap = true;
    p.progress_callback = nullptr;
    p.progress_user_data = nullptr;
    return p;
}

int32_t inp_checkpoint_init(const char *path, const inp_checkpoint_params *params, inp_checkpoint **ret_ckpt) {
    return guard([&] {
        require(path != nullptr && ret_ckpt != nullptr, "inp_checkpoint_init", "path and ret_ckpt must not be NULL");
        const inp_checkpoint_params p = params != nullptr ? *params : inp_checkpoint_default_params();
        auto handle = std::make_unique<inp_checkpoint>();
        handle->impl = inp::Checkpoint::load(path, p);
        *ret_ckpt = handle.release();
    });
}

void inp_checkpoint_free(inp_checkpoint *ckpt) { delete ckpt; }

int32_t inp_checkpoint_model_info(const inp_checkpoint *ckpt, inp_model_info *ret_info) {
    return guard([&] {
        require(ckpt != nullptr && ret_info != nullptr, "inp_checkpoint_model_info", "ckpt and ret_info must not be NULL");
        const inp::Checkpoint &c = *ckpt->impl;
        inp_model_info info{};
        info.family = c.model().family;
        info.format = c.format();
        info.variant = c.model().variant.c_str();
        info.wrapper = c.wrapper().c_str();
        for (const auto &t : c.tensors()) {
            info.num_tensors++;
            info.num_elements += t.tensor.numel();
            info.num_bytes += static_cast<int64_t>(t.tensor.numel() * t.tensor.element_size());
        }
        *ret_info = info;
    });
}

int32_t inp_checkpoint_tensor_count(const inp_checkpoint *ckpt, int64_t *ret_count) {
    return guard([&] {
        require(ckpt != nullptr && ret_count != nullptr, "inp_checkpoint_tensor_count", "ckpt and ret_count must not be NULL");
        *ret_count = static_cast<int64_t>(ckpt->impl->tensors().size());
    });
}

int32_t inp_checkpoint_tensor_info(const inp_checkpoint *ckpt, int64_t index, inp_tensor_info *ret_info) {
    return guard([&] {
        require(ckpt != nullptr && ret_info != nullptr, "inp_checkpoint_tensor_info", "ckpt and ret_info must not be NULL");
        const inp::CheckpointTensor &t = ckpt->impl->at(index);
        inp_tensor_info info{};
        info.name = t.name.c_str();
        info.dtype = t.dtype;
        info.ndim = static_cast<int32_t>(t.tensor.dim());
        for (int32_t d = 0; d < info.ndim; d++) info.shape[d] = t.tensor.size(d);
        info.num_bytes = static_cast<int64_t>(t.tensor.numel() * t.tensor.element_size());
        info.is_mapped = t.is_mapped;
        *ret_info = info;
    });
}

int32_t inp_checkpoint_find_tensor(const inp_checkpoint *ckpt, const char *key, int64_t *ret_index) {
    return guard([&] {
        require(ckpt != nullptr && key != nullptr && ret_index != nullptr, "inp_checkpoint_find_tensor", "ckpt, key and ret_index must not be NULL");
        const inp::CheckpointTensor *t = ckpt->impl->find(key);
        *ret_index = t == nullptr ? -1 : t - ckpt->impl->tensors().data();
    });
}

int32_t inp_checkpoint_tensor_copy(const inp_checkpoint *ckpt, int64_t index, void *dst, size_t dst_bytes) {
    return guard([&] {
        require(ckpt != nullptr && dst != nullptr, "inp_checkpoint_tensor_copy", "ckpt and dst must not be NULL");
        const inp::CheckpointTensor &t = ckpt->impl->at(index);
        const size_t nbytes = static_cast<size_t>(t.tensor.numel() * t.tensor.element_size());
        require(dst_bytes == nbytes, "inp_checkpoint_tensor_copy",
                "tensor " + inp::in_quotes(t.name) + " has " + std::to_string(nbytes) + " bytes, the buffer " + std::to_string(dst_bytes));
        const at::Tensor c = t.tensor.contiguous();
        std::memcpy(dst, c.data_ptr(), nbytes);
    });
}

} // extern "C"
