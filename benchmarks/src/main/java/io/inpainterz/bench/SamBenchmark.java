package io.inpainterz.bench;

import io.inpainterz.engine.Engine;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.SamPrediction;
import io.inpainterz.engine.SamPrompt;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * SAM latency with random weights of the real shapes (timing does not depend on the values):
 * the image encoder on a 1024x1024 image (set_image: 972 GFLOP for vit_b) and one prompt's
 * predict (3 masks). Checkpoint: build/bench/sam_&lt;variant&gt;_random.pth, made by
 * {@code python3 tools/make_random_sam.py vit_b build/bench/sam_vit_b_random.pth}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SamBenchmark {
    @Param({"vit_b"})
    public String variant;

    @Param({"1", "2"})
    public int threads;

    /** Image encoder precision: f32, or bf16 (opt-in; AVX512-BF16/AMX). */
    @Param({"f32", "bf16"})
    public String encoder;

    private Arena arena;
    private Sam sam;
    private Frame frame;
    private Sam.Embedding embedding;
    private final SamPrompt prompt = SamPrompt.point(412, 168);

    @Setup(Level.Trial)
    public void setup() {
        Path ckpt = Path.of("build/bench/sam_" + variant + "_random.pth");
        if (!Files.isRegularFile(ckpt)) {
            throw new IllegalStateException(ckpt + " is missing: run python3 tools/make_random_sam.py " + variant + " " + ckpt);
        }
        Engine.setNumThreads(threads);
        arena = Arena.ofShared();
        sam = Sam.load(ckpt, Sam.Options.defaults().withBf16Encoder(encoder.equals("bf16")));
        frame = Frame.allocate(arena, 1024, 1024);
        Random r = new Random(0);
        for (long i = 0; i < frame.data().byteSize(); i++) frame.data().set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        embedding = sam.embed(frame);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        embedding.close();
        sam.close();
        arena.close();
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public Sam.Embedding encoder() {
        Sam.Embedding e = sam.embed(frame);
        e.close();
        return e;
    }

    @Benchmark
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public SamPrediction predictOnePoint() {
        try (Arena a = Arena.ofConfined()) {
            return sam.predict(embedding, prompt, a);
        }
    }
}
