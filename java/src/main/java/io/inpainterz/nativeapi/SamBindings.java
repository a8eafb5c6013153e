package io.inpainterz.nativeapi;

import static io.inpainterz.nativeapi.Native.C_STRING;
import static io.inpainterz.nativeapi.Native.call;
import static io.inpainterz.nativeapi.Native.callForPointer;
import static io.inpainterz.nativeapi.Native.fn;
import static io.inpainterz.nativeapi.Native.get;
import static io.inpainterz.nativeapi.Native.offset;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** inpainterz.h: SAM (predictor and automatic mask generator). */
public final class SamBindings {
    private SamBindings() {}

    /** struct inp_sam_params. */
    public static final StructLayout SAM_PARAMS = MemoryLayout.structLayout(
            LibraryBindings.DEVICE_PARAMS.withName("device")).withName("inp_sam_params");

    /** struct inp_sam_prompt. */
    public static final StructLayout SAM_PROMPT = MemoryLayout.structLayout(
            ADDRESS.withName("points"), ADDRESS.withName("point_labels"), JAVA_INT.withName("num_points"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("boxes"), JAVA_INT.withName("num_boxes"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("mask_input"), JAVA_BOOLEAN.withName("multimask_output"), MemoryLayout.paddingLayout(7)).withName("inp_sam_prompt");

    /** struct inp_sam_outputs. */
    public static final StructLayout SAM_OUTPUTS = MemoryLayout.structLayout(
            ADDRESS.withName("masks"), ADDRESS.withName("mask_logits"), ADDRESS.withName("iou_predictions"),
            ADDRESS.withName("low_res_logits")).withName("inp_sam_outputs");

    /** struct inp_sam_amg_params. */
    public static final StructLayout SAM_AMG_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("points_per_side"), JAVA_INT.withName("points_per_batch"),
            JAVA_DOUBLE.withName("pred_iou_thresh"), JAVA_DOUBLE.withName("stability_score_thresh"),
            JAVA_DOUBLE.withName("stability_score_offset"), JAVA_DOUBLE.withName("box_nms_thresh"),
            JAVA_INT.withName("crop_n_layers"), JAVA_INT.withName("crop_n_points_downscale_factor"),
            JAVA_DOUBLE.withName("crop_nms_thresh"), JAVA_DOUBLE.withName("crop_overlap_ratio"),
            JAVA_LONG.withName("min_mask_region_area")).withName("inp_sam_amg_params");

    /** struct inp_sam_mask_info. */
    public static final StructLayout SAM_MASK_INFO = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("bbox"), JAVA_LONG.withName("area"),
            JAVA_FLOAT.withName("predicted_iou"), JAVA_FLOAT.withName("stability_score"),
            MemoryLayout.sequenceLayout(2, JAVA_DOUBLE).withName("point"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("crop_box")).withName("inp_sam_mask_info");

    private static final MethodHandle SAM_DEFAULT_PARAMS = fn("inp_sam_default_params", FunctionDescriptor.of(SAM_PARAMS));
    private static final MethodHandle SAM_INIT = fn("inp_sam_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_INIT_FROM_CHECKPOINT = fn("inp_sam_init_from_checkpoint", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle SAM_FREE = fn("inp_sam_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SAM_VARIANT = fn("inp_sam_variant", FunctionDescriptor.of(C_STRING, ADDRESS));
    private static final MethodHandle SAM_SET_IMAGE = fn("inp_sam_set_image", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle SAM_EMBEDDING_FREE = fn("inp_sam_embedding_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SAM_PREDICT = fn("inp_sam_predict", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_AMG_DEFAULT_PARAMS = fn("inp_sam_amg_default_params", FunctionDescriptor.of(SAM_AMG_PARAMS));
    private static final MethodHandle SAM_GENERATE = fn("inp_sam_generate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_GENERATE_SYNTHETIC = fn("inp_sam_generate_synthetic",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_MASKS_COUNT = fn("inp_sam_masks_count", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_MASKS_INFO = fn("inp_sam_masks_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle SAM_MASKS_COPY = fn("inp_sam_masks_copy", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final MethodHandle SAM_MASKS_FREE = fn("inp_sam_masks_free", FunctionDescriptor.ofVoid(ADDRESS));

    // ---- model -----------------------------------------------------------------------------

    /** The device params inside inp_sam_default_params(). */
    public static LibraryBindings.DeviceParams samDefaults() {
        return LibraryBindings.embeddedDeviceDefaults(SAM_PARAMS, SamBindings::samDefaultStruct);
    }

    static MemorySegment samDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) SAM_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_sam_default_params() with the device fields of {@code device} that differ from it set. */
    public static MemorySegment samParams(LibraryBindings.DeviceParams device, Arena scratch) {
        return LibraryBindings.withDevice(device, SAM_PARAMS, SamBindings::samDefaultStruct, scratch);
    }

    /** Returns the new inp_sam*. {@code run}: an inp_run or NULL. */
    public static MemorySegment samInit(String path, MemorySegment params, MemorySegment run, Arena scratch) {
        MemorySegment p = scratch.allocateFrom(path);
        return callForPointer(scratch, ret -> (int) SAM_INIT.invokeExact(p, params, run, ret));
    }

    /** Returns the new inp_sam*, built from an open inp_checkpoint*. */
    public static MemorySegment samInitFromCheckpoint(MemorySegment ckpt, MemorySegment params, Arena scratch) {
        return callForPointer(scratch, ret -> (int) SAM_INIT_FROM_CHECKPOINT.invokeExact(ckpt, params, ret));
    }

    public static String samVariant(MemorySegment sam) {
        return get(() -> Native.string((MemorySegment) SAM_VARIANT.invokeExact(sam)));
    }

    /** Returns the new inp_sam_embedding*. {@code run}: an inp_run or NULL; {@code record}: an inp_tensors* or NULL. */
    public static MemorySegment samSetImage(MemorySegment sam, MemorySegment image, MemorySegment run, MemorySegment record, Arena scratch) {
        return callForPointer(scratch, ret -> (int) SAM_SET_IMAGE.invokeExact(sam, image, run, record, ret));
    }

    /** Writes an inp_sam_prompt into {@code scratch}; array segments may be NULL. */
    public static MemorySegment samPrompt(Arena scratch, MemorySegment points, MemorySegment labels, int numPoints,
                                          MemorySegment boxes, int numBoxes, MemorySegment maskInput, boolean multimask) {
        MemorySegment s = scratch.allocate(SAM_PROMPT);
        s.set(ADDRESS, offset(SAM_PROMPT, "points"), points);
        s.set(ADDRESS, offset(SAM_PROMPT, "point_labels"), labels);
        s.set(JAVA_INT, offset(SAM_PROMPT, "num_points"), numPoints);
        s.set(ADDRESS, offset(SAM_PROMPT, "boxes"), boxes);
        s.set(JAVA_INT, offset(SAM_PROMPT, "num_boxes"), numBoxes);
        s.set(ADDRESS, offset(SAM_PROMPT, "mask_input"), maskInput);
        s.set(JAVA_BOOLEAN, offset(SAM_PROMPT, "multimask_output"), multimask);
        return s;
    }

    /** Writes an inp_sam_outputs into {@code scratch}; any buffer may be NULL. */
    public static MemorySegment samOutputs(Arena scratch, MemorySegment masks, MemorySegment maskLogits, MemorySegment iou, MemorySegment lowRes) {
        MemorySegment s = scratch.allocate(SAM_OUTPUTS);
        s.set(ADDRESS, offset(SAM_OUTPUTS, "masks"), masks);
        s.set(ADDRESS, offset(SAM_OUTPUTS, "mask_logits"), maskLogits);
        s.set(ADDRESS, offset(SAM_OUTPUTS, "iou_predictions"), iou);
        s.set(ADDRESS, offset(SAM_OUTPUTS, "low_res_logits"), lowRes);
        return s;
    }

    public static void samPredict(MemorySegment sam, MemorySegment embedding, MemorySegment prompt, MemorySegment outputs, MemorySegment record) {
        call(() -> (int) SAM_PREDICT.invokeExact(sam, embedding, prompt, outputs, record));
    }

    // ---- automatic mask generation ---------------------------------------------------------

    static MemorySegment amgDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) SAM_AMG_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_sam_amg_default_params() read into {@code type}, a record whose components name its fields. */
    public static <R extends Record> R amgDefaults(Class<R> type) {
        return Structs.defaults(type, SAM_AMG_PARAMS, SamBindings::amgDefaultStruct);
    }

    /** inp_sam_amg_default_params() with the components of {@code p} that differ from it set. */
    public static <R extends Record> MemorySegment amgParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, SAM_AMG_PARAMS, SamBindings::amgDefaultStruct, scratch);
    }

    /** struct inp_sam_mask_info, decoded, with the mask's pixels (copied out of the native list). */
    public record GeneratedMask(long[] bbox, long area, float predictedIou, float stabilityScore, double[] point, long[] cropBox,
                                MemorySegment pixels) {}

    /** Runs inp_sam_generate; every mask (maskBytes each) is copied into memory from {@code allocate}. */
    public static List<GeneratedMask> samGenerate(MemorySegment sam, MemorySegment image, long maskBytes, MemorySegment params,
                                                  MemorySegment run, MemorySegment record, LongFunction<MemorySegment> allocate) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment masks = callForPointer(scratch, ret -> (int) SAM_GENERATE.invokeExact(sam, image, params, run, record, ret));
            return takeMasks(masks, maskBytes, allocate, scratch);
        }
    }

