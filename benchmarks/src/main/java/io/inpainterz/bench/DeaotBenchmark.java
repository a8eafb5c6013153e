package io.inpainterz.bench;

import io.inpainterz.engine.DType;
import io.inpainterz.engine.Engine;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Tracker;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
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
 * DeAOT per-frame tracking latency at 854x480 (network input 849x481, a 31x54 grid at 1/16):
 * one track + update_memory per frame, the app's loop, after a reference frame with N objects
 * (N > 10 runs several sub-engines). The fixture checkpoints have the real model shapes (random
 * values; timing does not depend on them). Frames are a moving texture, so no two are alike.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DeaotBenchmark {
    @Param({"r50_deaotl", "deaott"})
    public String model;

    @Param({"1", "5", "20"})
    public int objects;

    @Param({"1", "2"})
    public int threads;

    /** f32, or bf16: the opt-in path (the propagation layers' products in bfloat16). */
    @Param({"f32"})
    public String dtype;

    static final int W = 854, H = 480;

    private Tracker tracker;
    private Tracker.Session session;
    private Frame[] frames;
    private Mask labels;
    private int next;

    static Frame texture(int t) {
        Frame f = Frame.allocate(W, H);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                long o = f.offset(x, y, 0);
                int v = (x * 7 + y * 3 + t * 5) & 255, u = (x * y / 97 + t * 11) & 255;
                f.data().set(ValueLayout.JAVA_BYTE, o, (byte) v);
                f.data().set(ValueLayout.JAVA_BYTE, o + 1, (byte) u);
                f.data().set(ValueLayout.JAVA_BYTE, o + 2, (byte) (v ^ u));
            }
        return f;
    }

    /** N rectangular objects on a grid, ids 1..N. */
    static Mask reference(int n) {
        Mask m = Mask.allocate(W, H);
        int cols = (int) Math.ceil(Math.sqrt(n));
        for (int i = 0; i < n; i++) {
            int cx = (i % cols) * W / cols, cy = (i / cols) * H / cols;
            for (int y = cy + 5; y < cy + H / cols - 5; y++)
                for (int x = cx + 5; x < cx + W / cols - 5; x++) m.data().set(ValueLayout.JAVA_BYTE, (long) y * W + x, (byte) (i + 1));
        }
        return m;
    }

    @Setup(Level.Trial)
    public void setup() {
        Engine.setNumThreads(threads);
        Tracker.Options options = Tracker.Options.defaults();
        options = options.withDevice(options.device().withDtype(dtype.equals("bf16") ? DType.BF16 : DType.F32));
        tracker = Tracker.load(Fixtures.file("deaot/" + model + "/weights.pth"), options, null);
        frames = new Frame[8];
        for (int t = 0; t < frames.length; t++) frames[t] = texture(t);
        labels = Mask.allocate(W, H);
        session = tracker.newSession(W, H, Tracker.SessionOptions.defaults());
        try (Mask ref = reference(objects)) {
            session.addObjects(frames[0], ref);
        }
        next = 1;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        tracker.close();
        for (Frame f : frames) f.close();
        labels.close();
    }

    @Benchmark
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public Mask trackFrame() {
        session.track(frames[next], labels);
        next = next % (frames.length - 1) + 1;
        return labels;
    }
}
