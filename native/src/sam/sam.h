// Segment Anything v1 (facebookresearch/segment-anything, modeling/ and predictor.py) as plain
// structs of tensors. Member names follow the upstream attribute names; keys load 1:1 through
// inp::Weights. All functions are const and re-entrant: one model serves many threads.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/checkpoint.h"
#include "runtime/nn.h"
#include "runtime/run.h"
#include "runtime/tensor_list.h"

namespace inp::sam {

constexpr int64_t kImageSize = 1024;  // encoder input side
constexpr int64_t kEmbedSize = 64;    // image embedding side
constexpr int64_t kPromptDim = 256;   // prompt/mask decoder width
constexpr int64_t kLowResSize = 256;  // low-res mask side

// modeling/image_encoder.py: Block with Attention (relative positions), windowed or global.
struct EncoderBlock {
    nn::Norm norm1, norm2;
    nn::Linear qkv, proj, lin1, lin2;
    at::Tensor rel_pos_h, rel_pos_w;
    int64_t window = 0; // 0 = global attention
};

struct ImageEncoder {
    nn::Conv2d patch_embed;
    at::Tensor pos_embed; // [1, 64, 64, C]
    std::vector<EncoderBlock> blocks;
    int64_t dim = 0, heads = 0;
    nn::Conv2d neck0, neck2;
    nn::Norm neck1, neck3;
    // x: [1, 3, 1024, 1024] normalized and padded -> [1, 256, 64, 64]; run.step after each block.
    at::Tensor forward(const at::Tensor &x, const Run &run, TensorList *record) const;
};

// modeling/prompt_encoder.py
struct PromptEncoder {
    at::Tensor gaussian;                 // pe_layer.positional_encoding_gaussian_matrix [2, 128]
    std::vector<at::Tensor> point_embed; // point_embeddings.{0..3}.weight [1, 256]
    at::Tensor not_a_point, no_mask;     // [1, 256]
    nn::Conv2d down0, down3, down6;      // mask_downscaling.{0,3,6}
    nn::Norm down1, down4;               // mask_downscaling.{1,4} (LayerNorm2d)
    at::Tensor encode(const at::Tensor &coords01) const; // [..., 2] in [0,1] -> [..., 256]
    at::Tensor dense_pe() const;                         // [1, 256, 64, 64]
    // points [B,N,2] / labels [B,N] (1024-frame pixels; may be undefined), boxes [B,4] (may be
    // undefined), masks [B,1,256,256] (may be undefined) -> sparse [B,T,256], dense [B,256,64,64]
    std::pair<at::Tensor, at::Tensor> forward(const at::Tensor &points, const at::Tensor &labels, const at::Tensor &boxes,
                                              const at::Tensor &masks, int64_t batch) const;
};

// modeling/transformer.py Attention (with downsampling of the internal width)
struct Attention {
    nn::Linear q_proj, k_proj, v_proj, out_proj;
    int64_t heads = 8;
    at::Tensor operator()(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v) const {
        return projected(q_proj(q), k_proj(k), v_proj(v));
    }
    // The same after the q/k/v projections (lets prompt-independent projections be reused).
    at::Tensor projected(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v) const;
};

// Decoder work that depends on the image only (valid for prompts without a mask_input):
// computed once per embedding and shared by every prompt on it.
struct DecoderImageCache {
    at::Tensor keys;   // [1, 4096, 256]: image embedding + no_mask_embed, tokens-last
    at::Tensor k0, v0; // layer 0 token->image attention: k_proj(keys + key_pe), v_proj(keys)
    at::Tensor q0;     // layer 0 image->token attention: q_proj(keys + key_pe)
};

struct TwoWayBlock {
    Attention self_attn, cross_token_to_image, cross_image_to_token;
    nn::Norm norm1, norm2, norm3, norm4;
    nn::Linear mlp_lin1, mlp_lin2;
    bool skip_first_layer_pe = false;
};

// modeling/mask_decoder.py + TwoWayTransformer
struct MaskDecoder {
    std::vector<TwoWayBlock> layers;
    Attention final_attn;
    nn::Norm norm_final;
    at::Tensor iou_token, mask_tokens; // [1, 256], [4, 256]
    at::Tensor up0_w, up0_b, up3_w, up3_b; // output_upscaling ConvTranspose2d 0 and 3
    nn::Norm up1;                           // output_upscaling.1 (LayerNorm2d)
    std::vector<std::vector<nn::Linear>> hyper_mlps; // output_hypernetworks_mlps.i.layers.j
    std::vector<nn::Linear> iou_head;                 // iou_prediction_head.layers.j
    // Upscaling ConvTranspose weights as GEMM operands: [Ci, Co*4] (kernel 2, stride 2 never overlaps).
    at::Tensor up0_gemm, up3_gemm;
    DecoderImageCache image_cache(const at::Tensor &image_embedding, const at::Tensor &no_mask, const at::Tensor &key_pe) const;
    // keys: [B, 4096, 256] image tokens (+ dense prompt), key_pe: [1, 4096, 256]; cache: NULL or
    // the image's cache when keys came from it -> low-res masks [B, 4, 256, 256], IoU [B, 4]
    std::pair<at::Tensor, at::Tensor> forward(const at::Tensor &keys, const at::Tensor &key_pe, const at::Tensor &sparse,
                                              const DecoderImageCache *cache, TensorList *record) const;
};

struct Model {
    std::string variant;
    ImageEncoder image_encoder;
    PromptEncoder prompt_encoder;
    MaskDecoder mask_decoder;
    at::TensorOptions options;          // float32, on the model's device
    at::ScalarType encoder_dtype;       // image encoder precision: float32 or bfloat16
    at::Tensor dense_pe; // prompt_encoder.dense_pe(), a constant of the model
    at::Tensor key_pe;   // the same as tokens: [1, 4096, 256]
};

// Reads the variant off the checkpoint (embed dim, depth, heads, global blocks) and loads every
// key strictly. Throws inp::Error naming the file and key.
std::unique_ptr<Model> load(const Checkpoint &ckpt, at::TensorOptions options, at::ScalarType encoder_dtype = at::kFloat);

// predictor.py SamPredictor.set_image: the embedding of one RGB image, reusable for any prompt.
struct Embedding {
    at::Tensor features; // [1, 256, 64, 64]
    DecoderImageCache decoder_cache;
    int64_t orig_h = 0, orig_w = 0, input_h = 0, input_w = 0;
};
Embedding set_image(const Model &m, const uint8_t *rgb, int64_t width, int64_t height, int64_t row_stride, const Run &run,
                    TensorList *record);

// One predict call. Coordinates are in original-image pixels, (x, y).
struct Prompt {
    at::Tensor points;     // [B, N, 2] float32, or undefined
    at::Tensor labels;     // [B, N] int, or undefined
    at::Tensor boxes;      // [B, 4] float32 (x0, y0, x1, y1), or undefined
    at::Tensor mask_input; // [B, 1, 256, 256] low-res logits, or undefined
    bool multimask = true;
};

struct Prediction {
    at::Tensor mask_logits;    // [B, C, H, W] at the original size (C = 3 multimask, else 1)
    at::Tensor iou;            // [B, C]
    at::Tensor low_res_logits; // [B, C, 256, 256]
};
// mask_logits_out: a defined [B, C, H, W] float tensor (e.g. the caller's buffer) receives the
// full-size logits directly; undefined = allocate them.
Prediction predict(const Model &m, const Embedding &e, const Prompt &p, TensorList *record, const at::Tensor &mask_logits_out = {});

// ResizeLongestSide.get_preprocess_shape: (h, w) scaled so the long side is `target`.
std::pair<int64_t, int64_t> preprocess_shape(int64_t h, int64_t w, int64_t target);

} // namespace inp::sam
