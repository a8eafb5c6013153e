#include "runtime/weights.h"

#include "runtime/error.h"

namespace inp {

std::string shape_string(at::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::vector<int64_t> Weights::shape_of(const std::string &key) const {
    const NamedTensor *t = ckpt_.tensors().find(key);
    if (t == nullptr) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ckpt_.path()) + " has no tensor " + in_quotes(key));
    return t->tensor.sizes().vec();
}

at::Tensor Weights::take(const std::string &key, const std::vector<int64_t> &shape) {
    const NamedTensor *t = ckpt_.tensors().find(key);
    if (t == nullptr) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ckpt_.path()) + " has no tensor " + in_quotes(key));
    if (!shape.empty() && t->tensor.sizes() != at::IntArrayRef(shape))
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ckpt_.path()) + ": tensor " + in_quotes(key) + " has wrong shape " +
                                     shape_string(t->tensor.sizes()) + ", expected " + shape_string(shape));
    used_.insert(key);
    // Never modified in place afterwards: it may alias the file or share a storage with others.
    return t->tensor.to(options_);
}

void Weights::finish() const {
    for (const auto &t : ckpt_.tensors().items())
        if (!used_.count(t.name))
            fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ckpt_.path()) + ": unexpected tensor " + in_quotes(t.name) + " " +
                                         shape_string(t.tensor.sizes()) + " (not part of this model)");
}

} // namespace inp
