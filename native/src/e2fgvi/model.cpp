// Loading, the encoder, the decoder and the upstream forward of one window.
#include <ATen/ops/cat.h>
#include <ATen/ops/grid_sampler_2d.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/leaky_relu.h>
#include <ATen/ops/stack.h>
#include <ATen/ops/tanh.h>
#include <ATen/ops/upsample_bilinear2d.h>

#include <algorithm>
#include <set>
#include <vector>

#include "e2fgvi/e2fgvi.h"
#include "runtime/error.h"
#include "runtime/weights.h"

namespace inp::e2fgvi {
namespace {
at::Tensor lrelu(at::Tensor x, double slope) { return at::leaky_relu_(x, slope); } // in place on a fresh result
} // namespace
namespace {

int64_t count_blocks(const Checkpoint &ck) {
    std::set<int64_t> seen;
    const std::string p = "transformer.";
    for (const auto &t : ck.tensors().items()) {
        if (t.name.rfind(p, 0) != 0) continue;
        const size_t dot = t.name.find('.', p.size());
        if (dot == std::string::npos) continue;
        const std::string n = t.name.substr(p.size(), dot - p.size());
        if (n.empty() || !std::all_of(n.begin(), n.end(), ::isdigit) || n.size() > 6) continue;
        seen.insert(std::stoll(n));
    }
    if (seen.empty()) return 0;
    const int64_t n = *seen.rbegin() + 1;
    if (static_cast<int64_t>(seen.size()) != n)
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + ": transformer blocks are not numbered 0.." + std::to_string(n - 1));
    return n;
}

nn::Conv2d grouped(Weights &w, const std::string &key, int64_t in, int64_t out, int64_t groups, int64_t stride) {
    nn::Conv2d c = nn::conv2d(w, key, in / groups, out, 3, stride, 1, true);
    c.groups = groups;
    return c;
}

} // namespace

