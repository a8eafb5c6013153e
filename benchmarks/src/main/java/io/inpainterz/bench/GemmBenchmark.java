package io.inpainterz.bench;

import io.inpainterz.engine.Engine;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * The machine's fp32 GEMM rate through libtorch (square n x n): the denominator of every
 * "achieved GFLOP/s vs GEMM" figure in RESULTS.md. GFLOP/s = 2 n^3 / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GemmBenchmark {
    @Param({"2048"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment a, b, out;

    @Setup(Level.Trial)
    public void setup() {
        Engine.setNumThreads(threads);
        arena = Arena.ofShared();
        long elems = (long) n * n;
        a = arena.allocate(ValueLayout.JAVA_FLOAT, elems);
        b = arena.allocate(ValueLayout.JAVA_FLOAT, elems);
        out = arena.allocate(ValueLayout.JAVA_FLOAT, elems);
        for (long i = 0; i < elems; i++) {
            a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 13) * 0.01f);
            b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7) * 0.02f);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment matmul() {
        Engine.matmulF32(a, n, n, b, n, n, out);
        return out;
    }
}
