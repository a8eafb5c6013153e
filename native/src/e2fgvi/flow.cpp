// SPyNet flow estimation (flow_comp.py), the model's flow completion network.
#include <ATen/ops/avg_pool2d.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/upsample_bilinear2d.h>
#include <ATen/ops/zeros.h>

#include "e2fgvi/e2fgvi.h"

namespace inp::e2fgvi {

at::Tensor SpyNet::operator()(const at::Tensor &ref_in, const at::Tensor &supp_in, TensorList *record, const std::string &prefix) const {
    const int64_t n = ref_in.size(0), h = ref_in.size(2), w = ref_in.size(3);
    const int64_t h_up = (h % 32 == 0) ? h : 32 * (h / 32 + 1), w_up = (w % 32 == 0) ? w : 32 * (w / 32 + 1);
    // Pyramids of the inputs resized to multiples of 32, coarsest first.
    std::array<at::Tensor, 6> ref, supp;
    ref[5] = (at::upsample_bilinear2d(ref_in, {h_up, w_up}, false) - mean) / std;
    supp[5] = (at::upsample_bilinear2d(supp_in, {h_up, w_up}, false) - mean) / std;
    for (int l = 4; l >= 0; l--) {
        ref[l] = at::avg_pool2d(ref[l + 1], {2, 2}, {2, 2}, {0, 0}, false, false);
        supp[l] = at::avg_pool2d(supp[l + 1], {2, 2}, {2, 2}, {0, 0}, false, false);
    }
    at::Tensor flow = at::zeros({n, 2, h_up / 32, w_up / 32}, ref_in.options());
    for (int l = 0; l < 6; l++) {
        const at::Tensor flow_up = l == 0 ? flow : at::upsample_bilinear2d(flow, {2 * flow.size(2), 2 * flow.size(3)}, true) * 2.0;
        at::Tensor x = at::cat({ref[l], flow_warp(supp[l], flow_up, /*border*/ true), flow_up}, 1);
        if (record != nullptr) record_stage(record, prefix + "level" + std::to_string(l) + "_input", x.slice(0, 0, 1));
        for (int j = 0; j < 5; j++) {
            x = levels[l][j](x);
            if (j < 4) x = at::relu_(x);
        }
        if (record != nullptr) record_stage(record, prefix + "level" + std::to_string(l) + "_residual", x.slice(0, 0, 1));
        flow = flow_up + x;
    }
    flow = at::upsample_bilinear2d(flow, {h, w}, false);
    flow.select(1, 0).mul_(static_cast<double>(w) / static_cast<double>(w_up));
    flow.select(1, 1).mul_(static_cast<double>(h) / static_cast<double>(h_up));
    return flow;
}

} // namespace inp::e2fgvi
