package io.inpainterz.engine;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.DeaotBindings;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DeAOT (R50-DeAOT-L, DeAOT-T/S/B/L, read from the checkpoint): carries label maps (ids 1..N,
 * 0 = background) from the frames where objects were given through the rest of a video. Load
 * once; one model serves any number of concurrent {@link Session}s, one per video.
 *
 * <pre>{@code
 * try (Tracker deaot = Tracker.load(Path.of("ckpt/R50_DeAOTL_PRE_YTB_DAV.pth"));
 *      Tracker.Session s = deaot.newSession(w, h, Tracker.SessionOptions.defaults())) {
 *     s.addObjects(frame0, labels0);          // ids 1..N on the prompt frame
 *     while (reader.read(frame)) s.track(frame, labels);   // labels of each next frame
 * }
 * }</pre>
 */
public final class Tracker implements AutoCloseable {
    /**
     * @param device where and how the model runs; {@code DType.BF16} (CPU only) runs the
     *               propagation layers' matrix products in bfloat16: faster on CPUs with
     *               AVX512-BF16 or AMX, labels differing slightly from float32's
     */
    public record Options(Device device) {
        public static Options defaults() {
            return new Options(Device.of(DeaotBindings.deviceDefaults()));
        }

        public Options withDevice(Device d) {
            return new Options(d);
        }

        public Options withThreads(int n) {
            return new Options(device.withThreads(n));
        }
    }

    /**
     * A session's memory rules; {@link #defaults()} are the library's (inp_deaot_session_default_params).
     *
     * @param longTermGap        a tracked frame joins long-term memory every this many frames
     *                           (default 9999, the app's: in practice only the references)
     * @param memoryCap          frames the model added itself kept in long-term memory; the
     *                           oldest goes first, references always stay (default 10)
     * @param maxObjects         the highest object id accepted, 1..255
     * @param upstreamTruncation parity with the app: its max_len_long_term rule instead of the cap
     * @param maxLenLongTerm     with upstreamTruncation: frames kept, references included
     * @param networkInput       frames arrive already at the network size (parity)
     */
    public record SessionOptions(int longTermGap, int memoryCap, int maxObjects, boolean upstreamTruncation, int maxLenLongTerm,
                                 boolean networkInput) {
        public static SessionOptions defaults() {
            return DeaotBindings.sessionDefaults(SessionOptions.class);
        }

        public SessionOptions withLongTermGap(int gap) {
            return new SessionOptions(gap, memoryCap, maxObjects, upstreamTruncation, maxLenLongTerm, networkInput);
        }

        public SessionOptions withMemoryCap(int frames) {
            return new SessionOptions(longTermGap, frames, maxObjects, upstreamTruncation, maxLenLongTerm, networkInput);
        }

        public SessionOptions withMaxObjects(int n) {
            return new SessionOptions(longTermGap, memoryCap, n, upstreamTruncation, maxLenLongTerm, networkInput);
        }

        /** The app's own truncation (max_len_long_term), for comparing with upstream. */
        public SessionOptions withUpstreamTruncation(int maxLen) {
            return new SessionOptions(longTermGap, memoryCap, maxObjects, true, maxLen, networkInput);
        }

        public SessionOptions withNetworkInput(boolean on) {
            return new SessionOptions(longTermGap, memoryCap, maxObjects, upstreamTruncation, maxLenLongTerm, on);
        }
    }

    private final NativeHandle handle;
    private final String variant;

    private Tracker(String source, MemorySegment raw) {
        this.handle = NativeHandle.of(NativeHandle.Kind.DEAOT, this, "Tracker[" + source + "]", raw);
        this.variant = DeaotBindings.variant(handle.pointer());
    }

    public static Tracker load(Path checkpoint) {
        return load(checkpoint, Options.defaults(), null);
    }

