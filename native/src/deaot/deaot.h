// DeAOT (yoxu515/aot-benchmark networks/models/deaot.py, with the tracking app's engine) as
// plain structs of tensors. Member names follow the upstream attributes, so keys load 1:1
// through inp::Weights. Frozen batch norms are folded into the convolutions they follow.
// Model functions are const and re-entrant: one model serves many tracking sessions.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "deaot/local_attention.h"
#include "runtime/checkpoint.h"
#include "runtime/nn.h"
#include "runtime/run.h"
#include "runtime/tensor_list.h"

namespace inp::deaot {

constexpr int64_t kMaxObjects = 10;   // MODEL_MAX_OBJ_NUM: ids 1..10 per sub-engine
constexpr int64_t kEmbedDim = 256;    // MODEL_ENCODER_EMBEDDING_DIM
constexpr int64_t kAttDim = 128;      // d_att (one head)
constexpr int64_t kExpandDim = 512;   // d_model * expand_ratio
constexpr int64_t kMaxDis = 7;        // short-term window radius: 15 x 15
constexpr int64_t kMaxLongEdge = 1040; // MultiRestrictSize max_long_edge (800 * 1.3)

// A convolution with an optional bias; in the encoder a frozen batch norm after it is folded in.
using Conv = nn::Conv2d;

struct GroupNorm {
    at::Tensor weight, bias;
    int64_t groups = 1;
    at::Tensor operator()(const at::Tensor &x) const; // NCHW
};

// networks/encoders: MobileNetV2 (output stride 16) or ResNet-50 (layer1..3).
struct Encoder {
    enum class Kind { MobileNetV2, ResNet50 } kind = Kind::MobileNetV2;
    struct Block {                 // InvertedResidual, or Bottleneck
        std::vector<Conv> convs;   // in order; activations between them
        Conv downsample;           // ResNet only, undefined weight when none
        bool residual = false;
    };
    Conv stem;                     // MobileNetV2 features.0 / ResNet conv1+bn1
    std::vector<Block> blocks;     // MobileNetV2 features.1..17 / ResNet layer1..3 blocks
    Conv last;                     // MobileNetV2 features.18 (1x1 to 1280)
    std::array<size_t, 3> stage_ends{}; // blocks ending the 4x, 8x, 16x stages
    std::array<int64_t, 4> dims{};      // channels of the four outputs
    // x: [1, 3, h, w] normalized -> {4x, 8x, 16x, 16x} (the last one before the projector)
    std::vector<at::Tensor> forward(const at::Tensor &x) const;
};

// networks/layers/attention.py GatedPropagation with use_linear=False (long-term) or True
// (self): the gated value aggregation, the depthwise 5x5 conv and the projection.
struct GatedPropagation {
    nn::Linear linear_QK, linear_V1, linear_V2, linear_U1, linear_U2; // self_attn only
    at::Tensor dw_conv;            // dw_conv.conv.weight [C, 1, 5, 5]
    nn::Linear projection;
};

// networks/layers/transformer.py GatedPropagationModule, one layer of DualBranchGPM.
struct Layer {
    int64_t index = 0;
    nn::Norm norm1, norm2, id_norm1, id_norm2;
    nn::Linear linear_QV, linear_U, linear_ID_V, linear_ID_U; // ID_U and id_norm1 for index >= 1
    GatedPropagation long_term_attn, self_attn;
    LocalGatedPropagation short_term_attn; // 15x15 window through the spatial correlation op
};

struct Decoder { // networks/decoders/fpn.py FPNSegmentationHead
    Conv conv_in, conv_16x, conv_8x, conv_4x, adapter_16x, adapter_8x, adapter_4x, conv_out;
    GroupNorm gn_in, gn_16x, gn_8x, gn_4x;
};

struct Model {
    std::string variant;
    Encoder encoder;
    Conv encoder_projector;
    Conv patch_wise_id_bank; // 11 -> 256, kernel 17, stride 16, padding 8
    at::Tensor id_bank_columns; // its weight as [11, 17, 17, 256]: one 256-vector per (id, ky, kx)
    nn::Norm id_norm;
    std::vector<Layer> layers;
    GroupNorm decoder_norm;  // LSTT.decoder_norms.0 (2 groups over 512)
    Decoder decoder;
    at::TensorOptions options;
    // The opt-in bf16 path: the propagation layers' products (every Linear and attention product)
    // in bfloat16; convolutions stay float32 (a bf16 encoder flipped 10 % of labels).
    bool bf16_products = false;
};

// Reads the encoder and the layer count off the checkpoint and loads every key strictly.
std::unique_ptr<Model> load(const Checkpoint &ckpt, at::TensorOptions options);
void load_encoder(Weights &w, Encoder &e); // encoder.cpp

// The app's MultiRestrictSize rule: the network input size (h, w) for a frame of h x w.
std::pair<int64_t, int64_t> network_size(int64_t height, int64_t width);

// cv2.resize INTER_CUBIC of RGB24 as the fixtures define it (Keys a = -0.75, float64,
// separable, one rounding at the end), into a new [h, w, 3] uint8 tensor.
at::Tensor resize_cubic_rgb(const uint8_t *rgb, int64_t width, int64_t height, int64_t row_stride, int64_t out_w, int64_t out_h);

// (x / 255 - mean) / std in float64, then float32: [1, 3, h, w] on the model's device.
at::Tensor normalize(const Model &m, const at::Tensor &rgb_hw3);

// Per-layer memory of one frame, tokens first: K [T, 128], V [T, 512], ID_V [T, 512].
struct LayerMemory {
    at::Tensor k, v, id_v;
};
using FrameMemory = std::vector<LayerMemory>; // one per layer

// What one pass through the layers leaves behind.
struct LsttOutput {
    at::Tensor embedding;                 // [T, 512] after the decoder norm
    std::vector<LayerMemory> current;     // K, V and (index >= 1) id_norm1(tgt_id) as id_v
};

// Reference mode (the frame with its own mask, no memory): id_emb [T, 256].
LsttOutput lstt_reference(const Model &m, const at::Tensor &enc16, const at::Tensor &id_emb, int64_t h, int64_t w,
                          std::vector<LayerMemory> *reference_memory, const Run &run, TensorList *record, const std::string &prefix);
// Tracking mode: long-term memories (per layer, tokens of all stored frames, newest first) and
// the short-term memory (per layer, the last frame).
LsttOutput lstt_track(const Model &m, const at::Tensor &enc16, const std::vector<LayerMemory> &long_term,
                      const std::vector<LayerMemory> &short_term, int64_t h, int64_t w, const Run &run, TensorList *record,
                      const std::string &prefix);

// ID_V of a layer from a label's ID embedding (fuse_key_value_id).
at::Tensor fuse_id_value(const Layer &layer, const at::Tensor &id_norm_tgt, const at::Tensor &id_emb);

// patch_wise_id_bank + id_norm of the one-hot mask of `ids` ([1, 1, H, W] float at network
// size, ids 0..10; other values are background, as in a one-hot of 11 ids) -> [T, 256].
at::Tensor id_embedding(const Model &m, const at::Tensor &ids);

// The decoder's 1/4-resolution logits [1, 11, h4, w4].
at::Tensor decode(const Model &m, const at::Tensor &lstt_embedding, const std::vector<at::Tensor> &enc, int64_t h, int64_t w);

} // namespace inp::deaot
