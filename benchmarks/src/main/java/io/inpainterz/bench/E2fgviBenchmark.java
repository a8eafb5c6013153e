package io.inpainterz.bench;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Mask;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * E2FGVI inpainting throughput: one operation is a whole synthetic clip through a fresh session
 * with the app's loop (the library's default session options: neighbour stride 5, references
 * every 10 within 60 frames, reuse of per-frame work), pushing frame by frame and taking the
 * final frames as they come, then finishing. The primary score ("clip") is seconds per clip;
 * the secondary "frame" score is seconds per output frame (the iteration's time over the frames
 * of its clips). An iteration runs whole clips until its time is up, at least one.
 *
 * <p>Models at the official shapes: E2FGVI at 432x240 and E2FGVI-HQ at 864x480, 8 transformer
 * blocks, random weights from tools/make_random_e2fgvi.py (scripts/bench.sh writes them to
 * build/bench; timings do not depend on the values). The clip is a moving texture with a moving
 * disc of about 8 % of the frame as the mask. Smaller runs: {@code -p checkpoint=FILE} (e.g. the
 * 2-block parity fixture), {@code -p frames=12}, {@code -p size=190x100}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class E2fgviBenchmark {
    @Param({"e2fgvi", "e2fgvi_hq"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    @Param({"70"})
    public int frames;

    /** Empty: build/bench/{model}_random.pth (8 blocks). */
    @Param({""})
    public String checkpoint;

    /** fp32, or bf16 (the opt-in bfloat16 path). */
    @Param({"fp32"})
    public String dtype;

    /** References within this many frames of each window (the default 60); -1 = every reference of the clip (upstream's rule). */
    @Param({"60"})
    public int refRadius;

    /** WxH; empty: 432x240 for E2FGVI, 864x480 for E2FGVI-HQ. */
    @Param({""})
    public String size;

    private Inpainter inpainter;
    private Frame[] clip;
    private Mask[] masks;
    private Frame out;
    private int W, H;
    private Inpainter.Info last;

    /** Frames out of the measured clips: JMH reports the iteration's time per counted frame (reset per iteration). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class FrameCounter {
        public long frame;
    }

    static Frame texture(int w, int h, int t) {
        Frame f = Frame.allocate(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                long o = f.offset(x, y, 0);
                int v = (x * 7 + y * 3 + t * 5) & 255, u = (x * y / 97 + t * 11) & 255;
                f.data().set(ValueLayout.JAVA_BYTE, o, (byte) v);
                f.data().set(ValueLayout.JAVA_BYTE, o + 1, (byte) u);
                f.data().set(ValueLayout.JAVA_BYTE, o + 2, (byte) (v ^ u));
            }
        return f;
    }

    /** A disc of radius h/4 (about 8 % of a 16:9 frame) moving left to right over the clip. */
    static Mask disc(int w, int h, int t, int n) {
        Mask m = Mask.allocate(w, h);
        int r = h / 4, cx = r + (int) ((long) (w - 2 * r) * t / Math.max(1, n - 1)), cy = h / 2;
        for (int y = Math.max(0, cy - r); y < Math.min(h, cy + r + 1); y++)
            for (int x = Math.max(0, cx - r); x < Math.min(w, cx + r + 1); x++)
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m.data().set(ValueLayout.JAVA_BYTE, (long) y * w + x, (byte) 1);
        return m;
    }

    @Setup(Level.Trial)
    public void setup() {
        Path ckpt = checkpoint.isEmpty() ? Path.of("build/bench/" + model + "_random.pth") : Path.of(checkpoint);
        if (!Files.isRegularFile(ckpt)) {
            throw new IllegalStateException("benchmark checkpoint " + ckpt.toAbsolutePath() + " is missing: run scripts/bench.sh (it writes "
                    + "build/bench/e2fgvi_random.pth and e2fgvi_hq_random.pth with tools/make_random_e2fgvi.py), or pass -p checkpoint=FILE");
        }
        String s = size.isEmpty() ? (model.equals("e2fgvi_hq") ? "864x480" : "432x240") : size;
        W = Integer.parseInt(s.substring(0, s.indexOf('x')));
        H = Integer.parseInt(s.substring(s.indexOf('x') + 1));
        inpainter = Inpainter.load(ckpt, Inpainter.Options.defaults().withThreads(threads).withBf16(dtype.equals("bf16")), null);
        clip = new Frame[frames];
        masks = new Mask[frames];
        for (int t = 0; t < frames; t++) {
            clip[t] = texture(W, H, t);
            masks[t] = disc(W, H, t, frames);
        }
        out = Frame.allocate(W, H);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (last != null) {
            System.err.printf("e2fgvi: %s, %dx%d, %d frames: %d windows, %d frames encoded, %d flow pairs, padded %dx%d%n", inpainter.variant(), W, H,
                    last.framesOut(), last.windows(), last.encoderFrames(), last.flowPairs(), last.paddedWidth(), last.paddedHeight());
        }
        inpainter.close();
        for (Frame f : clip) f.close();
        for (Mask m : masks) m.close();
        out.close();
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public long clip(FrameCounter counter) {
        long sum = 0;
        Inpainter.SessionOptions o = refRadius < 0 ? Inpainter.SessionOptions.defaults().withAllReferences()
                : Inpainter.SessionOptions.defaults().withRefRadius(refRadius);
        try (Inpainter.Session s = inpainter.session(W, H, o)) {
            for (int t = 0; t < frames; t++) {
                for (int n = s.add(clip[t], masks[t], null); n > 0; n--) sum += s.pop(out);
            }
            for (int n = s.flush(null); n > 0; n--) sum += s.pop(out);
            last = s.info();
        }
        counter.frame += frames;
        return sum;
    }
}