    /** Loads with progress ("checkpoint", per tensor) and cancel from {@code job} (may be null). */
    public static Tracker load(Path checkpoint, Options options, Job job) {
        if (!Files.isRegularFile(checkpoint)) throw new FileAccessException("DeAOT checkpoint '" + checkpoint + "' does not exist or is not a file");
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment params = DeaotBindings.params(options.device().params(), scratch);
            return new Tracker(checkpoint.toString(), Job.call(job, scratch, run -> DeaotBindings.init(checkpoint.toString(), params, run, scratch)));
        }
    }

    /** Builds the model from an open checkpoint (read once); the checkpoint may be closed afterwards. */
    public static Tracker fromCheckpoint(Checkpoint checkpoint, Options options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new Tracker(checkpoint.path().toString(),
                    DeaotBindings.initFromCheckpoint(checkpoint.pointer(), DeaotBindings.params(options.device().params(), scratch), scratch));
        }
    }

    /** "DeAOT-T (MobileNetV2, 1 layer)", "R50-DeAOT-L (ResNet-50, 3 layers)", ... */
    public String variant() {
        return variant;
    }

    /** A tracking session for one video of {@code width x height}; it keeps this model alive. */
    public Session newSession(int width, int height, SessionOptions options) {
        try (Arena scratch = Arena.ofConfined()) {
            return new Session(DeaotBindings.sessionInit(handle.pointer(), width, height, DeaotBindings.sessionParams(options, scratch), scratch),
                    width, height);
        }
    }

    @Override
    public void close() {
        handle.close();
    }

    /** What a session holds: objects, sub-engines, sizes, frames, memory. */
    public record Info(int objects, int subEngines, int networkWidth, int networkHeight, int probWidth, int probHeight, long frames,
                       long longTermFrames, long memoryBytes) {}

    /**
     * One video's memory. One call at a time; it may move between threads (a second call while
     * one runs throws {@link IllegalStateException}). Frames may come in any order: fed from the
     * prompt frame back to the first, it tracks backward.
     */
    public static final class Session implements AutoCloseable {
        private final NativeHandle handle;
        private final int width, height;

        private Session(MemorySegment raw, int width, int height) {
            this.handle = NativeHandle.of(NativeHandle.Kind.DEAOT_SESSION, this, "Tracker.Session[" + width + "x" + height + "]", raw);
            this.width = width;
            this.height = height;
        }

        /**
         * Objects on a frame: the first reference, or new objects later. {@code labels} is the full
         * label map (the objects as tracked, plus the new ids), the video's size.
         */
        public void addObjects(Frame frame, Mask labels) {
            addObjects(frame, labels, null, null);
        }

        public void addObjects(Frame frame, Mask labels, Job job, NamedTensors record) {
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                Job.call(job, scratch, run -> {
                    DeaotBindings.addReference(handle.pointer(), frame.descriptor(scratch), labels.descriptor(scratch), run, pointer(record));
                    return null;
                });
            }
        }

        /** Tracks {@code frame} into {@code labels} and commits that result to memory (the app's loop). */
        public void track(Frame frame, Mask labels) {
            track(frame, labels, null);
        }

        public void track(Frame frame, Mask labels, Job job) {
            predict(frame, labels, null, job, null);
            commit(labels);
        }

        /**
         * Tracks {@code frame} without changing memory: the label map into {@code labels} (may be
         * null), and, when {@code probs} is not null, the per-object probabilities as bytes (x 255)
         * of (objects + 1) x probHeight x probWidth ({@link #info()}). Follow with {@link #commit}.
         */
        public void predict(Frame frame, Mask labels, MemorySegment probs, Job job, NamedTensors record) {
            if (labels != null && (labels.width() != width || labels.height() != height)) {
                throw new InvalidInputException("labels are " + labels.width() + "x" + labels.height() + " but the session is " + width + "x" + height);
            }
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                Job.call(job, scratch, run -> {
                    DeaotBindings.track(handle.pointer(), frame.descriptor(scratch), run,
                            labels == null ? MemorySegment.NULL : labels.descriptor(scratch), probs == null ? MemorySegment.NULL : probs, pointer(record));
                    return null;
                });
            }
        }

        /** Commits the frame just predicted with its label map (the prediction, or a correction without new ids). */
        public void commit(Mask labels) {
            commit(labels, null);
        }

        public void commit(Mask labels, NamedTensors record) {
            try (NativeHandle.Exclusive busy = handle.exclusive(); Arena scratch = Arena.ofConfined()) {
                DeaotBindings.updateMemory(handle.pointer(), labels.descriptor(scratch), pointer(record));
            }
        }

        public Info info() {
            try (NativeHandle.Exclusive busy = handle.exclusive()) {
                DeaotBindings.Info i = DeaotBindings.info(handle.pointer());
                return new Info(i.objects(), i.subEngines(), i.networkWidth(), i.networkHeight(), i.probWidth(), i.probHeight(), i.frames(),
                        i.longTermFrames(), i.memoryBytes());
            }
        }

        private static MemorySegment pointer(NamedTensors record) {
            return record == null ? MemorySegment.NULL : record.pointer();
        }

        @Override
        public void close() {
            handle.close();
        }
    }

    /** The app's resize of a frame to the network input size (cv2 INTER_CUBIC, as the fixtures define it). */
    public static Frame resizeForNetwork(Frame src, Arena arena, int networkWidth, int networkHeight) {
        Frame dst = Frame.allocate(arena, networkWidth, networkHeight);
        try (Arena scratch = Arena.ofConfined()) {
            DeaotBindings.resizeFrame(src.descriptor(scratch), dst.descriptor(scratch));
        }
        return dst;
    }
}
