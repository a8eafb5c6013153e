#include "sam/amg.h"

#include <ATen/ops/any.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/full.h>
#include <ATen/ops/gt.h>
#include <ATen/ops/index_select.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/tensor.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros.h>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/mask_ops.h"
#include "runtime/error.h"

namespace inp::sam {

namespace {

struct CropBox {
    int64_t x0, y0, x1, y1;
    int layer;
};

// utils/amg.py generate_crop_boxes: the full image, then 2^i x 2^i overlapping crops per layer,
// x0 outer and y0 inner.
std::vector<CropBox> crop_boxes(int64_t h, int64_t w, int n_layers, double overlap_ratio) {
    std::vector<CropBox> out{{0, 0, w, h, 0}};
    const int64_t short_side = std::min(h, w);
    for (int layer = 0; layer < n_layers; layer++) {
        const int64_t n = int64_t{1} << (layer + 1);
        const int64_t overlap = static_cast<int64_t>(overlap_ratio * static_cast<double>(short_side) * (2.0 / static_cast<double>(n)));
        auto crop_len = [&](int64_t len) { return static_cast<int64_t>(std::ceil(static_cast<double>(overlap * (n - 1) + len) / static_cast<double>(n))); };
        const int64_t cw = crop_len(w), ch = crop_len(h);
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) {
                const int64_t x0 = (cw - overlap) * i, y0 = (ch - overlap) * j;
                out.push_back({x0, y0, std::min(x0 + cw, w), std::min(y0 + ch, h), layer + 1});
            }
    }
    return out;
}

// build_point_grid: numpy.linspace(1/(2n), 1 - 1/(2n), n) in float64, x fastest.
std::vector<std::pair<double, double>> point_grid(int n) {
    const double offset = 1.0 / (2.0 * n), start = offset, stop = 1.0 - offset;
    std::vector<double> side(n);
    const double step = n > 1 ? (stop - start) / (n - 1) : 0;
    for (int i = 0; i < n; i++) side[i] = n > 1 && i == n - 1 ? stop : start + i * step;
    std::vector<std::pair<double, double>> pts;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) pts.push_back({side[x], side[y]});
    return pts;
}

// batched_mask_to_box: inclusive XYXY of each [N, H, W] bool mask; [0, 0, 0, 0] when empty.
at::Tensor mask_to_box(const at::Tensor &masks) {
    const int64_t n = masks.size(0), h = masks.size(1), w = masks.size(2);
    const at::Tensor rows = at::any(masks, 2).to(at::kCPU), cols = at::any(masks, 1).to(at::kCPU); // [N, H], [N, W], read below on the CPU
    at::Tensor out = at::zeros({n, 4}, at::TensorOptions().dtype(at::kLong));
    auto b = out.accessor<int64_t, 2>();
    const at::Tensor r = rows.contiguous(), c = cols.contiguous();
    const bool *rp = r.data_ptr<bool>(), *cp = c.data_ptr<bool>();
    for (int64_t i = 0; i < n; i++) {
        int64_t top = -1, bottom = -1, left = -1, right = -1;
        for (int64_t y = 0; y < h; y++)
            if (rp[i * h + y]) { if (top < 0) top = y; bottom = y; }
        for (int64_t x = 0; x < w; x++)
            if (cp[i * w + x]) { if (left < 0) left = x; right = x; }
        if (top >= 0) {
            b[i][0] = left;
            b[i][1] = top;
            b[i][2] = right;
            b[i][3] = bottom;
        }
    }
    return out;
}

struct Candidates { // MaskData of upstream, per crop then merged
    std::vector<at::Tensor> masks; // each [H, W] bool (crop frame, later full frame)
    std::vector<float> iou, stability;
    std::vector<std::array<double, 2>> points;
    std::vector<std::array<int64_t, 4>> boxes;
    std::vector<CropBox> crops;
};

} // namespace

std::vector<int64_t> nms(const at::Tensor &boxes, const at::Tensor &scores, double threshold) {
    const int64_t n = boxes.size(0);
    const at::Tensor bx = boxes.to(at::kFloat).contiguous(), sc = scores.to(at::kFloat).contiguous();
    const float *b = bx.data_ptr<float>(), *s = sc.data_ptr<float>();
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t c) { return s[a] > s[c]; });
    std::vector<bool> suppressed(n, false);
    std::vector<int64_t> keep;
    for (int64_t oi = 0; oi < n; oi++) {
        const int64_t i = order[oi];
        if (suppressed[i]) continue;
        keep.push_back(i);
        const float area_i = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        for (int64_t oj = oi + 1; oj < n; oj++) {
            const int64_t j = order[oj];
            if (suppressed[j]) continue;
            const float xx1 = std::max(b[4 * i], b[4 * j]), yy1 = std::max(b[4 * i + 1], b[4 * j + 1]);
            const float xx2 = std::min(b[4 * i + 2], b[4 * j + 2]), yy2 = std::min(b[4 * i + 3], b[4 * j + 3]);
            const float inter = std::max(0.0f, xx2 - xx1) * std::max(0.0f, yy2 - yy1);
            const float area_j = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
            const float iou = inter / (area_i + area_j - inter); // 0/0 = NaN: never suppresses
            if (iou > threshold) suppressed[j] = true;
        }
    }
    return keep;
}

