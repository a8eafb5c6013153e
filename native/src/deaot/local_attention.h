// DeAOT's short-term (local window) propagation: aot-benchmark networks/layers/attention.py
// LocalGatedPropagation with use_linear=False, as GatedPropagationModule builds its
// short_term_attn (networks/layers/transformer.py). Plain tensors, names as upstream's
// attributes, so `<prefix>.relative_emb_k.weight` etc. load 1:1 through inp::Weights.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "runtime/nn.h"
#include "runtime/weights.h"

namespace inp::deaot {

struct LocalGatedPropagation {
    struct {
        at::Tensor weight, bias; // [heads * P * P, d_att, 1, 1], [heads * P * P]; a 1x1 conv with groups = heads
    } relative_emb_k;
    struct {
        struct {
            at::Tensor weight; // [C, 1, k, k], no bias: depthwise, padding k / 2 (DWConv2d: k = 5)
        } conv;
    } dw_conv;
    nn::Linear projection; // [out, C], [out]
    int64_t heads = 1;     // num_head (MODEL_ATT_HEADS: 1 in DeAOT)
    int64_t d_att = 0;     // query/key width per head (d_model / 2 with one head: 128)
    int64_t max_dis = 7;   // window 2 * max_dis + 1 = 15
    int64_t dilation = 1;  // only 1: upstream's local2global ignores the dilation
};

// Takes <prefix>.relative_emb_k.{weight,bias}, <prefix>.dw_conv.conv.weight and
// <prefix>.projection.{weight,bias} (e.g. prefix "LSTT.layers.0.short_term_attn"); the value
// width C, kernel k and output width come from the checkpoint's shapes. Throws
// inp::Error(INP_ERR_CHECKPOINT) naming the key on a missing or mis-shaped tensor.
LocalGatedPropagation load_local_gated_propagation(Weights &w, const std::string &prefix, int64_t heads, int64_t d_att, int64_t max_dis = 7);

// Upstream's forward(q, k, v, u, size_2d) with the layouts it is called with:
//   q, k [n, heads * d_att, h, w] (q is the query, unscaled; k the memory's key map),
//   v    [n, C, h, w]   (C = heads * value width per head),
//   u    [h * w, n, C]  (the gate, already activated),
// -> [h * w, n, out]. When local_attn is given it receives the attention weights
// [n, heads, P * P, h * w] (P = 2 * max_dis + 1; 0 at window positions outside the map).
// Throws inp::Error(INP_ERR_INVALID_ARGUMENT) on shapes that do not fit the weights.
at::Tensor local_gated_propagation(const LocalGatedPropagation &m, const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                                   const at::Tensor &u, at::Tensor *local_attn = nullptr);

} // namespace inp::deaot
