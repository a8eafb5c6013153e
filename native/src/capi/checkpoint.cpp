#include <cstring>

#include "capi/guard.h"
#include "capi/handles.h"
#include "runtime/checkpoint.h"
#include "runtime/error.h"

using inp::capi::guard;
using inp::capi::require;

extern "C" {

inp_checkpoint_params inp_checkpoint_default_params(void) {
    inp_checkpoint_params p{};
    p.use_mmap = true;
    return p;
}

int32_t inp_checkpoint_init(const char *path, const inp_checkpoint_params *params, const inp_run *run, inp_checkpoint **ret_ckpt) {
    return guard([&] {
        require(path != nullptr && ret_ckpt != nullptr, "inp_checkpoint_init", "path and ret_ckpt must not be NULL");
        const inp_checkpoint_params p = params != nullptr ? *params : inp_checkpoint_default_params();
        auto handle = std::make_unique<inp_checkpoint>();
        const inp::Run controls(run, 0);
        handle->impl = inp::Checkpoint::load(path, p.use_mmap, controls);
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
        for (const auto &t : c.tensors().items()) {
            info.num_tensors++;
            info.num_elements += t.tensor.numel();
            info.num_bytes += static_cast<int64_t>(t.tensor.numel() * t.tensor.element_size());
        }
        *ret_info = info;
    });
}

int32_t inp_checkpoint_tensors(const inp_checkpoint *ckpt, const inp_tensors **ret_tensors) {
    return guard([&] {
        require(ckpt != nullptr && ret_tensors != nullptr, "inp_checkpoint_tensors", "ckpt and ret_tensors must not be NULL");
        *ret_tensors = reinterpret_cast<const inp_tensors *>(&ckpt->impl->tensors());
    });
}

} // extern "C"
