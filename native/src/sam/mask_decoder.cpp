// modeling/mask_decoder.py (MaskDecoder, MLP) and modeling/transformer.py (TwoWayTransformer,
// TwoWayAttentionBlock, Attention).
#include <ATen/ops/cat.h>
#include <ATen/ops/conv_transpose2d.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/stack.h>
#include <cmath>

#include "sam/sam.h"

namespace inp::sam {

at::Tensor Attention::operator()(const at::Tensor &q_in, const at::Tensor &k_in, const at::Tensor &v_in) const {
    auto separate = [&](const at::Tensor &x) {
        const int64_t b = x.size(0), n = x.size(1), c = x.size(2);
        return x.reshape({b, n, heads, c / heads}).transpose(1, 2);
    };
    const at::Tensor q = separate(q_proj(q_in)), k = separate(k_proj(k_in)), v = separate(v_proj(v_in));
    const int64_t c_per_head = q.size(3);
    at::Tensor attn = at::matmul(q, k.permute({0, 1, 3, 2})) / std::sqrt(static_cast<double>(c_per_head));
    attn = at::softmax(attn, -1);
    at::Tensor out = at::matmul(attn, v);
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

} // namespace

std::pair<at::Tensor, at::Tensor> MaskDecoder::forward(const at::Tensor &image_embedding, const at::Tensor &image_pe, const at::Tensor &sparse,
                                                       const at::Tensor &dense, TensorList *record) const {
    const int64_t B = sparse.size(0);
    const at::Tensor output_tokens = at::cat({iou_token, mask_tokens}, 0).unsqueeze(0).expand({B, -1, -1});
    const at::Tensor tokens = at::cat({output_tokens, sparse}, 1);
    const at::Tensor src = image_embedding.expand({B, -1, -1, -1}) + dense; // repeat_interleave of one image
    const at::Tensor pos = image_pe.expand({B, -1, -1, -1});
    const int64_t C = src.size(1), h = src.size(2), w = src.size(3);

    // TwoWayTransformer
    at::Tensor keys = src.flatten(2).permute({0, 2, 1});
    const at::Tensor key_pe = pos.flatten(2).permute({0, 2, 1});
    const at::Tensor query_pe = tokens;
    at::Tensor queries = tokens;
    for (const TwoWayBlock &l : layers) {
        if (l.skip_first_layer_pe) {
            queries = l.self_attn(queries, queries, queries);
        } else {
            const at::Tensor q = queries + query_pe;
            queries = queries + l.self_attn(q, q, queries);
        }
        queries = l.norm1.last_dim(queries);
        at::Tensor q = queries + query_pe, k = keys + key_pe;
        queries = l.norm2.last_dim(queries + l.cross_token_to_image(q, k, keys));
        queries = l.norm3.last_dim(queries + l.mlp_lin2(at::relu(l.mlp_lin1(queries))));
        q = queries + query_pe;
        k = keys + key_pe;
        keys = l.norm4.last_dim(keys + l.cross_image_to_token(k, q, queries));
    }
    queries = norm_final.last_dim(queries + final_attn(queries + query_pe, keys + key_pe, keys));
    const at::Tensor hs = queries;
    record_stage(record, "decoder_hs", hs);

    // Upscale the image tokens and score them with the per-token hypernetworks.
    at::Tensor up = keys.transpose(1, 2).reshape({B, C, h, w});
    up = nn::gelu(up1.channels(at::conv_transpose2d(up, up0_w, up0_b, 2)));
    up = nn::gelu(at::conv_transpose2d(up, up3_w, up3_b, 2));
    std::vector<at::Tensor> hyper;
    for (size_t i = 0; i < hyper_mlps.size(); i++) hyper.push_back(mlp(hyper_mlps[i], hs.select(1, 1 + static_cast<int64_t>(i))));
    const at::Tensor hyper_in = at::stack(hyper, 1);
    record_stage(record, "decoder_hyper_in", hyper_in);
    const int64_t uc = up.size(1), uh = up.size(2), uw = up.size(3);
    const at::Tensor masks = at::matmul(hyper_in, up.view({B, uc, uh * uw})).view({B, -1, uh, uw});
    const at::Tensor iou = mlp(iou_head, hs.select(1, 0));
    record_stage(record, "iou_predictions_all", iou);
    return {masks, iou};
}

} // namespace inp::sam
