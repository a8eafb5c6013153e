package io.inpainterz.bench;

import io.inpainterz.engine.AmgOptions;
import io.inpainterz.engine.AutoMask;
import io.inpainterz.engine.Engine;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Sam;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * "Segment everything" (upstream defaults: 32 x 32 points, no crop layers) on a 640x480 image
 * with random vit_b weights: one image encoding plus 1024 point prompts of 3 masks each.
 * Checkpoint as in {@link SamBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SamAmgBenchmark {
    @Param({"2"})
    public int threads;

    private Arena arena;
    private Sam sam;
    private Frame frame;

    @Setup(Level.Trial)
    public void setup() {
        Path ckpt = Path.of("build/bench/sam_vit_b_random.pth");
        if (!Files.isRegularFile(ckpt)) {
            throw new IllegalStateException(ckpt + " is missing: run python3 tools/make_random_sam.py vit_b " + ckpt);
        }
        Engine.setNumThreads(threads);
        arena = Arena.ofShared();
        sam = Sam.load(ckpt);
        frame = Frame.allocate(arena, 640, 480);
        Random r = new Random(0);
        for (long i = 0; i < frame.data().byteSize(); i++) frame.data().set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sam.close();
        arena.close();
    }

    @Benchmark
    public List<AutoMask> generate() {
        try (Arena a = Arena.ofConfined()) {
            return sam.generate(frame, AmgOptions.defaults(), a, null, null);
        }
    }
}
