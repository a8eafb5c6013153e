package io.inpainterz.bench;

import io.inpainterz.engine.Engine;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Tracker;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bounded tracking memory: DeAOT-T at 854x480 with a long-term gap of 5 and the default memory
 * cap, tracking `frames` frames in one shot (each length in its own JVM). At the end it prints
 * the median time of the last 10 frames, the session's tensor bytes and the process's peak
 * resident set (VmHWM): once the cap is reached (frame 5 x cap), all three must stay level.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
// The Java heap is fixed and touched up front, so that its own growth towards -Xmx does not show
// as resident-set growth: what is left is native memory.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
public class DeaotMemoryBenchmark {
    @Param({"100", "1000"})
    public int frames;

    @Param({"2"})
    public int threads;

    @Benchmark
    public long trackAll() throws IOException {
        Engine.setNumThreads(threads);
        Frame[] clip = new Frame[8];
        for (int t = 0; t < clip.length; t++) clip[t] = DeaotBenchmark.texture(t);
        double[] last = new double[10];
        long bytes;
        Tracker.SessionOptions o = Tracker.SessionOptions.defaults().withLongTermGap(5);
        try (Tracker deaot = Tracker.load(Fixtures.file("deaot/deaott/weights.pth"));
             Tracker.Session s = deaot.newSession(DeaotBenchmark.W, DeaotBenchmark.H, o);
             Mask ref = DeaotBenchmark.reference(1); Mask labels = Mask.allocate(DeaotBenchmark.W, DeaotBenchmark.H)) {
            s.addObjects(clip[0], ref);
            for (int i = 1; i <= frames; i++) {
                long t0 = System.nanoTime();
                s.track(clip[i % (clip.length - 1) + 1], labels);
                if (i > frames - last.length) last[i - (frames - last.length) - 1] = (System.nanoTime() - t0) / 1e6;
            }
            bytes = s.info().memoryBytes();
            Tracker.Info info = s.info();
            Arrays.sort(last);
            System.out.printf("[deaot-memory] frames %d: last-10 median %.1f ms, session tensors %.1f MB, long-term frames %d, cap %d%n", frames,
                    last[last.length / 2], bytes / 1048576.0, info.longTermFrames(), o.memoryCap());
        }
        System.out.println("[deaot-memory] frames " + frames + ": " + ProcStatus.line("VmHWM"));
        for (Frame f : clip) f.close();
        return bytes;
    }
}
