// Loading, pre-processing, ID embedding and decoding of DeAOT (networks/models/deaot.py, aot.py,
// decoders/fpn.py) and the tracking app's input rules (dataloaders/video_transforms.py).
#include <ATen/Parallel.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/tensor.h>
#include <ATen/ops/upsample_bilinear2d.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "deaot/deaot.h"
#include "runtime/error.h"

namespace inp::deaot {

namespace {

GroupNorm group_norm(Weights &w, const std::string &prefix, int64_t dim, int64_t groups) {
    return GroupNorm{w.take(prefix + ".weight", {dim}), w.take(prefix + ".bias", {dim}), groups};
}

int64_t count_layers(const Checkpoint &ck) {
    int64_t n = 0;
    while (ck.tensors().find("LSTT.layers." + std::to_string(n) + ".norm1.weight") != nullptr) n++;
    return n;
}

} // namespace

std::unique_ptr<Model> load(const Checkpoint &ck, at::TensorOptions options) {
    if (ck.model().family != INP_MODEL_DEAOT)
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + " is not a DeAOT model (detected: " + ck.model().variant + ")");
    Weights w(ck, options);
    auto m = std::make_unique<Model>();
    m->variant = ck.model().variant;
    m->options = options;
    load_encoder(w, m->encoder);
    const int64_t E = kEmbedDim;
    m->encoder_projector = nn::conv2d(w, "encoder_projector", m->encoder.dims[3], E, 1, 1, 0, true);
    m->patch_wise_id_bank = nn::conv2d(w, "patch_wise_id_bank", kMaxObjects + 1, E, 17, 16, 8, true);
    m->id_bank_columns = m->patch_wise_id_bank.weight.permute({1, 2, 3, 0}).contiguous();
    m->id_norm = nn::norm(w, "id_norm", E, 1e-5);

    const int64_t n = count_layers(ck);
    if (n == 0) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + " has no LSTT.layers.0");
    for (int64_t i = 0; i < n; i++) {
        const std::string p = "LSTT.layers." + std::to_string(i) + ".";
        Layer L;
        L.index = i;
        L.norm1 = nn::norm(w, p + "norm1", E, 1e-5);
        L.linear_QV = nn::linear(w, p + "linear_QV", E, kAttDim + kExpandDim);
        L.linear_U = nn::linear(w, p + "linear_U", E, kExpandDim);
        if (i == 0) {
            L.linear_ID_V = nn::linear(w, p + "linear_ID_V", E, kExpandDim);
        } else {
            L.id_norm1 = nn::norm(w, p + "id_norm1", E, 1e-5);
            L.linear_ID_V = nn::linear(w, p + "linear_ID_V", 2 * E, kExpandDim);
            L.linear_ID_U = nn::linear(w, p + "linear_ID_U", E, kExpandDim);
        }
        const int64_t wide = 2 * kExpandDim;
        L.long_term_attn.dw_conv = w.take(p + "long_term_attn.dw_conv.conv.weight", {wide, 1, 5, 5});
        L.long_term_attn.projection = nn::linear(w, p + "long_term_attn.projection", wide, 2 * E);
        L.short_term_attn = load_local_gated_propagation(w, p + "short_term_attn", 1, kAttDim, kMaxDis);
        L.norm2 = nn::norm(w, p + "norm2", E, 1e-5);
        L.id_norm2 = nn::norm(w, p + "id_norm2", E, 1e-5);
        GatedPropagation &s = L.self_attn;
        s.linear_QK = nn::linear(w, p + "self_attn.linear_QK", 2 * E, kAttDim);
        s.linear_V1 = nn::linear(w, p + "self_attn.linear_V1", E, kExpandDim);
        s.linear_V2 = nn::linear(w, p + "self_attn.linear_V2", E, kExpandDim);
        s.linear_U1 = nn::linear(w, p + "self_attn.linear_U1", E, kExpandDim);
        s.linear_U2 = nn::linear(w, p + "self_attn.linear_U2", E, kExpandDim);
        s.dw_conv = w.take(p + "self_attn.dw_conv.conv.weight", {wide, 1, 5, 5});
        s.projection = nn::linear(w, p + "self_attn.projection", wide, 2 * E);
        m->layers.push_back(std::move(L));
    }
    m->decoder_norm = group_norm(w, "LSTT.decoder_norms.0.gn", 2 * E, 2);

    Decoder &d = m->decoder;
    const auto &sd = m->encoder.dims;
    d.conv_in = nn::conv2d(w, "decoder.conv_in.conv", 2 * E, E, 1, 1, 0, true);
    d.gn_in = group_norm(w, "decoder.conv_in.gn", E, 8);
    d.conv_16x = nn::conv2d(w, "decoder.conv_16x.conv", E, E, 3, 1, 1, true);
    d.gn_16x = group_norm(w, "decoder.conv_16x.gn", E, 8);
    d.conv_8x = nn::conv2d(w, "decoder.conv_8x.conv", E, E / 2, 3, 1, 1, true);
    d.gn_8x = group_norm(w, "decoder.conv_8x.gn", E / 2, 8);
    d.conv_4x = nn::conv2d(w, "decoder.conv_4x.conv", E / 2, E / 2, 3, 1, 1, true);
    d.gn_4x = group_norm(w, "decoder.conv_4x.gn", E / 2, 8);
    d.adapter_16x = nn::conv2d(w, "decoder.adapter_16x", sd[2], E, 1, 1, 0, true);
    d.adapter_8x = nn::conv2d(w, "decoder.adapter_8x", sd[1], E, 1, 1, 0, true);
    d.adapter_4x = nn::conv2d(w, "decoder.adapter_4x", sd[0], E / 2, 1, 1, 0, true);
    d.conv_out = nn::conv2d(w, "decoder.conv_out", E / 2, kMaxObjects + 1, 1, 1, 0, true);
    w.finish();
    return m;
}

