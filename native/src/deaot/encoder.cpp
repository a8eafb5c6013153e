// networks/encoders/mobilenetv2.py (output stride 16) and resnet.py (ResNet-50, layer1..3),
// with FrozenBatchNorm2d folded into the convolution before it.
#include <ATen/ops/conv2d.h>
#include <ATen/ops/hardtanh.h>
#include <ATen/ops/max_pool2d.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/rsqrt.h>

#include "deaot/deaot.h"
#include "runtime/error.h"

namespace inp::deaot {

namespace {

constexpr double kBnEps = 1e-5;

// `conv`.weight followed by the frozen batch norm `bn` (weight, bias, running_mean, running_var),
// folded in float64: w' = w * s, b' = b - mean * s with s = gamma / sqrt(var + eps).
Conv conv_bn(Weights &w, const std::string &conv, const std::string &bn, int64_t in, int64_t out, int64_t kernel, int64_t stride,
             int64_t padding, int64_t dilation, int64_t groups) {
    const auto f64 = at::kDouble;
    const at::Tensor weight = w.take(conv + ".weight", {out, in / groups, kernel, kernel}).to(f64);
    const at::Tensor gamma = w.take(bn + ".weight", {out}).to(f64), beta = w.take(bn + ".bias", {out}).to(f64);
    const at::Tensor mean = w.take(bn + ".running_mean", {out}).to(f64), var = w.take(bn + ".running_var", {out}).to(f64);
    const at::Tensor scale = gamma * at::rsqrt(var + kBnEps);
    Conv c;
    c.weight = (weight * scale.view({-1, 1, 1, 1})).to(at::kFloat).contiguous(at::MemoryFormat::ChannelsLast);
    c.bias = (beta - mean * scale).to(at::kFloat);
    c.stride = stride;
    c.padding = padding;
    c.dilation = dilation;
    c.groups = groups;
    return c;
}

// ReLU6, in place: every input is a convolution's fresh output (another 26 MB map per layer at
// 480p otherwise, each first touch a page fault).
at::Tensor clamp6(at::Tensor x) { return at::hardtanh_(x, 0.0, 6.0); }

// MobileNetV2's inverted residual settings (t, c, n, s) and its first/last widths.
constexpr int kSettings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

void load_mobilenetv2(Weights &w, Encoder &e) {
    e.kind = Encoder::Kind::MobileNetV2;
    e.stem = conv_bn(w, "encoder.features.0.0", "encoder.features.0.1", 3, 32, 3, 2, 1, 1, 1);
    int64_t in = 32, current_stride = 2, rate = 1;
    int index = 1;
    for (const auto &s : kSettings) {
        const int64_t t = s[0], c = s[1], n = s[2], stride_setting = s[3];
        int64_t stride, dilation;
        if (current_stride == 16) { // output stride reached: dilate instead of striding
            stride = 1;
            dilation = rate;
            rate *= stride_setting;
        } else {
            stride = stride_setting;
            dilation = 1;
            current_stride *= stride_setting;
        }
        for (int64_t i = 0; i < n; i++, index++) {
            const int64_t block_stride = i == 0 ? stride : 1, block_dilation = i == 0 ? dilation : rate;
            const std::string p = "encoder.features." + std::to_string(index) + ".conv.";
            const int64_t hidden = in * t;
            Encoder::Block b;
            int part = 0;
            if (t != 1) {
                b.convs.push_back(conv_bn(w, p + "0.0", p + "0.1", in, hidden, 1, 1, 0, 1, 1));
                part = 1;
            }
            const std::string dw = p + std::to_string(part);
            b.convs.push_back(conv_bn(w, dw + ".0", dw + ".1", hidden, hidden, 3, block_stride, block_dilation, block_dilation, hidden));
            b.convs.push_back(conv_bn(w, p + std::to_string(part + 1), p + std::to_string(part + 2), hidden, c, 1, 1, 0, 1, 1));
            b.residual = block_stride == 1 && in == c;
            e.blocks.push_back(std::move(b));
            in = c;
        }
    }
    e.last = conv_bn(w, "encoder.features.18.0", "encoder.features.18.1", 320, 1280, 1, 1, 0, 1, 1);
    e.stage_ends = {3, 6, 13}; // features[0:4], [4:7], [7:14] (block i is features.i)
    e.dims = {24, 32, 96, 1280};
}

void load_resnet50(Weights &w, Encoder &e) {
    e.kind = Encoder::Kind::ResNet50;
    e.stem = conv_bn(w, "encoder.conv1", "encoder.bn1", 3, 64, 7, 2, 3, 1, 1);
    const int64_t blocks[3] = {3, 4, 6}, planes[3] = {64, 128, 256}, strides[3] = {1, 2, 2};
    int64_t in = 64;
    size_t count = 0;
    for (int l = 0; l < 3; l++) {
        for (int64_t i = 0; i < blocks[l]; i++) {
            const std::string p = "encoder.layer" + std::to_string(l + 1) + "." + std::to_string(i) + ".";
            const int64_t pl = planes[l], out = pl * 4, stride = i == 0 ? strides[l] : 1;
            Encoder::Block b;
            b.convs.push_back(conv_bn(w, p + "conv1", p + "bn1", in, pl, 1, 1, 0, 1, 1));
            b.convs.push_back(conv_bn(w, p + "conv2", p + "bn2", pl, pl, 3, stride, 1, 1, 1));
            b.convs.push_back(conv_bn(w, p + "conv3", p + "bn3", pl, out, 1, 1, 0, 1, 1));
            if (i == 0) b.downsample = conv_bn(w, p + "downsample.0", p + "downsample.1", in, out, 1, stride, 0, 1, 1);
            b.residual = true;
            e.blocks.push_back(std::move(b));
            in = out;
        }
        count += static_cast<size_t>(blocks[l]);
        e.stage_ends[static_cast<size_t>(l)] = count;
    }
    e.dims = {256, 512, 1024, 1024};
}

} // namespace

namespace {

std::vector<at::Tensor> forward_channels_last(const Encoder &e, const at::Tensor &input) {
    std::vector<at::Tensor> xs;
    at::Tensor x;
    if (e.kind == Encoder::Kind::MobileNetV2) {
        x = clamp6(e.stem(input));
        for (size_t i = 0; i < e.blocks.size(); i++) {
            const Encoder::Block &b = e.blocks[i];
            at::Tensor y = x;
            for (size_t c = 0; c < b.convs.size(); c++) {
                y = b.convs[c](y);
                if (c + 1 < b.convs.size()) y = clamp6(y);
            }
            x = b.residual ? y.add_(x) : y;
            if (i + 1 == e.stage_ends[0] || i + 1 == e.stage_ends[1] || i + 1 == e.stage_ends[2]) xs.push_back(x);
        }
        xs.push_back(clamp6(e.last(x)));
        return xs;
    }
    x = at::max_pool2d(e.stem(input).relu_(), {3, 3}, {2, 2}, {1, 1});
    for (size_t i = 0; i < e.blocks.size(); i++) {
        const Encoder::Block &b = e.blocks[i];
        at::Tensor y = x;
        for (size_t c = 0; c < b.convs.size(); c++) {
            y = b.convs[c](y);
            if (c + 1 < b.convs.size()) y.relu_();
        }
        y.add_(b.downsample.weight.defined() ? b.downsample(x) : x);
        x = y.relu_();
        if (i + 1 == e.stage_ends[0] || i + 1 == e.stage_ends[1] || i + 1 == e.stage_ends[2]) xs.push_back(x);
    }
    xs.push_back(x); // "Following STMVOS, we drop stage 5": the 16x output twice
    return xs;
}

} // namespace

// The encoder runs channels-last: oneDNN's NCHW kernels for thin layers (MobileNetV2's 3x3 stem,
// its depthwise and 1x1 convolutions of 16 to 144 channels) were 2 to 15 times slower here than
// its NHWC ones. Its outputs go back to NCHW for the rest of the model.
std::vector<at::Tensor> Encoder::forward(const at::Tensor &image) const {
    std::vector<at::Tensor> xs = forward_channels_last(*this, image.contiguous(at::MemoryFormat::ChannelsLast));
    for (at::Tensor &x : xs) x = x.contiguous();
    return xs;
}

void load_encoder(Weights &w, Encoder &e) {
    if (w.has("encoder.features.0.0.weight")) load_mobilenetv2(w, e);
    else if (w.has("encoder.conv1.weight")) load_resnet50(w, e);
    else fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(w.path()) + ": no MobileNetV2 (encoder.features.*) or ResNet-50 (encoder.conv1) encoder");
}

} // namespace inp::deaot
