// networks/layers/transformer.py DualBranchGPM / GatedPropagationModule and the propagation
// modules of attention.py, for one object set (batch 1). Tokens are [T, C] with T = h * w in
// row-major order (upstream's [T, 1, C] without the batch dimension).
#include <ATen/ops/cat.h>
#include <ATen/ops/conv2d.h>
#include <ATen/ops/group_norm.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/ones_like.h>
#include <ATen/ops/silu.h>
#include <ATen/ops/softmax.h>

#include <cmath>

#include "deaot/deaot.h"
#include "runtime/error.h"

namespace inp::deaot {

namespace {

at::Tensor to_2d(const at::Tensor &tokens, int64_t h, int64_t w) { // [T, C] -> [1, C, h, w]
    return tokens.t().contiguous().view({1, tokens.size(1), h, w});
}

at::Tensor to_tokens(const at::Tensor &map) { // [1, C, h, w] -> [T, C]
    return map.view({map.size(1), -1}).t().contiguous();
}

// DWConv2d: depthwise 5x5 (padding 2, no bias) over the h x w grid of [T, C] tokens.
at::Tensor dw_conv(const at::Tensor &weight, const at::Tensor &tokens, int64_t h, int64_t w) {
    return to_tokens(at::conv2d(to_2d(tokens, h, w), weight, {}, 1, weight.size(2) / 2, 1, weight.size(0)));
}

const double kScale = 1.0 / std::sqrt(static_cast<double>(kAttDim));

// GatedPropagation with use_linear=False: softmax(Q K^T / sqrt(d_att)) V, gated by U. V comes
// transposed ([C, M]), the operand order of the product (built that way in one copy).
at::Tensor long_term(const GatedPropagation &g, const at::Tensor &q, const at::Tensor &k, const at::Tensor &v_t, const at::Tensor &u,
                     int64_t h, int64_t w) {
    const at::Tensor attn = at::softmax(nn::matmul_bt(q * kScale, k), -1);
    return g.projection(dw_conv(g.dw_conv, nn::matmul_bt(attn, v_t) * u, h, w));
}

// GatedPropagation with use_linear=True over x = cat(norm2(tgt), id_norm2(tgt_id)) (q = k = v = u).
at::Tensor self_propagation(const GatedPropagation &g, const at::Tensor &x, int64_t h, int64_t w) {
    const int64_t half = x.size(1) / 2;
    const at::Tensor x1 = x.narrow(1, 0, half), x2 = x.narrow(1, half, half);
    const at::Tensor qk = g.linear_QK(x);
    const at::Tensor v = at::silu(at::cat({g.linear_V1(x1), g.linear_V2(x2)}, 1));
    const at::Tensor u = at::silu(at::cat({g.linear_U1(x1), g.linear_U2(x2)}, 1));
    const at::Tensor attn = at::softmax(nn::matmul_bt(qk * kScale, qk), -1);
    return g.projection(dw_conv(g.dw_conv, nn::matmul(attn, v) * u, h, w));
}

struct LayerOut {
    at::Tensor tgt, tgt_id;
    LayerMemory current;       // K, V, id_norm1(tgt_id) (undefined for layer 0)
    LayerMemory reference;     // reference mode only: K, V, ID_V of the frame itself
};

LayerOut layer_forward(const Layer &L, const at::Tensor &tgt_in, const at::Tensor &tgt_id_in, const LayerMemory *long_term_mem,
                       const LayerMemory *short_term_mem, const at::Tensor &id_emb, int64_t h, int64_t w, TensorList *record,
                       const std::string &prefix) {
    const at::Tensor x = L.norm1.last_dim(tgt_in);
    const at::Tensor qv = L.linear_QV(x);
    const at::Tensor q = qv.narrow(1, 0, kAttDim).contiguous();
    const at::Tensor v = at::silu(qv.narrow(1, kAttDim, kExpandDim));
    const at::Tensor u = L.linear_U(x);
    at::Tensor cat_u, curr_id_v;
    if (!tgt_id_in.defined()) {
        cat_u = at::cat({at::silu(u), at::ones_like(u)}, 1);
    } else {
        curr_id_v = L.id_norm1.last_dim(tgt_id_in);
        cat_u = at::silu(at::cat({u, L.linear_ID_U(curr_id_v)}, 1));
    }
    LayerOut out;
    at::Tensor gk, gv, g_idv, lk, lv, l_idv;
    if (id_emb.defined()) { // reference mode: the frame attends to itself
        gk = q;
        gv = v;
        g_idv = fuse_id_value(L, curr_id_v, id_emb);
        out.reference = {gk, gv, g_idv};
        lk = to_2d(gk, h, w);
        lv = to_2d(gv, h, w);
        l_idv = to_2d(g_idv, h, w);
    } else {
        gk = long_term_mem->k;
        gv = long_term_mem->v;
        g_idv = long_term_mem->id_v;
        lk = to_2d(short_term_mem->k, h, w);
        lv = to_2d(short_term_mem->v, h, w);
        l_idv = to_2d(short_term_mem->id_v, h, w);
    }
    const at::Tensor lt = long_term(L.long_term_attn, q, gk, at::cat({gv.t(), g_idv.t()}, 0), cat_u, h, w);
    const at::Tensor st = local_gated_propagation(L.short_term_attn, to_2d(q, h, w), lk, at::cat({lv, l_idv}, 1), cat_u.unsqueeze(1)).squeeze(1);
    record_stage(record, prefix + "lt_out", lt.unsqueeze(1));
    record_stage(record, prefix + "st_out", st.unsqueeze(1));
    const at::Tensor both = lt + st;
    at::Tensor tgt = tgt_in + both.narrow(1, 0, kEmbedDim);
    at::Tensor tgt_id = tgt_id_in.defined() ? tgt_id_in + both.narrow(1, kEmbedDim, kEmbedDim) : both.narrow(1, kEmbedDim, kEmbedDim).contiguous();

    const at::Tensor sa = self_propagation(L.self_attn, at::cat({L.norm2.last_dim(tgt), L.id_norm2.last_dim(tgt_id)}, 1), h, w);
    record_stage(record, prefix + "sa_out", sa.unsqueeze(1));
    out.tgt = tgt + sa.narrow(1, 0, kEmbedDim);
    out.tgt_id = tgt_id + sa.narrow(1, kEmbedDim, kEmbedDim);
    record_stage(record, prefix + "tgt", out.tgt.unsqueeze(1));
    record_stage(record, prefix + "tgt_id", out.tgt_id.unsqueeze(1));
    out.current = {q, v, curr_id_v};
    return out;
}

LsttOutput run_layers(const Model &m, const at::Tensor &enc16, const std::vector<LayerMemory> *long_term_mem,
                      const std::vector<LayerMemory> *short_term_mem, const at::Tensor &id_emb, int64_t h, int64_t w,
                      std::vector<LayerMemory> *reference_memory, const Run &run, TensorList *record, const std::string &prefix) {
    at::Tensor tgt = to_tokens(enc16), tgt_id;
    LsttOutput result;
    for (size_t i = 0; i < m.layers.size(); i++) {
        const std::string p = prefix + "L" + std::to_string(i) + "_";
        LayerOut o = layer_forward(m.layers[i], tgt, tgt_id, long_term_mem ? &(*long_term_mem)[i] : nullptr,
                                   short_term_mem ? &(*short_term_mem)[i] : nullptr, id_emb, h, w, record, p);
        tgt = o.tgt;
        tgt_id = o.tgt_id;
        result.current.push_back(o.current);
        if (reference_memory != nullptr) reference_memory->push_back(o.reference);
        run.step("deaot.layers", static_cast<int64_t>(i) + 1, static_cast<int64_t>(m.layers.size()));
    }
    // GroupNorm1D over cat(tgt, tgt_id): [T, 512] -> [1, 512, T] -> norm -> back.
    const at::Tensor cat = at::cat({tgt, tgt_id}, 1).t().unsqueeze(0);
    result.embedding = m.decoder_norm(cat).squeeze(0).t().contiguous();
    record_stage(record, prefix + "lstt_out", result.embedding.unsqueeze(1));
    return result;
}

} // namespace

at::Tensor GroupNorm::operator()(const at::Tensor &x) const { return at::group_norm(x, groups, weight, bias, 1e-5); }

at::Tensor fuse_id_value(const Layer &layer, const at::Tensor &id_norm_tgt, const at::Tensor &id_emb) {
    return at::silu(layer.linear_ID_V(id_norm_tgt.defined() ? at::cat({id_norm_tgt, id_emb}, 1) : id_emb));
}

LsttOutput lstt_reference(const Model &m, const at::Tensor &enc16, const at::Tensor &id_emb, int64_t h, int64_t w,
                          std::vector<LayerMemory> *reference_memory, const Run &run, TensorList *record, const std::string &prefix) {
    return run_layers(m, enc16, nullptr, nullptr, id_emb, h, w, reference_memory, run, record, prefix);
}

LsttOutput lstt_track(const Model &m, const at::Tensor &enc16, const std::vector<LayerMemory> &long_term_mem,
                      const std::vector<LayerMemory> &short_term_mem, int64_t h, int64_t w, const Run &run, TensorList *record,
                      const std::string &prefix) {
    if (long_term_mem.size() != m.layers.size() || short_term_mem.size() != m.layers.size())
        fail(INP_ERR_INTERNAL, "DeAOT: memory for " + std::to_string(long_term_mem.size()) + " layers, model has " + std::to_string(m.layers.size()));
    return run_layers(m, enc16, &long_term_mem, &short_term_mem, {}, h, w, nullptr, run, record, prefix);
}

} // namespace inp::deaot