std::pair<int64_t, int64_t> network_size(int64_t height, int64_t width) {
    double h = static_cast<double>(height), w = static_cast<double>(width);
    const double long_edge = std::max(h, w);
    if (long_edge > static_cast<double>(kMaxLongEdge)) { // scale, then truncate to int
        const double scale = static_cast<double>(kMaxLongEdge) / long_edge;
        h = std::floor(h * scale);
        w = std::floor(w * scale);
    }
    // align_corners: each side becomes 16k + 1 (numpy.around: halves to even)
    auto align = [](double s) {
        const int64_t si = static_cast<int64_t>(s);
        if ((si - 1) % 16 == 0) return si;
        return static_cast<int64_t>(std::nearbyint((s - 1.0) / 16.0)) * 16 + 1;
    };
    return {align(h), align(w)};
}

at::Tensor resize_cubic_rgb(const uint8_t *rgb, int64_t width, int64_t height, int64_t row_stride, int64_t out_w, int64_t out_h) {
    // Keys' cubic (a = -0.75): taps floor(src) - 1 .. + 2, clamped (replicated border).
    auto weights = [](int64_t in, int64_t out, std::vector<int64_t> &idx, std::vector<double> &wt) {
        idx.resize(static_cast<size_t>(out) * 4);
        wt.resize(static_cast<size_t>(out) * 4);
        const double a = -0.75, scale = static_cast<double>(in) / static_cast<double>(out);
        for (int64_t o = 0; o < out; o++) {
            const double src = (static_cast<double>(o) + 0.5) * scale - 0.5;
            const double f = std::floor(src), t = src - f;
            const double c[4] = {((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a, ((a + 2) * t - (a + 3)) * t * t + 1,
                                 ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1, 0};
            const double c3 = 1.0 - c[0] - c[1] - c[2];
            for (int k = 0; k < 4; k++) {
                idx[static_cast<size_t>(o * 4 + k)] = std::clamp<int64_t>(static_cast<int64_t>(f) - 1 + k, 0, in - 1);
                wt[static_cast<size_t>(o * 4 + k)] = k == 3 ? c3 : c[k];
            }
        }
    };
    std::vector<int64_t> xi, yi;
    std::vector<double> xw, yw;
    weights(width, out_w, xi, xw);
    weights(height, out_h, yi, yw);
    // Horizontal pass (rows of the source) in float64, then vertical, one rounding at the end.
    std::vector<double> tmp(static_cast<size_t>(height * out_w * 3));
    for (int64_t y = 0; y < height; y++) {
        const uint8_t *row = rgb + y * row_stride;
        for (int64_t x = 0; x < out_w; x++)
            for (int ch = 0; ch < 3; ch++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += xw[static_cast<size_t>(x * 4 + k)] * row[xi[static_cast<size_t>(x * 4 + k)] * 3 + ch];
                tmp[static_cast<size_t>((y * out_w + x) * 3 + ch)] = s;
            }
    }
    at::Tensor out = at::empty({out_h, out_w, 3}, at::TensorOptions().dtype(at::kByte));
    uint8_t *o = out.data_ptr<uint8_t>();
    for (int64_t y = 0; y < out_h; y++)
        for (int64_t x = 0; x < out_w; x++)
            for (int ch = 0; ch < 3; ch++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += yw[static_cast<size_t>(y * 4 + k)] * tmp[static_cast<size_t>((yi[static_cast<size_t>(y * 4 + k)] * out_w + x) * 3 + ch)];
                o[(y * out_w + x) * 3 + ch] = static_cast<uint8_t>(std::clamp(std::nearbyint(s), 0.0, 255.0));
            }
    return out;
}

at::Tensor normalize(const Model &m, const at::Tensor &rgb) {
    const at::Tensor mean = at::tensor({0.485, 0.456, 0.406}, at::TensorOptions().dtype(at::kDouble)).view({1, 3, 1, 1});
    const at::Tensor std = at::tensor({0.229, 0.224, 0.225}, at::TensorOptions().dtype(at::kDouble)).view({1, 3, 1, 1});
    const at::Tensor x = rgb.permute({2, 0, 1}).unsqueeze(0).to(at::kDouble) / 255.0;
    return ((x - mean) / std).to(at::kFloat).contiguous().to(m.options.device());
}

at::Tensor id_embedding(const Model &m, const at::Tensor &label_ids) {
    if (!label_ids.device().is_cpu()) {
        const at::Tensor one_hot = (label_ids == at::arange(0, kMaxObjects + 1, label_ids.options()).view({1, -1, 1, 1})).to(at::kFloat);
        const at::Tensor e = m.patch_wise_id_bank(one_hot); // [1, 256, h, w] on the 1/16 grid
        return m.id_norm.last_dim(e.view({kEmbedDim, -1}).t()).contiguous();
    }
    // The convolution of a one-hot mask is a sum of kernel columns: for each output position,
    // the column of each window pixel's id (289 gathers of 256 values instead of 11 x 289 MACs).
    const at::Tensor in_range = (label_ids >= 0) & (label_ids <= kMaxObjects);
    const at::Tensor ids = (label_ids * in_range).squeeze(0).squeeze(0).to(at::kByte).contiguous();
    const int64_t H = ids.size(0), W = ids.size(1), K = 17, S = 16, P = 8;
    const int64_t h = (H + 2 * P - K) / S + 1, w = (W + 2 * P - K) / S + 1;
    at::Tensor out = at::empty({h * w, kEmbedDim}, at::TensorOptions().dtype(at::kFloat));
    const uint8_t *id = ids.data_ptr<uint8_t>();
    const float *cols = m.id_bank_columns.data_ptr<float>(), *bias = m.patch_wise_id_bank.bias.data_ptr<float>();
    float *o = out.data_ptr<float>();
    at::parallel_for(0, h, 1, [&](int64_t y0, int64_t y1) {
        for (int64_t y = y0; y < y1; y++)
            for (int64_t x = 0; x < w; x++) {
                float acc[kEmbedDim];
                for (int64_t c = 0; c < kEmbedDim; c++) acc[c] = bias[c];
                for (int64_t ky = 0; ky < K; ky++) {
                    const int64_t iy = y * S + ky - P;
                    if (iy < 0 || iy >= H) continue;
                    for (int64_t kx = 0; kx < K; kx++) {
                        const int64_t ix = x * S + kx - P;
                        if (ix < 0 || ix >= W) continue;
                        const float *col = cols + ((static_cast<int64_t>(id[iy * W + ix]) * K + ky) * K + kx) * kEmbedDim;
                        for (int64_t c = 0; c < kEmbedDim; c++) acc[c] += col[c];
                    }
                }
                std::copy(acc, acc + kEmbedDim, o + (y * w + x) * kEmbedDim);
            }
    });
    return m.id_norm.last_dim(out).contiguous();
}

at::Tensor decode(const Model &m, const at::Tensor &emb, const std::vector<at::Tensor> &enc, int64_t h, int64_t w) {
    const Decoder &d = m.decoder;
    at::Tensor x = emb.t().contiguous().view({1, emb.size(1), h, w});
    x = at::relu(d.gn_in(d.conv_in(x)));
    x = at::relu(d.gn_16x(d.conv_16x(d.adapter_16x(enc[2]) + x)));
    x = at::upsample_bilinear2d(x, {enc[1].size(2), enc[1].size(3)}, true);
    x = at::relu(d.gn_8x(d.conv_8x(d.adapter_8x(enc[1]) + x)));
    x = at::upsample_bilinear2d(x, {enc[0].size(2), enc[0].size(3)}, true);
    x = at::relu(d.gn_4x(d.conv_4x(d.adapter_4x(enc[0]) + x)));
    return d.conv_out(x);
}

} // namespace inp::deaot