    /** inp_sam_generate_synthetic: the generator with the parity fixture's formula predictor. */
    public static List<GeneratedMask> samGenerateSynthetic(int width, int height, MemorySegment params, MemorySegment run,
                                                           MemorySegment record, LongFunction<MemorySegment> allocate) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment masks = callForPointer(scratch, ret -> (int) SAM_GENERATE_SYNTHETIC.invokeExact(width, height, params, run, record, ret));
            return takeMasks(masks, (long) width * height, allocate, scratch);
        }
    }

    /** Copies out and frees an inp_sam_masks*. */
    private static List<GeneratedMask> takeMasks(MemorySegment masks, long maskBytes, LongFunction<MemorySegment> allocate, Arena scratch) {
        try {
            MemorySegment count = scratch.allocate(JAVA_LONG);
            call(() -> (int) SAM_MASKS_COUNT.invokeExact(masks, count));
            List<GeneratedMask> out = new ArrayList<>();
            MemorySegment info = scratch.allocate(SAM_MASK_INFO);
            for (long i = 0; i < count.get(JAVA_LONG, 0); i++) {
                long index = i;
                call(() -> (int) SAM_MASKS_INFO.invokeExact(masks, index, info));
                MemorySegment pixels = allocate.apply(maskBytes);
                call(() -> (int) SAM_MASKS_COPY.invokeExact(masks, index, pixels, maskBytes));
                out.add(new GeneratedMask(info.asSlice(offset(SAM_MASK_INFO, "bbox"), 32).toArray(JAVA_LONG),
                        info.get(JAVA_LONG, offset(SAM_MASK_INFO, "area")), info.get(JAVA_FLOAT, offset(SAM_MASK_INFO, "predicted_iou")),
                        info.get(JAVA_FLOAT, offset(SAM_MASK_INFO, "stability_score")),
                        info.asSlice(offset(SAM_MASK_INFO, "point"), 16).toArray(JAVA_DOUBLE),
                        info.asSlice(offset(SAM_MASK_INFO, "crop_box"), 32).toArray(JAVA_LONG), pixels));
            }
            return out;
        } finally {
            get(() -> {
                SAM_MASKS_FREE.invokeExact(masks);
                return null;
            });
        }
    }
}
