// Names the model a state dict belongs to from its keys and shapes alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace inp {

struct TensorShape {
    std::string name;
    std::vector<int64_t> shape;
};

struct ModelInfo {
    int32_t family = 0;  // inp_model_family
    std::string variant; // "vit_b", "DeAOT-T (MobileNetV2, 1 layer)", "E2FGVI (8 blocks)", ...
};

ModelInfo detect_model(const std::vector<TensorShape> &tensors);

} // namespace inp
