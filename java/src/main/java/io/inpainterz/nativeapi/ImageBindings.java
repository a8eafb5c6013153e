package io.inpainterz.nativeapi;

import static io.inpainterz.nativeapi.Native.call;
import static io.inpainterz.nativeapi.Native.fn;
import static io.inpainterz.nativeapi.Native.offset;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/** inpainterz.h: frames and masks. */
public final class ImageBindings {
    private ImageBindings() {}

    /** struct inp_image. */
    public static final StructLayout IMAGE = MemoryLayout.structLayout(
            ADDRESS.withName("data"), JAVA_INT.withName("width"), JAVA_INT.withName("height"),
            JAVA_INT.withName("channels"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("row_stride")).withName("inp_image");

    private static final MethodHandle IMAGE_NATIVE_ADDRESS = fn("inp_image_native_address", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MASK_DILATE = fn("inp_mask_dilate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle MASK_REMOVE_SMALL_REGIONS = fn("inp_mask_remove_small_regions",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));

    /** enum inp_resize_filter. */
    public static final int RESIZE_NEAREST = 0, RESIZE_BILINEAR = 1, RESIZE_BICUBIC = 2;

    /** Looked up on first use, so a library from before inp_image_resize still serves the rest. */
    private static final class Resize {
        static final MethodHandle IMAGE_RESIZE = fn("inp_image_resize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

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
        call(() -> (int) IMAGE_NATIVE_ADDRESS.invokeExact(image, ret));
        return ret.get(JAVA_LONG, 0);
    }

    public static void maskDilate(MemorySegment src, int iterations, MemorySegment dst) {
        call(() -> (int) MASK_DILATE.invokeExact(src, iterations, dst));
    }

    /** Pillow-exact Image.resize of src to dst's size; {@code filter} one of RESIZE_*. */
    public static void imageResize(MemorySegment src, MemorySegment dst, int filter) {
        call(() -> (int) Resize.IMAGE_RESIZE.invokeExact(src, dst, filter));
    }

    /** Returns whether anything changed. {@code mode}: 0 holes, 1 islands. */
    public static boolean maskRemoveSmallRegions(MemorySegment src, long minArea, int mode, MemorySegment dst, Arena scratch) {
        MemorySegment changed = scratch.allocate(JAVA_INT);
        call(() -> (int) MASK_REMOVE_SMALL_REGIONS.invokeExact(src, minArea, mode, dst, changed));
        return changed.get(JAVA_INT, 0) != 0;
    }
}
