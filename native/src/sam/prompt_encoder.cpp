// modeling/prompt_encoder.py: PromptEncoder and PositionEmbeddingRandom.
#include <ATen/ops/cat.h>
#include <ATen/ops/cos.h>
#include <ATen/ops/full.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/sin.h>
#include <ATen/ops/stack.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <cmath>

#include "sam/sam.h"

namespace inp::sam {

at::Tensor PromptEncoder::encode(const at::Tensor &coords01) const {
    const at::Tensor c = 2 * coords01.to(gaussian.scalar_type()) - 1;
    // c @ gaussian with K = 2, as two element-wise products: a GEMM call for K = 2 made the
    // rounding depend on MKL's run-time kernel choice (seen as 1.5e-4 swings in dense_pe when
    // the machine was busy); this form rounds the same way every time and stays within one
    // ulp of upstream's float32 matmul.
    const at::Tensor proj = (c.select(-1, 0).unsqueeze(-1) * gaussian[0] + c.select(-1, 1).unsqueeze(-1) * gaussian[1]) * (2 * M_PI);
    return at::cat({at::sin(proj), at::cos(proj)}, -1);
}

at::Tensor PromptEncoder::dense_pe() const {
    // Cell centres ((j + 0.5) / 64, (i + 0.5) / 64) as (x, y), laid out CHW.
    const auto opts = gaussian.options();
    const at::Tensor centres = (at::arange(kEmbedSize, opts) + 0.5) / kEmbedSize;
    const at::Tensor y = centres.view({-1, 1}).expand({kEmbedSize, kEmbedSize});
    const at::Tensor x = centres.view({1, -1}).expand({kEmbedSize, kEmbedSize});
    return encode(at::stack({x, y}, -1)).permute({2, 0, 1}).unsqueeze(0);
}

std::pair<at::Tensor, at::Tensor> PromptEncoder::forward(const at::Tensor &points, const at::Tensor &labels, const at::Tensor &boxes,
                                                         const at::Tensor &masks, int64_t batch) const {
    std::vector<at::Tensor> sparse;
    if (points.defined()) {
        at::Tensor p = points + 0.5; // pixel centres
        at::Tensor l = labels.to(at::kLong);
        if (!boxes.defined()) { // one padding point (0, 0), label -1, after the shift
            p = at::cat({p, at::zeros({p.size(0), 1, 2}, p.options())}, 1);
            l = at::cat({l, at::full({l.size(0), 1}, -1, l.options())}, 1);
        }
        at::Tensor e = encode(p / static_cast<double>(kImageSize));
        const at::Tensor lab = l.unsqueeze(-1);
        e = at::where(lab == -1, at::zeros_like(e), e);
        e = e + at::where(lab == -1, not_a_point, at::zeros_like(not_a_point));
        e = e + at::where(lab == 0, point_embed[0], at::zeros_like(point_embed[0]));
        e = e + at::where(lab == 1, point_embed[1], at::zeros_like(point_embed[1]));
        sparse.push_back(e);
    }
    if (boxes.defined()) {
        const at::Tensor corners = (boxes + 0.5).reshape({-1, 2, 2});
        at::Tensor e = encode(corners / static_cast<double>(kImageSize));
        e = at::cat({e.slice(1, 0, 1) + point_embed[2], e.slice(1, 1, 2) + point_embed[3]}, 1);
        sparse.push_back(e);
    }
    at::Tensor sparse_out = sparse.empty() ? at::zeros({batch, 0, kPromptDim}, gaussian.options()) : at::cat(sparse, 1);

    at::Tensor dense;
    if (masks.defined()) {
        dense = nn::gelu(down1.channels(down0(masks)));
        dense = nn::gelu(down4.channels(down3(dense)));
        dense = down6(dense);
    } else {
        dense = no_mask.reshape({1, -1, 1, 1}).expand({batch, -1, kEmbedSize, kEmbedSize});
    }
    return {sparse_out, dense};
}

} // namespace inp::sam
