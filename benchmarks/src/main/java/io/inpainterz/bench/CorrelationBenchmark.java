package io.inpainterz.bench;

import io.inpainterz.engine.Engine;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
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
 * DeAOT's short-term attention ops alone at the 854x480 grid (31x54 at 1/16 of the 481x849
 * network input), 15x15 window: the correlation of q and k (128 channels) and the aggregation of
 * the attention over the value (1024 channels), each by the engine's kernels and by the
 * zero-pad + unfold oracle (what upstream computes without the correlation extension).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CorrelationBenchmark {
    @Param({"correlation", "aggregate"})
    public String op;

    @Param({"kernel", "unfold"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    static final int H = 31, W = 54, P = 15;

    private Arena arena;
    private MemorySegment a, b, out;
    private int channels;

    @Setup(Level.Trial)
    public void setup() {
        Engine.setNumThreads(threads);
        arena = Arena.ofShared();
        boolean agg = op.equals("aggregate");
        channels = agg ? 1024 : 128;
        Random r = new Random(0);
        a = random(arena, (long) (agg ? P * P : channels) * H * W, r);
        b = random(arena, (long) channels * H * W, r);
        out = arena.allocate(ValueLayout.JAVA_FLOAT, (long) (agg ? channels : P * P) * H * W);
    }

    static MemorySegment random(Arena arena, long n, Random r) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment run() {
        Engine.spatialCorrelation(a, b, 1, channels, H, W, P, op.equals("aggregate"), impl.equals("unfold"), out);
        return out;
    }
}
