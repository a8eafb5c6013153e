/* Prints the layout of every public struct of inpainterz.h as the C compiler sees it, one
 * line each: "struct NAME SIZE ALIGN" and "field NAME FIELD OFFSET". The Java tests compare
 * this with the layouts in java/.../nativeapi, so a hand-placed offset can never drift. */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#include "inpainterz.h"

#define S(T) printf("struct %s %zu %zu\n", #T, sizeof(T), alignof(T))
#define F(T, f) printf("field %s %s %zu\n", #T, #f, offsetof(T, f))

int main(void) {
    S(inp_run);
    F(inp_run, progress); F(inp_run, user_data); F(inp_run, cancel); F(inp_run, num_threads);

    S(inp_device_params);
    F(inp_device_params, kind); F(inp_device_params, index); F(inp_device_params, dtype); F(inp_device_params, num_threads);

    S(inp_tensor_info);
    F(inp_tensor_info, name); F(inp_tensor_info, dtype); F(inp_tensor_info, ndim); F(inp_tensor_info, shape);
    F(inp_tensor_info, num_bytes); F(inp_tensor_info, is_mapped);

    S(inp_checkpoint_params);
    F(inp_checkpoint_params, use_mmap);

    S(inp_model_info);
    F(inp_model_info, family); F(inp_model_info, format); F(inp_model_info, variant); F(inp_model_info, wrapper);
    F(inp_model_info, num_tensors); F(inp_model_info, num_elements); F(inp_model_info, num_bytes);

    S(inp_image);
    F(inp_image, data); F(inp_image, width); F(inp_image, height); F(inp_image, channels); F(inp_image, row_stride);

    S(inp_video_info);
    F(inp_video_info, width); F(inp_video_info, height); F(inp_video_info, coded_width); F(inp_video_info, coded_height);
    F(inp_video_info, rotation); F(inp_video_info, sar_num); F(inp_video_info, sar_den); F(inp_video_info, bit_depth);
    F(inp_video_info, num_audio_streams); F(inp_video_info, fps); F(inp_video_info, variable_frame_rate);
    F(inp_video_info, frame_count_exact); F(inp_video_info, frame_count); F(inp_video_info, duration_s);
    F(inp_video_info, codec); F(inp_video_info, pixel_format); F(inp_video_info, container);
    F(inp_video_info, color_space); F(inp_video_info, color_range);

    S(inp_video_writer_params);
    F(inp_video_writer_params, crf); F(inp_video_writer_params, preset); F(inp_video_writer_params, fps);
    F(inp_video_writer_params, source); F(inp_video_writer_params, rotation); F(inp_video_writer_params, codec);

    S(inp_sam_params);
    F(inp_sam_params, device);

    S(inp_sam_prompt);
    F(inp_sam_prompt, points); F(inp_sam_prompt, point_labels); F(inp_sam_prompt, num_points); F(inp_sam_prompt, boxes);
    F(inp_sam_prompt, num_boxes); F(inp_sam_prompt, mask_input); F(inp_sam_prompt, multimask_output);

    S(inp_sam_outputs);
    F(inp_sam_outputs, masks); F(inp_sam_outputs, mask_logits); F(inp_sam_outputs, iou_predictions); F(inp_sam_outputs, low_res_logits);

    S(inp_sam_amg_params);
    F(inp_sam_amg_params, points_per_side); F(inp_sam_amg_params, points_per_batch); F(inp_sam_amg_params, pred_iou_thresh);
    F(inp_sam_amg_params, stability_score_thresh); F(inp_sam_amg_params, stability_score_offset); F(inp_sam_amg_params, box_nms_thresh);
    F(inp_sam_amg_params, crop_n_layers); F(inp_sam_amg_params, crop_n_points_downscale_factor); F(inp_sam_amg_params, crop_nms_thresh);
    F(inp_sam_amg_params, crop_overlap_ratio); F(inp_sam_amg_params, min_mask_region_area);

    S(inp_sam_mask_info);
    F(inp_sam_mask_info, bbox); F(inp_sam_mask_info, area); F(inp_sam_mask_info, predicted_iou); F(inp_sam_mask_info, stability_score);
    F(inp_sam_mask_info, point); F(inp_sam_mask_info, crop_box);

    S(inp_deaot_params);
    F(inp_deaot_params, device);

    S(inp_deaot_session_params);
    F(inp_deaot_session_params, long_term_gap); F(inp_deaot_session_params, memory_cap); F(inp_deaot_session_params, max_objects);
    F(inp_deaot_session_params, upstream_truncation); F(inp_deaot_session_params, max_len_long_term); F(inp_deaot_session_params, network_input);

    S(inp_deaot_info);
    F(inp_deaot_info, objects); F(inp_deaot_info, sub_engines); F(inp_deaot_info, network_width); F(inp_deaot_info, network_height);
    F(inp_deaot_info, prob_width); F(inp_deaot_info, prob_height); F(inp_deaot_info, frames); F(inp_deaot_info, long_term_frames);
    F(inp_deaot_info, memory_bytes);

    S(inp_e2fgvi_params);
    F(inp_e2fgvi_params, device);

    S(inp_e2fgvi_session_params);
    F(inp_e2fgvi_session_params, neighbor_stride); F(inp_e2fgvi_session_params, ref_stride); F(inp_e2fgvi_session_params, ref_radius);
    F(inp_e2fgvi_session_params, dilation); F(inp_e2fgvi_session_params, reuse);

    S(inp_e2fgvi_info);
    F(inp_e2fgvi_info, frames_in); F(inp_e2fgvi_info, frames_out); F(inp_e2fgvi_info, ready); F(inp_e2fgvi_info, windows);
    F(inp_e2fgvi_info, buffered_frames); F(inp_e2fgvi_info, memory_bytes); F(inp_e2fgvi_info, encoder_frames);
    F(inp_e2fgvi_info, flow_pairs); F(inp_e2fgvi_info, padded_width); F(inp_e2fgvi_info, padded_height); F(inp_e2fgvi_info, finished);

    S(inp_grabcut_params);
    F(inp_grabcut_params, iterations); F(inp_grabcut_params, point_radius); F(inp_grabcut_params, max_side);

    S(inp_flow_tracker_params);
    F(inp_flow_tracker_params, max_side); F(inp_flow_tracker_params, consistency); F(inp_flow_tracker_params, refine_every);
    F(inp_flow_tracker_params, refine_iterations);

    S(inp_flow_inpainter_params);
    F(inp_flow_inpainter_params, window); F(inp_flow_inpainter_params, consistency); F(inp_flow_inpainter_params, dilation);
    F(inp_flow_inpainter_params, flow_max_side); F(inp_flow_inpainter_params, fill_radius);

    S(inp_flow_inpainter_stats);
    F(inp_flow_inpainter_stats, frames_in); F(inp_flow_inpainter_stats, frames_out); F(inp_flow_inpainter_stats, ready);
    F(inp_flow_inpainter_stats, buffered_frames); F(inp_flow_inpainter_stats, flow_pairs); F(inp_flow_inpainter_stats, propagated_pixels);
    F(inp_flow_inpainter_stats, carried_pixels); F(inp_flow_inpainter_stats, spatial_pixels); F(inp_flow_inpainter_stats, memory_bytes);
    F(inp_flow_inpainter_stats, finished);
    return 0;
}
