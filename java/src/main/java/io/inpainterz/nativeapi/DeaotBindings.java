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

/** inpainterz.h: DeAOT (model, tracking sessions). */
public final class DeaotBindings {
    private DeaotBindings() {}

    /** struct inp_deaot_params. */
    public static final StructLayout DEAOT_PARAMS = MemoryLayout.structLayout(
            LibraryBindings.DEVICE_PARAMS.withName("device")).withName("inp_deaot_params");

    /** struct inp_deaot_session_params. */
    public static final StructLayout SESSION_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("long_term_gap"), JAVA_INT.withName("memory_cap"), JAVA_INT.withName("max_objects"),
            JAVA_BOOLEAN.withName("upstream_truncation"), MemoryLayout.paddingLayout(3), JAVA_INT.withName("max_len_long_term"),
            JAVA_BOOLEAN.withName("network_input"), MemoryLayout.paddingLayout(3)).withName("inp_deaot_session_params");

    /** struct inp_deaot_info. */
    public static final StructLayout INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("objects"), JAVA_INT.withName("sub_engines"), JAVA_INT.withName("network_width"), JAVA_INT.withName("network_height"),
            JAVA_INT.withName("prob_width"), JAVA_INT.withName("prob_height"), JAVA_LONG.withName("frames"), JAVA_LONG.withName("long_term_frames"),
            JAVA_LONG.withName("memory_bytes")).withName("inp_deaot_info");

    private static final MethodHandle DEFAULT_PARAMS = fn("inp_deaot_default_params", FunctionDescriptor.of(DEAOT_PARAMS));
    private static final MethodHandle INIT = fn("inp_deaot_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle INIT_FROM_CHECKPOINT = fn("inp_deaot_init_from_checkpoint", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle FREE = fn("inp_deaot_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle VARIANT = fn("inp_deaot_variant", FunctionDescriptor.of(C_STRING, ADDRESS));
    private static final MethodHandle SESSION_DEFAULT_PARAMS = fn("inp_deaot_session_default_params", FunctionDescriptor.of(SESSION_PARAMS));
    private static final MethodHandle SESSION_INIT = fn("inp_deaot_session_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle SESSION_FREE = fn("inp_deaot_session_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle ADD_REFERENCE = fn("inp_deaot_session_add_reference", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle TRACK = fn("inp_deaot_session_track",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UPDATE_MEMORY = fn("inp_deaot_session_update_memory", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SESSION_INFO = fn("inp_deaot_session_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RESIZE_FRAME = fn("inp_deaot_resize_frame", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private static MemorySegment defaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** The device params inside inp_deaot_default_params(). */
    public static LibraryBindings.DeviceParams deviceDefaults() {
        return LibraryBindings.embeddedDeviceDefaults(DEAOT_PARAMS, DeaotBindings::defaultStruct);
    }

    /** inp_deaot_default_params() with the device fields that differ from it set. */
    public static MemorySegment params(LibraryBindings.DeviceParams device, Arena scratch) {
        return LibraryBindings.withDevice(device, DEAOT_PARAMS, DeaotBindings::defaultStruct, scratch);
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

    static MemorySegment sessionDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) SESSION_DEFAULT_PARAMS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_deaot_session_default_params() read into {@code type}, a record whose components name its fields. */
    public static <R extends Record> R sessionDefaults(Class<R> type) {
        return Structs.defaults(type, SESSION_PARAMS, DeaotBindings::sessionDefaultStruct);
    }

    public static <R extends Record> MemorySegment sessionParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, SESSION_PARAMS, DeaotBindings::sessionDefaultStruct, scratch);
    }

    public static MemorySegment sessionInit(MemorySegment model, int width, int height, MemorySegment params, Arena scratch) {
        return callForPointer(scratch, ret -> (int) SESSION_INIT.invokeExact(model, width, height, params, ret));
    }

    public static void addReference(MemorySegment session, MemorySegment frame, MemorySegment labels, MemorySegment run, MemorySegment record) {
        call(() -> (int) ADD_REFERENCE.invokeExact(session, frame, labels, run, record));
    }

    /** {@code labels} (an inp_image) and {@code probs} may be NULL. */
    public static void track(MemorySegment session, MemorySegment frame, MemorySegment run, MemorySegment labels, MemorySegment probs,
                             MemorySegment record) {
        long bytes = probs.equals(MemorySegment.NULL) ? 0 : probs.byteSize();
        call(() -> (int) TRACK.invokeExact(session, frame, run, labels, probs, bytes, record));
    }

    public static void updateMemory(MemorySegment session, MemorySegment labels, MemorySegment record) {
        call(() -> (int) UPDATE_MEMORY.invokeExact(session, labels, record));
    }

    /** struct inp_deaot_info, decoded. */
    public record Info(int objects, int subEngines, int networkWidth, int networkHeight, int probWidth, int probHeight, long frames,
                       long longTermFrames, long memoryBytes) {}

    public static Info info(MemorySegment session) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(INFO);
            call(() -> (int) SESSION_INFO.invokeExact(session, s));
            return Structs.read(Info.class, INFO, s);
        }
    }

    public static void resizeFrame(MemorySegment src, MemorySegment dst) {
        call(() -> (int) RESIZE_FRAME.invokeExact(src, dst));
    }
}
