// modeling/mask_decoder.py (MaskDecoder, MLP) and modeling/transformer.py (TwoWayTransformer,
// TwoWayAttentionBlock, Attention). Image tokens stay tokens-last ([B, HW, C], i.e. NHWC)
// throughout, so the upscaling runs as two GEMMs with layer norms over the last dimension.
#include <ATen/ops/cat.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/scaled_dot_product_attention.h>
#include <ATen/ops/stack.h>
#include <cmath>

#include "sam/sam.h"

namespace inp::sam {

at::Tensor Attention::projected(const at::Tensor &q_in, const at::Tensor &k_in, const at::Tensor &v_in) const {
    auto separate = [&](const at::Tensor &x) {
        const int64_t b = x.size(0), n = x.size(1), c = x.size(2);
        return x.reshape({b, n, heads, c / heads}).transpose(1, 2);
    };
    const at::Tensor q = separate(q_in), k = separate(k_in), v = separate(v_in);
    const int64_t c_per_head = q.size(3);
    // softmax(q k^T / sqrt(d)) v, fused (no materialized logits, no head-split copies); equal
    // to upstream's unfused matmul-softmax-matmul within float32 rounding.
    at::Tensor out = at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, 1.0 / std::sqrt(static_cast<double>(c_per_head)));
    const int64_t b = out.size(0), n = out.size(2);
    out = out.transpose(1, 2).reshape({b, n, heads * c_per_head});
    return out_proj(out);
}

namespace {

at::Tensor mlp(const std::vector<nn::Linear> &layers, at::Tensor x) {
    for (size_t i = 0; i < layers.size(); i++) {
        x = layers[i](x);
        if (i + 1 < layers.size()) x = at::relu(x);
    }
    return x;
}

// ConvTranspose2d(kernel 2, stride 2) on NHWC: each input pixel becomes its own 2x2 block, so
// it is one GEMM [B*H*W, Ci] x [Ci, Co*4] and a rearrangement. x: [B, H, W, Ci] -> [B, 2H, 2W, Co]
at::Tensor conv_transpose_2x2(const at::Tensor &x, const at::Tensor &w_gemm, const at::Tensor &bias) {
    const int64_t B = x.size(0), H = x.size(1), W = x.size(2), Co = bias.size(0);
    const at::Tensor y = at::matmul(x, w_gemm).view({B, H, W, Co, 2, 2});
    return y.permute({0, 1, 4, 2, 5, 3}).reshape({B, 2 * H, 2 * W, Co}) + bias;
}

} // namespace

DecoderImageCache MaskDecoder::image_cache(const at::Tensor &image_embedding, const at::Tensor &no_mask, const at::Tensor &key_pe) const {
    DecoderImageCache c;
    c.keys = (image_embedding + no_mask.reshape({1, -1, 1, 1})).flatten(2).transpose(1, 2).contiguous();
    const at::Tensor with_pe = c.keys + key_pe;
    const Attention &t2i = layers.at(0).cross_token_to_image, &i2t = layers.at(0).cross_image_to_token;
    c.k0 = t2i.k_proj(with_pe);
    c.v0 = t2i.v_proj(c.keys);
    c.q0 = i2t.q_proj(with_pe);
    return c;
}

std::pair<at::Tensor, at::Tensor> MaskDecoder::forward(const at::Tensor &keys_in, const at::Tensor &key_pe, const at::Tensor &sparse,
                                                       const DecoderImageCache *cache, TensorList *record) const {
    const int64_t B = sparse.size(0);
    const at::Tensor output_tokens = at::cat({iou_token, mask_tokens}, 0).unsqueeze(0).expand({B, -1, -1});
    const at::Tensor tokens = at::cat({output_tokens, sparse}, 1);

    // TwoWayTransformer
    at::Tensor keys = keys_in;
    const at::Tensor query_pe = tokens;
    at::Tensor queries = tokens;
    for (size_t i = 0; i < layers.size(); i++) {
        const TwoWayBlock &l = layers[i];
        if (l.skip_first_layer_pe) {
            queries = l.self_attn(queries, queries, queries);
        } else {
            const at::Tensor q = queries + query_pe;
            queries = queries + l.self_attn(q, q, queries);
        }
        queries = l.norm1.last_dim(queries);
        at::Tensor q = queries + query_pe;
        const Attention &t2i = l.cross_token_to_image;
        at::Tensor attn_out;
        if (i == 0 && cache != nullptr) { // the image-side projections of the first attention, computed once per image
            attn_out = t2i.projected(t2i.q_proj(q), cache->k0.expand({B, -1, -1}), cache->v0.expand({B, -1, -1}));
        } else {
            attn_out = t2i(q, keys + key_pe, keys);
        }
        queries = l.norm2.last_dim(queries + attn_out);
        queries = l.norm3.last_dim(queries + l.mlp_lin2(at::relu(l.mlp_lin1(queries))));
        q = queries + query_pe;
        const Attention &i2t = l.cross_image_to_token;
        const at::Tensor image_q = i == 0 && cache != nullptr ? cache->q0.expand({B, -1, -1}) : i2t.q_proj(keys + key_pe);
        keys = l.norm4.last_dim(keys + i2t.projected(image_q, i2t.k_proj(q), i2t.v_proj(queries)));
    }
    queries = norm_final.last_dim(queries + final_attn(queries + query_pe, keys + key_pe, keys));
    const at::Tensor hs = queries;
    record_stage(record, "decoder_hs", hs);

    // Upscale the image tokens (NHWC) and score them with the per-token hypernetworks.
    const int64_t side = kEmbedSize;
    at::Tensor up = conv_transpose_2x2(keys.view({B, side, side, -1}), up0_gemm, up0_b);
    up = nn::gelu(at::layer_norm(up, {up.size(3)}, up1.weight, up1.bias, up1.eps));
    up = nn::gelu(conv_transpose_2x2(up, up3_gemm, up3_b));
    std::vector<at::Tensor> hyper;
    for (size_t i = 0; i < hyper_mlps.size(); i++) hyper.push_back(mlp(hyper_mlps[i], hs.select(1, 1 + static_cast<int64_t>(i))));
    const at::Tensor hyper_in = at::stack(hyper, 1);
    record_stage(record, "decoder_hyper_in", hyper_in);
    const int64_t uh = up.size(1), uw = up.size(2);
    const at::Tensor masks = at::matmul(hyper_in, up.view({B, uh * uw, -1}).transpose(1, 2)).view({B, -1, uh, uw});
    const at::Tensor iou = mlp(iou_head, hs.select(1, 0));
    record_stage(record, "iou_predictions_all", iou);
    return {masks, iou};
}

} // namespace inp::sam
