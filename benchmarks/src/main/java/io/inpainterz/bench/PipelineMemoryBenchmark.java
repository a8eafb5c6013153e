package io.inpainterz.bench;

import io.inpainterz.pipeline.RemovePipeline;
import java.io.IOException;
import java.nio.file.Files;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Flat memory: the whole {@code remove --engine classical} run ({@link PipelineBenchmark}'s clip
 * and prompt) on a 10 s and a 2 min clip at 854x480, each length in its own JVM, one shot, and
 * the process's peak resident set (VmHWM) printed at the end as {@code [pipeline-memory]}. The
 * pipeline streams (bounded queues and pools, masks compressed), so the two peaks should be
 * level. Run: {@code scripts/bench.sh PipelineMemoryBenchmark} (see {@link PipelineBenchmark}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
// The Java heap is fixed and touched up front, so that its own growth towards -Xmx does not show
// as resident-set growth: what is left is native memory.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"})
public class PipelineMemoryBenchmark {
    @Param({"10", "120"})
    public int seconds;

    @Param({"854x480"})
    public String size;

    @Param({"2"})
    public int threads;

    private int w, h;
    private Path clip, dir;

    /** The clip is made here on first use, outside the measured shot (the ffmpeg child's memory is its own). */
    @Setup(Level.Trial)
    public void setup() throws IOException {
        w = Integer.parseInt(size.substring(0, size.indexOf('x')));
        h = Integer.parseInt(size.substring(size.indexOf('x') + 1));
        clip = PipelineBenchmark.clip(w, h, seconds);
        dir = Files.createTempDirectory("inpainterz-bench-pipeline-memory");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        PipelineBenchmark.deleteTree(dir);
    }

    @Benchmark
    public long remove() throws IOException {
        long t0 = System.nanoTime();
        RemovePipeline.Result r = PipelineBenchmark.remove(clip, dir.resolve("out.mp4"), w, h, threads, dir);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[pipeline-memory] %s, %d s: %d frames in %.1f s (%.1f ms/frame), %s%n", size, seconds, r.frames(), s,
                1000 * s / r.frames(), ProcStatus.line("VmHWM"));
        return r.frames();
    }
}
