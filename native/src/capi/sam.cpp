#include <ATen/ops/from_blob.h>
#include <ATen/ops/gt.h>
#include <algorithm>
#include <cmath>
#include <cstring>

#include <ATen/TensorOperators.h>

#include "capi/guard.h"
#include "capi/handles.h"
#include "runtime/checkpoint.h"
#include "runtime/device.h"
#include "runtime/error.h"
#include "runtime/image_tensor.h"
#include "runtime/tensor_list.h"
#include "sam/amg.h"
#include "sam/sam.h"

using inp::capi::guard;
using inp::capi::require;

struct inp_sam {
    std::unique_ptr<inp::sam::Model> model;
    int32_t num_threads = 0; // inp_device_params.num_threads, applied at every call
};

struct inp_sam_embedding {
    inp::sam::Embedding embedding;
};

struct inp_sam_masks {
    std::vector<inp::sam::AmgMask> masks;
};

namespace {

inp::TensorList *as_list(inp_tensors *t) { return reinterpret_cast<inp::TensorList *>(t); }

// Checks a prompt against the image it is for, with messages that name the offending value.
void validate(const inp_sam_prompt &p, const inp::sam::Embedding &e) {
    const char *fn = "inp_sam_predict";
    require(p.num_points >= 0 && p.num_boxes >= 0, fn, "num_points and num_boxes must be >= 0");
    require(p.num_points > 0 || p.num_boxes > 0 || p.mask_input != nullptr, fn, "the prompt is empty: give points, a box or a mask_input");
    require(p.num_points == 0 || (p.points != nullptr && p.point_labels != nullptr), fn, "points and point_labels must not be NULL when num_points > 0");
    require(p.num_boxes == 0 || p.boxes != nullptr, fn, "boxes must not be NULL when num_boxes > 0");
    require(p.num_boxes <= 1 || p.num_points == 0, fn, "points cannot be combined with several boxes (" + std::to_string(p.num_boxes) + ")");
    require(p.num_boxes <= 1 || p.mask_input == nullptr, fn, "mask_input cannot be combined with several boxes");
    const double w = static_cast<double>(e.orig_w), h = static_cast<double>(e.orig_h);
    auto check_xy = [&](float x, float y, const std::string &what) {
        require(std::isfinite(x) && std::isfinite(y), fn, what + " (" + std::to_string(x) + ", " + std::to_string(y) + ") is not a finite number");
        require(x >= 0 && x <= w && y >= 0 && y <= h, fn,
                what + " (" + std::to_string(x) + ", " + std::to_string(y) + ") lies outside the " + std::to_string(e.orig_w) + "x" + std::to_string(e.orig_h) + " image");
    };
    for (int32_t i = 0; i < p.num_points; i++) {
        check_xy(p.points[2 * i], p.points[2 * i + 1], "point " + std::to_string(i));
        require(p.point_labels[i] == 0 || p.point_labels[i] == 1, fn, "point " + std::to_string(i) + " has label " + std::to_string(p.point_labels[i]) + "; expected 1 (object) or 0 (background)");
    }
    for (int32_t i = 0; i < p.num_boxes; i++) {
        const float *b = p.boxes + 4 * i;
        check_xy(b[0], b[1], "box " + std::to_string(i) + " corner");
        check_xy(b[2], b[3], "box " + std::to_string(i) + " corner");
        require(b[0] <= b[2] && b[1] <= b[3], fn, "box " + std::to_string(i) + " is inverted: x0 > x1 or y0 > y1");
    }
    if (p.mask_input != nullptr)
        for (int64_t i = 0; i < inp::sam::kLowResSize * inp::sam::kLowResSize; i++)
            require(std::isfinite(p.mask_input[i]), fn, "mask_input holds a NaN or infinite value at index " + std::to_string(i));
}

inp::sam::AmgParams amg_params(const inp_sam_amg_params *params) {
    const inp_sam_amg_params q = params != nullptr ? *params : inp_sam_amg_default_params();
    inp::sam::AmgParams p;
    p.points_per_side = q.points_per_side;
    p.points_per_batch = q.points_per_batch;
    p.pred_iou_thresh = q.pred_iou_thresh;
    p.stability_score_thresh = q.stability_score_thresh;
    p.stability_score_offset = q.stability_score_offset;
    p.box_nms_thresh = q.box_nms_thresh;
    p.crop_n_layers = q.crop_n_layers;
    p.crop_n_points_downscale_factor = q.crop_n_points_downscale_factor;
    p.crop_nms_thresh = q.crop_nms_thresh;
    p.crop_overlap_ratio = q.crop_overlap_ratio;
    p.min_mask_region_area = q.min_mask_region_area;
    return p;
}

void copy_out(const at::Tensor &t, void *dst) {
    if (dst == nullptr) return;
    const at::Tensor c = t.to(at::kCPU).contiguous();
    std::memcpy(dst, c.data_ptr(), static_cast<size_t>(c.numel() * c.element_size()));
}

} // namespace

