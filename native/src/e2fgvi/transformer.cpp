// Soft split, the temporal focal transformer and soft composition (tfocal_transformer*.py),
// then the decoder: the window-wide half of the model.
//
// Attention keys are gathered per window instead of rolling the whole map four times and
// unfolding the pooled map: for each (5, 9) window, the 45 window tokens, the 120 tokens of the
// four diagonal neighbours that upstream's torch.roll brings in (wrapping around the border),
// then the 45 pooled tokens of the zero-padded (5, 9) neighbourhood of its pooled cell. The
// keys and logits of a few windows at a time exist at once, so memory stays bounded at any
// resolution and clip length.
#include <ATen/ops/cat.h>
#include <ATen/ops/col2im.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/gelu.h>
#include <ATen/ops/im2col.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/zeros.h>

#include <cmath>
#include <vector>

#include "e2fgvi/e2fgvi.h"
#include "runtime/error.h"

namespace inp::e2fgvi {
namespace {

constexpr int64_t kWh = 5, kWw = 9, kWin = kWh * kWw; // window (5, 9)
constexpr int64_t kEh = 2, kEw = 4;                  // expand size: window / 2
constexpr int64_t kHeads = 4, kHeadDim = kHidden / kHeads;
constexpr int64_t kLogitBudget = int64_t{64} << 20; // logits (floats) of one chunk of windows: 256 MB

// For a token map of H x W: per window, its 165 spatial key positions (45 own + 120 rolled,
// upstream's order) as flat indices into H * W, and its 45 pooled key positions as flat
// indices into the zero-padded (nWh + 4) x (nWw + 8) pooled map, with a -100 logit bias where
// that position is padding.
struct KeyIndex {
    at::Tensor spatial; // int64 [nW, 165]
    at::Tensor pooled;  // int64 [nW, 45]
    at::Tensor bias;    // float [nW, 45]: 0 or -100
};

KeyIndex key_index(int64_t H, int64_t W, const at::Tensor &valid_ind_rolled, const at::TensorOptions &opt) {
    const int64_t nWh = H / kWh, nWw = W / kWw, nW = nWh * nWw;
    const at::Tensor valid = valid_ind_rolled.cpu();
    const int64_t *vi = valid.const_data_ptr<int64_t>();
    const int64_t nv = valid.numel();
    std::vector<int64_t> spatial(nW * (kWin + nv)), pooled(nW * kWin);
    std::vector<float> bias(nW * kWin);
    // torch.roll by (s0, s1): out[y, x] = in[(y - s0) mod H, (x - s1) mod W]; the four copies
    // tl, tr, bl, br are rolled by (-2, -4), (-2, 4), (2, -4), (2, 4).
    const int64_t shifts[4][2] = {{-kEh, -kEw}, {-kEh, kEw}, {kEh, -kEw}, {kEh, kEw}};
    auto wrap = [](int64_t v, int64_t n) { return ((v % n) + n) % n; };
    for (int64_t wy = 0; wy < nWh; wy++) {
        for (int64_t wx = 0; wx < nWw; wx++) {
            const int64_t win = wy * nWw + wx;
            int64_t *s = spatial.data() + win * (kWin + nv);
            for (int64_t p = 0; p < kWin; p++) s[p] = (wy * kWh + p / kWw) * W + (wx * kWw + p % kWw);
            for (int64_t k = 0; k < nv; k++) {
                const int64_t r = vi[k] / kWin, p = vi[k] % kWin;
                const int64_t y = wrap(wy * kWh + p / kWw - shifts[r][0], H), x = wrap(wx * kWw + p % kWw - shifts[r][1], W);
                s[kWin + k] = y * W + x;
            }
            for (int64_t p = 0; p < kWin; p++) {
                const int64_t py = wy + p / kWw, px = wx + p % kWw; // in the padded pooled map
                pooled[win * kWin + p] = py * (nWw + 2 * kEw) + px;
                const bool pad = py < kEh || py >= nWh + kEh || px < kEw || px >= nWw + kEw;
                bias[win * kWin + p] = pad ? -100.0f : 0.0f;
            }
        }
    }
    const auto lopt = at::TensorOptions().dtype(at::kLong);
    KeyIndex k;
    k.spatial = at::from_blob(spatial.data(), {nW, kWin + nv}, lopt).clone().to(opt.device());
    k.pooled = at::from_blob(pooled.data(), {nW, kWin}, lopt).clone().to(opt.device());
    k.bias = at::from_blob(bias.data(), {nW, kWin}, at::TensorOptions().dtype(at::kFloat)).clone().to(opt);
    return k;
}

// x [T, H, W, C] -> [nWh, nWw, T, 45, C]
at::Tensor windows(const at::Tensor &x) {
    const int64_t T = x.size(0), H = x.size(1), W = x.size(2), C = x.size(3);
    return x.reshape({T, H / kWh, kWh, W / kWw, kWw, C}).permute({1, 3, 0, 2, 4, 5}).reshape({H / kWh, W / kWw, T, kWin, C});
}

// [T, N, C] keys of one chunk of windows -> [nWc, heads, T * k, head_dim] from [T, nWc * k, C]
at::Tensor heads_of(const at::Tensor &gathered, int64_t nWc, int64_t k) {
    const int64_t T = gathered.size(0);
    return gathered.view({T, nWc, k, kHeads, kHeadDim}).permute({1, 3, 0, 2, 4}).reshape({nWc, kHeads, T * k, kHeadDim});
}

// Queries of the first Q frames against keys of all T frames -> [Q, H, W, C].
at::Tensor attention(const FocalBlock &B, const at::Tensor &xn, const at::Tensor &pooled_x, int64_t Q) {
    const int64_t T = xn.size(0), H = xn.size(1), W = xn.size(2), C = xn.size(3);
    const int64_t nWh = H / kWh, nWw = W / kWw, nW = nWh * nWw;
    const KeyIndex idx = key_index(H, W, B.valid_ind_rolled, xn.options());
    const auto qkv = B.qkv(xn).view({T, H, W, 3, C}).unbind(3);
    // [nW, heads, T * 45, head_dim], scaled as upstream (q * scale before the product)
    const at::Tensor q = windows(qkv[0].slice(0, 0, Q)).view({nW, Q, kWin, kHeads, kHeadDim}).permute({0, 3, 1, 2, 4}).reshape({nW, kHeads, Q * kWin, kHeadDim}) *
                         std::pow(static_cast<double>(kHeadDim), -0.5);
    const at::Tensor k_flat = qkv[1].reshape({T, H * W, C}), v_flat = qkv[2].reshape({T, H * W, C});
    // Pooled keys/values: qkv of the pooled tokens, zero-padded by (2, 4) after the projection.
    const auto pqkv = B.qkv(pooled_x).view({T, nWh, nWw, 3, C}).unbind(3);
    auto pad = [&](const at::Tensor &t) {
        return at::constant_pad_nd(t, {0, 0, kEw, kEw, kEh, kEh}, 0).reshape({T, (nWh + 2 * kEh) * (nWw + 2 * kEw), C});
    };
    const at::Tensor kp = pad(pqkv[1]), vp = pad(pqkv[2]);
    const int64_t ns = idx.spatial.size(1);
    std::vector<at::Tensor> out;
    // Windows whose keys and logits exist at once: as many as fit the budget.
    const int64_t chunk = std::max<int64_t>(1, kLogitBudget / (kHeads * Q * kWin * (ns + kWin) * T));
    for (int64_t w0 = 0; w0 < nW; w0 += chunk) {
        const int64_t w1 = std::min(nW, w0 + chunk), nc = w1 - w0;
        const at::Tensor si = idx.spatial.slice(0, w0, w1).reshape({-1}), pi = idx.pooled.slice(0, w0, w1).reshape({-1});
        const at::Tensor k = at::cat({heads_of(k_flat.index_select(1, si), nc, ns), heads_of(kp.index_select(1, pi), nc, kWin)}, 2);
        const at::Tensor v = at::cat({heads_of(v_flat.index_select(1, si), nc, ns), heads_of(vp.index_select(1, pi), nc, kWin)}, 2);
        // Logit bias: 0 for the spatial keys, the padding bias for the pooled ones (t-major).
        const at::Tensor pb = idx.bias.slice(0, w0, w1).unsqueeze(1).expand({nc, T, kWin}).reshape({nc, T * kWin});
        const at::Tensor mask = at::cat({at::zeros({nc, T * ns}, pb.options()), pb}, 1).view({nc, 1, 1, -1});
        // Plain products and a softmax run at the GEMM rate (CPU flash attention measured slower here).
        at::Tensor logits = at::matmul(q.slice(0, w0, w1), k.transpose(-2, -1));
        logits.add_(mask);
        out.push_back(at::matmul(at::softmax(logits, -1), v));
    }
    // [nW, heads, Q * 45, hd] -> [nW, Q * 45, C] -> proj -> [Q, H, W, C]
    const at::Tensor a = B.proj(at::cat(out, 0).transpose(1, 2).reshape({nW, Q * kWin, C}));
    return a.view({nWh, nWw, Q, kWh, kWw, C}).permute({2, 0, 3, 1, 4, 5}).reshape({Q, H, W, C});
}

const std::vector<int64_t> kT2TKernel = {7, 7}, kT2TDil = {1, 1}, kT2TPad = {3, 3}, kT2TStride = {3, 3};

// FusionFeedForward: Linear, fold with overlap normalisation, unfold, GELU, Linear.
at::Tensor f3n(const FocalBlock &B, const at::Tensor &y, int64_t T, int64_t h, int64_t w) {
    at::Tensor x = B.fc1(y); // [T * L, 1960]
    const int64_t c = x.size(1), L = x.size(0) / T;
    const at::Tensor ones = at::ones({1, 49, L}, x.options());
    const at::Tensor norm = at::col2im(ones, {h, w}, kT2TKernel, kT2TDil, kT2TPad, kT2TStride);
    x = at::col2im(x.view({T, L, c}).permute({0, 2, 1}), {h, w}, kT2TKernel, kT2TDil, kT2TPad, kT2TStride) / norm;
    x = at::im2col(x, kT2TKernel, kT2TDil, kT2TPad, kT2TStride).permute({0, 2, 1}).reshape({T * L, c});
    return B.fc2(at::gelu(x));
}

} // namespace

at::Tensor FocalBlock::operator()(const at::Tensor &x, int64_t h, int64_t w, int64_t queries) const {
    const int64_t T = x.size(0), H = x.size(1), W = x.size(2), C = x.size(3), Q = queries < 0 ? T : std::min(queries, T);
    if (H % kWh != 0 || W % kWw != 0) fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI token map must be a multiple of 5 x 9");
    const at::Tensor xn = norm1.last_dim(x);
    // Focal level 1: each window pooled by a learned Linear(45 -> 1) per channel.
    const at::Tensor pooled = pool(windows(xn).transpose(3, 4)).squeeze(-1); // [nWh, nWw, T, C]
    at::Tensor out = x.slice(0, 0, Q) + attention(*this, xn, pooled.permute({2, 0, 1, 3}), Q);
    const at::Tensor y = norm2.last_dim(out).view({Q * H * W, C});
    return out + f3n(*this, y, Q, h, w).view({Q, H, W, C});
}

at::Tensor hallucinate(const Model &m, const at::Tensor &local_feat, const at::Tensor &ref_feat, int64_t decode_count, const Run &run,
                       TensorList *record, int64_t slot) {
    const at::Tensor feat = ref_feat.size(0) > 0 ? at::cat({local_feat, ref_feat}, 0) : local_feat;
    const int64_t T = feat.size(0), h = feat.size(2), w = feat.size(3);
    const int64_t fh = (h + 2 * 3 - 7) / 3 + 1, fw = (w + 2 * 3 - 7) / 3 + 1;
    auto rec = [&](const std::string &name, const at::Tensor &t) {
        if (slot >= 0 && slot < t.size(0)) record_stage(record, name, t.slice(0, slot, slot + 1).unsqueeze(0));
    };
    at::Tensor tokens = m.ss_embedding(at::im2col(feat, kT2TKernel, kT2TDil, kT2TPad, kT2TStride).permute({0, 2, 1})).view({T, fh, fw, kHidden});
    rec("inter_softsplit_slot2", tokens);
    const int64_t D = decode_count;
    for (size_t i = 0; i < m.blocks.size(); i++) {
        // The last block computes only the frames the decoder takes (the others were keys).
        tokens = m.blocks[i](tokens, h, w, i + 1 == m.blocks.size() ? D : -1);
        rec("inter_block" + std::to_string(i) + "_slot2", tokens);
        run.step("e2fgvi.transformer", static_cast<int64_t>(i) + 1, static_cast<int64_t>(m.blocks.size()));
    }
    // Soft composition of the frames to decode.
    const at::Tensor t = m.sc_embedding(tokens.slice(0, 0, D).reshape({D * fh * fw, kHidden})).view({D, fh * fw, -1}).permute({0, 2, 1});
    at::Tensor sc = at::col2im(t, {h, w}, kT2TKernel, kT2TDil, kT2TPad, kT2TStride);
    sc = m.hq ? m.sc_bias_conv(sc) : sc + m.sc_bias.unsqueeze(0);
    if (record != nullptr && slot >= 0 && slot < D) record_stage(record, "inter_softcomp_slot2", sc.slice(0, slot, slot + 1));
    const at::Tensor out = decode(m, feat.slice(0, 0, D) + sc).to(at::kFloat);
    if (record != nullptr && slot >= 0 && slot < D) record_stage(record, "inter_decoder_pretanh_slot2", out.slice(0, slot, slot + 1));
    return out;
}

} // namespace inp::e2fgvi
