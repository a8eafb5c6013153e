// build_sam.py (variant from the checkpoint) and predictor.py (SamPredictor, ResizeLongestSide,
// Sam.preprocess / postprocess_masks).
#include <ATen/ops/cat.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/tensor.h>
#include <ATen/ops/upsample_bilinear2d.h>
#include <ATen/ops/copy.h>
#include <cmath>

#include "runtime/error.h"
#include "runtime/pil_resize.h"
#include "sam/sam.h"

namespace inp::sam {

namespace {

int64_t count_indices(const Checkpoint &ck, const std::string &prefix) {
    int64_t n = 0;
    while (ck.tensors().find(prefix + std::to_string(n) + ".norm1.weight") != nullptr ||
           ck.tensors().find(prefix + std::to_string(n) + ".self_attn.q_proj.weight") != nullptr ||
           ck.tensors().find(prefix + std::to_string(n) + ".layers.0.weight") != nullptr)
        n++;
    return n;
}

Attention attention(Weights &w, const std::string &p, int64_t dim, int64_t downsample) {
    const int64_t internal = dim / downsample;
    return Attention{nn::linear(w, p + ".q_proj", dim, internal), nn::linear(w, p + ".k_proj", dim, internal),
                     nn::linear(w, p + ".v_proj", dim, internal), nn::linear(w, p + ".out_proj", internal, dim), 8};
}

std::vector<nn::Linear> mlp(Weights &w, const std::string &p, int64_t in, int64_t hidden, int64_t out, int64_t layers) {
    std::vector<nn::Linear> l;
    for (int64_t i = 0; i < layers; i++)
        l.push_back(nn::linear(w, p + ".layers." + std::to_string(i), i == 0 ? in : hidden, i + 1 == layers ? out : hidden));
    return l;
}

} // namespace

std::unique_ptr<Model> load(const Checkpoint &ck, at::TensorOptions options, at::ScalarType encoder_dtype) {
    Weights w(ck, options.dtype(encoder_dtype));
    auto m = std::make_unique<Model>();
    m->options = options;
    m->encoder_dtype = encoder_dtype;

    // Image encoder: embed dim from pos_embed, depth from the block count, heads from the
    // rel-pos tables (head_dim columns), global blocks from their 127-row tables.
    ImageEncoder &e = m->image_encoder;
    const auto pos_shape = w.shape_of("image_encoder.pos_embed");
    if (pos_shape.size() != 4 || pos_shape[1] != kEmbedSize || pos_shape[2] != kEmbedSize)
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + ": image_encoder.pos_embed has shape " + shape_string(pos_shape) + ", expected [1, 64, 64, C]");
    const int64_t C = pos_shape[3];
    e.dim = C;
    e.pos_embed = w.take("image_encoder.pos_embed");
    e.patch_embed = nn::conv2d(w, "image_encoder.patch_embed.proj", 3, C, 16, 16, 0, true);
    const int64_t depth = count_indices(ck, "image_encoder.blocks.");
    if (depth == 0) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + " has no image_encoder.blocks.0");
    const int64_t head_dim = w.shape_of("image_encoder.blocks.0.attn.rel_pos_h").at(1);
    if (head_dim <= 0 || C % head_dim != 0) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + ": rel_pos_h width " + std::to_string(head_dim) + " does not divide embed dim " + std::to_string(C));
    e.heads = C / head_dim;
    for (int64_t i = 0; i < depth; i++) {
        const std::string p = "image_encoder.blocks." + std::to_string(i);
        EncoderBlock b;
        b.norm1 = nn::norm(w, p + ".norm1", C, 1e-6);
        b.norm2 = nn::norm(w, p + ".norm2", C, 1e-6);
        b.qkv = nn::linear(w, p + ".attn.qkv", C, 3 * C);
        b.proj = nn::linear(w, p + ".attn.proj", C, C);
        const int64_t rows = w.shape_of(p + ".attn.rel_pos_h").at(0);
        if (rows == 2 * 14 - 1) b.window = 14;
        else if (rows == 2 * kEmbedSize - 1) b.window = 0;
        else fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + ": " + p + ".attn.rel_pos_h has " + std::to_string(rows) + " rows; expected 27 (windowed) or 127 (global)");
        b.rel_pos_h = w.take(p + ".attn.rel_pos_h", {rows, head_dim});
        b.rel_pos_w = w.take(p + ".attn.rel_pos_w", {rows, head_dim});
        const int64_t hidden = w.shape_of(p + ".mlp.lin1.weight").at(0);
        b.lin1 = nn::linear(w, p + ".mlp.lin1", C, hidden);
        b.lin2 = nn::linear(w, p + ".mlp.lin2", hidden, C);
        e.blocks.push_back(std::move(b));
    }
    e.neck0 = nn::conv2d(w, "image_encoder.neck.0", C, kPromptDim, 1, 1, 0, false);
    e.neck1 = nn::norm(w, "image_encoder.neck.1", kPromptDim, 1e-6);
    e.neck2 = nn::conv2d(w, "image_encoder.neck.2", kPromptDim, kPromptDim, 3, 1, 1, false);
    e.neck3 = nn::norm(w, "image_encoder.neck.3", kPromptDim, 1e-6);
    if (C == 768 && depth == 12) m->variant = "vit_b";
    else if (C == 1024 && depth == 24) m->variant = "vit_l";
    else if (C == 1280 && depth == 32) m->variant = "vit_h";
    else m->variant = "custom ViT (embed dim " + std::to_string(C) + ", " + std::to_string(depth) + " blocks)";

    w.set_dtype(at::kFloat); // prompt encoder and mask decoder stay float32
    PromptEncoder &pe = m->prompt_encoder;
    pe.gaussian = w.take("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix", {2, kPromptDim / 2});
    for (int i = 0; i < 4; i++) pe.point_embed.push_back(w.take("prompt_encoder.point_embeddings." + std::to_string(i) + ".weight", {1, kPromptDim}));
    pe.not_a_point = w.take("prompt_encoder.not_a_point_embed.weight", {1, kPromptDim});
    pe.no_mask = w.take("prompt_encoder.no_mask_embed.weight", {1, kPromptDim});
    pe.down0 = nn::conv2d(w, "prompt_encoder.mask_downscaling.0", 1, 4, 2, 2, 0, true);
    pe.down1 = nn::norm(w, "prompt_encoder.mask_downscaling.1", 4, 1e-6);
    pe.down3 = nn::conv2d(w, "prompt_encoder.mask_downscaling.3", 4, 16, 2, 2, 0, true);
    pe.down4 = nn::norm(w, "prompt_encoder.mask_downscaling.4", 16, 1e-6);
    pe.down6 = nn::conv2d(w, "prompt_encoder.mask_downscaling.6", 16, kPromptDim, 1, 1, 0, true);

    MaskDecoder &d = m->mask_decoder;
    const std::string t = "mask_decoder.transformer";
    const int64_t layers = count_indices(ck, t + ".layers.");
    for (int64_t i = 0; i < layers; i++) {
        const std::string p = t + ".layers." + std::to_string(i);
        TwoWayBlock b;
        b.self_attn = attention(w, p + ".self_attn", kPromptDim, 1);
        b.cross_token_to_image = attention(w, p + ".cross_attn_token_to_image", kPromptDim, 2);
        b.cross_image_to_token = attention(w, p + ".cross_attn_image_to_token", kPromptDim, 2);
        for (int n = 1; n <= 4; n++) (n == 1 ? b.norm1 : n == 2 ? b.norm2 : n == 3 ? b.norm3 : b.norm4) = nn::norm(w, p + ".norm" + std::to_string(n), kPromptDim, 1e-5);
        const int64_t mlp_dim = w.shape_of(p + ".mlp.lin1.weight").at(0);
        b.mlp_lin1 = nn::linear(w, p + ".mlp.lin1", kPromptDim, mlp_dim);
        b.mlp_lin2 = nn::linear(w, p + ".mlp.lin2", mlp_dim, kPromptDim);
        b.skip_first_layer_pe = i == 0;
        d.layers.push_back(std::move(b));
    }
    d.final_attn = attention(w, t + ".final_attn_token_to_image", kPromptDim, 2);
    d.norm_final = nn::norm(w, t + ".norm_final_attn", kPromptDim, 1e-5);
    d.iou_token = w.take("mask_decoder.iou_token.weight", {1, kPromptDim});
    const int64_t num_mask_tokens = w.shape_of("mask_decoder.mask_tokens.weight").at(0);
    d.mask_tokens = w.take("mask_decoder.mask_tokens.weight", {num_mask_tokens, kPromptDim});
    d.up0_w = w.take("mask_decoder.output_upscaling.0.weight", {kPromptDim, kPromptDim / 4, 2, 2});
    d.up0_b = w.take("mask_decoder.output_upscaling.0.bias", {kPromptDim / 4});
    d.up1 = nn::norm(w, "mask_decoder.output_upscaling.1", kPromptDim / 4, 1e-6);
    d.up3_w = w.take("mask_decoder.output_upscaling.3.weight", {kPromptDim / 4, kPromptDim / 8, 2, 2});
    d.up3_b = w.take("mask_decoder.output_upscaling.3.bias", {kPromptDim / 8});
    d.up0_gemm = d.up0_w.reshape({kPromptDim, -1});
    d.up3_gemm = d.up3_w.reshape({kPromptDim / 4, -1});
    for (int64_t i = 0; i < num_mask_tokens; i++)
        d.hyper_mlps.push_back(mlp(w, "mask_decoder.output_hypernetworks_mlps." + std::to_string(i), kPromptDim, kPromptDim, kPromptDim / 8, 3));
    const int64_t iou_hidden = w.shape_of("mask_decoder.iou_prediction_head.layers.0.weight").at(0);
    d.iou_head = mlp(w, "mask_decoder.iou_prediction_head", kPromptDim, iou_hidden, num_mask_tokens, 3);

    w.finish();
    m->dense_pe = pe.dense_pe();
    m->key_pe = m->dense_pe.flatten(2).transpose(1, 2).contiguous();
    return m;
}

