// modeling/image_encoder.py: ImageEncoderViT, Block, Attention, window partition, rel-pos.
#include <ATen/ops/arange.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/_softmax.h>
#include <ATen/ops/bmm.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/matmul.h>

#include <algorithm>
#include <cmath>

#include "runtime/error.h"
#include "sam/sam.h"

namespace inp::sam {

namespace {

// get_rel_pos for q_size == k_size == size (no interpolation at 1024): [size, size, head_dim]
// with R[i, j] = table[i - j + size - 1].
at::Tensor rel_pos_matrix(const at::Tensor &table, int64_t size) {
    const at::Tensor q = at::arange(size, at::TensorOptions().dtype(at::kLong).device(table.device()));
    const at::Tensor idx = q.view({-1, 1}) - q.view({1, -1}) + (size - 1);
    return table.index_select(0, idx.reshape({-1})).view({size, size, table.size(1)});
}

// Largest logits buffer (elements) one attention chunk may use: heads are processed a few at a
// time so a global block's 12 x 4096 x 4096 logits (805 MB for vit_b) are never materialized
// at once; the buffers are reused across chunks, which also saves the page faults of fresh
// allocations.
constexpr int64_t kMaxLogitsPerChunk = int64_t{1} << 25; // 128 MB of float32

// x: [B, H, W, C] (H = W = side) -> attention output [B, H, W, C]
at::Tensor attention(const EncoderBlock &b, const at::Tensor &x, int64_t heads) {
    const int64_t B = x.size(0), H = x.size(1), W = x.size(2), C = x.size(3), hd = C / heads, HW = H * W, BH = B * heads;
    const at::Tensor qkv = b.qkv(x).reshape({B, HW, 3, heads, hd}).permute({2, 0, 3, 1, 4}).reshape({3, BH, HW, hd});
    const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    const at::Tensor q_scaled = q * (1.0 / std::sqrt(static_cast<double>(hd)));
    // Decomposed relative positions, from the unscaled q:
    // rel_h[b,h,w,k] = sum_c q[b,h,w,c] Rh[h,k,c];  rel_w[b,h,w,k] = sum_c q[b,h,w,c] Rw[w,k,c]
    const at::Tensor rq = q.reshape({BH, H, W, hd});
    const at::Tensor Rh = rel_pos_matrix(b.rel_pos_h, H), Rw = rel_pos_matrix(b.rel_pos_w, W);
    const at::Tensor rel_h = at::matmul(rq.permute({1, 0, 2, 3}), Rh.transpose(1, 2).unsqueeze(1)).permute({1, 0, 2, 3});
    const at::Tensor rel_w = at::matmul(rq.permute({2, 0, 1, 3}), Rw.transpose(1, 2).unsqueeze(1)).permute({1, 2, 0, 3});

    const int64_t chunk = std::max<int64_t>(1, std::min(BH, kMaxLogitsPerChunk / (HW * HW)));
    at::Tensor logits = at::empty({chunk, HW, HW}, q.options());
    at::Tensor probs = at::empty({chunk, HW, HW}, q.options());
    at::Tensor out = at::empty({BH, HW, hd}, q.options());
    for (int64_t i = 0; i < BH; i += chunk) {
        const int64_t n = std::min(chunk, BH - i);
        at::Tensor L = logits.narrow(0, 0, n), P = probs.narrow(0, 0, n);
        at::bmm_out(L, q_scaled.narrow(0, i, n), k.narrow(0, i, n).transpose(1, 2));
        // Same summation order as upstream: (logits + rel_h) + rel_w.
        at::Tensor L5 = L.view({n, H, W, H, W});
        L5.add_(rel_h.narrow(0, i, n).unsqueeze(4));
        L5.add_(rel_w.narrow(0, i, n).unsqueeze(3));
        at::_softmax_out(P, L, -1, false);
        at::Tensor o = out.narrow(0, i, n);
        at::bmm_out(o, P, v.narrow(0, i, n));
    }
    return b.proj(out.view({B, heads, H, W, hd}).permute({0, 2, 3, 1, 4}).reshape({B, H, W, C}));
}

at::Tensor block_forward(const EncoderBlock &b, const at::Tensor &x, int64_t heads) {
    at::Tensor h = b.norm1.last_dim(x);
    const int64_t H = x.size(1), W = x.size(2), C = x.size(3);
    if (b.window > 0) {
        // Zero-pad to a multiple of the window and attend per window (padded tokens included).
        const int64_t ws = b.window, ph = (ws - H % ws) % ws, pw = (ws - W % ws) % ws;
        const int64_t Hp = H + ph, Wp = W + pw, nh = Hp / ws, nw = Wp / ws;
        h = at::constant_pad_nd(h, {0, 0, 0, pw, 0, ph}, 0);
        h = h.view({1, nh, ws, nw, ws, C}).permute({0, 1, 3, 2, 4, 5}).reshape({nh * nw, ws, ws, C});
        h = attention(b, h, heads);
        h = h.view({1, nh, nw, ws, ws, C}).permute({0, 1, 3, 2, 4, 5}).reshape({1, Hp, Wp, C});
        h = h.slice(1, 0, H).slice(2, 0, W);
    } else {
        h = attention(b, h, heads);
    }
    const at::Tensor y = x + h;
    return y + b.lin2(nn::gelu(b.lin1(b.norm2.last_dim(y))));
}

} // namespace

at::Tensor ImageEncoder::forward(const at::Tensor &x, const Run &run, TensorList *record) const {
    at::Tensor h = patch_embed(x).permute({0, 2, 3, 1}) + pos_embed;
    record_stage(record, "patch_embed", h);
    for (size_t i = 0; i < blocks.size(); i++) {
        h = block_forward(blocks[i], h, heads);
        record_stage(record, "block_" + std::to_string(i), h);
        run.step("sam.encoder", static_cast<int64_t>(i) + 1, static_cast<int64_t>(blocks.size()));
    }
    h = h.permute({0, 3, 1, 2});
    h = neck3.channels(neck2(neck1.channels(neck0(h))));
    record_stage(record, "image_embedding", h);
    return h;
}

} // namespace inp::sam
