#include "runtime/model_detect.h"

#include <set>
#include <unordered_map>

#include "inpainterz.h"

namespace inp {

namespace {

bool starts_with(const std::string &s, const std::string &prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// Number of distinct N in keys "<prefix>N.…".
int count_indices(const std::vector<TensorShape> &tensors, const std::string &prefix) {
    std::set<int> seen;
    for (const auto &t : tensors) {
        if (!starts_with(t.name, prefix)) continue;
        size_t end = t.name.find('.', prefix.size());
        const std::string n = t.name.substr(prefix.size(), end - prefix.size());
        if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos) seen.insert(std::stoi(n));
    }
    return static_cast<int>(seen.size());
}

std::string plural(int n, const char *word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

// segment_anything/build_sam.py: vit_b/l/h differ in embed dim and depth only.
ModelInfo detect_sam(const std::unordered_map<std::string, const TensorShape *> &by_name, const std::vector<TensorShape> &tensors) {
    ModelInfo m{INP_MODEL_SAM, ""};
    auto pos = by_name.find("image_encoder.pos_embed");
    const int64_t dim = pos != by_name.end() && pos->second->shape.size() == 4 ? pos->second->shape[3] : -1;
    const int depth = count_indices(tensors, "image_encoder.blocks.");
    if (dim == 768 && depth == 12) m.variant = "vit_b";
    else if (dim == 1024 && depth == 24) m.variant = "vit_l";
    else if (dim == 1280 && depth == 32) m.variant = "vit_h";
    else m.variant = "custom ViT (embed dim " + std::to_string(dim) + ", " + plural(depth, "block") + ")";
    return m;
}

// aot-benchmark configs/models: the encoder shows in its key names, the size in the count of
// gated-propagation layers. DeAOT-B and DeAOT-L differ only in a test-time memory gap.
ModelInfo detect_deaot(const std::unordered_map<std::string, const TensorShape *> &by_name, const std::vector<TensorShape> &tensors) {
    ModelInfo m{INP_MODEL_DEAOT, ""};
    const int layers = count_indices(tensors, "LSTT.layers.");
    std::string encoder = "unknown encoder";
    if (by_name.count("encoder.features.0.0.weight")) encoder = "MobileNetV2";
    else if (by_name.count("encoder.conv1.weight")) encoder = count_indices(tensors, "encoder.layer3.") == 23 ? "ResNet-101" : "ResNet-50";
    else if (by_name.count("encoder.patch_embed.proj.weight")) encoder = "Swin-B";
    std::string name;
    if (encoder == "MobileNetV2") name = layers == 1 ? "DeAOT-T" : layers == 2 ? "DeAOT-S" : layers == 3 ? "DeAOT-B/L" : "DeAOT";
    else if (encoder == "ResNet-50") name = "R50-DeAOT-L";
    else if (encoder == "ResNet-101") name = "R101-DeAOT-L";
    else if (encoder == "Swin-B") name = "SwinB-DeAOT-L";
    else name = "DeAOT";
    m.variant = name + " (" + encoder + ", " + plural(layers, "layer") + ")";
    return m;
}

// E2FGVI/model/e2fgvi_hq.py replaces the fixed-size `sc.bias` with a conv (`sc.bias_conv`).
ModelInfo detect_e2fgvi(const std::unordered_map<std::string, const TensorShape *> &by_name, const std::vector<TensorShape> &tensors) {
    ModelInfo m{INP_MODEL_E2FGVI, ""};
    const bool hq = by_name.count("sc.bias_conv.weight") > 0;
    m.variant = std::string(hq ? "E2FGVI-HQ" : "E2FGVI") + " (" + plural(count_indices(tensors, "transformer."), "block") + ")";
    return m;
}

} // namespace

ModelInfo detect_model(const std::vector<TensorShape> &tensors) {
    std::unordered_map<std::string, const TensorShape *> by_name;
    for (const auto &t : tensors) by_name.emplace(t.name, &t);
    const bool sam = by_name.count("image_encoder.pos_embed") || by_name.count("image_encoder.patch_embed.proj.weight");
    if (sam && by_name.count("mask_decoder.iou_token.weight")) return detect_sam(by_name, tensors);
    // DeAOT-only keys (AOT checkpoints have LSTT.mask_token and no id_norm).
    if (by_name.count("id_norm.weight") && by_name.count("LSTT.layers.0.linear_QV.weight")) return detect_deaot(by_name, tensors);
    if (by_name.count("ss.embedding.weight") && by_name.count("sc.embedding.weight") && by_name.count("update_spynet.mean"))
        return detect_e2fgvi(by_name, tensors);
    return ModelInfo{INP_MODEL_UNKNOWN, "unrecognised (not SAM, DeAOT or E2FGVI)"};
}

} // namespace inp