std::unique_ptr<Model> load(const Checkpoint &ck, at::TensorOptions options) {
    if (ck.model().family != INP_MODEL_E2FGVI)
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + " is not an E2FGVI model (detected: " + ck.model().variant + ")");
    Weights w(ck, options);
    auto m = std::make_unique<Model>();
    m->variant = ck.model().variant;
    m->options = options;
    m->hq = w.has("sc.bias_conv.weight");

    // Encoder: (in, out, groups, stride) of the nine convs at ModuleList indices 0, 2, ..., 16.
    constexpr int64_t enc[9][4] = {{3, 64, 1, 2},    {64, 64, 1, 1},   {64, 128, 1, 2},  {128, 256, 1, 1}, {256, 384, 1, 1},
                                   {640, 512, 2, 1}, {768, 384, 4, 1}, {640, 256, 8, 1}, {512, 128, 1, 1}};
    for (int i = 0; i < 9; i++) m->encoder[i] = grouped(w, "encoder.layers." + std::to_string(2 * i), enc[i][0], enc[i][1], enc[i][2], enc[i][3]);
    m->decoder = {nn::conv2d(w, "decoder.0.conv", 128, 128, 3, 1, 1, true), nn::conv2d(w, "decoder.2", 128, 64, 3, 1, 1, true),
                  nn::conv2d(w, "decoder.4.conv", 64, 64, 3, 1, 1, true), nn::conv2d(w, "decoder.6", 64, 3, 3, 1, 1, true)};

    const int64_t C = kChannels;
    const std::array<std::string, 2> branch = {"backward_", "forward_"};
    for (int b = 0; b < 2; b++) {
        DeformAlign &d = m->feat_prop.deform_align[b];
        const std::string p = "feat_prop_module.deform_align." + branch[b];
        d.conv_offset = {nn::conv2d(w, p + ".conv_offset.0", 3 * C + 4, C, 3, 1, 1, true), nn::conv2d(w, p + ".conv_offset.2", C, C, 3, 1, 1, true),
                         nn::conv2d(w, p + ".conv_offset.4", C, C, 3, 1, 1, true), nn::conv2d(w, p + ".conv_offset.6", C, 27 * 16, 3, 1, 1, true)};
        w.set_dtype(at::kFloat); // the deformable conv runs in float32 (see Model::options)
        d.weight = w.take(p + ".weight", {C, 2 * C, 3, 3});
        d.bias = w.take(p + ".bias", {C});
        w.set_dtype(options.dtype().toScalarType());
        const std::string q = "feat_prop_module.backbone." + branch[b];
        m->feat_prop.backbone[b] = {nn::conv2d(w, q + ".0", (2 + b) * C, C, 3, 1, 1, true), nn::conv2d(w, q + ".2", C, C, 3, 1, 1, true)};
    }
    m->feat_prop.fusion = nn::conv2d(w, "feat_prop_module.fusion", 2 * C, C, 1, 1, 0, true);

    m->ss_embedding = nn::linear(w, "ss.embedding", 49 * C, kHidden);
    m->sc_embedding = nn::linear(w, "sc.embedding", kHidden, 49 * C);
    if (m->hq) m->sc_bias_conv = nn::conv2d(w, "sc.bias_conv", C, C, 3, 1, 1, true);
    else m->sc_bias = w.take("sc.bias", {C, kFixedH / 4, kFixedW / 4});

    const int64_t n = count_blocks(ck);
    if (n == 0) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(ck.path()) + " has no transformer.0 block");
    for (int64_t i = 0; i < n; i++) {
        const std::string p = "transformer." + std::to_string(i) + ".";
        FocalBlock B;
        B.pool = nn::linear(w, p + "pool_layers.0", 45, 1);
        B.norm1 = nn::norm(w, p + "norm1", kHidden, 1e-5);
        B.norm2 = nn::norm(w, p + "norm2", kHidden, 1e-5);
        w.set_dtype(at::kLong); // a structural index list, kept as integers
        B.valid_ind_rolled = w.take(p + "attn.valid_ind_rolled", {120});
        w.set_dtype(options.dtype().toScalarType());
        B.qkv = nn::linear(w, p + "attn.qkv", kHidden, 3 * kHidden);
        B.proj = nn::linear(w, p + "attn.proj", kHidden, kHidden);
        B.fc1 = nn::linear(w, p + "mlp.conv1.0", kHidden, 1960);
        B.fc2 = nn::linear(w, p + "mlp.conv2.1", 1960, kHidden);
        m->blocks.push_back(std::move(B));
    }

    SpyNet &s = m->spynet;
    w.set_dtype(at::kFloat);
    s.mean = w.take("update_spynet.mean", {1, 3, 1, 1});
    s.std = w.take("update_spynet.std", {1, 3, 1, 1});
    constexpr int64_t spy[5][2] = {{8, 32}, {32, 64}, {64, 32}, {32, 16}, {16, 2}};
    for (int l = 0; l < 6; l++)
        for (int j = 0; j < 5; j++)
            s.levels[l][j] = nn::conv2d(w, "update_spynet.basic_module." + std::to_string(l) + ".basic_module." + std::to_string(j) + ".conv",
                                        spy[j][0], spy[j][1], 7, 1, 3, true);
    w.finish();
    return m;
}

void check_input_size(const Model &m, int64_t h, int64_t w) {
    if (m.hq) {
        if (h <= 0 || w <= 0 || h % kModH != 0 || w % kModW != 0)
            fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI-HQ input must be padded to multiples of 60 x 108 (height x width), got " + std::to_string(h) +
                                               " x " + std::to_string(w));
    } else if (h != kFixedH || w != kFixedW) {
        fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI (not HQ) runs at 432x240 only, got " + std::to_string(w) + "x" + std::to_string(h) +
                                           "; resize the frames, or use E2FGVI-HQ for other sizes");
    }
}

at::Tensor flow_warp(const at::Tensor &x, const at::Tensor &flow, bool border) {
    const int64_t h = x.size(2), w = x.size(3);
    const auto opt = flow.options();
    // grid + flow, then 2 * g / max(size - 1, 1) - 1, in the dtype of the flow as upstream.
    const at::Tensor gx = (at::arange(w, opt).view({1, 1, w}) + flow.select(1, 0)) * 2.0 / static_cast<double>(std::max<int64_t>(w - 1, 1)) - 1.0;
    const at::Tensor gy = (at::arange(h, opt).view({1, h, 1}) + flow.select(1, 1)) * 2.0 / static_cast<double>(std::max<int64_t>(h - 1, 1)) - 1.0;
    const at::Tensor grid = at::stack({gx, gy}, 3);
    return at::grid_sampler_2d(x, grid, /*bilinear*/ 0, border ? 1 : 0, /*align_corners*/ true);
}

at::Tensor flow_frames(const at::Tensor &frames) {
    const at::Tensor x = (frames + 1) / 2;
    return at::upsample_bilinear2d(x, {frames.size(2) / 4, frames.size(3) / 4}, true);
}