std::vector<AmgMask> generate(const Model &m, const uint8_t *rgb, int64_t width, int64_t height, int64_t row_stride, const AmgParams &p,
                              const Run &run, TensorList *record) {
    size_t encoded_crop = SIZE_MAX;
    Embedding e;
    const CropPredictor sam = [&](const CropRequest &q) {
        if (q.crop_index != encoded_crop) { // crops come in order: one embedding at a time
            e = set_image(m, rgb + q.y0 * row_stride + q.x0 * 3, q.width, q.height, row_stride, run, nullptr);
            encoded_crop = q.crop_index;
        }
        const int64_t B = static_cast<int64_t>(q.points.size());
        at::Tensor pts = at::empty({B, 1, 2}, at::TensorOptions().dtype(at::kFloat));
        for (int64_t k = 0; k < B; k++) {
            pts[k][0][0] = static_cast<float>(q.points[k][0]);
            pts[k][0][1] = static_cast<float>(q.points[k][1]);
        }
        Prompt prompt;
        prompt.points = pts;
        prompt.labels = at::ones({B, 1}, at::TensorOptions().dtype(at::kInt));
        prompt.multimask = true;
        const Prediction pr = predict(m, e, prompt, nullptr);
        return std::make_pair(pr.mask_logits, pr.iou);
    };
    return generate(sam, width, height, p, run, record);
}

std::vector<AmgMask> generate_synthetic(int64_t width, int64_t height, const AmgParams &p, const Run &run, TensorList *record) {
    const CropPredictor formula = [](const CropRequest &q) {
        const int64_t B = static_cast<int64_t>(q.points.size()), h = q.height, w = q.width;
        at::Tensor logits = at::empty({B, 3, h, w}, at::TensorOptions().dtype(at::kFloat));
        at::Tensor iou = at::empty({B, 3}, at::TensorOptions().dtype(at::kFloat));
        float *lp = logits.data_ptr<float>(), *ip = iou.data_ptr<float>();
        const double c = static_cast<double>(q.crop_index);
        for (int64_t b = 0; b < B; b++) {
            const double i = static_cast<double>(q.first_point + static_cast<size_t>(b));
            const double px = q.points[b][0], py = q.points[b][1];
            for (int k = 1; k <= 3; k++) {
                const double r2 = (k == 1 ? 2704.3 : k == 2 ? 3364.3 : 12100.3) +
                                  37.0 * static_cast<double>((static_cast<int64_t>(i) + 2 * static_cast<int64_t>(c)) % 5);
                const double center = k == 1 ? 40.0 : k == 3 ? 60.0 : 9.0 + 6.0 * static_cast<double>((static_cast<int64_t>(i) + static_cast<int64_t>(c)) % 3);
                const double s = (2.0 * std::floor(r2 / center * 16.0) + 1.0) / 32.0;
                float *plane = lp + (b * 3 + (k - 1)) * h * w;
                for (int64_t y = 0; y < h; y++)
                    for (int64_t x = 0; x < w; x++) {
                        const double dx = static_cast<double>(x) - px, dy = static_cast<double>(y) - py;
                        plane[y * w + x] = static_cast<float>((r2 - (dx * dx + dy * dy)) / s);
                    }
                const double v = 0.37 * i + 0.23 * k + 0.11 * c + 0.05;
                ip[b * 3 + (k - 1)] = static_cast<float>(0.5 + 0.45 * (v - std::floor(v)));
            }
        }
        return std::make_pair(logits, iou);
    };
    return generate(formula, width, height, p, run, record);
}

