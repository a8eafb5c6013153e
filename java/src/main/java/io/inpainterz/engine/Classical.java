package io.inpainterz.engine;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.ClassicalBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The weight-free engine, on OpenCV: no checkpoint, no non-commercial weights.
 * <ul>
 *   <li>{@link #grabCut}: an object's mask from a box and/or points (GrabCut seeded by them);</li>
 *   <li>{@link FlowTracker}: label maps carried frame to frame along dense optical flow (DIS),
 *       with a forward-backward check and a GrabCut refinement of the edges every few frames;</li>
 *   <li>{@link FlowInpainter}: flow-guided video inpainting: each hole pixel is traced along
 *       completed flows to the nearest frames that show it, what no frame shows is carried from
 *       the previous output or filled with patches of the frame;</li>
 *   <li>{@link #telea}: OpenCV's per-frame Telea inpainting, the baseline.</li>
 * </ul>
 * Thread counts come from each call's {@link Job} (OpenCV's beside libtorch's).
 */
public final class Classical {
    private Classical() {}

    /**
     * @param iterations  GrabCut iterations
     * @param pointRadius radius in frame pixels of each point's sure disc (0: 1 % of the short side, at least 3)
     * @param maxSide     GrabCut runs on the prompt's region scaled to at most this many pixels a side
     */
    public record GrabCutOptions(int iterations, int pointRadius, int maxSide) {
        public static GrabCutOptions defaults() {
            return ClassicalBindings.grabCutDefaults(GrabCutOptions.class);
        }
    }

    /**
     * One object's mask into {@code dst} (the frame's size; 255 = object) from points ({@code x, y}
     * pairs in frame pixels, {@code labels} 1 = object, 0 = background) and an optional box
     * ({@code x0, y0, x1, y1}, or null).
     *
     * @throws InvalidInputException a point or box outside the frame, no box and no positive point
     */
    public static void grabCut(Frame frame, float[] points, int[] labels, float[] box, GrabCutOptions options, Mask dst, Job job) {
        if (points.length != 2 * labels.length) throw new InvalidInputException("grabCut: points must hold an x, y pair per label");
        if (box != null && box.length != 4) throw new InvalidInputException("grabCut: a box is x0, y0, x1, y1");
        if (dst.width() != frame.width() || dst.height() != frame.height()) {
            throw new InvalidInputException("grabCut: the mask is " + dst.width() + "x" + dst.height() + " but the frame is " + frame.width() + "x" + frame.height());
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment p = points.length == 0 ? MemorySegment.NULL : scratch.allocateFrom(JAVA_FLOAT, points);
            MemorySegment l = labels.length == 0 ? MemorySegment.NULL : scratch.allocateFrom(JAVA_INT, labels);
            MemorySegment b = box == null ? MemorySegment.NULL : scratch.allocateFrom(JAVA_FLOAT, box);
            MemorySegment params = ClassicalBindings.grabCutParams(options, scratch);
            Job.call(job, scratch, run -> {
                ClassicalBindings.grabCut(frame.descriptor(scratch), p, l, labels.length, b, params, run, dst.descriptor(scratch));
                return null;
            });
        }
    }

    /** OpenCV's Telea inpainting of one frame: the masked pixels (nonzero, as given) of {@code frame} filled into {@code dst}. */
    public static void telea(Frame frame, Mask mask, int radius, Frame dst) {
        try (Arena scratch = Arena.ofConfined()) {
            ClassicalBindings.telea(frame.descriptor(scratch), mask.descriptor(scratch), radius, dst.descriptor(scratch));
        }
    }

    /**
     * @param maxSide          flow and labels are computed at the frame scaled to at most this a side
     * @param consistency      forward-backward flow error (working pixels) above which a pixel's warp is distrusted
     * @param refineEvery      GrabCut refinement of each object's edge every N tracked frames (0: never)
     * @param refineIterations GrabCut iterations of a refinement
     */
    public record TrackerOptions(int maxSide, float consistency, int refineEvery, int refineIterations) {
        public static TrackerOptions defaults() {
            return ClassicalBindings.trackerDefaults(TrackerOptions.class);
        }

        public TrackerOptions withRefineEvery(int n) {
            return new TrackerOptions(maxSide, consistency, n, refineIterations);
        }
    }

    /** A tracking session for {@code width x height} frames and label maps. */
    public static FlowTracker tracker(int width, int height, TrackerOptions options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new FlowTracker(ClassicalBindings.trackerInit(width, height, ClassicalBindings.trackerParams(options, scratch), scratch), width, height);
        }
    }

    /**
     * Label maps (ids 1..255, 0 = background) carried along dense flow from reference frames.
     * Frames may come in any order: fed N..0 from a reference on N, it tracks backward. One call
     * at a time.
     */
    public static final class FlowTracker implements AutoCloseable {
        private final NativeHandle handle;
        private final int width, height;

        private FlowTracker(MemorySegment raw, int width, int height) {
            this.handle = NativeHandle.of(NativeHandle.Kind.FLOW_TRACKER, this, "Classical.FlowTracker[" + width + "x" + height + "]", raw);
            this.width = width;
            this.height = height;
        }

        /** A reference: the full label map of {@code frame} (objects so far, corrections and new ids). */
        public void addReference(Frame frame, Mask labels, Job job) {
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                Job.call(job, scratch, run -> {
                    ClassicalBindings.addReference(handle.pointer(), frame.descriptor(scratch), labels.descriptor(scratch), run);
                    return null;
                });
            }
        }

        /** Tracks {@code frame} into {@code labels} and makes it the frame the next one is tracked from. */
        public void track(Frame frame, Mask labels, Job job) {
            track(frame, labels, true, job);
        }

        /** Tracks {@code frame} into {@code labels} without committing: follow with {@link #addReference}. */
        public void predict(Frame frame, Mask labels, Job job) {
            track(frame, labels, false, job);
        }

        private void track(Frame frame, Mask labels, boolean commit, Job job) {
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                Job.call(job, scratch, run -> {
                    ClassicalBindings.track(handle.pointer(), frame.descriptor(scratch), commit, run, labels.descriptor(scratch));
                    return null;
                });
            }
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }

        @Override
        public void close() {
            handle.close();
        }
    }

    /**
     * @param window      frames traced in each direction for a hole pixel; frame t is final once frame t + window arrived
     * @param consistency forward-backward flow error (flow pixels) that stops a trace
     * @param dilation    3x3-cross dilations of each mask
     * @param flowMaxSide flows are computed at the frame scaled to at most this a side
     * @param fillRadius  Telea's radius where the patch fill has nothing to copy
     */
    public record InpainterOptions(int window, float consistency, int dilation, int flowMaxSide, int fillRadius) {
        public static InpainterOptions defaults() {
            return ClassicalBindings.inpainterDefaults(InpainterOptions.class);
        }

        public InpainterOptions withDilation(int iterations) {
            return new InpainterOptions(window, consistency, iterations, flowMaxSide, fillRadius);
        }

        public InpainterOptions withWindow(int frames) {
            return new InpainterOptions(frames, consistency, dilation, flowMaxSide, fillRadius);
        }
    }

    /**
     * What a flow inpainter holds and has done; the pixel counts say how hole pixels were filled:
     * from frames that show them, carried from the previous output, or spatially (patches of the frame).
     */
    public record Stats(long framesIn, long framesOut, long ready, long bufferedFrames, long flowPairs, long propagatedPixels,
                        long carriedPixels, long spatialPixels, long memoryBytes, boolean finished) {}

    /** A flow inpainting session for one clip of {@code width x height} frames. */
    public static FlowInpainter inpainter(int width, int height, InpainterOptions options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new FlowInpainter(ClassicalBindings.inpainterInit(width, height, ClassicalBindings.inpainterParams(options, scratch), scratch),
                    width, height);
        }
    }

    /** Flow-guided inpainting of one clip (see {@link InpaintSession}); holds about 2 x window + 1 frames. */
    public static final class FlowInpainter extends InpaintSession {
        private FlowInpainter(MemorySegment raw, int width, int height) {
            super(NativeHandle.Kind.FLOW_INPAINTER, "Classical.FlowInpainter", raw, width, height);
        }

        @Override
        public int add(Frame frame, Mask mask, Job job) {
            checkSize("frame", frame);
            checkSize("mask", mask);
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                return Math.toIntExact(Job.call(job, scratch,
                        run -> ClassicalBindings.push(handle.pointer(), frame.descriptor(scratch), mask.descriptor(scratch), run, scratch)));
            }
        }

        @Override
        public int flush(Job job) {
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                return Math.toIntExact(Job.call(job, scratch, run -> ClassicalBindings.finish(handle.pointer(), run, scratch)));
            }
        }

        @Override
        public long pop(Frame dst) {
            checkSize("destination frame", dst);
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                return ClassicalBindings.pop(handle.pointer(), dst.descriptor(scratch), scratch);
            }
        }

        @Override
        public int ready() {
            return Math.toIntExact(stats().ready());
        }

        public Stats stats() {
            try (NativeHandle.Exclusive busy = handle.exclusive()) {
                ClassicalBindings.Stats s = ClassicalBindings.stats(handle.pointer());
                return new Stats(s.framesIn(), s.framesOut(), s.ready(), s.bufferedFrames(), s.flowPairs(), s.propagatedPixels(), s.carriedPixels(),
                        s.spatialPixels(), s.memoryBytes(), s.finished());
            }
        }
    }
}