extern "C" {

inp_sam_params inp_sam_default_params(void) {
    inp_sam_params p{};
    p.device = inp_device_default_params();
    return p;
}

namespace {
std::unique_ptr<inp_sam> make_sam(const inp::Checkpoint &ck, const inp_sam_params &p) {
    inp::check_device_params(p.device);
    if (ck.model().family != INP_MODEL_SAM)
        inp::fail(INP_ERR_CHECKPOINT, "checkpoint " + inp::in_quotes(ck.path()) + " is not a SAM model (detected: " + ck.model().variant + ")");
    auto handle = std::make_unique<inp_sam>();
    handle->model = inp::sam::load(ck, at::TensorOptions().dtype(at::kFloat).device(inp::to_device(p.device)), inp::compute_dtype(p.device));
    handle->num_threads = p.device.num_threads;
    return handle;
}
} // namespace

int32_t inp_sam_init(const char *path, const inp_sam_params *params, const inp_run *run, inp_sam **ret_sam) {
    return guard([&] {
        require(path != nullptr && ret_sam != nullptr, "inp_sam_init", "path and ret_sam must not be NULL");
        const inp_sam_params p = params != nullptr ? *params : inp_sam_default_params();
        inp::check_device_params(p.device); // before minutes of loading
        const inp::Run controls(run, p.device.num_threads);
        auto ck = inp::Checkpoint::load(path, true, controls);
        *ret_sam = make_sam(*ck, p).release();
    });
}

int32_t inp_sam_init_from_checkpoint(const inp_checkpoint *ckpt, const inp_sam_params *params, inp_sam **ret_sam) {
    return guard([&] {
        require(ckpt != nullptr && ret_sam != nullptr, "inp_sam_init_from_checkpoint", "ckpt and ret_sam must not be NULL");
        const inp_sam_params p = params != nullptr ? *params : inp_sam_default_params();
        const inp::Run controls(nullptr, p.device.num_threads);
        *ret_sam = make_sam(*ckpt->impl, p).release();
    });
}

void inp_sam_free(inp_sam *sam) { delete sam; }

const char *inp_sam_variant(const inp_sam *sam) { return sam == nullptr ? "" : sam->model->variant.c_str(); }

int32_t inp_sam_set_image(const inp_sam *sam, const inp_image *image, const inp_run *run, inp_tensors *record,
                          inp_sam_embedding **ret_embedding) {
    return guard([&] {
        require(sam != nullptr && ret_embedding != nullptr, "inp_sam_set_image", "sam and ret_embedding must not be NULL");
        inp::wrap_image(image, "inp_sam_set_image", "image");
        require(image->channels == 3, "inp_sam_set_image", "image must be RGB24 (3 channels), got " + std::to_string(image->channels));
        const inp::Run controls(run, sam->num_threads);
        auto e = std::make_unique<inp_sam_embedding>();
        e->embedding = inp::sam::set_image(*sam->model, image->data, image->width, image->height, image->row_stride, controls, as_list(record));
        *ret_embedding = e.release();
    });
}

void inp_sam_embedding_free(inp_sam_embedding *embedding) { delete embedding; }

int32_t inp_sam_predict(const inp_sam *sam, const inp_sam_embedding *embedding, const inp_sam_prompt *prompt,
                        const inp_sam_outputs *outputs, inp_tensors *record) {
    return guard([&] {
        require(sam != nullptr && embedding != nullptr && prompt != nullptr && outputs != nullptr, "inp_sam_predict",
                "sam, embedding, prompt and outputs must not be NULL");
        const inp::sam::Embedding &e = embedding->embedding;
        validate(*prompt, e);
        const inp::Run controls(nullptr, sam->num_threads);
        const auto f32 = at::TensorOptions().dtype(at::kFloat);
        inp::sam::Prompt p;
        p.multimask = prompt->multimask_output;
        // The caller's arrays are wrapped, not copied; predict() reads them before returning.
        if (prompt->num_points > 0) {
            p.points = at::from_blob(const_cast<float *>(prompt->points), {1, prompt->num_points, 2}, f32);
            p.labels = at::from_blob(const_cast<int32_t *>(prompt->point_labels), {1, prompt->num_points}, at::TensorOptions().dtype(at::kInt));
        }
        if (prompt->num_boxes > 0) p.boxes = at::from_blob(const_cast<float *>(prompt->boxes), {prompt->num_boxes, 4}, f32);
        if (prompt->mask_input != nullptr)
            p.mask_input = at::from_blob(const_cast<float *>(prompt->mask_input), {1, 1, inp::sam::kLowResSize, inp::sam::kLowResSize}, f32);
        const int64_t B = std::max<int64_t>(1, prompt->num_boxes), C = prompt->multimask_output ? 3 : 1;
        const std::vector<int64_t> full = {B, C, e.orig_h, e.orig_w};
        // Full-size logits go straight into the caller's buffer when there is one.
        at::Tensor logits_out;
        if (outputs->mask_logits != nullptr && sam->model->options.device().is_cpu()) logits_out = at::from_blob(outputs->mask_logits, full, f32);
        const inp::sam::Prediction r = inp::sam::predict(*sam->model, e, p, as_list(record), logits_out);
        if (!logits_out.defined()) copy_out(r.mask_logits, outputs->mask_logits);
        copy_out(r.iou, outputs->iou_predictions);
        copy_out(r.low_res_logits, outputs->low_res_logits);
        if (outputs->masks != nullptr) {
            at::Tensor m = at::from_blob(outputs->masks, full, at::TensorOptions().dtype(at::kByte));
            m.copy_(r.mask_logits.gt(0));
            m.mul_(255);
        }
    });
}

inp_sam_amg_params inp_sam_amg_default_params(void) {
    const inp::sam::AmgParams d;
    inp_sam_amg_params p{};
    p.points_per_side = d.points_per_side;
    p.points_per_batch = d.points_per_batch;
    p.pred_iou_thresh = d.pred_iou_thresh;
    p.stability_score_thresh = d.stability_score_thresh;
    p.stability_score_offset = d.stability_score_offset;
    p.box_nms_thresh = d.box_nms_thresh;
    p.crop_n_layers = d.crop_n_layers;
    p.crop_n_points_downscale_factor = d.crop_n_points_downscale_factor;
    p.crop_nms_thresh = d.crop_nms_thresh;
    p.crop_overlap_ratio = d.crop_overlap_ratio;
    p.min_mask_region_area = d.min_mask_region_area;
    return p;
}

int32_t inp_sam_generate_synthetic(int32_t width, int32_t height, const inp_sam_amg_params *params, const inp_run *run,
                                   inp_tensors *record, inp_sam_masks **ret_masks) {
    return guard([&] {
        require(ret_masks != nullptr, "inp_sam_generate_synthetic", "ret_masks must not be NULL");
        require(width >= 1 && height >= 1, "inp_sam_generate_synthetic", "width and height must be >= 1");
        const inp::Run controls(run, 0);
        auto out = std::make_unique<inp_sam_masks>();
        out->masks = inp::sam::generate_synthetic(width, height, amg_params(params), controls, as_list(record));
        *ret_masks = out.release();
    });
}

int32_t inp_sam_generate(const inp_sam *sam, const inp_image *image, const inp_sam_amg_params *params, const inp_run *run,
                         inp_tensors *record, inp_sam_masks **ret_masks) {
    return guard([&] {
        require(sam != nullptr && ret_masks != nullptr, "inp_sam_generate", "sam and ret_masks must not be NULL");
        inp::wrap_image(image, "inp_sam_generate", "image");
        require(image->channels == 3, "inp_sam_generate", "image must be RGB24 (3 channels)");
        const inp::sam::AmgParams p = amg_params(params);
        const inp::Run controls(run, sam->num_threads);
        auto out = std::make_unique<inp_sam_masks>();
        out->masks = inp::sam::generate(*sam->model, image->data, image->width, image->height, image->row_stride, p, controls, as_list(record));
        *ret_masks = out.release();
    });
}

int32_t inp_sam_masks_count(const inp_sam_masks *masks, int64_t *ret_count) {
    return guard([&] {
        require(masks != nullptr && ret_count != nullptr, "inp_sam_masks_count", "masks and ret_count must not be NULL");
        *ret_count = static_cast<int64_t>(masks->masks.size());
    });
}

int32_t inp_sam_masks_info(const inp_sam_masks *masks, int64_t index, inp_sam_mask_info *ret_info) {
    return guard([&] {
        require(masks != nullptr && ret_info != nullptr, "inp_sam_masks_info", "masks and ret_info must not be NULL");
        require(index >= 0 && index < static_cast<int64_t>(masks->masks.size()), "inp_sam_masks_info",
                "index " + std::to_string(index) + " is out of range [0, " + std::to_string(masks->masks.size()) + ")");
        const inp::sam::AmgMask &m = masks->masks[static_cast<size_t>(index)];
        inp_sam_mask_info i{};
        for (int k = 0; k < 4; k++) {
            i.bbox[k] = m.bbox[k];
            i.crop_box[k] = m.crop_box[k];
        }
        i.area = m.area;
        i.predicted_iou = m.predicted_iou;
        i.stability_score = m.stability_score;
        i.point[0] = m.point[0];
        i.point[1] = m.point[1];
        *ret_info = i;
    });
}

int32_t inp_sam_masks_copy(const inp_sam_masks *masks, int64_t index, uint8_t *dst, size_t dst_bytes) {
    return guard([&] {
        require(masks != nullptr && dst != nullptr, "inp_sam_masks_copy", "masks and dst must not be NULL");
        require(index >= 0 && index < static_cast<int64_t>(masks->masks.size()), "inp_sam_masks_copy", "index " + std::to_string(index) + " is out of range");
        const at::Tensor &seg = masks->masks[static_cast<size_t>(index)].segmentation;
        require(dst_bytes == static_cast<size_t>(seg.numel()), "inp_sam_masks_copy",
                "the mask has " + std::to_string(seg.numel()) + " pixels, the buffer " + std::to_string(dst_bytes) + " bytes");
        at::Tensor d = at::from_blob(dst, seg.sizes(), at::TensorOptions().dtype(at::kByte));
        d.copy_(seg);
        d.mul_(255);
    });
}

void inp_sam_masks_free(inp_sam_masks *masks) { delete masks; }

} // extern "C"