// Frames per encoder or decoder call: their first activations are 20-40x the input (a decoder
// batch of 11 frames at 864x480 would need 2.4 GB at once), so both run a few frames at a time.
constexpr int64_t kFrameChunk = 2;

static at::Tensor encode_chunk(const Model &m, const at::Tensor &frames) {
    constexpr int64_t groups[5] = {1, 2, 4, 8, 1};
    at::Tensor out = frames.to(m.options), x0;
    for (int i = 0; i < 9; i++) {
        if (i == 4) x0 = out;
        if (i > 4) { // group-interleaved concatenation of x0 and the last activation
            const int64_t g = groups[i - 4], n = out.size(0), h = out.size(2), w = out.size(3);
            out = at::cat({x0.view({n, g, -1, h, w}), out.view({n, g, -1, h, w})}, 2).view({n, -1, h, w});
        }
        out = lrelu(m.encoder[i](out), 0.2);
    }
    return out;
}

at::Tensor encode(const Model &m, const at::Tensor &frames) {
    if (frames.size(0) <= kFrameChunk) return encode_chunk(m, frames);
    std::vector<at::Tensor> out;
    for (int64_t i = 0; i < frames.size(0); i += kFrameChunk) out.push_back(encode_chunk(m, frames.slice(0, i, i + kFrameChunk)));
    return at::cat(out, 0);
}

at::Tensor flow(const Model &m, const at::Tensor &ref, const at::Tensor &supp, TensorList *record, const std::string &prefix) {
    return m.spynet(ref, supp, record, prefix);
}

static at::Tensor decode_chunk(const Model &m, const at::Tensor &feat) {
    auto up = [](const at::Tensor &x) { return at::upsample_bilinear2d(x, {2 * x.size(2), 2 * x.size(3)}, true); };
    at::Tensor x = lrelu(m.decoder[0](up(feat)), 0.2);
    x = lrelu(m.decoder[1](x), 0.2);
    x = lrelu(m.decoder[2](up(x)), 0.2);
    return m.decoder[3](x);
}

at::Tensor decode(const Model &m, const at::Tensor &feat) {
    if (feat.size(0) <= kFrameChunk) return decode_chunk(m, feat);
    std::vector<at::Tensor> out;
    for (int64_t i = 0; i < feat.size(0); i += kFrameChunk) out.push_back(decode_chunk(m, feat.slice(0, i, i + kFrameChunk)));
    return at::cat(out, 0);
}

at::Tensor forward(const Model &m, const at::Tensor &masked, int64_t L, const Run &run, TensorList *record, int64_t slot) {
    const int64_t T = masked.size(0);
    check_input_size(m, masked.size(2), masked.size(3));
    if (L < 2 || L > T) fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI needs 2..T local frames, got " + std::to_string(L) + " of " + std::to_string(T));
    const at::Tensor q = flow_frames(masked.slice(0, 0, L));
    record_stage(record, "inter_flow_frames_quarter", q.unsqueeze(0));
    const at::Tensor fwd = flow(m, q.slice(0, 0, L - 1), q.slice(0, 1, L), record, "inter_spynet_pair0_");
    const at::Tensor bwd = flow(m, q.slice(0, 1, L), q.slice(0, 0, L - 1));
    record_stage(record, "inter_spynet_pair0_flow", fwd.slice(0, 0, 1));
    record_stage(record, "window0_flows_forward", fwd.unsqueeze(0));
    record_stage(record, "window0_flows_backward", bwd.unsqueeze(0));
    run.step("e2fgvi.model", 1, 4);
    const at::Tensor enc = encode(m, masked);
    if (slot >= 0 && slot < T) record_stage(record, "inter_enc_feat_slot2", enc.slice(0, slot, slot + 1));
    run.step("e2fgvi.model", 2, 4);
    const at::Tensor local = m.feat_prop(enc.slice(0, 0, L), fwd, bwd, run);
    if (slot >= 0 && slot < L) record_stage(record, "inter_feat_prop_slot2", local.slice(0, slot, slot + 1));
    run.step("e2fgvi.model", 3, 4);
    const at::Tensor out = at::tanh(hallucinate(m, local, enc.slice(0, L, T), T, run, record, slot));
    record_stage(record, "window0_pred", out);
    return out;
}

} // namespace inp::e2fgvi
