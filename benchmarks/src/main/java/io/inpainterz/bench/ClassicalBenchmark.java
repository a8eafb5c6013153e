package io.inpainterz.bench;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.VideoWriter;
import io.inpainterz.pipeline.ClassicalInpainter;
import io.inpainterz.pipeline.ClassicalSegmenter;
import io.inpainterz.pipeline.ClassicalTracker;
import io.inpainterz.pipeline.Inpainter;
import io.inpainterz.pipeline.Prompt;
import io.inpainterz.pipeline.Prompts;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import io.inpainterz.pipeline.Tracker;
import io.inpainterz.quality.Backgrounds;
import io.inpainterz.quality.CameraMotion;
import io.inpainterz.quality.Clip;
import io.inpainterz.quality.GroundTruthClip;
import io.inpainterz.quality.MovingObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The weight-free engine, each stage alone and end to end. The clip: a photo (the quality
 * harness's forest, Debian's lomiri-wallpapers) panning 3 px a frame at 854 px wide, with one
 * textured object covering 5 % of the frame, moving its own width in 12 frames. One operation is
 * the whole clip ({@code frames} frames); the "frame" counter makes JMH report seconds per frame
 * too (frames per second = 1 / that).
 * <ul>
 *   <li>{@code segment}: GrabCut from a box around the object on one frame (counted as one frame);</li>
 *   <li>{@code track}: the flow tracker from frame 0's mask through the clip;</li>
 *   <li>{@code inpaint}: the flow inpainter with the true masks, dilation 8 (its default);</li>
 *   <li>{@code remove}: {@code inpainterz remove --engine classical} on the clip as an H.264 file
 *       (decode, GrabCut, tracking, crop, inpainting, compositing, encode), stages overlapping on
 *       their threads.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class ClassicalBenchmark {
    @Param({"854x480", "1920x1080"})
    public String size;

    @Param({"2"})
    public int threads;

    @Param({"48"})
    public int frames;

    private int w, h;
    private Frame[] clip;
    private Mask[] masks;
    private float[] box;
    private Path dir, video;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class FrameCounter {
        public long frame;
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        w = Integer.parseInt(size.substring(0, size.indexOf('x')));
        h = Integer.parseInt(size.substring(size.indexOf('x') + 1));
        double k = w / 854.0;
        Random r = new Random(3);
        MovingObject object = MovingObject.random(r, MovingObject.Outline.ELLIPSE, new MovingObject.Fill.Solid(220, 40, 200), 0, w, h, 0.05, 12);
        Clip c = GroundTruthClip.make("bench", new GroundTruthClip.Background.Photo("forest", Backgrounds.photo(Backgrounds.FOREST)),
                new CameraMotion.Pan(3 * k, 0.5 * k), w, h, frames, List.of(object));
        clip = new Frame[frames];
        masks = new Mask[frames];
        for (int t = 0; t < frames; t++) {
            clip[t] = Frame.allocate(w, h);
            clip[t].copyFrom(c.input().get(t));
            masks[t] = Mask.allocate(w, h);
            masks[t].copyFrom(c.masks().get(t));
        }
        box = bounds(c.masks().get(0));
        dir = Files.createTempDirectory("inpainterz-bench-classical");
        video = dir.resolve("clip.mp4");
        try (VideoWriter vw = VideoWriter.open(video, w, h, VideoWriter.Options.defaults().withCrf(16))) {
            for (int t = 0; t < frames; t++) vw.write(clip[t], t * 40_000L);
            vw.finish();
        }
    }

    private float[] bounds(byte[] m) {
        int x0 = w, y0 = h, x1 = 0, y1 = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == 0) continue;
            int x = i % w, y = i / w;
            x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1);
        }
        int m0 = Math.max(4, (x1 - x0) / 10);
        return new float[] {Math.max(0, x0 - m0), Math.max(0, y0 - m0), Math.min(w, x1 + m0), Math.min(h, y1 + m0)};
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (Frame f : clip) f.close();
        for (Mask m : masks) m.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Job job() {
        return Job.create().threads(threads);
    }

    @Benchmark
    public void segment(FrameCounter counter) {
        try (Segmenter s = new ClassicalSegmenter(); Segmenter.FrameSegmenter fs = s.prepare(clip[0], job()); Mask dst = Mask.allocate(w, h)) {
            fs.segment(new Segmenter.FramePrompt(new float[0], new int[0], box), dst, job());
        }
        counter.frame++;
    }

    @Benchmark
    public void track(FrameCounter counter) {
        Job job = job();
        try (Tracker t = new ClassicalTracker(); Tracker.Session s = t.newSession(w, h); Mask labels = Mask.allocate(w, h)) {
            labels.copyFrom(masks[0]);
            s.addReference(clip[0], labels, job);
            for (int i = 1; i < frames; i++) s.track(clip[i], labels, job);
        }
        counter.frame += frames;
    }

    @Benchmark
    public void inpaint(FrameCounter counter) {
        Job job = job();
        Inpainter in = new ClassicalInpainter();
        try (Inpainter.Session s = in.newSession(w, h, in.defaultDilation())) {
            for (int i = 0; i < frames; i++) s.push(clip[i], masks[i], job, null).forEach(Frame::close);
            s.finish(job, null).forEach(Frame::close);
        }
        counter.frame += frames;
    }

    @Benchmark
    public void remove(FrameCounter counter) throws Exception {
        Path out = dir.resolve("out.mp4");
        Files.deleteIfExists(out);
        Prompts p = new Prompts(List.of(List.of(new Prompt.Box(0, box[0], box[1], box[2], box[3]))));
        RemovePipeline.remove(video, out, p, RemovePipeline.Options.defaults().withThreads(threads),
                j -> new ClassicalSegmenter(), j -> new ClassicalTracker(), j -> new ClassicalInpainter()).run(job());
        counter.frame += frames;
    }
}