std::vector<AmgMask> generate(const CropPredictor &predictor, int64_t width, int64_t height, const AmgParams &p, const Run &run,
                              TensorList *record) {
    if (p.points_per_side < 1 || p.points_per_batch < 1 || p.crop_n_layers < 0 || p.crop_n_points_downscale_factor < 1)
        fail(INP_ERR_INVALID_ARGUMENT, "automatic mask generation: points_per_side, points_per_batch and crop_n_points_downscale_factor must be >= 1, crop_n_layers >= 0");
    const std::vector<CropBox> crops = crop_boxes(height, width, p.crop_n_layers, p.crop_overlap_ratio);
    Candidates all;
    std::vector<double> candidate_rows; // for `record`
    // points_per_batch only bounds memory in upstream; results do not depend on it, so
    // prompts go through in small groups whose buffers stay under glibc's mmap threshold
    // and are reused instead of faulted in afresh.
    const size_t group = static_cast<size_t>(std::min(p.points_per_batch, 4));
    auto points_per_side = [&](const CropBox &crop) {
        return static_cast<int>(p.points_per_side / std::pow(p.crop_n_points_downscale_factor, crop.layer));
    };
    int64_t groups_total = 0, groups_done = 0;
    for (const CropBox &crop : crops) {
        const size_t n = static_cast<size_t>(points_per_side(crop)) * static_cast<size_t>(points_per_side(crop));
        groups_total += static_cast<int64_t>((n + group - 1) / group);
    }
    for (size_t crop_index = 0; crop_index < crops.size(); crop_index++) {
        const CropBox &crop = crops[crop_index];
        const int64_t cw = crop.x1 - crop.x0, ch = crop.y1 - crop.y0;
        const auto grid = point_grid(points_per_side(crop));
        Candidates c;
        for (size_t start = 0; start < grid.size(); start += group) {
            const size_t end = std::min(grid.size(), start + group);
            const int64_t B = static_cast<int64_t>(end - start);
            std::vector<std::array<double, 2>> batch_points;
            for (size_t k = start; k < end; k++)
                batch_points.push_back({grid[k].first * static_cast<double>(cw), grid[k].second * static_cast<double>(ch)});
            const auto [mask_logits, pred_iou] = predictor(CropRequest{crop_index, crop.x0, crop.y0, cw, ch, start, batch_points});
            const int64_t C = pred_iou.size(1);
            const at::Tensor logits = mask_logits.reshape({B * C, ch, cw});
            const at::Tensor iou = pred_iou.reshape({-1}).to(at::kFloat).contiguous();
            // calculate_stability_score: count(logit > offset) / count(logit > -offset).
            const at::Tensor inter = logits.gt(p.stability_score_offset).sum({1, 2}).to(at::kInt);
            const at::Tensor uni = logits.gt(-p.stability_score_offset).sum({1, 2}).to(at::kInt);
            const at::Tensor stab = (inter.to(at::kFloat) / uni.to(at::kFloat)).contiguous();
            const at::Tensor binary = logits.gt(0);
            const at::Tensor boxes = mask_to_box(binary);
            const at::Tensor positive = binary.sum({1, 2}).contiguous();
            for (int64_t i = 0; i < B * C; i++) {
                const float s_iou = iou[i].item<float>(), s_stab = stab[i].item<float>();
                std::array<int64_t, 4> box{boxes[i][0].item<int64_t>(), boxes[i][1].item<int64_t>(), boxes[i][2].item<int64_t>(), boxes[i][3].item<int64_t>()};
                // is_box_near_crop_edge: a side within 20 px of a crop side that is not an image side.
                const int64_t ub[4] = {box[0] + crop.x0, box[1] + crop.y0, box[2] + crop.x0, box[3] + crop.y0};
                const int64_t cb[4] = {crop.x0, crop.y0, crop.x1, crop.y1}, ib[4] = {0, 0, width, height};
                bool near = false;
                for (int k = 0; k < 4; k++) near = near || (std::llabs(ub[k] - cb[k]) <= 20 && std::llabs(ub[k] - ib[k]) > 20);
                const bool pass_iou = !(p.pred_iou_thresh > 0) || s_iou > p.pred_iou_thresh;
                const bool pass_stab = !(p.stability_score_thresh > 0) || s_stab >= p.stability_score_thresh;
                if (record != nullptr) {
                    const double row[13] = {static_cast<double>(crop_index), static_cast<double>(start + i / C), static_cast<double>(1 + i % C), s_iou, s_stab,
                                            static_cast<double>(positive[i].item<int64_t>()), static_cast<double>(box[0]), static_cast<double>(box[1]),
                                            static_cast<double>(box[2]), static_cast<double>(box[3]), near ? 1.0 : 0.0, pass_iou ? 1.0 : 0.0,
                                            pass_iou && pass_stab ? 1.0 : 0.0}; // upstream scores stability after the IoU filter
                    candidate_rows.insert(candidate_rows.end(), row, row + 13);
                }
                if (!pass_iou || !pass_stab || near) continue;
                c.masks.push_back(binary[i]);
                c.iou.push_back(s_iou);
                c.stability.push_back(s_stab);
                c.points.push_back(batch_points[static_cast<size_t>(i / C)]);
                c.boxes.push_back(box);
            }
            run.step("sam.amg", ++groups_done, groups_total);
        }
        // NMS within the crop (crop-frame boxes, scored by predicted IoU).
        std::vector<int64_t> keep;
        if (!c.masks.empty()) {
            at::Tensor bx = at::empty({static_cast<int64_t>(c.boxes.size()), 4}, at::TensorOptions().dtype(at::kFloat));
            for (size_t i = 0; i < c.boxes.size(); i++)
                for (int k = 0; k < 4; k++) bx[i][k] = static_cast<float>(c.boxes[i][k]);
            keep = nms(bx, at::tensor(c.iou), p.box_nms_thresh);
        }
        for (int64_t i : keep) {
            at::Tensor mask = c.masks[i];
            if (cw != width || ch != height) mask = at::constant_pad_nd(mask, {crop.x0, width - crop.x1, crop.y0, height - crop.y1}, 0);
            all.masks.push_back(mask);
            all.iou.push_back(c.iou[i]);
            all.stability.push_back(c.stability[i]);
            all.points.push_back({c.points[i][0] + crop.x0, c.points[i][1] + crop.y0});
            all.boxes.push_back({c.boxes[i][0] + crop.x0, c.boxes[i][1] + crop.y0, c.boxes[i][2] + crop.x0, c.boxes[i][3] + crop.y0});
            all.crops.push_back(crop);
        }
    }
    if (record != nullptr) {
        const int64_t rows = static_cast<int64_t>(candidate_rows.size() / 13);
        record_stage(record, "amg_candidates", at::tensor(candidate_rows, at::TensorOptions().dtype(at::kDouble)).view({rows, 13}));
    }
    std::vector<int64_t> order(all.masks.size());
    std::iota(order.begin(), order.end(), 0);
    if (crops.size() > 1 && !order.empty()) {
        // Across crops, smaller crops win: score 1 / crop area (float32).
        const int64_t n = static_cast<int64_t>(all.masks.size());
        at::Tensor bx = at::empty({n, 4}, at::TensorOptions().dtype(at::kFloat)), sc = at::empty({n}, at::TensorOptions().dtype(at::kFloat));
        for (int64_t i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) bx[i][k] = static_cast<float>(all.boxes[i][k]);
            const CropBox &cb = all.crops[i];
            sc[i] = 1.0f / static_cast<float>((cb.x1 - cb.x0) * (cb.y1 - cb.y0));
        }
        order = nms(bx, sc, p.crop_nms_thresh);
    }
    if (p.min_mask_region_area > 0 && !order.empty()) {
        // postprocess_small_regions: fill small holes, drop small islands; masks that needed it
        // score 0 and unchanged ones 1 in a last NMS, so it prefers masks that were clean.
        std::vector<int64_t> kept = order;
        const int64_t n = static_cast<int64_t>(kept.size());
        at::Tensor bx = at::empty({n, 4}, at::TensorOptions().dtype(at::kFloat)), sc = at::empty({n}, at::TensorOptions().dtype(at::kFloat));
        std::vector<at::Tensor> cleaned;
        for (int64_t k = 0; k < n; k++) {
            bool holes_changed = false, islands_changed = false;
            at::Tensor mask = ops::remove_small_regions(all.masks[kept[k]], p.min_mask_region_area, true, &holes_changed);
            mask = ops::remove_small_regions(mask, p.min_mask_region_area, false, &islands_changed);
            cleaned.push_back(mask);
            const at::Tensor box = mask_to_box(mask.unsqueeze(0));
            for (int j = 0; j < 4; j++) bx[k][j] = static_cast<float>(box[0][j].item<int64_t>());
            sc[k] = holes_changed || islands_changed ? 0.0f : 1.0f;
        }
        std::vector<int64_t> keep = nms(bx, sc, std::max(p.box_nms_thresh, p.crop_nms_thresh));
        order.clear();
        for (int64_t k : keep) {
            const int64_t i = kept[k];
            if (sc[k].item<float>() == 0.0f) { // only changed masks get new pixels and boxes
                all.masks[i] = cleaned[k];
                for (int j = 0; j < 4; j++) all.boxes[i][j] = static_cast<int64_t>(bx[k][j].item<float>());
            }
            order.push_back(i);
        }
    }
    std::vector<AmgMask> out;
    for (int64_t i : order) {
        AmgMask a;
        a.segmentation = all.masks[i];
        const auto &b = all.boxes[i];
        a.bbox[0] = b[0];
        a.bbox[1] = b[1];
        a.bbox[2] = b[2] - b[0];
        a.bbox[3] = b[3] - b[1];
        a.area = a.segmentation.sum().item<int64_t>();
        a.predicted_iou = all.iou[i];
        a.stability_score = all.stability[i];
        a.point[0] = all.points[i][0];
        a.point[1] = all.points[i][1];
        const CropBox &cb = all.crops[i];
        a.crop_box[0] = cb.x0;
        a.crop_box[1] = cb.y0;
        a.crop_box[2] = cb.x1 - cb.x0;
        a.crop_box[3] = cb.y1 - cb.y0;
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace inp::sam
