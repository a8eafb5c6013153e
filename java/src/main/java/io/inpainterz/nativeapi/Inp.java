package io.inpainterz.nativeapi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.inpainterz.InpainterzException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The C ABI of native/include/inpainterz.h, one Java method per C function, in the header's
 * order. Method handles are looked up once; every fallible call goes through {@link #check},
 * which reads the thread-local native message before anything else runs.
 */
public final class Inp {
    private Inp() {}

    // ---- struct layouts (must match inpainterz.h field for field) --------------------------

    public static final int MAX_DIMS = 8;
    static final AddressLayout C_STRING = ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, java.lang.foreign.ValueLayout.JAVA_BYTE));

    /** struct inp_checkpoint_params. */
    public static final StructLayout CHECKPOINT_PARAMS = MemoryLayout.structLayout(
            JAVA_BOOLEAN.withName("use_mmap"), MemoryLayout.paddingLayout(7),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_user_data"));
    private static final long CHECKPOINT_PARAMS_USE_MMAP = offset(CHECKPOINT_PARAMS, "use_mmap");
    private static final long CHECKPOINT_PARAMS_PROGRESS_CALLBACK = offset(CHECKPOINT_PARAMS, "progress_callback");

    /** struct inp_model_info. */
    public static final StructLayout MODEL_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("family"), JAVA_INT.withName("format"),
            C_STRING.withName("variant"), C_STRING.withName("wrapper"),
            JAVA_LONG.withName("num_tensors"), JAVA_LONG.withName("num_elements"), JAVA_LONG.withName("num_bytes"));

    private static final long MODEL_INFO_FAMILY = offset(MODEL_INFO, "family");
    private static final long MODEL_INFO_FORMAT = offset(MODEL_INFO, "format");
    private static final long MODEL_INFO_VARIANT = offset(MODEL_INFO, "variant");
    private static final long MODEL_INFO_WRAPPER = offset(MODEL_INFO, "wrapper");
    private static final long MODEL_INFO_NUM_TENSORS = offset(MODEL_INFO, "num_tensors");
    private static final long MODEL_INFO_NUM_ELEMENTS = offset(MODEL_INFO, "num_elements");
    private static final long MODEL_INFO_NUM_BYTES = offset(MODEL_INFO, "num_bytes");

    /** struct inp_tensor_info. */
    public static final StructLayout TENSOR_INFO = MemoryLayout.structLayout(
            C_STRING.withName("name"), JAVA_INT.withName("dtype"), JAVA_INT.withName("ndim"),
            MemoryLayout.sequenceLayout(MAX_DIMS, JAVA_LONG).withName("shape"),
            JAVA_LONG.withName("num_bytes"), JAVA_BOOLEAN.withName("is_mapped"), MemoryLayout.paddingLayout(7));

    private static final long TENSOR_INFO_NAME = offset(TENSOR_INFO, "name");
    private static final long TENSOR_INFO_DTYPE = offset(TENSOR_INFO, "dtype");
    private static final long TENSOR_INFO_NDIM = offset(TENSOR_INFO, "ndim");
    private static final long TENSOR_INFO_SHAPE = offset(TENSOR_INFO, "shape");
    private static final long TENSOR_INFO_NUM_BYTES = offset(TENSOR_INFO, "num_bytes");
    private static final long TENSOR_INFO_IS_MAPPED = offset(TENSOR_INFO, "is_mapped");

    /** struct inp_image. */
    public static final StructLayout IMAGE = MemoryLayout.structLayout(
            ADDRESS.withName("data"), JAVA_INT.withName("width"), JAVA_INT.withName("height"),
            JAVA_INT.withName("channels"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("row_stride"));

    /** struct inp_sam_params. */
    public static final StructLayout SAM_PARAMS = MemoryLayout.structLayout(JAVA_INT.withName("device"), JAVA_INT.withName("device_index"),
            JAVA_INT.withName("encoder_dtype"));

    /** struct inp_sam_prompt. */
    public static final StructLayout SAM_PROMPT = MemoryLayout.structLayout(
            ADDRESS.withName("points"), ADDRESS.withName("point_labels"), JAVA_INT.withName("num_points"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("boxes"), JAVA_INT.withName("num_boxes"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("mask_input"), JAVA_BOOLEAN.withName("multimask_output"), MemoryLayout.paddingLayout(7));

    /** struct inp_sam_outputs. */
    public static final StructLayout SAM_OUTPUTS = MemoryLayout.structLayout(
            ADDRESS.withName("masks"), ADDRESS.withName("mask_logits"), ADDRESS.withName("iou_predictions"), ADDRESS.withName("low_res_logits"));

    /** struct inp_video_info. */
    public static final StructLayout VIDEO_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("width"), JAVA_INT.withName("height"), JAVA_INT.withName("coded_width"), JAVA_INT.withName("coded_height"),
            JAVA_INT.withName("rotation"), JAVA_INT.withName("sar_num"), JAVA_INT.withName("sar_den"), JAVA_INT.withName("bit_depth"),
            JAVA_INT.withName("num_audio_streams"), MemoryLayout.paddingLayout(4),
            java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("fps"), JAVA_BOOLEAN.withName("variable_frame_rate"),
            JAVA_BOOLEAN.withName("frame_count_exact"), MemoryLayout.paddingLayout(6),
            JAVA_LONG.withName("frame_count"), java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("duration_s"),
            C_STRING.withName("codec"), C_STRING.withName("pixel_format"), C_STRING.withName("container"),
            C_STRING.withName("color_space"), C_STRING.withName("color_range"));

    /** struct inp_video_writer_params. */
    public static final StructLayout VIDEO_WRITER_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("crf"), MemoryLayout.paddingLayout(4), ADDRESS.withName("preset"),
            java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("fps"), ADDRESS.withName("audio_source"),
            JAVA_INT.withName("rotation"), MemoryLayout.paddingLayout(4));

    /** struct inp_sam_amg_params. */
    public static final StructLayout SAM_AMG_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("points_per_side"), JAVA_INT.withName("points_per_batch"),
            java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("pred_iou_thresh"), java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("stability_score_thresh"),
            java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("stability_score_offset"), java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("box_nms_thresh"),
            JAVA_INT.withName("crop_n_layers"), JAVA_INT.withName("crop_n_points_downscale_factor"),
            java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("crop_nms_thresh"), java.lang.foreign.ValueLayout.JAVA_DOUBLE.withName("crop_overlap_ratio"),
            JAVA_LONG.withName("min_mask_region_area"));

    /** struct inp_sam_mask_info. */
    public static final StructLayout SAM_MASK_INFO = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("bbox"), JAVA_LONG.withName("area"),
            java.lang.foreign.ValueLayout.JAVA_FLOAT.withName("predicted_iou"), java.lang.foreign.ValueLayout.JAVA_FLOAT.withName("stability_score"),
            MemoryLayout.sequenceLayout(2, java.lang.foreign.ValueLayout.JAVA_DOUBLE).withName("point"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("crop_box"));

    /** inp_progress_callback: bool (*)(int64_t done, int64_t total, void *user_data). */
    public static final FunctionDescriptor PROGRESS_CALLBACK = FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_LONG, JAVA_LONG, ADDRESS);

    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** The NUL-terminated UTF-8 string a {@code const char *} field at {@code offset} points to. */
    private static String stringAt(MemorySegment struct, long offset) {
        return struct.get(C_STRING, offset).getString(0);
    }

    // ---- method handles, looked up once ----------------------------------------------------

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = lookup();

    @SuppressWarnings("restricted")
    private static SymbolLookup lookup() {
        NativeLibrary.load(); // System.load before the first handle, so the loader lookup sees it
        return SymbolLookup.loaderLookup();
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), fd);
    }

    private static final MethodHandle STATUS_NAME = fn("inp_status_name", FunctionDescriptor.of(C_STRING, JAVA_INT));
    private static final MethodHandle LAST_ERROR = fn("inp_last_error", FunctionDescriptor.of(C_STRING));
    private static final MethodHandle LAST_ERROR_DETAIL = fn("inp_last_error_detail", FunctionDescriptor.of(C_STRING));
    private static final MethodHandle ABI_VERSION = fn("inp_abi_version", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle BUILD_INFO = fn("inp_build_info", FunctionDescriptor.of(C_STRING));
    private static final MethodHandle SET_NUM_THREADS = fn("inp_set_num_threads", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GET_NUM_THREADS = fn("inp_get_num_threads", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle CHECKPOINT_DEFAULT_PARAMS = fn("inp_checkpoint_default_params", FunctionDescriptor.of(CHECKPOINT_PARAMS));
    private static final MethodHandle CHECKPOINT_INIT = fn("inp_checkpoint_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle CHECKPOINT_FREE = fn("inp_checkpoint_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle CHECKPOINT_MODEL_INFO = fn("inp_checkpoint_model_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CHECKPOINT_TENSORS = fn("inp_checkpoint_tensors", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TENSORS_INIT = fn("inp_tensors_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle TENSORS_FREE = fn("inp_tensors_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle TENSORS_COUNT = fn("inp_tensors_count", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TENSORS_INFO = fn("inp_tensors_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle TENSORS_FIND = fn("inp_tensors_find", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle TENSORS_COPY = fn("inp_tensors_copy", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    private static final MethodHandle VIDEO_READER_INIT = fn("inp_video_reader_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle VIDEO_READER_FREE = fn("inp_video_reader_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle VIDEO_READER_INFO = fn("inp_video_reader_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_READER_READ_FRAME = fn("inp_video_reader_read_frame", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_READER_SEEK = fn("inp_video_reader_seek", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle VIDEO_READER_TRUNCATED = fn("inp_video_reader_truncated", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_WRITER_INIT = fn("inp_video_writer_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle VIDEO_WRITER_WRITE_FRAME = fn("inp_video_writer_write_frame", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle VIDEO_WRITER_FINISH = fn("inp_video_writer_finish", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle VIDEO_WRITER_FREE = fn("inp_video_writer_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SAM_GENERATE = fn("inp_sam_generate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_GENERATE_SYNTHETIC = fn("inp_sam_generate_synthetic", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_MASKS_COUNT = fn("inp_sam_masks_count", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SAM_MASKS_INFO = fn("inp_sam_masks_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle SAM_MASKS_COPY = fn("inp_sam_masks_copy", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    static final MethodHandle SAM_MASKS_FREE = fn("inp_sam_masks_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SAM_DEFAULT_PARAMS = fn("inp_sam_default_params", FunctionDescriptor.of(SAM_PARAMS));
    private static final MethodHandle SAM_INIT = fn("inp_sam_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle SAM_FREE = fn("inp_sam_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SAM_VARIANT = fn("inp_sam_variant", FunctionDescriptor.of(C_STRING, ADDRESS));
    private static final MethodHandle SAM_SET_IMAGE = fn("inp_sam_set_image", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle SAM_EMBEDDING_FREE = fn("inp_sam_embedding_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle SAM_PREDICT = fn("inp_sam_predict", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle IMAGE_NATIVE_ADDRESS = fn("inp_image_native_address", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MASK_DILATE = fn("inp_mask_dilate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle MASK_REMOVE_SMALL_REGIONS = fn("inp_mask_remove_small_regions", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MATMUL_F32 = fn("inp_matmul_f32", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));

    // ---- errors ----------------------------------------------------------------------------

    /** Throws the typed exception for a non-zero status, with the native message of this thread. */
    public static void check(int status) {
        if (status == 0) return;
        String message = lastError();
        throw InpainterzException.of(status, message.isEmpty() ? statusName(status) : message);
    }

    public static String statusName(int status) {
        try {
            return ((MemorySegment) STATUS_NAME.invokeExact(status)).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static String lastError() {
        try {
            return ((MemorySegment) LAST_ERROR.invokeExact()).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static String lastErrorDetail() {
        try {
            return ((MemorySegment) LAST_ERROR_DETAIL.invokeExact()).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- library ---------------------------------------------------------------------------

    public static int abiVersion() {
        try {
            return (int) ABI_VERSION.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static String buildInfo() {
        try {
            return ((MemorySegment) BUILD_INFO.invokeExact()).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setNumThreads(int n) {
        try {
            check((int) SET_NUM_THREADS.invokeExact(n));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getNumThreads() {
        try {
            return (int) GET_NUM_THREADS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- checkpoints -----------------------------------------------------------------------

    /**
     * inp_checkpoint_default_params() with the given fields set, in a struct from {@code scratch}.
     *
     * @param progress NULL for none, else a stub from {@link #progressStub}
     */
    public static MemorySegment checkpointParams(Arena scratch, boolean useMmap, MemorySegment progress) {
        MemorySegment p;
        try {
            p = (MemorySegment) CHECKPOINT_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        p.set(JAVA_BOOLEAN, CHECKPOINT_PARAMS_USE_MMAP, useMmap);
        p.set(ADDRESS, CHECKPOINT_PARAMS_PROGRESS_CALLBACK, progress);
        return p;
    }

    /** Returns the new inp_checkpoint* (free with {@link #checkpointFree}). */
    public static MemorySegment checkpointInit(MemorySegment path, MemorySegment params, Arena scratch) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            check((int) CHECKPOINT_INIT.invokeExact(path, params, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
    }

    public static void checkpointFree(MemorySegment ckpt) {
        try {
            CHECKPOINT_FREE.invokeExact(ckpt);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** struct inp_model_info, decoded (strings copied out of native memory). */
    public record ModelInfoStruct(int family, int format, String variant, String wrapper, long numTensors,
                                  long numElements, long numBytes) {}

    public static ModelInfoStruct checkpointModelInfo(MemorySegment ckpt) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(MODEL_INFO);
            check((int) CHECKPOINT_MODEL_INFO.invokeExact(ckpt, s));
            return new ModelInfoStruct(s.get(JAVA_INT, MODEL_INFO_FAMILY), s.get(JAVA_INT, MODEL_INFO_FORMAT),
                    stringAt(s, MODEL_INFO_VARIANT), stringAt(s, MODEL_INFO_WRAPPER), s.get(JAVA_LONG, MODEL_INFO_NUM_TENSORS),
                    s.get(JAVA_LONG, MODEL_INFO_NUM_ELEMENTS), s.get(JAVA_LONG, MODEL_INFO_NUM_BYTES));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The checkpoint's state dict: a borrowed inp_tensors*, valid until the checkpoint is freed. */
    public static MemorySegment checkpointTensors(MemorySegment ckpt, Arena scratch) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            check((int) CHECKPOINT_TENSORS.invokeExact(ckpt, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
    }

    // ---- tensor lists ----------------------------------------------------------------------

    /** A new empty inp_tensors* (free with inp_tensors_free, through a {@link NativeHandle}). */
    public static MemorySegment tensorsInit(Arena scratch) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            check((int) TENSORS_INIT.invokeExact(ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
    }

    public static long tensorsCount(MemorySegment tensors, Arena scratch) {
        MemorySegment ret = scratch.allocate(JAVA_LONG);
        try {
            check((int) TENSORS_COUNT.invokeExact(tensors, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(JAVA_LONG, 0);
    }

    /** struct inp_tensor_info, decoded. */
    public record TensorInfoStruct(String name, int dtype, long[] shape, long numBytes, boolean isMapped) {}

    public static TensorInfoStruct tensorsInfo(MemorySegment tensors, long index, Arena scratch) {
        MemorySegment s = scratch.allocate(TENSOR_INFO);
        try {
            check((int) TENSORS_INFO.invokeExact(tensors, index, s));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        long[] shape = new long[s.get(JAVA_INT, TENSOR_INFO_NDIM)];
        for (int d = 0; d < shape.length; d++) shape[d] = s.get(JAVA_LONG, TENSOR_INFO_SHAPE + 8L * d);
        return new TensorInfoStruct(stringAt(s, TENSOR_INFO_NAME), s.get(JAVA_INT, TENSOR_INFO_DTYPE), shape,
                s.get(JAVA_LONG, TENSOR_INFO_NUM_BYTES), s.get(JAVA_BOOLEAN, TENSOR_INFO_IS_MAPPED));
    }

    public static long tensorsFind(MemorySegment tensors, String name, Arena scratch) {
        MemorySegment ret = scratch.allocate(JAVA_LONG);
        try {
            check((int) TENSORS_FIND.invokeExact(tensors, scratch.allocateFrom(name), ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(JAVA_LONG, 0);
    }

    public static void tensorsCopy(MemorySegment tensors, long index, MemorySegment dst) {
        try {
            check((int) TENSORS_COPY.invokeExact(tensors, index, dst, dst.byteSize()));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- video reading ---------------------------------------------------------------------

    /** Returns the new inp_video_reader*. */
    public static MemorySegment videoReaderInit(MemorySegment path, Arena scratch) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            check((int) VIDEO_READER_INIT.invokeExact(path, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
    }

    /** struct inp_video_info, decoded. */
    public record VideoInfoStruct(int width, int height, int codedWidth, int codedHeight, int rotation, int sarNum, int sarDen,
                                  int bitDepth, int numAudioStreams, double fps, boolean variableFrameRate, boolean frameCountExact,
                                  long frameCount, double durationS, String codec, String pixelFormat, String container,
                                  String colorSpace, String colorRange) {}

    public static VideoInfoStruct videoReaderInfo(MemorySegment reader) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(VIDEO_INFO);
            check((int) VIDEO_READER_INFO.invokeExact(reader, s));
            java.util.function.ToIntFunction<String> i = f -> s.get(JAVA_INT, offset(VIDEO_INFO, f));
            return new VideoInfoStruct(i.applyAsInt("width"), i.applyAsInt("height"), i.applyAsInt("coded_width"), i.applyAsInt("coded_height"),
                    i.applyAsInt("rotation"), i.applyAsInt("sar_num"), i.applyAsInt("sar_den"), i.applyAsInt("bit_depth"),
                    i.applyAsInt("num_audio_streams"), s.get(java.lang.foreign.ValueLayout.JAVA_DOUBLE, offset(VIDEO_INFO, "fps")),
                    s.get(JAVA_BOOLEAN, offset(VIDEO_INFO, "variable_frame_rate")), s.get(JAVA_BOOLEAN, offset(VIDEO_INFO, "frame_count_exact")),
                    s.get(JAVA_LONG, offset(VIDEO_INFO, "frame_count")), s.get(java.lang.foreign.ValueLayout.JAVA_DOUBLE, offset(VIDEO_INFO, "duration_s")),
                    stringAt(s, offset(VIDEO_INFO, "codec")), stringAt(s, offset(VIDEO_INFO, "pixel_format")),
                    stringAt(s, offset(VIDEO_INFO, "container")), stringAt(s, offset(VIDEO_INFO, "color_space")),
                    stringAt(s, offset(VIDEO_INFO, "color_range")));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads the next frame into {@code image} (an inp_image); returns {got, ptsUs, index}. */
    public static long[] videoReaderReadFrame(MemorySegment reader, MemorySegment image, Arena scratch) {
        MemorySegment got = scratch.allocate(JAVA_INT), pts = scratch.allocate(JAVA_LONG), index = scratch.allocate(JAVA_LONG);
        try {
            check((int) VIDEO_READER_READ_FRAME.invokeExact(reader, image, got, pts, index));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new long[] {got.get(JAVA_INT, 0), pts.get(JAVA_LONG, 0), index.get(JAVA_LONG, 0)};
    }

    public static void videoReaderSeek(MemorySegment reader, long index) {
        try {
            check((int) VIDEO_READER_SEEK.invokeExact(reader, index));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** null when the stream was read cleanly, else what cut it short. */
    public static String videoReaderTruncation(MemorySegment reader, Arena scratch) {
        MemorySegment flag = scratch.allocate(JAVA_INT), message = scratch.allocate(C_STRING);
        try {
            check((int) VIDEO_READER_TRUNCATED.invokeExact(reader, flag, message));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return flag.get(JAVA_INT, 0) == 0 ? null : message.get(C_STRING, 0).getString(0);
    }

    // ---- video writing ---------------------------------------------------------------------

    /** Returns the new inp_video_writer*. {@code audioSource} may be NULL. */
    public static MemorySegment videoWriterInit(MemorySegment path, int width, int height, int crf, String preset, double fps,
                                                MemorySegment audioSource, int rotation, Arena scratch) {
        MemorySegment p = scratch.allocate(VIDEO_WRITER_PARAMS);
        p.set(JAVA_INT, offset(VIDEO_WRITER_PARAMS, "crf"), crf);
        p.set(ADDRESS, offset(VIDEO_WRITER_PARAMS, "preset"), scratch.allocateFrom(preset));
        p.set(java.lang.foreign.ValueLayout.JAVA_DOUBLE, offset(VIDEO_WRITER_PARAMS, "fps"), fps);
        p.set(ADDRESS, offset(VIDEO_WRITER_PARAMS, "audio_source"), audioSource);
        p.set(JAVA_INT, offset(VIDEO_WRITER_PARAMS, "rotation"), rotation);
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            check((int) VIDEO_WRITER_INIT.invokeExact(path, width, height, p, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
    }

    public static void videoWriterWriteFrame(MemorySegment writer, MemorySegment image, long ptsUs) {
        try {
            check((int) VIDEO_WRITER_WRITE_FRAME.invokeExact(writer, image, ptsUs));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void videoWriterFinish(MemorySegment writer) {
        try {
            check((int) VIDEO_WRITER_FINISH.invokeExact(writer));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- SAM -------------------------------------------------------------------------------

    /** Returns the new inp_sam*. {@code device}: 0 CPU, 1 CUDA; {@code encoderDtype}: an inp_dtype code. */
    public static MemorySegment samInit(MemorySegment path, int device, int deviceIndex, int encoderDtype, Arena scratch) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            MemorySegment params = (MemorySegment) SAM_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch);
            params.set(JAVA_INT, offset(SAM_PARAMS, "device"), device);
            params.set(JAVA_INT, offset(SAM_PARAMS, "device_index"), deviceIndex);
            params.set(JAVA_INT, offset(SAM_PARAMS, "encoder_dtype"), encoderDtype);
            check((int) SAM_INIT.invokeExact(path, params, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
    }

    public static String samVariant(MemorySegment sam) {
        try {
            return ((MemorySegment) SAM_VARIANT.invokeExact(sam)).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns the new inp_sam_embedding*. {@code record}: an inp_tensors* or NULL. */
    public static MemorySegment samSetImage(MemorySegment sam, MemorySegment image, MemorySegment record, Arena scratch) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        try {
            check((int) SAM_SET_IMAGE.invokeExact(sam, image, record, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(ADDRESS, 0);
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
        try {
            check((int) SAM_PREDICT.invokeExact(sam, embedding, prompt, outputs, record));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- images ----------------------------------------------------------------------------

    /** Writes an inp_image describing {@code data} into a new struct from {@code scratch}. */
    public static MemorySegment image(Arena scratch, MemorySegment data, int width, int height, int channels, long rowStride) {
        MemorySegment s = scratch.allocate(IMAGE);
        s.set(ADDRESS, offset(IMAGE, "data"), data);
        s.set(JAVA_INT, offset(IMAGE, "width"), width);
        s.set(JAVA_INT, offset(IMAGE, "height"), height);
        s.set(JAVA_INT, offset(IMAGE, "channels"), channels);
        s.set(JAVA_LONG, offset(IMAGE, "row_stride"), rowStride);
        return s;
    }

    public static long imageNativeAddress(MemorySegment image, Arena scratch) {
        MemorySegment ret = scratch.allocate(JAVA_LONG);
        try {
            check((int) IMAGE_NATIVE_ADDRESS.invokeExact(image, ret));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return ret.get(JAVA_LONG, 0);
    }

    public static void maskDilate(MemorySegment src, int iterations, MemorySegment dst) {
        try {
            check((int) MASK_DILATE.invokeExact(src, iterations, dst));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns whether anything changed. {@code mode}: 0 holes, 1 islands. */
    public static boolean maskRemoveSmallRegions(MemorySegment src, long minArea, int mode, MemorySegment dst, Arena scratch) {
        MemorySegment changed = scratch.allocate(JAVA_INT);
        try {
            check((int) MASK_REMOVE_SMALL_REGIONS.invokeExact(src, minArea, mode, dst, changed));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return changed.get(JAVA_INT, 0) != 0;
    }

    // ---- diagnostics -----------------------------------------------------------------------

    public static void matmulF32(MemorySegment a, long m, long k, MemorySegment b, long k2, long n, MemorySegment out) {
        try {
            check((int) MATMUL_F32.invokeExact(a, m, k, b, k2, n, out));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- upcalls ---------------------------------------------------------------------------

    /**
     * An inp_progress_callback stub living in {@code arena}. The target must not throw: an
     * exception escaping an upcall would end the JVM. {@link ProgressUpcall} guarantees that.
     */
    public static MemorySegment progressStub(ProgressUpcall target, Arena arena) {
        try {
            MethodHandle mh = MethodHandles.lookup()
                    .findVirtual(ProgressUpcall.class, "invoke", MethodType.methodType(boolean.class, long.class, long.class, MemorySegment.class))
                    .bindTo(target);
            return LINKER.upcallStub(mh, PROGRESS_CALLBACK, arena);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    // ---- SAM automatic mask generation ---------------------------------------------------

    /** struct inp_sam_amg_params, in order. */
    public record AmgParams(int pointsPerSide, int pointsPerBatch, double predIouThresh, double stabilityThresh, double stabilityOffset,
                            double boxNmsThresh, int cropNLayers, int cropDownscale, double cropNmsThresh, double cropOverlapRatio,
                            long minMaskRegionArea) {
        MemorySegment write(Arena scratch) {
            MemorySegment p = scratch.allocate(SAM_AMG_PARAMS);
            java.lang.foreign.ValueLayout.OfDouble d = java.lang.foreign.ValueLayout.JAVA_DOUBLE;
            p.set(JAVA_INT, offset(SAM_AMG_PARAMS, "points_per_side"), pointsPerSide);
            p.set(JAVA_INT, offset(SAM_AMG_PARAMS, "points_per_batch"), pointsPerBatch);
            p.set(d, offset(SAM_AMG_PARAMS, "pred_iou_thresh"), predIouThresh);
            p.set(d, offset(SAM_AMG_PARAMS, "stability_score_thresh"), stabilityThresh);
            p.set(d, offset(SAM_AMG_PARAMS, "stability_score_offset"), stabilityOffset);
            p.set(d, offset(SAM_AMG_PARAMS, "box_nms_thresh"), boxNmsThresh);
            p.set(JAVA_INT, offset(SAM_AMG_PARAMS, "crop_n_layers"), cropNLayers);
            p.set(JAVA_INT, offset(SAM_AMG_PARAMS, "crop_n_points_downscale_factor"), cropDownscale);
            p.set(d, offset(SAM_AMG_PARAMS, "crop_nms_thresh"), cropNmsThresh);
            p.set(d, offset(SAM_AMG_PARAMS, "crop_overlap_ratio"), cropOverlapRatio);
            p.set(JAVA_LONG, offset(SAM_AMG_PARAMS, "min_mask_region_area"), minMaskRegionArea);
            return p;
        }
    }

    /** struct inp_sam_mask_info, decoded. */
    public record SamMaskInfoStruct(long[] bbox, long area, float predictedIou, float stabilityScore, double[] point, long[] cropBox) {}

    /** Runs inp_sam_generate; every mask (maskBytes each) is copied into {@code arena} and the native list freed. */
    public static java.util.List<java.util.Map.Entry<SamMaskInfoStruct, MemorySegment>> samGenerate(
            MemorySegment sam, MemorySegment image, long maskBytes, AmgParams params, MemorySegment record, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ret = scratch.allocate(ADDRESS);
            check((int) SAM_GENERATE.invokeExact(sam, image, params.write(scratch), record, ret));
            return takeMasks(ret.get(ADDRESS, 0), maskBytes, arena, scratch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** inp_sam_generate_synthetic: the generator with the parity fixture's formula predictor. */
    public static java.util.List<java.util.Map.Entry<SamMaskInfoStruct, MemorySegment>> samGenerateSynthetic(
            int width, int height, AmgParams params, MemorySegment record, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ret = scratch.allocate(ADDRESS);
            check((int) SAM_GENERATE_SYNTHETIC.invokeExact(width, height, params.write(scratch), record, ret));
            return takeMasks(ret.get(ADDRESS, 0), (long) width * height, arena, scratch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Copies out and frees an inp_sam_masks*. */
    private static java.util.List<java.util.Map.Entry<SamMaskInfoStruct, MemorySegment>> takeMasks(
            MemorySegment masks, long maskBytes, Arena arena, Arena scratch) throws Throwable {
        try {
            MemorySegment count = scratch.allocate(JAVA_LONG);
            check((int) SAM_MASKS_COUNT.invokeExact(masks, count));
            java.util.List<java.util.Map.Entry<SamMaskInfoStruct, MemorySegment>> out = new java.util.ArrayList<>();
            MemorySegment info = scratch.allocate(SAM_MASK_INFO);
            for (long i = 0; i < count.get(JAVA_LONG, 0); i++) {
                check((int) SAM_MASKS_INFO.invokeExact(masks, i, info));
                long[] bbox = info.asSlice(offset(SAM_MASK_INFO, "bbox"), 32).toArray(JAVA_LONG);
                long[] crop = info.asSlice(offset(SAM_MASK_INFO, "crop_box"), 32).toArray(JAVA_LONG);
                double[] point = info.asSlice(offset(SAM_MASK_INFO, "point"), 16).toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE);
                MemorySegment pixels = arena.allocate(maskBytes, 64);
                check((int) SAM_MASKS_COPY.invokeExact(masks, i, pixels, maskBytes));
                out.add(java.util.Map.entry(new SamMaskInfoStruct(bbox, info.get(JAVA_LONG, offset(SAM_MASK_INFO, "area")),
                        info.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, offset(SAM_MASK_INFO, "predicted_iou")),
                        info.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, offset(SAM_MASK_INFO, "stability_score")), point, crop), pixels));
            }
            return out;
        } finally {
            SAM_MASKS_FREE.invokeExact(masks);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }
}
