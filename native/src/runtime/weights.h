// Strict state-dict loading for model code: every key a model asks for must exist with the
// expected shape, and every key of the checkpoint must be asked for (finish()). Errors name the
// file and the key. Tensors alias the mapped checkpoint when dtype and device already match.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "runtime/checkpoint.h"

namespace inp {

class Weights {
public:
    Weights(const Checkpoint &ckpt, at::TensorOptions options) : ckpt_(ckpt), options_(options) {}

    bool has(const std::string &key) const { return ckpt_.tensors().find(key) != nullptr; }
    // The tensor `key` converted to the model's dtype/device; `shape` empty = any shape.
    at::Tensor take(const std::string &key, const std::vector<int64_t> &shape = {});
    // The shape of `key` without taking it (for reading a configuration off the checkpoint).
    std::vector<int64_t> shape_of(const std::string &key) const;
    // Throws naming the first key of the checkpoint that no module took.
    void finish() const;
    const std::string &path() const { return ckpt_.path(); }
    // Later take() calls convert to this dtype (a model may keep parts in another precision).
    void set_dtype(at::ScalarType dtype) { options_ = options_.dtype(dtype); }

private:
    const Checkpoint &ckpt_;
    at::TensorOptions options_;
    std::unordered_set<std::string> used_;
};

std::string shape_string(at::IntArrayRef shape);

} // namespace inp
