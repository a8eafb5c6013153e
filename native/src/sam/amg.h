// automatic_mask_generator.py (SamAutomaticMaskGenerator) and utils/amg.py: "segment
// everything" - a grid of single-point prompts over the image and over crop layers, filtered
// by predicted IoU and stability, de-duplicated by box NMS within and across crops.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <functional>
#include <vector>

#include "sam/sam.h"

namespace inp::sam {

struct AmgParams { // upstream defaults
    int points_per_side = 32;
    int points_per_batch = 64;
    double pred_iou_thresh = 0.88;
    double stability_score_thresh = 0.95;
    double stability_score_offset = 1.0;
    double box_nms_thresh = 0.7;
    int crop_n_layers = 0;
    double crop_nms_thresh = 0.7;
    double crop_overlap_ratio = 512.0 / 1500.0;
    int crop_n_points_downscale_factor = 1;
    int64_t min_mask_region_area = 0;
};

struct AmgMask {
    at::Tensor segmentation; // [H, W] bool, full image
    int64_t bbox[4];         // x, y, w, h from the inclusive box (w = x1 - x0)
    int64_t area;
    float predicted_iou;
    float stability_score;
    double point[2];         // the prompt point, original pixels
    int64_t crop_box[4];     // x, y, w, h of the crop (exclusive box)
};

// One request of the generator to a predictor: the prompt points of one batch, in pixels of
// crop `crop_index` (which spans x0, y0, width, height of the image); `first_point` is the index
// of points[0] in that crop's point list. The answer: full-crop logits [B, 3, height, width] and
// IoU [B, 3] (float32).
struct CropRequest {
    size_t crop_index;
    int64_t x0, y0, width, height;
    size_t first_point;
    const std::vector<std::array<double, 2>> &points;
};
using CropPredictor = std::function<std::pair<at::Tensor, at::Tensor>(const CropRequest &)>;

// The generator over any predictor, in upstream's output order.
// run.step("sam.amg") after each group of prompts, counted over all crops.
std::vector<AmgMask> generate(const CropPredictor &predictor, int64_t width, int64_t height, const AmgParams &p, const Run &run,
                              TensorList *record);

// The parity fixture's model-free predictor (sam/tiny README, amg_synthetic_crop1): formula
// logits, so the generator's filtering, NMS and crop logic can be checked without a model.
std::vector<AmgMask> generate_synthetic(int64_t width, int64_t height, const AmgParams &p, const Run &run, TensorList *record);

// SAM-backed: each crop is encoded once.
// record: NULL, or receives "amg_candidates" [N, 13] float64, one row per candidate before any
// filter: crop, point index, mask token (1..3), IoU, stability, positive pixels, box x0 y0 x1 y1
// (crop frame, inclusive), near crop edge, passes IoU, passes stability.
std::vector<AmgMask> generate(const Model &m, const uint8_t *rgb, int64_t width, int64_t height, int64_t row_stride, const AmgParams &p,
                              const Run &run, TensorList *record = nullptr);

// torchvision.ops.nms semantics: keep indices by descending score (ties in input order); a box
// suppresses later ones whose IoU with it exceeds `threshold`. boxes: [N, 4] float xyxy.
std::vector<int64_t> nms(const at::Tensor &boxes, const at::Tensor &scores, double threshold);

} // namespace inp::sam
