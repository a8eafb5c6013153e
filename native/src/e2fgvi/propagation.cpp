// Flow-guided feature propagation (feat_prop.py BidirectionalPropagation) with second-order
// deformable alignment over the ops/deform_conv.h kernel.
#include <ATen/ops/cat.h>
#include <ATen/ops/leaky_relu.h>
#include <ATen/ops/sigmoid.h>
#include <ATen/ops/tanh.h>
#include <ATen/ops/zeros_like.h>

#include <algorithm>

#include "e2fgvi/e2fgvi.h"
#include "ops/deform_conv.h"

namespace inp::e2fgvi {
namespace {
at::Tensor lrelu(at::Tensor x, double slope) { return at::leaky_relu_(x, slope); } // in place on a fresh result
} // namespace

at::Tensor DeformAlign::operator()(const at::Tensor &x, const at::Tensor &extra, const at::Tensor &flow_1, const at::Tensor &flow_2) const {
    const auto dt = x.scalar_type();
    at::Tensor out = at::cat({extra, flow_1.to(dt), flow_2.to(dt)}, 1);
    for (int i = 0; i < 4; i++) {
        out = conv_offset[i](out);
        if (i < 3) out = lrelu(out, 0.1);
    }
    const auto parts = out.chunk(3, 1); // o1, o2, mask
    const at::Tensor offset = at::tanh(at::cat({parts[0], parts[1]}, 1).to(at::kFloat)) * 10.0;
    const auto halves = offset.chunk(2, 1);
    const int64_t reps = halves[0].size(1) / 2;
    // flip turns the flow's (x, y) into mmcv's (dy, dx) order.
    const at::Tensor off = at::cat({halves[0] + flow_1.flip({1}).repeat({1, reps, 1, 1}), halves[1] + flow_2.flip({1}).repeat({1, reps, 1, 1})}, 1);
    return ops::modulated_deform_conv2d(x.to(at::kFloat), off, at::sigmoid(parts[2].to(at::kFloat)), weight, bias, 1, 1, 1, 1, 1, 1, 1, 16).to(dt);
}

namespace {
// Warping in float32 whatever the features' dtype: positions need float32's precision.
at::Tensor warp(const at::Tensor &x, const at::Tensor &flow) { return flow_warp(x.to(at::kFloat), flow, false).to(x.scalar_type()); }
} // namespace

at::Tensor Propagation::operator()(const at::Tensor &x, const at::Tensor &flows_forward, const at::Tensor &flows_backward, const Run &run) const {
    const int64_t L = x.size(0);
    std::array<std::vector<at::Tensor>, 2> feats; // per branch, in frame order once done
    for (int b = 0; b < 2; b++) {
        // The model hands its forward flows to the backward branch and vice versa (upstream
        // #43/#80), and both branches take flows[i - 1] at step i, whatever the direction
        // (upstream #58, kept for reproducibility).
        const at::Tensor &flows = b == 0 ? flows_forward : flows_backward;
        std::vector<at::Tensor> seq;
        at::Tensor prop = at::zeros_like(x.slice(0, 0, 1));
        for (int64_t i = 0; i < L; i++) {
            const int64_t idx = b == 0 ? L - 1 - i : i;
            const at::Tensor cur = x.slice(0, idx, idx + 1);
            if (i > 0) {
                const at::Tensor flow_n1 = flows.slice(0, i - 1, i);
                const at::Tensor cond_n1 = warp(prop, flow_n1);
                at::Tensor feat_n2 = at::zeros_like(prop), flow_n2 = at::zeros_like(flow_n1), cond_n2 = at::zeros_like(cond_n1);
                if (i > 1) {
                    feat_n2 = seq[i - 2];
                    flow_n2 = flow_n1 + flow_warp(flows.slice(0, i - 2, i - 1), flow_n1, false);
                    cond_n2 = warp(feat_n2, flow_n2);
                }
                prop = deform_align[b](at::cat({prop, feat_n2}, 1), at::cat({cond_n1, cur, cond_n2}, 1), flow_n1, flow_n2);
            }
            const at::Tensor in = b == 0 ? at::cat({cur, prop}, 1) : at::cat({cur, feats[0][idx], prop}, 1);
            prop = prop + backbone[b][1](lrelu(backbone[b][0](in), 0.1));
            seq.push_back(prop);
            run.step("e2fgvi.propagation", b * L + i + 1, 2 * L);
        }
        if (b == 0) std::reverse(seq.begin(), seq.end());
        feats[b] = std::move(seq);
    }
    return fusion(at::cat({at::cat(feats[0], 0), at::cat(feats[1], 0)}, 1)) + x;
}

} // namespace inp::e2fgvi
