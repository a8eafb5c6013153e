package io.inpainterz.engine;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.E2fgviBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * E2FGVI (E2FGVI at 432x240, or E2FGVI-HQ at any size it can mirror-pad to multiples of 108x60;
 * the variant and the block count are read from the checkpoint): fills the masked regions of a
 * clip, with the inpainting app's window loop. Load once; one model serves any number of
 * concurrent {@link Session}s, one per clip.
 *
 * <p>Frames stream through a session: {@code push(frame, mask)} returns the frames that are final,
 * in order; they lag the input by the look-ahead (about {@code max(neighborStride, refRadius)}
 * frames). {@code finish()} flushes the rest. A session's memory does not depend on the clip's
 * length (about {@code refRadius + 2 x neighborStride} frames).
 *
 * <pre>{@code
 * try (Inpainter e2fgvi = Inpainter.load(Path.of("ckpt/E2FGVI-HQ-CVPR22.pth"));
 *      Inpainter.Session s = e2fgvi.session(w, h, Inpainter.SessionOptions.defaults())) {
 *     while (reader.read(frame)) {
 *         tracker.track(frame, mask);                         // the object to remove
 *         for (Frame done : s.push(frame, mask)) { writer.write(done); done.close(); }
 *     }
 *     for (Frame done : s.finish()) { writer.write(done); done.close(); }
 * }
 * }</pre>
 *
 * Without allocation per frame, into caller memory: {@link Session#add} returns how many frames
 * are ready, {@link Session#pop} writes the next one into the caller's frame.
 */
public final class Inpainter implements AutoCloseable {
    /**
     * @param device where and how the model runs; {@code DType.BF16} is the opt-in bfloat16 path
     *               (SPyNet, warping and the deformable convolution stay float32): faster on CPUs
     *               with AVX512-BF16 or AMX and on GPUs, frames differing slightly from float32
     */
    public record Options(Device device) {
        /** The native library's defaults (inp_e2fgvi_default_params). */
        public static Options defaults() {
            return new Options(Device.of(E2fgviBindings.deviceDefaults()));
        }

        public Options withDevice(Device d) {
            return new Options(d);
        }

        public Options withThreads(int n) {
            return new Options(device.withThreads(n));
        }

        public Options withBf16(boolean on) {
            return new Options(device.withDtype(on ? DType.BF16 : DType.F32));
        }
    }

    /**
     * A session's window loop; {@link #defaults()} are the library's (inp_e2fgvi_session_default_params),
     * the app's values.
     *
     * @param neighborStride local frames of a window: [f - s, f + s]; windows sit at f = 0, s, 2s, ...
     * @param refStride      reference frames are multiples of this
     * @param refRadius      R: references within [f - R, f + R] of the window's frame; -1 takes every
     *                       reference of the clip, as upstream (the session then holds the whole
     *                       clip, and nothing is final before {@code finish})
     * @param dilation       3x3-cross dilations of each mask before it is used
     * @param reuse          compute encoder features and flows once per frame (false: per window,
     *                       as upstream; same results, slower)
     */
    public record SessionOptions(int neighborStride, int refStride, int refRadius, int dilation, boolean reuse) {
        public static SessionOptions defaults() {
            return E2fgviBindings.sessionDefaults(SessionOptions.class);
        }

        public SessionOptions withNeighborStride(int s) {
            return new SessionOptions(s, refStride, refRadius, dilation, reuse);
        }

        public SessionOptions withRefStride(int s) {
            return new SessionOptions(neighborStride, s, refRadius, dilation, reuse);
        }

        public SessionOptions withRefRadius(int r) {
            return new SessionOptions(neighborStride, refStride, r, dilation, reuse);
        }

        /** Every reference of the clip, as upstream (ref_radius -1). */
        public SessionOptions withAllReferences() {
            return withRefRadius(-1);
        }

        public SessionOptions withDilation(int iterations) {
            return new SessionOptions(neighborStride, refStride, refRadius, iterations, reuse);
        }

        public SessionOptions withReuse(boolean on) {
            return new SessionOptions(neighborStride, refStride, refRadius, dilation, on);
        }
    }

    /**
     * What a session holds and has done.
     *
     * @param framesIn       frames pushed
     * @param framesOut      frames taken (popped)
     * @param ready          final frames waiting to be taken
     * @param windows        windows run
     * @param bufferedFrames frames the session holds
     * @param memoryBytes    every tensor the session holds
     * @param encoderFrames  frames encoded so far (with reuse, once each)
     * @param flowPairs      frame pairs given to SPyNet so far (with reuse, once each)
     * @param paddedWidth    the model's input width
     * @param paddedHeight   the model's input height
     * @param finished       the clip has ended
     */
    public record Info(long framesIn, long framesOut, long ready, long windows, long bufferedFrames, long memoryBytes, long encoderFrames,
                       long flowPairs, int paddedWidth, int paddedHeight, boolean finished) {}

    private final NativeHandle handle;
    private final String variant;
    private final boolean hq;
    private final String source;

    private Inpainter(String source, MemorySegment raw) {
        this.source = source;
        this.handle = NativeHandle.of(NativeHandle.Kind.E2FGVI, this, "Inpainter[" + source + "]", raw);
        this.variant = E2fgviBindings.variant(handle.pointer());
        this.hq = E2fgviBindings.isHq(handle.pointer());
    }

    public static Inpainter load(Path checkpoint) {
        return load(checkpoint, Options.defaults(), null);
    }

    public static Inpainter load(Path checkpoint, Options options) {
        return load(checkpoint, options, null);
    }

    /** Loads with progress ("checkpoint", per tensor) and cancel from {@code job} (may be null). */
    public static Inpainter load(Path checkpoint, Options options, Job job) {
        if (!Files.isRegularFile(checkpoint)) throw new FileAccessException("E2FGVI checkpoint '" + checkpoint + "' does not exist or is not a file");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = E2fgviBindings.params(options.device().params(), scratch);
            return new Inpainter(checkpoint.toString(), Job.call(job, scratch, run -> E2fgviBindings.init(checkpoint.toString(), params, run, scratch)));
        }
    }

    /** Builds the model from an open checkpoint (read once); the checkpoint may be closed afterwards. */
    public static Inpainter fromCheckpoint(Checkpoint checkpoint, Options options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new Inpainter(checkpoint.path().toString(),
                    E2fgviBindings.initFromCheckpoint(checkpoint.pointer(), E2fgviBindings.params(options.device().params(), scratch), scratch));
        }
    }

    /** "E2FGVI (8 blocks)", "E2FGVI-HQ (8 blocks)". */
    public String variant() {
        return variant;
    }

    /** True for E2FGVI-HQ (any size), false for E2FGVI (432x240 only). */
    public boolean isHq() {
        return hq;
    }

    /**
     * A session for one clip of {@code width x height} (frames and masks of that size, at the
     * model's working resolution); it keeps this model alive.
     *
     * @throws InvalidInputException E2FGVI and a size other than 432x240; a size HQ cannot
     *         mirror-pad (below half of the padded size); bad options
     */
    public Session session(int width, int height, SessionOptions options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new Session(E2fgviBindings.sessionInit(handle.pointer(), width, height, E2fgviBindings.sessionParams(options, scratch), scratch),
                    width, height);
        }
    }

    /**
     * One window through the model as upstream's forward runs it (parity, benchmarks): {@code masked}
     * is float32 [frames, 3, height, width] in [-1, 1], already masked and padded, the first
     * {@code numLocal} frames local; {@code pred} receives the same shape after tanh. Progress and
     * cancel from {@code job} (may be null); stages go to {@code record} when not null.
     */
    public void forward(MemorySegment masked, long frames, long height, long width, long numLocal, MemorySegment pred, Job job,
                        NamedTensors record) {
        if (frames < 1 || height < 1 || width < 1) {
            throw new InvalidInputException("forward: sizes must be positive, got " + frames + " frames of " + width + "x" + height);
        }
        long bytes = 4 * frames * 3 * height * width;
        if (masked.byteSize() < bytes || pred.byteSize() < bytes) {
            throw new InvalidInputException("forward: " + frames + "x3x" + height + "x" + width + " float32 needs " + bytes + " bytes, but masked holds "
                    + masked.byteSize() + " and pred " + pred.byteSize());
        }
        try (Arena scratch = Arena.ofConfined()) {
            Job.call(job, scratch, run -> {
                E2fgviBindings.forward(handle.pointer(), masked, frames, height, width, numLocal, run, pred,
                        record == null ? MemorySegment.NULL : record.pointer());
                return null;
            });
        }
    }

    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "Inpainter[" + variant + ", " + source + "]";
    }

    /**
     * One clip. Push frames in order with their masks (nonzero = remove, before dilation); the
     * frames that come back are final, composited (pixels outside the dilated mask are the input's
     * exactly), in order. One call at a time; it may move between threads (a second call while
     * one runs throws {@link IllegalStateException}).
     *
     * <p>A push that fails or is cancelled keeps its frame when the frame had been accepted (a
     * cancel always happens after that): do not push it again. Its windows run in the next push
     * or in finish, and the output is as if nothing had happened.
     */
    public static final class Session extends InpaintSession {
        private Session(MemorySegment raw, int width, int height) {
            super(NativeHandle.Kind.E2FGVI_SESSION, "Inpainter.Session", raw, width, height);
        }

        /**
         * Adds the next frame and its mask and runs the windows that became ready; returns how many
         * final frames are ready to {@link #pop}. Nothing is copied out.
         */
        @Override
        public int add(Frame frame, Mask mask, Job job) {
            checkSize("frame", frame);
            checkSize("mask", mask);
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                return Math.toIntExact(Job.call(job, scratch,
                        run -> E2fgviBindings.push(handle.pointer(), frame.descriptor(scratch), mask.descriptor(scratch), run, scratch)));
            }
        }

        /**
         * Ends the clip and runs the remaining windows; returns how many frames are ready to
         * {@link #pop} (then all that were not taken).
         *
         * @throws InvalidInputException no frame was pushed
         */
        @Override
        public int flush(Job job) {
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                return Math.toIntExact(Job.call(job, scratch, run -> E2fgviBindings.finish(handle.pointer(), run, scratch)));
            }
        }

        @Override
        public long pop(Frame dst) {
            checkSize("destination frame", dst);
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                return E2fgviBindings.pop(handle.pointer(), dst.descriptor(scratch), scratch);
            }
        }

        @Override
        public int ready() {
            return Math.toIntExact(info().ready());
        }

        public Info info() {
            try (NativeHandle.Exclusive busy = handle.exclusive()) {
                E2fgviBindings.Info i = E2fgviBindings.info(handle.pointer());
                return new Info(i.framesIn(), i.framesOut(), i.ready(), i.windows(), i.bufferedFrames(), i.memoryBytes(), i.encoderFrames(),
                        i.flowPairs(), i.paddedWidth(), i.paddedHeight(), i.finished());
            }
        }
    }
}
