package io.inpainterz.nativeapi;

import static io.inpainterz.nativeapi.Native.call;
import static io.inpainterz.nativeapi.Native.callForPointer;
import static io.inpainterz.nativeapi.Native.fn;
import static io.inpainterz.nativeapi.Native.get;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
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

/** inpainterz.h: the weight-free engine (GrabCut, the flow tracker, the flow inpainter, Telea). */
public final class ClassicalBindings {
    private ClassicalBindings() {}

    /** struct inp_grabcut_params. */
    public static final StructLayout GRABCUT_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("iterations"), JAVA_INT.withName("point_radius"), JAVA_INT.withName("max_side")).withName("inp_grabcut_params");

    /** struct inp_flow_tracker_params. */
    public static final StructLayout TRACKER_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("max_side"), JAVA_FLOAT.withName("consistency"), JAVA_INT.withName("refine_every"),
            JAVA_INT.withName("refine_iterations")).withName("inp_flow_tracker_params");

    /** struct inp_flow_inpainter_params. */
    public static final StructLayout INPAINTER_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("window"), JAVA_FLOAT.withName("consistency"), JAVA_INT.withName("dilation"), JAVA_INT.withName("flow_max_side"),
            JAVA_INT.withName("fill_radius")).withName("inp_flow_inpainter_params");

    /** struct inp_flow_inpainter_stats. */
    public static final StructLayout STATS = MemoryLayout.structLayout(
            JAVA_LONG.withName("frames_in"), JAVA_LONG.withName("frames_out"), JAVA_LONG.withName("ready"), JAVA_LONG.withName("buffered_frames"),
            JAVA_LONG.withName("flow_pairs"), JAVA_LONG.withName("propagated_pixels"), JAVA_LONG.withName("carried_pixels"),
            JAVA_LONG.withName("spatial_pixels"), JAVA_LONG.withName("memory_bytes"), JAVA_BOOLEAN.withName("finished"),
            MemoryLayout.paddingLayout(7)).withName("inp_flow_inpainter_stats");

    private static final MethodHandle GRABCUT_DEFAULTS = fn("inp_grabcut_default_params", FunctionDescriptor.of(GRABCUT_PARAMS));
    private static final MethodHandle GRABCUT = fn("inp_grabcut_segment",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle TRACKER_DEFAULTS = fn("inp_flow_tracker_default_params", FunctionDescriptor.of(TRACKER_PARAMS));
    private static final MethodHandle TRACKER_INIT = fn("inp_flow_tracker_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle TRACKER_FREE = fn("inp_flow_tracker_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle TRACKER_ADD = fn("inp_flow_tracker_add_reference", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle TRACKER_TRACK = fn("inp_flow_tracker_track",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_BOOLEAN, ADDRESS, ADDRESS));
    private static final MethodHandle INPAINTER_DEFAULTS = fn("inp_flow_inpainter_default_params", FunctionDescriptor.of(INPAINTER_PARAMS));
    private static final MethodHandle INPAINTER_INIT = fn("inp_flow_inpainter_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle INPAINTER_FREE = fn("inp_flow_inpainter_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle PUSH = fn("inp_flow_inpainter_push", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FINISH = fn("inp_flow_inpainter_finish", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle POP = fn("inp_flow_inpainter_pop", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle INFO = fn("inp_flow_inpainter_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle TELEA = fn("inp_telea_inpaint", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));

    static MemorySegment grabCutDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) GRABCUT_DEFAULTS.invokeExact((SegmentAllocator) scratch));
    }

    static MemorySegment trackerDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) TRACKER_DEFAULTS.invokeExact((SegmentAllocator) scratch));
    }

    static MemorySegment inpainterDefaultStruct(Arena scratch) {
        return get(() -> (MemorySegment) INPAINTER_DEFAULTS.invokeExact((SegmentAllocator) scratch));
    }

    /** inp_grabcut_default_params() read into {@code type}, a record whose components name its fields. */
    public static <R extends Record> R grabCutDefaults(Class<R> type) {
        return Structs.defaults(type, GRABCUT_PARAMS, ClassicalBindings::grabCutDefaultStruct);
    }

    public static <R extends Record> R trackerDefaults(Class<R> type) {
        return Structs.defaults(type, TRACKER_PARAMS, ClassicalBindings::trackerDefaultStruct);
    }

    public static <R extends Record> R inpainterDefaults(Class<R> type) {
        return Structs.defaults(type, INPAINTER_PARAMS, ClassicalBindings::inpainterDefaultStruct);
    }

    public static <R extends Record> MemorySegment grabCutParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, GRABCUT_PARAMS, ClassicalBindings::grabCutDefaultStruct, scratch);
    }

    public static <R extends Record> MemorySegment trackerParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, TRACKER_PARAMS, ClassicalBindings::trackerDefaultStruct, scratch);
    }

    public static <R extends Record> MemorySegment inpainterParams(R p, Arena scratch) {
        return Structs.fromDefaults(p, INPAINTER_PARAMS, ClassicalBindings::inpainterDefaultStruct, scratch);
    }

    /** inp_grabcut_segment: {@code points} float x,y pairs, {@code labels} int32, {@code box} 4 floats or NULL. */
    public static void grabCut(MemorySegment frame, MemorySegment points, MemorySegment labels, long numPoints, MemorySegment box,
                               MemorySegment params, MemorySegment run, MemorySegment dst) {
        call(() -> (int) GRABCUT.invokeExact(frame, points, labels, numPoints, box, params, run, dst));
    }

    public static MemorySegment trackerInit(int width, int height, MemorySegment params, Arena scratch) {
        return callForPointer(scratch, ret -> (int) TRACKER_INIT.invokeExact(width, height, params, ret));
    }

    public static void addReference(MemorySegment tracker, MemorySegment frame, MemorySegment labels, MemorySegment run) {
        call(() -> (int) TRACKER_ADD.invokeExact(tracker, frame, labels, run));
    }

    public static void track(MemorySegment tracker, MemorySegment frame, boolean commit, MemorySegment run, MemorySegment labels) {
        call(() -> (int) TRACKER_TRACK.invokeExact(tracker, frame, commit, run, labels));
    }

    public static MemorySegment inpainterInit(int width, int height, MemorySegment params, Arena scratch) {
        return callForPointer(scratch, ret -> (int) INPAINTER_INIT.invokeExact(width, height, params, ret));
    }

    /** Pushes a frame and its mask (inp_image descriptors); returns the frames ready to pop. */
    public static long push(MemorySegment inpainter, MemorySegment frame, MemorySegment mask, MemorySegment run, Arena scratch) {
        MemorySegment ready = scratch.allocate(JAVA_LONG);
        call(() -> (int) PUSH.invokeExact(inpainter, frame, mask, run, ready));
        return ready.get(JAVA_LONG, 0);
    }

    public static long finish(MemorySegment inpainter, MemorySegment run, Arena scratch) {
        MemorySegment ready = scratch.allocate(JAVA_LONG);
        call(() -> (int) FINISH.invokeExact(inpainter, run, ready));
        return ready.get(JAVA_LONG, 0);
    }

    public static long pop(MemorySegment inpainter, MemorySegment dst, Arena scratch) {
        MemorySegment index = scratch.allocate(JAVA_LONG);
        call(() -> (int) POP.invokeExact(inpainter, dst, index));
        return index.get(JAVA_LONG, 0);
    }

    /** struct inp_flow_inpainter_stats, decoded. */
    public record Stats(long framesIn, long framesOut, long ready, long bufferedFrames, long flowPairs, long propagatedPixels,
                        long carriedPixels, long spatialPixels, long memoryBytes, boolean finished) {}

    public static Stats stats(MemorySegment inpainter) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(STATS);
            call(() -> (int) INFO.invokeExact(inpainter, s));
            return Structs.read(Stats.class, STATS, s);
        }
    }

    public static void telea(MemorySegment frame, MemorySegment mask, int radius, MemorySegment dst) {
        call(() -> (int) TELEA.invokeExact(frame, mask, radius, dst));
    }
}
