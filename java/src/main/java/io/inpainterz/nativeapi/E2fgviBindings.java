package io.inpainterz.nativeapi;

import static io.inpainterz.nativeapi.Native.C_STRING;
import static io.inpainterz.nativeapi.Native.call;
import static io.inpainterz.nativeapi.Native.callForPointer;
import static io.inpainterz.nativeapi.Native.fn;
import static io.inpainterz.nativeapi.Native.get;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/** inpainterz.h: E2FGVI (model, streaming inpainting sessions, the one-window diagnostic). */
public final class E2fgviBindings {
    private E2fgviBindings() {}

    /** struct inp_e2fgvi_params. */
    public static final StructLayout E2FGVI_PARAMS = MemoryLayout.structLayout(
            LibraryBindings.DEVICE_PARAMS.withName("device")).withName("inp_e2fgvi_params");

    /** struct inp_e2fgvi_session_params. */
    public static final StructLayout SESSION_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("neighbor_stride"), JAVA_INT.withName("ref_stride"), JAVA_INT.withName("ref_radius"), JAVA_INT.withName("dilation"),
            JAVA_BOOLEAN.withName("reuse"), MemoryLayout.paddingLayout(3)).withName("inp_e2fgvi_session_params");

    /** struct inp_e2fgvi_info. */
    public static final StructLayout INFO = MemoryLayout.structLayout(
            JAVA_LONG.withName("frames_in"), JAVA_LONG.withName("frames_out"), JAVA_LONG.withName("ready"), JAVA_LONG.withName("windows"),
            JAVA_LONG.withName("buffered_frames"), JAVA_LONG.withName("memory_bytes"), JAVA_LONG.withName("encoder_frames"),
            JAVA_LONG.withName("flow_pairs"), JAVA_INT.withName("padded_width"), JAVA_INT.withName("padded_height"),
            JAVA_BOOLEAN.withName("finished"), MemoryLayout.paddingLayout(7)).withName("inp_e2fgvi_info");

    private static final MethodHandle DEFAULT_PARAMS = fn("inp_e2fgvi_default_params", FunctionDescriptor.of(E2FGVI_PARAMS));
    private static final MethodHandle INIT = fn("inp_e2fgvi_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle INIT_FROM_CHECKPOINT = fn("inp_e2fgvi_init_from_checkpoint", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle FREE = fn("inp_e2fgvi_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle VARIANT = fn("inp_e2fgvi_variant", FunctionDescriptor.of(C_STRING, ADDRESS));
    private static final MethodHandle IS_HQ = fn("inp_e2fgvi_is_hq", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle SESSION_DEFAULT_PARAMS = fn("inp_e2fgvi_session_default_params", FunctionDescriptor.of(SESSION_PARAMS));
    private static final MethodHandle SESSION_INIT = fn("inp_e2fgvi_session_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle SESSION_FREE = fn("inp_e2fgvi_session_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle PUSH = fn("inp_e2fgvi_session_push", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FINISH = fn("inp_e2fgvi_session_finish", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle POP = fn("inp_e2fgvi_session_pop", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SESSION_INFO = fn("inp_e2fgvi_session_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle FORWARD = fn("inp_e2fgvi_forward",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));

    static MemorySegment defaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** The device params inside inp_e2fgvi_default_params(). */
    public static LibraryBindings.DeviceParams deviceDefaults() {
        return LibraryBindings.embeddedDeviceDefaults(E2FGVI_PARAMS, E2fgviBindings::defaultStruct);
    }

    /** inp_e2fgvi_default_params() with the device fields that differ from it set. */
    public static MemorySegment params(LibraryBindings.DeviceParams device, Arena scratch) {
        return LibraryBindings.withDevice(device, E2FGVI_PARAMS, E2fgviBindings::defaultStruct, scratch);
    }

    public static MemorySegment init(String path, MemorySegment params, MemorySegment run, Arena scratch) {
        MemorySegment p = scratch.allocateFrom(path);
        return callForPointer(scratch, ret -> (int) INIT.invokeExact(p, params, run, ret));
    }

    public static MemorySegment initFromCheckpoint(MemorySegment ckpt, MemorySegment params, Arena scratch) {
        return callForPointer(scratch, ret -> (int) INIT_FROM_CHECKPOINT.invokeExact(ckpt, params, ret));
    }

    public static String variant(MemorySegment model) {
        return get(() -> Native.string((MemorySegment) VARIANT.invokeExact(model)));
    }

    public static boolean isHq(MemorySegment model) {
        return get(() -> (boolean) IS_HQ.invokeExact(model));
    }

    static MemorySegment sessionDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) SESSION_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_e2fgvi_session_default_params() read into {@code type}, a record whose components name its fields. */
    public static <R extends Record> R sessionDefaults(Class<R> type) {
        return Structs.defaults(type, SESSION_PARAMS, E2fgviBindings::sessionDefaultStruct);
    }

    public static <R extends Record> MemorySegment sessionParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, SESSION_PARAMS, E2fgviBindings::sessionDefaultStruct, scratch);
    }

    public static MemorySegment sessionInit(MemorySegment model, int width, int height, MemorySegment params, Arena scratch) {
        return callForPointer(scratch, ret -> (int) SESSION_INIT.invokeExact(model, width, height, params, ret));
    }

    /** Pushes a frame and its mask (inp_image descriptors); returns the frames ready to pop. */
    public static long push(MemorySegment session, MemorySegment frame, MemorySegment mask, MemorySegment run, Arena scratch) {
        MemorySegment ready = scratch.allocate(JAVA_LONG);
        call(() -> (int) PUSH.invokeExact(session, frame, mask, run, ready));
        return ready.get(JAVA_LONG, 0);
    }

    /** Ends the clip; returns the frames ready to pop (then all of them). */
    public static long finish(MemorySegment session, MemorySegment run, Arena scratch) {
        MemorySegment ready = scratch.allocate(JAVA_LONG);
        call(() -> (int) FINISH.invokeExact(session, run, ready));
        return ready.get(JAVA_LONG, 0);
    }

    /** Copies the next final frame into {@code dst} (an inp_image); returns its index. */
    public static long pop(MemorySegment session, MemorySegment dst, Arena scratch) {
        MemorySegment index = scratch.allocate(JAVA_LONG);
        call(() -> (int) POP.invokeExact(session, dst, index));
        return index.get(JAVA_LONG, 0);
    }

    /** struct inp_e2fgvi_info, decoded. */
    public record Info(long framesIn, long framesOut, long ready, long windows, long bufferedFrames, long memoryBytes, long encoderFrames,
                       long flowPairs, int paddedWidth, int paddedHeight, boolean finished) {}

    public static Info info(MemorySegment session) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(INFO);
            call(() -> (int) SESSION_INFO.invokeExact(session, s));
            return Structs.read(Info.class, INFO, s);
        }
    }

    /** inp_e2fgvi_forward: {@code masked} and {@code pred} are float32 [frames, 3, height, width]; {@code record} may be NULL. */
    public static void forward(MemorySegment model, MemorySegment masked, long frames, long height, long width, long numLocal, MemorySegment run,
                               MemorySegment pred, MemorySegment record) {
        call(() -> (int) FORWARD.invokeExact(model, masked, frames, height, width, numLocal, run, pred, record));
    }
}
