// E2FGVI and E2FGVI-HQ (MCG-NKU/E2FGVI model/e2fgvi*.py) as plain structs of tensors. Member
// names follow the upstream attributes, so keys load 1:1 through inp::Weights. The model is cut
// at its per-frame seams (quarter-size flow frames, SPyNet per frame pair, the encoder per frame)
// so that a window loop can compute each once and reuse it in every window that overlaps; the
// window-wide parts (propagation, transformer) and the decoder run per window. Model functions
// are const and re-entrant: one model serves many inpainting sessions.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "runtime/checkpoint.h"
#include "runtime/nn.h"
#include "runtime/run.h"
#include "runtime/tensor_list.h"

namespace inp::e2fgvi {

constexpr int64_t kChannels = 128;   // encoder output (channel // 2)
constexpr int64_t kHidden = 512;     // token width
constexpr int64_t kModH = 60, kModW = 108; // inputs are padded to multiples of these
constexpr int64_t kFixedH = 240, kFixedW = 432; // E2FGVI (not HQ) runs at this size only

// flow_comp.py SPyNet: 6 levels of five 7x7 convs; mean/std buffers come from the checkpoint.
struct SpyNet {
    at::Tensor mean, std;                       // [1, 3, 1, 1]
    std::array<std::array<nn::Conv2d, 5>, 6> levels;
    // Flow from ref to supp, [n, 2, h, w] (x, y) in pixels of the [n, 3, h, w] inputs in [0, 1].
    // record: level stages of batch item 0 as `prefix`level<L>_input/_residual.
    at::Tensor operator()(const at::Tensor &ref, const at::Tensor &supp, TensorList *record = nullptr, const std::string &prefix = "") const;
};

// feat_prop.py SecondOrderDeformableAlignment (mmcv ModulatedDeformConv2d, 256 -> 128, 16 groups).
struct DeformAlign {
    std::array<nn::Conv2d, 4> conv_offset;
    at::Tensor weight, bias;
    at::Tensor operator()(const at::Tensor &x, const at::Tensor &extra, const at::Tensor &flow_1, const at::Tensor &flow_2) const;
};

// feat_prop.py BidirectionalPropagation: branch 0 = backward_, 1 = forward_.
struct Propagation {
    std::array<DeformAlign, 2> deform_align;
    std::array<std::array<nn::Conv2d, 2>, 2> backbone;
    nn::Conv2d fusion;
    // x [L, 128, h, w]; flows_forward/backward [L - 1, 2, h, w] as the model computes them.
    at::Tensor operator()(const at::Tensor &x, const at::Tensor &flows_forward, const at::Tensor &flows_backward, const Run &run) const;
};

// tfocal_transformer*.py TemporalFocalTransformerBlock (window (5, 9), 4 heads, focal level 2).
struct FocalBlock {
    nn::Linear pool;           // pool_layers.0: Linear(45 -> 1)
    nn::Norm norm1, norm2;
    at::Tensor valid_ind_rolled; // int64 [120]
    nn::Linear qkv, proj;
    nn::Linear fc1, fc2;       // mlp.conv1.0 (512 -> 1960), mlp.conv2.1 (1960 -> 512)
    // x [T, fh, fw, 512] tokens of a (h, w) feature map -> the first `queries` frames' outputs
    // (all frames still serve as keys); queries < 0 = all T. Every frame's output depends on
    // its own queries only, so a last block may skip frames nobody decodes.
    at::Tensor operator()(const at::Tensor &x, int64_t h, int64_t w, int64_t queries = -1) const;
};

struct Model {
    std::string variant;
    bool hq = false;
    std::array<nn::Conv2d, 9> encoder;   // encoder.layers.{0, 2, ..., 16}
    std::array<nn::Conv2d, 4> decoder;   // decoder.0.conv, decoder.2, decoder.4.conv, decoder.6
    Propagation feat_prop;
    nn::Linear ss_embedding, sc_embedding;
    at::Tensor sc_bias;                  // E2FGVI: [128, 60, 108]
    nn::Conv2d sc_bias_conv;             // HQ
    std::vector<FocalBlock> blocks;
    SpyNet spynet;
    // Device and compute dtype: float32, or bfloat16 for the opt-in path, where SPyNet, flow
    // warping, the deformable-alignment offsets and the deformable conv itself stay in float32
    // (sampling positions need more than bfloat16's 8 bits).
    at::TensorOptions options;
};

// Reads the variant and block count off the checkpoint and loads every key strictly.
std::unique_ptr<Model> load(const Checkpoint &ckpt, at::TensorOptions options);

// Whether the model accepts a padded input of h x w (multiples of 60 x 108; E2FGVI: 240 x 432).
void check_input_size(const Model &m, int64_t padded_h, int64_t padded_w);

// The per-frame parts. frames: masked, padded [n, 3, H, W] in [-1, 1], float32.
at::Tensor flow_frames(const at::Tensor &frames);                       // -> [n, 3, H/4, W/4] in [0, 1]
at::Tensor encode(const Model &m, const at::Tensor &frames);            // -> [n, 128, H/4, W/4] in the compute dtype
// SPyNet over pairs: ref [n, 3, h, w], supp [n, 3, h, w] (flow frames) -> [n, 2, h, w].
at::Tensor flow(const Model &m, const at::Tensor &ref, const at::Tensor &supp, TensorList *record = nullptr, const std::string &prefix = "");

// decoder (before tanh): [n, 128, h, w] -> [n, 3, 4h, 4w].
at::Tensor decode(const Model &m, const at::Tensor &feat);

// The window-wide part: local features (propagated) and reference features -> decoded frames
// before tanh of the first `decode` frames, [decode, 3, H, W] float32. record: slot `slot` stages.
at::Tensor hallucinate(const Model &m, const at::Tensor &local_feat, const at::Tensor &ref_feat, int64_t decode, const Run &run,
                       TensorList *record = nullptr, int64_t slot = -1);

// InpaintGenerator.forward as upstream runs it on one window: masked [T, 3, H, W], the first
// num_local frames local -> pred [T, 3, H, W] after tanh. Records every fixture stage.
at::Tensor forward(const Model &m, const at::Tensor &masked, int64_t num_local, const Run &run, TensorList *record = nullptr,
                   int64_t slot = 2);

// flow_comp.py flow_warp: x [n, c, h, w] sampled at (x + u, y + v), flow [n, 2, h, w].
at::Tensor flow_warp(const at::Tensor &x, const at::Tensor &flow, bool border);

} // namespace inp::e2fgvi
