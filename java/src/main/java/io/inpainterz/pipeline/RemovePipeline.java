package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.VideoException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.ImagePool;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.VideoInfo;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.engine.VideoWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main job, end to end: prompts become masks on their frames (the {@link Segmenter}), every
 * object is tracked forward and backward from its first prompted frame (the {@link Tracker}),
 * the masks are dilated and the holes filled at the inpainter's working resolution (the
 * {@link Inpainter}: on a crop around each run's masks, {@code --crop on}, see {@link Crops}; or
 * whole frames resized, {@code --crop off}), and only the masked pixels are composited back into
 * the untouched source frames, encoded with the source's timestamps and audio. Without an
 * inpainter ({@link #track}) it writes the index masks (and the matte) only; {@link #trackEverything}
 * finds the objects itself, with an {@link AutoSegmenter}, tracking forward. The matte
 * ({@code --matte-out}) is what was composited: the dilated masks at the source's size, as a
 * grayscale video.
 *
 * <p>Passes, each streaming with memory that does not grow with the clip's length:
 * <ol><li><b>segment</b> (the calling thread): each prompt frame is decoded once and its
 * prompts become masks, kept compressed in memory (prompts are few).</li>
 * <li><b>backward</b> (when an object's reference is after the range's first frame): from the
 * latest reference frame down to the range's first frame, decoded in chunks (seek to a chunk's
 * first frame, decode it forward into a bounded pool, feed the tracker in reverse); objects join
 * at their reference frames, and each frame's map goes compressed into a temporary folder
 * ({@link MaskStore}).</li>
 * <li><b>forward</b>: decode, track (objects join at their reference frames; later prompts of
 * an object are corrections through the add-reference path with the full label map) and merge
 * with the backward maps, resize to the working size, inpaint, composite and encode, each
 * stage on a thread of its own, joined by bounded queues of pooled frames. The encoder
 * re-decodes the source in step with the inpainter's output, so no full-resolution frame
 * waits out the inpainter's look-ahead. With the crop on, this pass only tracks: each frame's
 * final map goes to the store and its bounding box to the run planner, since a run's crop needs
 * all of the run's masks before its first frame is inpainted.</li>
 * <li><b>remove</b> (the crop on): per run, decode again, crop the frames and their stored masks,
 * resize to the crop's working size, inpaint in a session of the run's own, composite into the
 * crop and encode; frames outside every run are re-encoded as they are (no mask anywhere: no
 * inpainting at all).</li></ol>
 *
 * <p>Label maps: object k of the prompts is id k. At frame t, an object whose reference is at or
 * before t takes its forward-tracked pixels, one whose reference is after t its backward-tracked
 * ones; where both claim a pixel, the forward one keeps it (removal takes both anyway).
 */
public final class RemovePipeline {
    /** Opens a stage when the pipeline needs it (models load late and close early); progress and cancel from {@code job}. */
    @FunctionalInterface
    public interface StageFactory<T> {
        T open(Job job);
    }

    /** {@link Options#dilate()}: the inpainter's own default. */
    public static final int INPAINTER_DILATION = -1;

    /**
     * @param range     frames to process; outside it, frames are re-encoded from the source unchanged
     * @param dilate    3x3-cross dilations of the masks at the working resolution; {@link #INPAINTER_DILATION}: the inpainter's
     *                  own ({@link Inpainter#defaultDilation()}: E2FGVI the app's 4, the classical inpainter 8)
     * @param feather   pixels inside the dilated mask's edge over which the fill blends into the source (0: none)
     * @param temp      where the temporary mask folder goes
     * @param masksOut  folder for per-frame PNG index masks {@code %06d.png}, or null
     * @param matteOut  file for the dilated masks as a grayscale video at the source's size and timestamps, or null
     * @param writer    encoder settings (crf, preset) of the output and the matte; fps and audio come from the source
     * @param threads   intra-op CPU threads of each model call (0: the models' own count)
     * @param queue     frames in flight between two stages
     * @param crop      true ({@code --crop on}): each run of masked frames is inpainted on a crop around its
     *                  masks ({@link Crops}); false ({@code --crop off}): whole frames resized, as the app does
     */
    public record Options(Range range, int dilate, int feather, Path temp, Path masksOut, Path matteOut, VideoWriter.Options writer, int threads,
                          int queue, boolean crop) {
        public Options {
            if (range == null) range = Range.all();
            if (dilate < INPAINTER_DILATION) throw new InvalidInputException("--dilate must be >= 0, got " + dilate);
            if (feather < 0) throw new InvalidInputException("--feather must be >= 0, got " + feather);
            if (threads < 0) throw new InvalidInputException("--threads must be >= 0, got " + threads);
            if (queue < 1) throw new InvalidInputException("queue depth must be >= 1, got " + queue);
            if (temp == null) temp = Path.of(System.getProperty("java.io.tmpdir"));
        }

        /**
         * The app's settings (the inpainter's dilation: E2FGVI's 4; no feather; the system temp
         * folder; the writer's defaults), with the crop on.
         */
        public static Options defaults() {
            return new Options(Range.all(), INPAINTER_DILATION, 0, null, null, null, VideoWriter.Options.defaults(), 0, 4, true);
        }

        public Options withRange(Range r) {
            return new Options(r, dilate, feather, temp, masksOut, matteOut, writer, threads, queue, crop);
        }

        public Options withDilate(int n) {
            return new Options(range, n, feather, temp, masksOut, matteOut, writer, threads, queue, crop);
        }

        public Options withFeather(int px) {
            return new Options(range, dilate, px, temp, masksOut, matteOut, writer, threads, queue, crop);
        }

        public Options withTemp(Path dir) {
            return new Options(range, dilate, feather, dir, masksOut, matteOut, writer, threads, queue, crop);
        }

        public Options withMasksOut(Path dir) {
            return new Options(range, dilate, feather, temp, dir, matteOut, writer, threads, queue, crop);
        }

        public Options withMatteOut(Path file) {
            return new Options(range, dilate, feather, temp, masksOut, file, writer, threads, queue, crop);
        }

        public Options withWriter(VideoWriter.Options w) {
            return new Options(range, dilate, feather, temp, masksOut, matteOut, w, threads, queue, crop);
        }

        public Options withThreads(int n) {
            return new Options(range, dilate, feather, temp, masksOut, matteOut, writer, n, queue, crop);
        }

        public Options withQueue(int n) {
            return new Options(range, dilate, feather, temp, masksOut, matteOut, writer, threads, n, crop);
        }

        public Options withCrop(boolean on) {
            return new Options(range, dilate, feather, temp, masksOut, matteOut, writer, threads, queue, on);
        }
    }

    /** With the crop on: frames {@code first..last} were inpainted in one session on {@code rect} of the source, at {@code workingSize}. */
    public record Crop(long first, long last, Crops.Rect rect, Inpainter.Size workingSize) {}

    /**
     * What a run did.
     *
     * @param frames         frames written (remove) or tracked (track)
     * @param trackedFrames  frames of the range that got label maps
     * @param backwardFrames frames tracked by the backward pass
     * @param objects        objects tracked
     * @param workingSize    the inpainter's working size: of whole frames, or with the crop on, of the first crop
     *                       (null for track, and when no frame had a mask)
     * @param tempBytes      compressed mask bytes written to the temporary folder
     * @param masksWritten   PNG masks written to masksOut
     * @param truncation     null, or why the source ended early
     * @param seconds        wall time of each pass
     * @param crops          with the crop on, each run's frames and crop (none when no frame had a mask); empty otherwise
     */
    /** @param outputNotes what of the source the output did not keep as it was ({@link VideoWriter#notes()}) */
    public record Result(long frames, long trackedFrames, long backwardFrames, int objects, Inpainter.Size workingSize, long tempBytes,
                         long masksWritten, String truncation, Map<String, Double> seconds, List<Crop> crops, List<String> outputNotes) {}

    private final Path input, output;
    private final Prompts prompts;
    private final Options options;
    private final StageFactory<? extends Segmenter> segmenterFactory;
    private final StageFactory<? extends Tracker> trackerFactory;
    private final StageFactory<? extends Inpainter> inpainterFactory;
    private MasksIn masksIn;
    private StageFactory<? extends AutoSegmenter> autoFactory;
    private int samGap;
    private MatteRule matteRule = MatteRule.e2fgvi();
    private LabelListener labelListener;
    private int runContext = Crops.RUN_CONTEXT;

    private RemovePipeline(Path input, Path output, Prompts prompts, Options options, StageFactory<? extends Segmenter> segmenter,
                           StageFactory<? extends Tracker> tracker, StageFactory<? extends Inpainter> inpainter) {
        this.input = input;
        this.output = output;
        this.prompts = prompts;
        this.options = options;
        this.segmenterFactory = segmenter;
        this.trackerFactory = tracker;
        this.inpainterFactory = inpainter;
    }

    /** Removes the prompted objects from {@code input} into {@code output}. */
    public static RemovePipeline remove(Path input, Path output, Prompts prompts, Options options, StageFactory<? extends Segmenter> segmenter,
                                        StageFactory<? extends Tracker> tracker, StageFactory<? extends Inpainter> inpainter) {
        if (output == null) throw new InvalidInputException("remove needs an output file");
        return new RemovePipeline(input, output, prompts, options, segmenter, tracker, inpainter);
    }

    /**
     * Removes the objects of ready-made index masks ({@code remove --masks-in DIR [--ids]}) from
     * {@code input} into {@code output}: no segmentation, no tracking, no backward pass.
     */
    public static RemovePipeline remove(Path input, Path output, MasksIn masks, Options options, StageFactory<? extends Inpainter> inpainter) {
        if (output == null) throw new InvalidInputException("remove needs an output file");
        if (masks == null) throw new InvalidInputException("remove needs prompts or --masks-in");
        RemovePipeline p = new RemovePipeline(input, output, null, options, null, null, inpainter);
        p.masksIn = masks;
        return p;
    }

    /**
     * Tracks the prompted objects through {@code input} and writes the index masks to
     * {@code options.masksOut()}, the matte to {@code options.matteOut()}, or both.
     */
    public static RemovePipeline track(Path input, Prompts prompts, Options options, StageFactory<? extends Segmenter> segmenter,
                                       StageFactory<? extends Tracker> tracker) {
        checkTrackOutputs(options);
        return new RemovePipeline(input, null, prompts, options, segmenter, tracker, null);
    }

    /**
     * Segments everything and tracks it, as the reference app's "segment everything and track":
     * the automatic segmenter runs on the range's first frame and every {@code samGap} frames
     * after it, and each of its masks that {@link NewObjects} admits becomes a new object there,
     * added through the tracker's add-reference path with the full label map (the tracked objects
     * as predicted plus the new ids). Forward only: an object exists from the frame it was first
     * seen on. Writes what {@link #track} writes.
     */
    public static RemovePipeline trackEverything(Path input, int samGap, Options options, StageFactory<? extends AutoSegmenter> segmenter,
                                                 StageFactory<? extends Tracker> tracker) {
        if (samGap < 1) throw new InvalidInputException("--sam-gap must be >= 1, got " + samGap);
        if (segmenter == null) throw new InvalidInputException("segmenting everything needs an automatic segmenter (SAM)");
        checkTrackOutputs(options);
        RemovePipeline p = new RemovePipeline(input, null, null, options, null, tracker, null);
        p.autoFactory = segmenter;
        p.samGap = samGap;
        return p;
    }

    private static void checkTrackOutputs(Options options) {
        if (options.masksOut() == null && options.matteOut() == null) {
            throw new InvalidInputException("track needs somewhere to write: a folder for the masks (--masks-out DIR), a matte (--matte-out FILE), or both");
        }
    }

    /**
     * What {@link #track}'s matte needs of the inpainter removal would use, which it does not load:
     * its working sizes ({@link Inpainter#workingSize}) and its own dilation
     * ({@link Inpainter#defaultDilation}, used when {@link Options#dilate()} is {@link #INPAINTER_DILATION}).
     */
    public record MatteRule(Crops.WorkingSize workingSize, int defaultDilation) {
        /** remove's default inpainter: E2FGVI (432x240 whatever the frame or crop), dilation 4. */
        public static MatteRule e2fgvi() {
            return new MatteRule((w, h) -> NeuralInpainter.E2FGVI_SIZE, io.inpainterz.engine.Inpainter.SessionOptions.defaults().dilation());
        }

        /** The rule of an inpainter at hand. */
        public static MatteRule of(Inpainter inpainter) {
            return new MatteRule(inpainter::workingSize, inpainter.defaultDilation());
        }
    }

    /**
     * Where {@link #track} dilates the matte: as removal with the inpainter of {@code rule} would,
     * with the same options (the crop on: the crop {@link #remove} would choose, at its working
     * size; off: the whole frame's). Default: {@link MatteRule#e2fgvi()}. {@link #remove} follows
     * its own inpainter. Returns this pipeline.
     */
    public RemovePipeline matteAt(MatteRule rule) {
        this.matteRule = rule;
        return this;
    }

    /** Sees each frame's final label map as the forward pass makes it (a live view of the tracking). */
    @FunctionalInterface
    public interface LabelListener {
        /** On the tracking thread, in frame order; {@code map} (width x height ids, 0 = background) is reused after the call. */
        void labels(long frame, byte[] map);
    }

    /** Reports every frame's final label map to {@code l} (null: none); returns this pipeline. */
    public RemovePipeline onLabels(LabelListener l) {
        this.labelListener = l;
        return this;
    }

    /** Frames of context each side of a run with the crop on ({@link Crops}); tests make runs short with it. */
    RemovePipeline runContext(int frames) {
        if (frames < 0) throw new InvalidInputException("run context must be >= 0, got " + frames);
        this.runContext = frames;
        return this;
    }

    /** Warnings about a source the output cannot keep as it is (bit depth, HDR), for the caller to show. */
    public static List<String> warnings(VideoInfo info) {
        List<String> w = new ArrayList<>();
        String transfer = info.colorSpace() == null ? "" : info.colorSpace();
        if (info.bitDepth() > 8 || transfer.contains("2020")) {
            w.add(info.file() + " is " + info.bitDepth() + "-bit " + transfer + ": the output is 8-bit BT.709 (a later version keeps HDR and 10-bit)");
        }
        return w;
    }

    /** Prompt masks (255 = object) by frame and object id, deflated. */
    private static final class PromptMasks {
        final Map<Long, Map<Integer, byte[]>> byFrame = new HashMap<>();

        void put(long frame, int id, byte[] mask) {
            byFrame.computeIfAbsent(frame, k -> new java.util.TreeMap<>()).put(id, MaskStore.pack(mask));
        }

        /** Object id to packed mask on {@code frame} (ascending ids); empty when none. */
        Map<Integer, byte[]> on(long frame) {
            return byFrame.getOrDefault(frame, Map.of());
        }
    }

    private record Item(long index, Frame frame) {}

    private record Work(long index, Frame frame, Mask mask) {}

    private record Pending(long index, Mask dilated, boolean empty) {}

    private record Done(long index, Frame frame, Mask dilated, boolean empty) {}

    /** Runs every pass; progress ("segment", "track.backward", then "remove" (the crop off), "track" then "remove" (on), or "track") and cancel from {@code job}. */
    public Result run(Job job) {
        if (job == null) job = Job.create();
        Map<String, Double> seconds = new LinkedHashMap<>();
        VideoInfo info;
        try (VideoReader probe = VideoReader.open(input)) {
            info = probe.info();
        }
        int w = info.width(), h = info.height();
        long knownCount = info.frameCountExact() ? info.frameCount() : -1;
        Range range = options.range();
        if (knownCount >= 0 && range.first() >= knownCount) {
            throw new InvalidInputException("--range " + range + " starts past the last frame of '" + input + "' (" + knownCount + " frames, 0.." + (knownCount - 1) + ")");
        }
        if (knownCount >= 0 && range.last() >= knownCount) {
            throw new InvalidInputException("--range " + range + " ends past the last frame of '" + input + "' (" + knownCount + " frames, 0.." + (knownCount - 1) + ")");
        }
        if (prompts != null) prompts.validate(w, h, knownCount, range);
        Map<Integer, Map<Long, byte[]>> maskFiles = prompts == null ? Map.of() : readMaskFiles(w, h);
        if (masksIn != null) masksIn.check(w, h, range.first(), range.last());
        if (output != null) checkOutput(output, "output");
        Path matteOut = options.matteOut();
        if (matteOut != null) {
            checkOutput(matteOut, "--matte-out");
            if (output != null && matteOut.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw new InvalidInputException("--matte-out '" + matteOut + "' is the output; write the matte elsewhere");
            }
        }
        long first = range.first(), last = range.last();
        long[] firstOf = new long[256];
        Arrays.fill(firstOf, Long.MAX_VALUE);
        long earliest = Long.MAX_VALUE, latest = -1;
        int objectCount = prompts == null ? 0 : prompts.count();
        for (int id = 1; id <= objectCount; id++) {
            firstOf[id] = prompts.firstFrame(id);
            earliest = Math.min(earliest, firstOf[id]);
            latest = Math.max(latest, firstOf[id]);
        }

        MaskStore store = null;
        MasksOut masks = null;
        VideoWriter writer = null;
        MatteOut matte = null;
        List<Path> finished = new ArrayList<>();
        boolean complete = false;
        try {
            store = MaskStore.create(options.temp(), w, h);
            if (options.masksOut() != null) masks = MasksOut.create(options.masksOut(), w, h);
            double fps = info.fps() > 0 ? info.fps() : options.writer().fps();
            if (output != null) writer = VideoWriter.open(output, w, h, options.writer().withFps(fps).withSource(input));
            if (matteOut != null) matte = MatteOut.open(matteOut, w, h, options.writer().withFps(fps));

            long t0 = System.nanoTime();
            PromptMasks pm = prompts == null ? new PromptMasks() : segment(job, w, h, maskFiles);
            seconds.put("segment", (System.nanoTime() - t0) / 1e9);

            long backwardFrames = 0;
            Inpainter inpainter = null;
            try (Tracker tracker = trackerFactory == null ? null : trackerFactory.open(job);
                 AutoSegmenter auto = autoFactory == null ? null : autoFactory.open(job)) {
                try {
                    if (inpainterFactory != null) inpainter = inpainterFactory.open(job);
                    if (latest > first) {
                        t0 = System.nanoTime();
                        backwardFrames = backward(job, tracker, store, pm, firstOf, first, latest, w, h);
                        seconds.put("backward", (System.nanoTime() - t0) / 1e9);
                    }
                    // The crop on: every mask is known (in the store) before the first crop is chosen, so tracking is a pass of its own;
                    // without an inpainter that pass is followed by the matte's, cropped as removal would crop. An inpainter that
                    // takes whole frames at the source's own size (the weight-free one up to 1280x720, HQ up to 864x480) gains nothing
                    // from a crop, which would grow to the whole frame anyway: it keeps the one overlapped pass (and track's matte
                    // follows it there too).
                    MatteRule rule = inpainter != null ? MatteRule.of(inpainter) : matteRule;
                    boolean cropped = options.crop() && (inpainter != null || matte != null)
                            && !rule.workingSize().of(w, h).equals(new Inpainter.Size(w, h));
                    Crops.Planner planner = cropped ? new Crops.Planner(first, runContext) : null;
                    t0 = System.nanoTime();
                    ForwardResult fr = forward(job, tracker, auto, cropped ? null : inpainter, store, masks, cropped ? null : writer,
                            cropped ? null : matte, rule, pm, firstOf, earliest, latest, first, last, info, planner);
                    seconds.put(inpainter == null || cropped ? "track" : "remove", (System.nanoTime() - t0) / 1e9);
                    long written = fr.written;
                    Inpainter.Size workingSize = inpainter == null ? null : inpainter.workingSize(w, h);
                    List<Crop> crops = new ArrayList<>();
                    if (cropped) {
                        int dilation = dilation(rule.defaultDilation());
                        for (Crops.Run run : planner.finish()) {
                            Crops.Rect rect = Crops.crop(run.box(), w, h, dilation, rule.workingSize());
                            crops.add(new Crop(run.first(), run.last(), rect, rule.workingSize().of(rect.width(), rect.height())));
                        }
                        t0 = System.nanoTime();
                        if (inpainter != null) {
                            workingSize = crops.isEmpty() ? null : crops.get(0).workingSize();
                            written = removeCropped(job, inpainter, store, writer, matte, crops, info);
                            seconds.put("remove", (System.nanoTime() - t0) / 1e9);
                        } else {
                            matteCropped(job, store, matte, crops, dilation, first, last, info);
                            seconds.put("matte", (System.nanoTime() - t0) / 1e9);
                        }
                    }
                    // A failure after one output is finished takes it away again (below): all of them, or none.
                    if (writer != null) {
                        writer.finish();
                        finished.add(output);
                    }
                    if (matte != null) {
                        matte.finish();
                        finished.add(matteOut);
                    }
                    if (masks != null) masks.commit();
                    complete = true;
                    return new Result(writer != null ? written : fr.tracked, fr.tracked, backwardFrames,
                            masksIn != null ? masksIn.objects() : auto != null ? fr.objects : objectCount,
                            workingSize, store.bytesWritten(), masks == null ? 0 : masks.written(),
                            fr.truncation, seconds, List.copyOf(crops), writer == null ? List.of() : writer.notes());
                } finally {
                    if (inpainter != null) inpainter.close();
                }
            }
        } finally {
            if (writer != null) writer.close(); // deletes the output when it was not finished
            if (matte != null) matte.close();
            if (masks != null) masks.close();
            if (store != null) store.close();
            if (!complete) {
                for (Path f : finished) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (java.io.IOException | SecurityException e) {
                        // best effort: the run's own failure is what the caller must see
                    }
                }
            }
        }
    }

    private void checkOutput(Path file, String what) {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        String name = what.equals("output") ? "" : what + " ";
        if (dir == null || !Files.isDirectory(dir)) throw new FileAccessException("cannot write " + name + "'" + file + "': folder '" + dir + "' does not exist");
        if (!Files.isWritable(dir)) throw new FileAccessException("cannot write " + name + "'" + file + "': folder '" + dir + "' is not writable");
        if (Files.isDirectory(abs)) throw new FileAccessException(what + " '" + file + "' is a folder");
        try {
            if (Files.exists(abs) && Files.isSameFile(abs, input)) throw new InvalidInputException(what + " '" + file + "' is the input; write elsewhere");
        } catch (java.io.IOException e) {
            throw new FileAccessException("cannot check " + what + " '" + file + "': " + e.getMessage());
        }
    }

    /** Every mask prompt file, read and checked before any model loads: object id to frame to binary mask (files on one frame OR-ed). */
    private Map<Integer, Map<Long, byte[]>> readMaskFiles(int w, int h) {
        Map<Integer, Map<Long, byte[]>> out = new HashMap<>();
        for (int id = 1; id <= prompts.count(); id++) {
            for (Prompt p : prompts.of(id)) {
                if (!(p instanceof Prompt.MaskFile mf)) continue;
                byte[] m = MaskPng.readBinary(mf.file(), w, h);
                byte[] prev = out.computeIfAbsent(id, k -> new HashMap<>()).putIfAbsent(mf.frame(), m);
                if (prev != null) for (int i = 0; i < m.length; i++) prev[i] |= m[i];
            }
        }
        return out;
    }

    /** Pass 1: each prompt frame decoded once; its objects' prompts become masks (SAM runs only for points and boxes). */
    private PromptMasks segment(Job job, int w, int h, Map<Integer, Map<Long, byte[]>> maskFiles) {
        PromptMasks pm = new PromptMasks();
        TreeSet<Long> frames = prompts.frames();
        Segmenter segmenter = null;
        try (VideoReader r = VideoReader.open(input); Frame frame = r.allocateFrame(); Mask predicted = Mask.allocate(w, h)) {
            long next = 0, done = 0;
            byte[] mask = new byte[w * h], buf = new byte[w * h];
            for (long f : frames) {
                if (f != next) r.seek(f);
                if (!r.read(frame)) throw new InvalidInputException("a prompt is on frame " + f + ", past the last frame of '" + input + "'");
                next = f + 1;
                Segmenter.FrameSegmenter prepared = null;
                try {
                    for (Map.Entry<Integer, List<Prompt>> e : prompts.on(f).entrySet()) {
                        int id = e.getKey();
                        Arrays.fill(mask, (byte) 0);
                        Segmenter.FramePrompt fp = framePrompt(e.getValue());
                        if (fp != null) {
                            if (segmenter == null) segmenter = segmenterFactory.open(job);
                            if (prepared == null) prepared = segmenter.prepare(frame, job);
                            prepared.segment(fp, predicted, job);
                            predicted.copyTo(buf);
                            for (int i = 0; i < mask.length; i++) if (buf[i] != 0) mask[i] = (byte) 255;
                        }
                        byte[] given = maskFiles.getOrDefault(id, Map.of()).get(f);
                        if (given != null) for (int i = 0; i < mask.length; i++) mask[i] |= given[i];
                        if (LabelMaps.isEmpty(mask)) {
                            throw new InvalidInputException("object " + id + ": its prompts on frame " + f + " give an empty mask (" + e.getValue().stream()
                                    .map(Prompts::describe).reduce((a, b) -> a + "; " + b).orElse("") + ")");
                        }
                        pm.put(f, id, mask);
                    }
                } finally {
                    if (prepared != null) prepared.close();
                }
                job.step("segment", ++done, frames.size());
            }
        } finally {
            if (segmenter != null) segmenter.close();
        }
        return pm;
    }

    /** The points and box of one object's prompts on one frame, or null when it has only mask files. */
    private static Segmenter.FramePrompt framePrompt(List<Prompt> ps) {
        List<Float> xy = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        float[] box = null;
        for (Prompt p : ps) {
            if (p instanceof Prompt.Point pt) {
                xy.add(pt.x());
                xy.add(pt.y());
                labels.add(pt.positive() ? 1 : 0);
            } else if (p instanceof Prompt.Box b) {
                box = new float[] {b.x0(), b.y0(), b.x1(), b.y1()};
            }
        }
        if (labels.isEmpty() && box == null) return null;
        float[] points = new float[xy.size()];
        for (int i = 0; i < points.length; i++) points[i] = xy.get(i);
        return new Segmenter.FramePrompt(points, labels.stream().mapToInt(Integer::intValue).toArray(), box);
    }

    /** Frames per backward chunk: two chunks (one decoding, one tracked) within about 128 MiB, 4..32 frames. */
    static int chunkFrames(int w, int h) {
        long frameBytes = 3L * w * h;
        return (int) Math.max(4, Math.min(32, (128L << 20) / (2 * frameBytes)));
    }

    /** Pass 2: from frame {@code latest} down to {@code first}; maps of objects whose reference is after t go to the store. */
    private long backward(Job caller, Tracker tracker, MaskStore store, PromptMasks pm, long[] firstOf, long first, long latest, int w, int h) {
        Stages stages = new Stages("backward", options.threads());
        int chunk = chunkFrames(w, h);
        AtomicLong done = new AtomicLong();
        Stages.Pipe<Item> queue = new Stages.Pipe<>(chunk + 1);
        try (ImagePool<Frame> pool = ImagePool.frames(w, h, 2 * chunk)) {
            stages.start("decode", () -> {
                try (VideoReader r = VideoReader.open(input)) {
                    for (long end = latest; end >= first; ) {
                        long start = Math.max(first, end - chunk + 1);
                        r.seek(start);
                        List<Frame> frames = new ArrayList<>();
                        try {
                            for (long t = start; t <= end; t++) {
                                Frame f = pool.take();
                                frames.add(f);
                                if (!r.read(f)) throw new VideoException("'" + input + "' ended at frame " + t + " while it was read backward (from " + latest + ")");
                            }
                            for (int i = frames.size() - 1; i >= 0; i--) {
                                queue.put(new Item(start + i, frames.get(i)));
                                frames.remove(i);
                            }
                        } finally {
                            frames.forEach(Frame::close);
                        }
                        end = start - 1;
                    }
                    queue.end();
                }
            });
            stages.start("track", () -> {
                Job job = stages.job();
                byte[] map = new byte[w * h], buf = new byte[w * h];
                try (TrackedIds session = new TrackedIds(tracker, w, h)) {
                    for (Item it; (it = queue.take()) != null; ) {
                        try (Frame frame = it.frame()) {
                            long t = it.index();
                            List<Integer> joining = new ArrayList<>();
                            for (int id = 1; id <= prompts.count(); id++) if (firstOf[id] == t) joining.add(id);
                            if (t == latest || !joining.isEmpty()) {
                                if (t == latest) Arrays.fill(map, (byte) 0);
                                else session.predict(frame, map, job);
                                for (int id : joining) {
                                    MaskStore.unpack(pm.on(t).get(id), buf);
                                    LabelMaps.paint(map, buf, id);
                                    session.ids.add(id);
                                }
                                session.addReference(frame, map, job);
                            } else {
                                session.track(frame, map, job);
                            }
                            if (t < latest) {
                                // Only objects whose reference is after t: the forward pass has the others.
                                for (int i = 0; i < map.length; i++) if (map[i] != 0 && firstOf[map[i] & 0xff] <= t) map[i] = 0;
                                store.put(t, map);
                            }
                        }
                        done.incrementAndGet();
                    }
                }
            });
            stages.await(caller, "track.backward", done::get, () -> latest - first + 1);
        }
        return done.get();
    }

    private record ForwardResult(long tracked, long written, int objects, String truncation) {}

    /**
     * Pass 3: decode, track and merge, then (resize, inpaint, composite, encode: the crop off); or
     * decode, track and write masks (and the matte, the crop off), each frame's final map also
     * going to the store and its bounding box to {@code planner} when one is given (the crop on:
     * the inpainting or the matte follows). With {@code auto}, objects come from the automatic
     * segmenter instead of prompts. Without an inpainter, the matte follows {@code rule}.
     */
    private ForwardResult forward(Job caller, Tracker tracker, AutoSegmenter auto, Inpainter inpainter, MaskStore store, MasksOut masks,
                                  VideoWriter writer, MatteOut matte, MatteRule rule, PromptMasks pm, long[] firstOf, long earliest, long latest,
                                  long first, long last, VideoInfo info, Crops.Planner planner) {
        int w = info.width(), h = info.height(), depth = options.queue();
        Stages stages = new Stages("forward", options.threads());
        AtomicLong tracked = new AtomicLong(), written = new AtomicLong();
        AtomicInteger objects = new AtomicInteger();
        AtomicReference<String> truncation = new AtomicReference<>();
        Inpainter.Size ws = inpainter == null ? null : inpainter.workingSize(w, h);
        // Without an inpainter, the matte is dilated where removal would dilate it.
        Inpainter.Size ms = inpainter == null && matte != null ? rule.workingSize().of(w, h) : null;
        int matteDilation = dilation(rule.defaultDilation());
        Stages.Pipe<Item> decoded = new Stages.Pipe<>(depth);
        Stages.Pipe<Work> work = inpainter == null ? null : new Stages.Pipe<>(depth);
        Stages.Pipe<Done> filled = inpainter == null ? null : new Stages.Pipe<>(depth);
        Stages.Pipe<Pending> mattes = ms == null ? null : new Stages.Pipe<>(depth);
        List<ImagePool<?>> pools = new ArrayList<>();
        try {
            ImagePool<Frame> sources = add(pools, ImagePool.frames(w, h, depth + 2));
            ImagePool<Frame> workFrames = ws == null ? null : add(pools, ImagePool.frames(ws.width(), ws.height(), depth + 2));
            ImagePool<Mask> workMasks = ws == null ? null : add(pools, ImagePool.masks(ws.width(), ws.height(), depth + 2));
            ImagePool<Frame> outFrames = ws == null ? null : add(pools, ImagePool.frames(ws.width(), ws.height(), depth + 2));
            ImagePool<Mask> dilatedMasks = ws == null ? null : add(pools, ImagePool.masks(ws.width(), ws.height(), 2 * depth + 16));
            ImagePool<Mask> matteMasks = ms == null ? null : add(pools, ImagePool.masks(ms.width(), ms.height(), depth + 2));

            stages.start("decode", () -> decode(sources, decoded, first, last, truncation));

            stages.start("track", () -> {
                Job job = stages.job();
                byte[] map = new byte[w * h], buf = new byte[w * h];
                NewObjects admission = auto == null ? null : new NewObjects(w, h);
                TrackedIds session = null;
                try (Mask full = Mask.allocate(w, h);
                     Mask matteWork = ms == null ? null : Mask.allocate(ms.width(), ms.height())) {
                    for (Item it; (it = decoded.take()) != null; ) {
                        try (Frame frame = it.frame()) {
                            long t = it.index();
                            Map<Integer, byte[]> on = pm.on(t);
                            if (masksIn != null) {
                                masksIn.read(t, w, h, map);
                            } else if (auto != null) {
                                if ((t - first) % samGap == 0) {
                                    if (session == null) Arrays.fill(map, (byte) 0);
                                    else session.predict(frame, map, job);
                                    List<Mask> found = auto.everything(frame, job);
                                    try {
                                        for (Mask m : found) {
                                            m.copyTo(buf);
                                            admission.add(buf);
                                        }
                                    } finally {
                                        found.forEach(Mask::close);
                                    }
                                    int before = session == null ? 0 : session.ids.count(), now = admission.admit(map, before);
                                    objects.set(now);
                                    // As the app: every such frame is a reference, with or without new objects.
                                    if (now > 0) {
                                        if (session == null) session = new TrackedIds(tracker, w, h);
                                        for (int id = before + 1; id <= now; id++) session.ids.add(id);
                                        session.addReference(frame, map, job);
                                    }
                                } else if (session != null) {
                                    session.track(frame, map, job);
                                } else {
                                    Arrays.fill(map, (byte) 0);
                                }
                            } else if (t < earliest) {
                                Arrays.fill(map, (byte) 0);
                            } else if (t == earliest || !on.isEmpty()) {
                                if (session == null) {
                                    session = new TrackedIds(tracker, w, h);
                                    Arrays.fill(map, (byte) 0);
                                } else {
                                    session.predict(frame, map, job);
                                }
                                for (Map.Entry<Integer, byte[]> e : on.entrySet()) {
                                    int id = e.getKey();
                                    if (session.ids.has(id)) LabelMaps.clear(map, id); // a correction replaces the object's pixels
                                    MaskStore.unpack(e.getValue(), buf);
                                    LabelMaps.paint(map, buf, id);
                                    session.ids.add(id);
                                }
                                session.addReference(frame, map, job);
                            } else {
                                session.track(frame, map, job);
                            }
                            if (t < latest && store.get(t, buf)) LabelMaps.fillBackground(map, buf);
                            if (masks != null) masks.write(t, map);
                            if (labelListener != null) labelListener.labels(t, map);
                            if (planner != null) {
                                store.put(t, map); // after the backward map of t was read: the final map replaces it
                                planner.add(t, Crops.bounds(map, w, h));
                            }
                            if (work != null) {
                                sendWork(workFrames, workMasks, work, t, (wf, wm) -> {
                                    frame.resizeTo(wf);
                                    LabelMaps.binarize(map, buf);
                                    full.copyFrom(buf);
                                    full.resizeTo(wm);
                                });
                            }
                            if (mattes != null) {
                                // The inpainter's rule: to the working size (NEAREST), dilated there; the matte stage resizes it back.
                                Mask d = matteMasks.take();
                                try {
                                    boolean empty = LabelMaps.isEmpty(map);
                                    if (!empty) {
                                        LabelMaps.binarize(map, buf);
                                        full.copyFrom(buf);
                                        full.resizeTo(matteWork);
                                        matteWork.dilate(matteDilation, d);
                                    }
                                    mattes.put(new Pending(t, d, empty));
                                } catch (Exception e) {
                                    d.close();
                                    throw e;
                                }
                            }
                        }
                        tracked.incrementAndGet();
                    }
                } finally {
                    if (session != null) session.close();
                }
                if (work != null) work.end();
                if (mattes != null) mattes.end();
            });

            if (mattes != null) {
                stages.start("matte", () -> {
                    // Every source frame, for its timestamp: the range's get their dilated masks, the others black.
                    try (VideoReader r = VideoReader.open(input); Frame src = r.allocateFrame(); Mask up = Mask.allocate(w, h)) {
                        boolean more = true;
                        for (long t = 0; r.read(src); t++) {
                            Pending p = null;
                            if (more && t >= first && (last == -1 || t <= last)) {
                                p = mattes.take();
                                if (p == null) more = false;
                            }
                            try {
                                if (p != null && p.index() != t) throw new IllegalStateException("matte of frame " + p.index() + " arrived for source frame " + t);
                                if (p != null && !p.empty()) p.dilated().resizeTo(up);
                                matte.write(p != null && !p.empty() ? up : null, r.lastPtsMicros());
                            } finally {
                                if (p != null) p.dilated().close();
                            }
                        }
                        if (more) {
                            Pending p = mattes.take();
                            if (p != null) {
                                p.dilated().close();
                                throw new VideoException("'" + input + "' ended before the matte of frame " + p.index() + " when read again");
                            }
                        }
                    }
                });
            }

            if (inpainter != null) {
                stages.start("inpaint", () -> inpaint(stages.job(), inpainter, ws, work, filled, outFrames, dilatedMasks));

                stages.start("encode", () -> {
                    try (VideoReader r = VideoReader.open(input); Frame src = r.allocateFrame(); Compositor composite = new Compositor(w, h)) {
                        boolean more = true;
                        for (long t = 0; r.read(src); t++) {
                            boolean removed = false;
                            if (more && t >= first && (last == -1 || t <= last)) {
                                Done d = filled.take();
                                if (d == null) {
                                    more = false;
                                } else {
                                    try {
                                        if (d.index() != t) throw new IllegalStateException("inpainted frame " + d.index() + " arrived for source frame " + t);
                                        if (!d.empty()) {
                                            composite.into(src, d);
                                            removed = true;
                                        }
                                    } finally {
                                        d.frame().close();
                                        d.dilated().close();
                                    }
                                }
                            }
                            writer.write(src, r.lastPtsMicros());
                            if (matte != null) matte.write(removed ? composite.mask() : null, r.lastPtsMicros());
                            written.incrementAndGet();
                        }
                        if (more) {
                            Done d = filled.take();
                            if (d != null) {
                                d.frame().close();
                                d.dilated().close();
                                throw new VideoException("'" + input + "' ended before inpainted frame " + d.index() + " when read again for the output");
                            }
                        }
                    }
                });
            }

            long rangeFrames = (last == -1 ? info.frameCount() - 1 : last) - first + 1;
            if (inpainter != null) stages.await(caller, "remove", written::get, info::frameCount);
            else stages.await(caller, "track", tracked::get, () -> rangeFrames);
        } finally {
            for (ImagePool<?> p : pools) p.close();
        }
        return new ForwardResult(tracked.get(), written.get(), objects.get(), truncation.get());
    }

    /**
     * The crop on, pass 4: each run decoded again, its frames' crops (and their masks from the
     * store) resized to the crop's working size, inpainted in a session of its own, and
     * composited into the crop of the source frames; frames outside every run are re-encoded as
     * they are. One reader serves the output from frame 0 to the end across the runs, so it is
     * read once, in order. The matte (or null) gets each frame's dilated mask where it was
     * composited, in its crop, black elsewhere. Returns the frames written.
     */
    private long removeCropped(Job caller, Inpainter inpainter, MaskStore store, VideoWriter writer, MatteOut matte, List<Crop> crops, VideoInfo info) {
        AtomicLong written = new AtomicLong();
        try (VideoReader out = VideoReader.open(input)) {
            for (Crop c : crops) removeRun(caller, inpainter, store, writer, matte, out, c, written, info);
            Stages stages = new Stages("remove", options.threads());
            stages.start("encode", () -> {
                try (Frame src = out.allocateFrame()) {
                    copy(out, src, writer, matte, written, -1);
                }
            });
            stages.await(caller, "remove", written::get, info::frameCount);
        }
        return written.get();
    }

    /** One run of {@link #removeCropped}: the frames before it that are not written yet as they are, then the run's. */
    private void removeRun(Job caller, Inpainter inpainter, MaskStore store, VideoWriter writer, MatteOut matte, VideoReader out, Crop crop,
                           AtomicLong written, VideoInfo info) {
        int w = info.width(), h = info.height(), depth = options.queue();
        Crops.Rect c = crop.rect();
        Inpainter.Size ws = crop.workingSize();
        Stages stages = new Stages("remove", options.threads());
        Stages.Pipe<Item> decoded = new Stages.Pipe<>(depth);
        Stages.Pipe<Work> work = new Stages.Pipe<>(depth);
        Stages.Pipe<Done> filled = new Stages.Pipe<>(depth);
        List<ImagePool<?>> pools = new ArrayList<>();
        try {
            ImagePool<Frame> sources = add(pools, ImagePool.frames(w, h, depth + 2));
            ImagePool<Frame> workFrames = add(pools, ImagePool.frames(ws.width(), ws.height(), depth + 2));
            ImagePool<Mask> workMasks = add(pools, ImagePool.masks(ws.width(), ws.height(), depth + 2));
            ImagePool<Frame> outFrames = add(pools, ImagePool.frames(ws.width(), ws.height(), depth + 2));
            ImagePool<Mask> dilatedMasks = add(pools, ImagePool.masks(ws.width(), ws.height(), 2 * depth + 16));

            stages.start("decode", () -> decode(sources, decoded, crop.first(), crop.last(), null));

            stages.start("crop", () -> {
                byte[] map = new byte[w * h];
                long next = crop.first();
                try (Mask full = Mask.allocate(w, h)) {
                    Mask fullCrop = full.region(c.x(), c.y(), c.width(), c.height());
                    for (Item it; (it = decoded.take()) != null; next++) {
                        try (Frame frame = it.frame()) {
                            store.get(it.index(), map);
                            LabelMaps.binarize(map, map);
                            full.copyFrom(map);
                            sendWork(workFrames, workMasks, work, it.index(), (wf, wm) -> {
                                frame.region(c.x(), c.y(), c.width(), c.height()).resizeTo(wf);
                                fullCrop.resizeTo(wm);
                            });
                        }
                    }
                }
                if (next != crop.last() + 1) {
                    throw new VideoException("'" + input + "' ended at frame " + next + " when read again for the inpainter (the tracking read " + crop.last() + ")");
                }
                work.end();
            });

            stages.start("inpaint", () -> inpaint(stages.job(), inpainter, ws, work, filled, outFrames, dilatedMasks));

            stages.start("encode", () -> {
                try (Frame src = out.allocateFrame(); Compositor composite = new Compositor(c.width(), c.height())) {
                    Frame region = src.region(c.x(), c.y(), c.width(), c.height());
                    copy(out, src, writer, matte, written, crop.first());
                    for (long t = crop.first(); t <= crop.last(); t++) {
                        if (!out.read(src)) throw new VideoException("'" + input + "' ended at frame " + t + " when read again for the output");
                        Done d = filled.take();
                        if (d == null) throw new IllegalStateException("the inpainter returned no frame " + t);
                        try {
                            if (d.index() != t) throw new IllegalStateException("inpainted frame " + d.index() + " arrived for source frame " + t);
                            if (!d.empty()) composite.into(region, d);
                            if (matte != null) matte.write(d.empty() ? null : composite.mask(), c.x(), c.y(), out.lastPtsMicros());
                        } finally {
                            d.frame().close();
                            d.dilated().close();
                        }
                        writer.write(src, out.lastPtsMicros());
                        written.incrementAndGet();
                    }
                    Done extra = filled.take();
                    if (extra != null) {
                        extra.frame().close();
                        extra.dilated().close();
                        throw new IllegalStateException("the inpainter returned frame " + extra.index() + " past its run's last, " + crop.last());
                    }
                }
            });

            stages.await(caller, "remove", written::get, info::frameCount, false);
        } finally {
            for (ImagePool<?> p : pools) p.close();
        }
    }

    /** Decodes frames {@code first..last} ({@code last} -1: to the end) into {@code decoded}; then ends it. */
    private void decode(ImagePool<Frame> sources, Stages.Pipe<Item> decoded, long first, long last, AtomicReference<String> truncation)
            throws InterruptedException {
        try (VideoReader r = VideoReader.open(input)) {
            if (first > 0) r.seek(first);
            for (long t = first; last == -1 || t <= last; t++) {
                Frame f = sources.take();
                boolean ok;
                try {
                    ok = r.read(f);
                } catch (RuntimeException e) {
                    f.close();
                    throw e;
                }
                if (!ok) {
                    f.close();
                    break;
                }
                decoded.put(new Item(t, f));
            }
            if (truncation != null) truncation.set(r.truncation());
            decoded.end();
        }
    }

    /** The dilation this run uses: the user's, or the inpainter's own. */
    private int dilation(Inpainter inpainter) {
        return dilation(inpainter.defaultDilation());
    }

    /** The user's dilation, or {@code inpainterDefault} when they gave none. */
    private int dilation(int inpainterDefault) {
        return options.dilate() == INPAINTER_DILATION ? inpainterDefault : options.dilate();
    }

    /** The inpainting stage: a session at the working size {@code ws}, each frame's dilated mask kept for the composite. */
    private void inpaint(Job job, Inpainter inpainter, Inpainter.Size ws, Stages.Pipe<Work> work, Stages.Pipe<Done> filled, ImagePool<Frame> outFrames,
                         ImagePool<Mask> dilatedMasks) throws InterruptedException {
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        int dilation = dilation(inpainter);
        try (Inpainter.Session session = inpainter.newSession(ws.width(), ws.height(), dilation)) {
            for (Work it; (it = work.take()) != null; ) {
                List<Frame> out;
                try {
                    Mask d = takeOrAllocate(dilatedMasks);
                    it.mask().dilate(dilation, d);
                    pending.add(new Pending(it.index(), d, d.countNonZero() == 0));
                    out = session.push(it.frame(), it.mask(), job, outFrames);
                } finally {
                    it.frame().close();
                    it.mask().close();
                }
                emit(out, pending, filled);
            }
            emit(session.finish(job, outFrames), pending, filled);
        } finally {
            pending.forEach(p -> p.dilated().close());
        }
        if (!pending.isEmpty()) throw new IllegalStateException(pending.size() + " frames never came back from the inpainter");
        filled.end();
    }

    /**
     * Writes the source's frames as they are from the next unwritten one up to (not including)
     * frame {@code end} (-1: to the end of the source), and black mattes for them when there is a
     * matte; {@code written} counts the frames written so far, which is the next frame's index.
     */
    private void copy(VideoReader r, Frame src, VideoWriter writer, MatteOut matte, AtomicLong written, long end) throws InterruptedException {
        while (end == -1 || written.get() < end) {
            if (Thread.interrupted()) throw new InterruptedException("cancelled while copying frames");
            if (!r.read(src)) {
                if (end == -1) return;
                throw new VideoException("'" + input + "' ended at frame " + written.get() + " when read again for the output");
            }
            writer.write(src, r.lastPtsMicros());
            if (matte != null) matte.write(null, r.lastPtsMicros());
            written.incrementAndGet();
        }
    }

    /**
     * The crop on, without an inpainter ({@link #track}): the matte that {@link #removeCropped}
     * would write, each run's stored masks cropped, resized to the crop's working size, dilated
     * there and resized back into the crop (the same operations, so the same pixels); black
     * outside every run. Reads the source once for the timestamps.
     */
    private void matteCropped(Job caller, MaskStore store, MatteOut matte, List<Crop> crops, int dilation, long first, long last, VideoInfo info) {
        int w = info.width(), h = info.height();
        AtomicLong done = new AtomicLong();
        Stages stages = new Stages("matte", options.threads());
        stages.start("matte", () -> {
            byte[] map = new byte[w * h];
            Mask work = null, dilated = null, up = null; // at the current crop's sizes
            try (VideoReader r = VideoReader.open(input); Frame src = r.allocateFrame(); Mask full = Mask.allocate(w, h)) {
                int next = 0;
                Crop open = null;
                for (long t = 0; r.read(src); t++) {
                    if (Thread.interrupted()) throw new InterruptedException("cancelled while writing the matte");
                    while (next < crops.size() && crops.get(next).last() < t) next++;
                    Crop c = next < crops.size() && crops.get(next).first() <= t ? crops.get(next) : null;
                    if (c == null || !store.get(t, map) || LabelMaps.isEmpty(map)) {
                        matte.write(null, r.lastPtsMicros());
                    } else {
                        Crops.Rect rect = c.rect();
                        if (c != open) {
                            for (Mask m : new Mask[] {work, dilated, up}) if (m != null) m.close();
                            work = dilated = up = null;
                            work = Mask.allocate(c.workingSize().width(), c.workingSize().height());
                            dilated = Mask.allocate(c.workingSize().width(), c.workingSize().height());
                            up = Mask.allocate(rect.width(), rect.height());
                            open = c;
                        }
                        LabelMaps.binarize(map, map);
                        full.copyFrom(map);
                        full.region(rect.x(), rect.y(), rect.width(), rect.height()).resizeTo(work);
                        work.dilate(dilation, dilated);
                        dilated.resizeTo(up);
                        matte.write(dilated.countNonZero() == 0 ? null : up, rect.x(), rect.y(), r.lastPtsMicros());
                    }
                    if (t >= first && (last == -1 || t <= last)) done.incrementAndGet();
                }
            } finally {
                for (Mask m : new Mask[] {work, dilated, up}) if (m != null) m.close();
            }
        });
        stages.await(caller, "matte", done::get, () -> (last == -1 ? info.frameCount() - 1 : last) - first + 1);
    }

    /**
     * Puts inpainted frames into source frames (or crops of them) of one size: the fill and its
     * dilated mask resized back, then blended, feathered with {@code --feather}.
     */
    private final class Compositor implements AutoCloseable {
        private final int width, height;
        private final Frame up;
        private final Mask upMask, alpha;
        private final byte[] mbuf, abuf;
        private final int[] scratch;

        Compositor(int width, int height) {
            this.width = width;
            this.height = height;
            up = Frame.allocate(width, height);
            upMask = Mask.allocate(width, height);
            alpha = Mask.allocate(width, height);
            boolean f = options.feather() > 0;
            mbuf = f ? new byte[width * height] : null;
            abuf = f ? new byte[width * height] : null;
            scratch = f ? new int[width * height] : null;
        }

        /** The dilated mask of the last {@link #into}, at this compositor's size: where it blended. */
        Mask mask() {
            return upMask;
        }

        /** {@code d}'s fill into {@code dst} (this compositor's size) where its dilated mask is. */
        void into(Frame dst, Done d) {
            d.frame().resizeTo(up);
            d.dilated().resizeTo(upMask);
            if (options.feather() > 0) {
                upMask.copyTo(mbuf);
                Feather.alpha(mbuf, width, height, options.feather(), abuf, scratch);
                alpha.copyFrom(abuf);
                dst.blend(up, alpha);
            } else {
                dst.blend(up, upMask);
            }
        }

        @Override
        public void close() {
            up.close();
            upMask.close();
            alpha.close();
        }
    }

    /** Fills the inpainter's input for one frame: its working-size frame and mask. */
    @FunctionalInterface
    private interface WorkFill {
        void fill(Frame frame, Mask mask) throws Exception;
    }

    /**
     * Takes a frame and a mask from their pools, has {@code fill} fill them and sends them on as
     * frame {@code index}'s work; on any failure both go back to their pools.
     */
    private static void sendWork(ImagePool<Frame> frames, ImagePool<Mask> masks, Stages.Pipe<Work> work, long index, WorkFill fill) throws Exception {
        Frame wf = frames.take();
        Mask wm;
        try {
            wm = masks.take();
        } catch (InterruptedException e) {
            wf.close();
            throw e;
        }
        try {
            fill.fill(wf, wm);
            work.put(new Work(index, wf, wm));
        } catch (Exception e) {
            wf.close();
            wm.close();
            throw e;
        }
    }

    private static <T extends ImagePool<?>> T add(List<ImagePool<?>> pools, T pool) {
        pools.add(pool);
        return pool;
    }

    /** A mask from the pool when one is free, else one of its own (the inpainter's look-ahead may exceed the pool). */
    private static Mask takeOrAllocate(ImagePool<Mask> pool) throws InterruptedException {
        Mask m = pool.poll(0, TimeUnit.NANOSECONDS);
        return m != null ? m : Mask.allocate(pool.width(), pool.height());
    }

    /** Pairs the inpainter's final frames (in order) with their pending dilated masks and passes them on. */
    private static void emit(List<Frame> out, ArrayDeque<Pending> pending, Stages.Pipe<Done> next) throws InterruptedException {
        for (int i = 0; i < out.size(); i++) {
            Pending p = pending.poll();
            if (p == null) {
                for (int j = i; j < out.size(); j++) out.get(j).close();
                throw new IllegalStateException("the inpainter returned more frames than it was given");
            }
            try {
                next.put(new Done(p.index(), out.get(i), p.dilated(), p.empty()));
            } catch (InterruptedException e) {
                p.dilated().close();
                for (int j = i; j < out.size(); j++) out.get(j).close();
                throw e;
            }
        }
    }
}
