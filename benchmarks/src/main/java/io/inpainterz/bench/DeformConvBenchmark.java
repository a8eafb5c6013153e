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
 * E2FGVI's deformable alignment convolution alone (SecondOrderDeformableAlignment: mmcv's
 * modulated deformable convolution, 256 -> 128 channels, 3x3, pad 1, 16 deform groups, with
 * bias) on the quarter-resolution feature map of a 432x240 video (60x108) and of an 864x480
 * one (120x216), by the engine's kernel and by the pure-ATen reference im2col implementation
 * (explicit gathers, one GEMM per group). E2FGVI calls it about 10 times per window.
 * GEMM FLOPs per call: 2 * 128 * 256 * 9 * Ho * Wo (3.82 GFLOP at 60x108, 15.29 at 120x216).
 * Offsets are what the model feeds it: a smooth flow (a few pixels) plus a per-tap residual
 * (N(0, 1)), the same for every deform group's flow and different per tap; masks in (0, 1).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DeformConvBenchmark {
    @Param({"60x108", "120x216"})
    public String size;

    @Param({"kernel", "reference"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    static final int C_IN = 256, C_OUT = 128, K = 3, DG = 16;

    private Arena arena;
    private MemorySegment input, offset, mask, weight, bias, out;
    private int h, w;

    @Setup(Level.Trial)
    public void setup() {
        Engine.setNumThreads(threads);
        String[] hw = size.split("x");
        h = Integer.parseInt(hw[0]);
        w = Integer.parseInt(hw[1]);
        long pixels = (long) h * w, taps = K * K;
        arena = Arena.ofShared();
        Random r = new Random(0);
        input = arena.allocate(ValueLayout.JAVA_FLOAT, C_IN * pixels);
        for (long i = 0; i < C_IN * pixels; i++) input.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        offset = arena.allocate(ValueLayout.JAVA_FLOAT, DG * 2 * taps * pixels);
        for (long ch = 0; ch < DG * 2 * taps; ch++) {
            boolean dy = ch % 2 == 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double flow = dy ? 3 * Math.sin(x / 17.0 + y / 29.0) : 4 * Math.cos(y / 13.0 - x / 31.0);
                    offset.setAtIndex(ValueLayout.JAVA_FLOAT, ch * pixels + (long) y * w + x, (float) (flow + r.nextGaussian()));
                }
            }
        }
        mask = arena.allocate(ValueLayout.JAVA_FLOAT, DG * taps * pixels);
        for (long i = 0; i < DG * taps * pixels; i++) mask.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat());
        weight = arena.allocate(ValueLayout.JAVA_FLOAT, (long) C_OUT * C_IN * taps);
        for (long i = 0; i < (long) C_OUT * C_IN * taps; i++) weight.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextGaussian() / 48));
        bias = arena.allocate(ValueLayout.JAVA_FLOAT, C_OUT);
        for (int i = 0; i < C_OUT; i++) bias.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        out = arena.allocate(ValueLayout.JAVA_FLOAT, C_OUT * pixels);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment run() {
        Engine.modulatedDeformConv(input, offset, mask, weight, bias, 1, C_IN, h, w, C_OUT, K, K, 1, 1, 1, 1, DG, impl.equals("reference"), out);
        return out;
    }
}
