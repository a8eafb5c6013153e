package io.inpainterz.bench;

import io.inpainterz.engine.Checkpoint;
import io.inpainterz.engine.ModelInfo;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening a checkpoint (parse + validate + build tensors) and closing it, mapped (tensors alias
 * the file) versus read into memory. The file is in the page cache after the first iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CheckpointBenchmark {
    /** sam/tiny: zip, 20 MB, 174 tensors; e2fgvi/e2fgvi_d2: legacy, 94 MB, 153 tensors. */
    @Param({"sam/tiny/weights.pth", "e2fgvi/e2fgvi_d2/weights.pth"})
    public String file;

    @Param({"true", "false"})
    public boolean mmap;

    private Path path;

    @Setup(Level.Trial)
    public void setup() {
        path = Fixtures.file(file);
    }

    @Benchmark
    public ModelInfo openAndClose() {
        try (Checkpoint ck = Checkpoint.open(path, Checkpoint.Options.defaults().withMmap(mmap), null)) {
            return ck.modelInfo();
        }
    }
}