std::pair<int64_t, int64_t> preprocess_shape(int64_t h, int64_t w, int64_t target) {
    const double scale = static_cast<double>(target) / static_cast<double>(std::max(h, w));
    return {static_cast<int64_t>(static_cast<double>(h) * scale + 0.5), static_cast<int64_t>(static_cast<double>(w) * scale + 0.5)};
}

Embedding set_image(const Model &m, const uint8_t *rgb, int64_t width, int64_t height, int64_t row_stride, const Run &run,
                    TensorList *record) {
    Embedding e;
    e.orig_h = height;
    e.orig_w = width;
    std::tie(e.input_h, e.input_w) = preprocess_shape(height, width, kImageSize);
    at::Tensor resized = at::empty({e.input_h, e.input_w, 3}, at::TensorOptions().dtype(at::kByte));
    if (e.input_h == height && e.input_w == width) {
        resized.copy_(at::from_blob(const_cast<uint8_t *>(rgb), {height, width, 3}, {row_stride, 3, 1}, at::TensorOptions().dtype(at::kByte)));
    } else {
        pil_resize(rgb, width, height, row_stride, 3, resized.data_ptr<uint8_t>(), e.input_w, e.input_h, e.input_w * 3, PilFilter::Bilinear);
    }
    record_stage(record, "input_image_resized", resized);

    // Sam.preprocess: (x - mean) / std in float32, then zero padding to 1024 x 1024.
    const auto f32 = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor mean = at::tensor({123.675f, 116.28f, 103.53f}, f32).view({1, 3, 1, 1});
    const at::Tensor std = at::tensor({58.395f, 57.12f, 57.375f}, f32).view({1, 3, 1, 1});
    at::Tensor x = resized.to(m.options.device()).permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);
    x = (x - mean.to(x.device())) / std.to(x.device());
    x = at::constant_pad_nd(x, {0, kImageSize - e.input_w, 0, kImageSize - e.input_h}, 0);
    record_stage(record, "input_tensor", x);
    e.features = m.image_encoder.forward(x.to(m.options.dtype(m.encoder_dtype)), run, record).to(at::kFloat);
    e.decoder_cache = m.mask_decoder.image_cache(e.features, m.prompt_encoder.no_mask, m.key_pe);
    return e;
}

