package io.inpainterz.bench;

import io.inpainterz.engine.Engine;
import io.inpainterz.engine.Mask;
import java.lang.foreign.Arena;
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

/** Per-frame mask dilation (3x3 cross, 4 iterations, as before E2FGVI) at full resolution. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MaskDilateBenchmark {
    @Param({"1920x1080", "432x240"})
    public String size;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Mask src, dst;

    @Setup(Level.Trial)
    public void setup() {
        Engine.setNumThreads(threads);
        String[] wh = size.split("x");
        int w = Integer.parseInt(wh[0]), h = Integer.parseInt(wh[1]);
        arena = Arena.ofShared();
        src = Mask.allocate(arena, w, h);
        dst = Mask.allocate(arena, w, h);
        Random r = new Random(0);
        for (long i = 0; i < (long) w * h; i++) src.data().set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(50) == 0 ? 255 : 0));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Mask dilate() {
        src.dilate(4, dst);
        return dst;
    }
}
