package io.inpainterz.bench;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.engine.VideoWriter;
import io.inpainterz.pipeline.ClassicalInpainter;
import io.inpainterz.pipeline.ClassicalSegmenter;
import io.inpainterz.pipeline.ClassicalTracker;
import io.inpainterz.pipeline.Crops;
import io.inpainterz.pipeline.Inpainter;
import io.inpainterz.pipeline.MasksIn;
import io.inpainterz.pipeline.Prompt;
import io.inpainterz.pipeline.Prompts;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import io.inpainterz.pipeline.Tracker;
import io.inpainterz.quality.Backgrounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code inpainterz remove --engine classical} end to end, and each of its stages alone on the
 * same clip, so that the sum of the stages can stand beside the end-to-end time and show how
 * much they overlap. The weight-free engine needs no weights. One operation is the whole clip,
 * single shot (JMH reports no auxiliary counters in that mode): seconds per frame is the score
 * over {@code 25 x seconds} frames (250 at 10 s).
 *
 * <p>The clip ({@link #clip}, made on first use in {@code build/bench}): the quality harness's
 * forest photo panning back and forth (up to 2.7 px a frame at 854 wide), with a solid magenta
 * box of 5 % of the frame moving over it on a Lissajous path (up to 9 px a frame at 854 wide),
 * 25 fps, H.264 (x264 medium, CRF 18) with an AAC sine track. The prompt is a box around the
 * object on frame 0, so there is no backward pass.
 * <ul>
 *   <li>{@code remove}: {@link RemovePipeline#remove} with the classical segmenter, tracker and
 *       inpainter and the CLI's defaults (crop on, the inpainter's dilation 8, x264 defaults,
 *       audio copied): decode, GrabCut on frame 0, tracking, inpainting, compositing, encoding,
 *       each on its own thread. At 854x480 (the inpainter's working size) it is one pass that
 *       decodes the source twice: for tracking and again in step with the encoder. At 1920x1080
 *       the working size is 1280x720, so the crop is on: tracking is a pass of its own, then a
 *       removal pass decodes again for the inpainter and for the encoder (three decodes).</li>
 *   <li>{@code decode}: every frame into one reused RGB frame.</li>
 *   <li>{@code track}: GrabCut from the box on frame 0, then the flow tracker through the clip,
 *       on frames decoded beforehand ({@link Decoded}: 1.5 GB at 1080p).</li>
 *   <li>{@code inpaint}: the flow inpainter with the tracked masks (from {@code track
 *       --masks-out}, read back as {@code --masks-in} reads them), at the crop and working size
 *       {@code remove} picks, on frames cropped and resized beforehand; each mask dilated for
 *       the composite as the pipeline does.</li>
 *   <li>{@code encode}: the decoded frames through the output's writer (x264 defaults, the
 *       source's audio copied).</li>
 * </ul>
 * What {@code remove} does beyond the stages: the further decodes, resizing to and from the
 * working size, compositing, and the queues between the threads. So the work it has to do is
 * about 2 (480p) or 3 (1080p) x decode + track + inpaint + encode; its time against that sum
 * shows the overlap. Each {@code remove} shot prints its passes' seconds and its crop as
 * {@code [pipeline] remove:}; {@code inpaint}'s setup prints the crop it uses, the same.
 *
 * <p>Run (repository root, quiet machine; each benchmark and size in its own JVM, 1 warm-up and
 * 3 measured shots; about 25 minutes, most of it at 1080p and the 2 min run):
 * <pre>{@code scripts/bench.sh 'Pipeline(Memory)?Benchmark'}</pre>
 * or, with the build in place, {@code java --enable-native-access=ALL-UNNAMED
 * -Dinpainterz.library.path=build/native/libinpainterz.so -jar benchmarks/target/benchmarks.jar
 * 'Pipeline(Memory)?Benchmark'}. A smoke run: {@code ... PipelineBenchmark -p size=854x480 -p
 * seconds=2 -f 1 -wi 0 -i 1}. {@link PipelineMemoryBenchmark} is the memory half.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class PipelineBenchmark {
    static final int FPS = 25;

    @Param({"854x480", "1920x1080"})
    public String size;

    @Param({"10"})
    public int seconds;

    @Param({"2"})
    public int threads;

    int w, h;
    long frames;
    Path clip, dir;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        w = Integer.parseInt(size.substring(0, size.indexOf('x')));
        h = Integer.parseInt(size.substring(size.indexOf('x') + 1));
        clip = clip(w, h, seconds);
        try (VideoReader r = VideoReader.open(clip)) {
            frames = r.info().frameCount();
        }
        dir = Files.createTempDirectory("inpainterz-bench-pipeline");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        deleteTree(dir);
    }

    Job job() {
        return Job.create().threads(threads);
    }

    /**
     * The benchmark clip of {@code seconds} at {@code width x height}, made with the ffmpeg CLI
     * on first use as {@code build/bench/pipeline_WxH_Ss.mp4} (relative to the working folder).
     */
    static Path clip(int width, int height, int seconds) throws IOException {
        Path out = Path.of("build/bench", "pipeline_" + width + "x" + height + "_" + seconds + "s.mp4");
        if (Files.isRegularFile(out)) return out;
        Files.createDirectories(out.getParent());
        Path photo = Backgrounds.path(Backgrounds.FOREST), part = out.resolveSibling(out.getFileName() + ".part.mp4");
        Box o = object(width, height);
        // The photo at 1.5 times the width pans over half its extra width each way, every 20 s; the box circles the centre.
        String bg = String.format(Locale.ROOT, "[0]scale=%d:-2,crop=%d:%d:x='(iw-ow)/2*(1+sin(2*PI*t/20))':y='(ih-oh)/2'[bg]", 3 * width / 2, width, height);
        String overlay = String.format(Locale.ROOT, "[bg][1]overlay=x='%d+%d*sin(2*PI*t/8)':y='%d+%d*sin(2*PI*t/5)':eval=frame[v]",
                o.x(), width / 3, o.y(), height / 6);
        VideoBenchmark.run("ffmpeg", "-v", "error", "-y", "-loop", "1", "-framerate", String.valueOf(FPS), "-i", photo.toString(),
                "-f", "lavfi", "-i", "color=c=0xdc28c8:s=" + o.w() + "x" + o.h() + ":r=" + FPS,
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-filter_complex", bg + ";" + overlay, "-map", "[v]", "-map", "2", "-t", String.valueOf(seconds), "-r", String.valueOf(FPS),
                "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", part.toString());
        Files.move(part, out, StandardCopyOption.ATOMIC_MOVE);
        return out;
    }

    record Box(int x, int y, int w, int h) {}

    /** The moving box on frame 0: 5 % of the frame (0.26 x 0.19), centred. */
    static Box object(int width, int height) {
        int ow = 2 * Math.round(width * 0.26f / 2), oh = 2 * Math.round(height * 0.19f / 2);
        return new Box((width - ow) / 2, (height - oh) / 2, ow, oh);
    }

    /** The prompt: the object's box on frame 0 with a tenth of its width to spare, as a user would draw it. */
    static Prompts prompts(int width, int height) {
        Box o = object(width, height);
        int m = Math.max(4, o.w() / 10);
        return new Prompts(List.of(List.of(new Prompt.Box(0, o.x() - m, o.y() - m, o.x() + o.w() + m, o.y() + o.h() + m))));
    }

    /** {@code inpainterz remove INPUT -o OUTPUT --engine classical --box 0:...} with the CLI's defaults. */
    static RemovePipeline.Result remove(Path input, Path output, int width, int height, int threads, Path temp) {
        RemovePipeline.Options o = RemovePipeline.Options.defaults().withThreads(threads).withTemp(temp);
        return RemovePipeline.remove(input, output, prompts(width, height), o, j -> new ClassicalSegmenter(), j -> new ClassicalTracker(),
                j -> new ClassicalInpainter()).run(Job.create().threads(threads));
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Benchmark
    public long remove() throws IOException {
        Path out = dir.resolve("out.mp4");
        Files.deleteIfExists(out);
        RemovePipeline.Result r = remove(clip, out, w, h, threads, dir);
        if (r.frames() != frames) throw new IllegalStateException("remove wrote " + r.frames() + " frames of " + frames);
        System.out.println("[pipeline] remove: working size " + r.workingSize() + ", crops " + r.crops() + ", passes " + r.seconds());
        return r.frames();
    }

    /** The frame decode uses, allocated once. */
    @State(Scope.Thread)
    public static class DecodeFrame {
        Frame frame;

        @Setup(Level.Trial)
        public void setup(PipelineBenchmark b) {
            frame = Frame.allocate(b.w, b.h);
        }

        @TearDown(Level.Trial)
        public void close() {
            frame.close();
        }
    }

    @Benchmark
    public long decode(DecodeFrame f) {
        long n = 0;
        try (VideoReader r = VideoReader.open(clip)) {
            while (r.read(f.frame)) n++;
        }
        return n;
    }

    /** Every frame of the clip decoded once, with its timestamp: the input of track and encode alone. */
    @State(Scope.Benchmark)
    public static class Decoded {
        Frame[] frames;
        long[] pts;

        @Setup(Level.Trial)
        public void setup(PipelineBenchmark b) {
            List<Frame> list = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            try (VideoReader r = VideoReader.open(b.clip)) {
                while (true) {
                    Frame f = Frame.allocate(b.w, b.h);
                    if (!r.read(f)) {
                        f.close();
                        break;
                    }
                    list.add(f);
                    times.add(r.lastPtsMicros());
                }
            }
            frames = list.toArray(Frame[]::new);
            pts = times.stream().mapToLong(Long::longValue).toArray();
        }

        @TearDown(Level.Trial)
        public void close() {
            for (Frame f : frames) f.close();
        }
    }

    @Benchmark
    public long track(Decoded d) {
        Job job = job();
        Prompt.Box p = (Prompt.Box) prompts(w, h).of(1).get(0);
        byte[] map = new byte[w * h];
        long area = 0;
        try (Segmenter s = new ClassicalSegmenter(); Segmenter.FrameSegmenter fs = s.prepare(d.frames[0], job); Mask labels = Mask.allocate(w, h);
             Tracker t = new ClassicalTracker(); Tracker.Session session = t.newSession(w, h)) {
            fs.segment(new Segmenter.FramePrompt(new float[0], new int[0], new float[] {p.x0(), p.y0(), p.x1(), p.y1()}), labels, job);
            labels.copyTo(map);
            for (int i = 0; i < map.length; i++) map[i] = (byte) (map[i] != 0 ? 1 : 0); // object 1, as the pipeline's label maps
            labels.copyFrom(map);
            session.addReference(d.frames[0], labels, job);
            for (int i = 1; i < d.frames.length; i++) {
                session.track(d.frames[i], labels, job);
                area += labels.countNonZero();
            }
        }
        return area;
    }

    /**
     * The inpainter's inputs as {@code remove} makes them: the tracked masks ({@code track
     * --masks-out}, read with {@link MasksIn}), the crop (the union of the masks' boxes, one run,
     * through {@link Crops#crop}; none when the working size is the source's) and each frame and
     * mask cropped and resized to the working size.
     */
    @State(Scope.Benchmark)
    public static class Tracked {
        Frame[] frames;
        Mask[] masks;
        Inpainter.Size workingSize;
        int dilation;

        @Setup(Level.Trial)
        public void setup(PipelineBenchmark b) {
            int w = b.w, h = b.h;
            Path masksDir = b.dir.resolve("masks");
            RemovePipeline.track(b.clip, prompts(w, h), RemovePipeline.Options.defaults().withThreads(b.threads).withTemp(b.dir).withMasksOut(masksDir),
                    j -> new ClassicalSegmenter(), j -> new ClassicalTracker()).run(b.job());
            MasksIn in = new MasksIn(masksDir, null);
            ClassicalInpainter inpainter = new ClassicalInpainter();
            dilation = inpainter.defaultDilation();
            byte[] map = new byte[w * h];
            Crops.Rect union = null;
            for (long t = 0; t < b.frames; t++) {
                in.read(t, w, h, map);
                Crops.Rect r = bounds(map, w, h);
                if (r != null) union = union == null ? r : union.union(r);
            }
            if (union == null) throw new IllegalStateException("the tracker lost the object on every frame of " + b.clip);
            Crops.Rect crop = inpainter.workingSize(w, h).equals(new Inpainter.Size(w, h)) ? new Crops.Rect(0, 0, w, h)
                    : Crops.crop(union, w, h, dilation, inpainter::workingSize);
            workingSize = inpainter.workingSize(crop.width(), crop.height());
            System.out.println("[pipeline] inpaint alone: crop " + crop + " at " + workingSize + ", dilation " + dilation);
            frames = new Frame[(int) b.frames];
            masks = new Mask[(int) b.frames];
            try (VideoReader r = VideoReader.open(b.clip); Frame src = Frame.allocate(w, h); Mask full = Mask.allocate(w, h)) {
                for (int t = 0; t < b.frames; t++) {
                    if (!r.read(src)) throw new IllegalStateException(b.clip + " ended at frame " + t);
                    in.read(t, w, h, map);
                    for (int i = 0; i < map.length; i++) map[i] = (byte) (map[i] != 0 ? 255 : 0);
                    full.copyFrom(map);
                    frames[t] = Frame.allocate(workingSize.width(), workingSize.height());
                    masks[t] = Mask.allocate(workingSize.width(), workingSize.height());
                    src.region(crop.x(), crop.y(), crop.width(), crop.height()).resizeTo(frames[t]);
                    full.region(crop.x(), crop.y(), crop.width(), crop.height()).resizeTo(masks[t]);
                }
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            for (Frame f : frames) f.close();
            for (Mask m : masks) m.close();
        }
    }

    /** The bounding box of a label map's nonzero pixels, or null when it has none. */
    static Crops.Rect bounds(byte[] map, int w, int h) {
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int i = 0; i < map.length; i++) {
            if (map[i] == 0) continue;
            int x = i % w, y = i / w;
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
        }
        return x1 < 0 ? null : new Crops.Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    @Benchmark
    public long inpaint(Tracked in) {
        Job job = job();
        long filled = 0;
        ClassicalInpainter inpainter = new ClassicalInpainter();
        Inpainter.Size ws = in.workingSize;
        try (Inpainter.Session s = inpainter.newSession(ws.width(), ws.height(), in.dilation); Mask dilated = Mask.allocate(ws.width(), ws.height())) {
            for (int t = 0; t < in.frames.length; t++) {
                in.masks[t].dilate(in.dilation, dilated); // the pipeline's copy for the composite
                filled += dilated.countNonZero();
                s.push(in.frames[t], in.masks[t], job, null).forEach(Frame::close);
            }
            s.finish(job, null).forEach(Frame::close);
        }
        return filled;
    }

    @Benchmark
    public long encode(Decoded d) throws IOException {
        Path out = dir.resolve("encoded.mp4");
        Files.deleteIfExists(out);
        try (VideoWriter writer = VideoWriter.open(out, w, h, VideoWriter.Options.defaults().withFps(FPS).withSource(clip))) {
            for (int t = 0; t < d.frames.length; t++) writer.write(d.frames[t], d.pts[t]);
            writer.finish();
        }
        return Files.size(out);
    }
}