Prediction predict(const Model &m, const Embedding &e, const Prompt &p, TensorList *record, const at::Tensor &mask_logits_out) {
    // ResizeLongestSide.apply_coords in float64, then the cast to float32 predict() does.
    const double sx = static_cast<double>(e.input_w) / static_cast<double>(e.orig_w);
    const double sy = static_cast<double>(e.input_h) / static_cast<double>(e.orig_h);
    auto to_frame = [&](const at::Tensor &xy) {
        at::Tensor d = xy.to(at::kDouble).clone();
        const at::Tensor pairs = d.view({-1, 2});
        pairs.select(1, 0).mul_(sx);
        pairs.select(1, 1).mul_(sy);
        return d.to(at::kFloat).to(m.options.device());
    };
    int64_t batch = 1;
    at::Tensor points, labels, boxes, masks;
    if (p.points.defined()) {
        points = to_frame(p.points);
        labels = p.labels.to(m.options.device());
        batch = points.size(0);
        record_stage(record, "point_coords_transformed", points);
    }
    if (p.boxes.defined()) {
        boxes = to_frame(p.boxes);
        batch = boxes.size(0);
        record_stage(record, "box_transformed", boxes);
    }
    if (p.mask_input.defined()) {
        masks = p.mask_input.to(m.options);
        batch = masks.size(0);
    }
    auto [sparse, dense] = m.prompt_encoder.forward(points, labels, boxes, masks, batch);
    record_stage(record, "sparse_embeddings", sparse);
    record_stage(record, "dense_embeddings", dense);
    record_stage(record, "dense_pe", m.dense_pe);
    // Without a mask input the dense prompt is no_mask_embed everywhere: the image tokens and
    // the first attention's image-side projections come from the embedding's cache.
    const bool cached = !masks.defined();
    const at::Tensor keys = cached ? e.decoder_cache.keys.expand({batch, -1, -1})
                                   : (e.features + dense).flatten(2).transpose(1, 2).contiguous();
    // A few prompts at a time: each prompt's image tokens are 4 MB per layer output, and chunks
    // under glibc's 32 MB mmap threshold are reused from the heap instead of being faulted in
    // afresh (a 64-prompt AMG batch spent most of its time in the kernel zeroing pages).
    constexpr int64_t kPromptsPerChunk = 4;
    at::Tensor low_res_all, iou_all;
    if (batch <= kPromptsPerChunk) {
        std::tie(low_res_all, iou_all) = m.mask_decoder.forward(keys, m.key_pe, sparse, cached ? &e.decoder_cache : nullptr, record);
    } else {
        std::vector<at::Tensor> lows, ious;
        for (int64_t b = 0; b < batch; b += kPromptsPerChunk) {
            const int64_t n = std::min(kPromptsPerChunk, batch - b);
            auto [l, i] = m.mask_decoder.forward(keys.narrow(0, b, n), m.key_pe, sparse.narrow(0, b, n), cached ? &e.decoder_cache : nullptr, nullptr);
            lows.push_back(l);
            ious.push_back(i);
        }
        low_res_all = at::cat(lows, 0);
        iou_all = at::cat(ious, 0);
    }

    Prediction out;
    const int64_t first = p.multimask ? 1 : 0, last = p.multimask ? low_res_all.size(1) : 1;
    out.low_res_logits = low_res_all.slice(1, first, last);
    out.iou = iou_all.slice(1, first, last);
    record_stage(record, "low_res_logits", out.low_res_logits);
    record_stage(record, "iou_predictions", out.iou);
    // Sam.postprocess_masks: up to 1024, crop the padding, down to the original size. A resize
    // to the same size is the identity (align_corners=False, scale 1) and is skipped. One
    // prediction at a time: the 1024 x 1024 intermediate of a 64-prompt batch would be 800 MB.
    const int64_t B = out.low_res_logits.size(0), C = out.low_res_logits.size(1);
    out.mask_logits = mask_logits_out.defined() ? mask_logits_out : at::empty({B, C, e.orig_h, e.orig_w}, out.low_res_logits.options());
    for (int64_t b = 0; b < B; b++) {
        at::Tensor up = at::upsample_bilinear2d(out.low_res_logits.narrow(0, b, 1), {kImageSize, kImageSize}, false);
        up = up.slice(2, 0, e.input_h).slice(3, 0, e.input_w);
        at::Tensor dst = out.mask_logits.narrow(0, b, 1);
        if (e.input_h == e.orig_h && e.input_w == e.orig_w) dst.copy_(up);
        else at::upsample_bilinear2d_out(dst, up, {e.orig_h, e.orig_w}, false);
    }
    record_stage(record, "masks_logits", out.mask_logits);
    return out;
}

} // namespace inp::sam
