package io.inpainterz.bench;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.VideoReader;
import java.io.IOException;
import java.lang.foreign.Arena;
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
 * Bounded memory: decodes a whole 1080p H.264 stream with audio (10 s and 10 min, testsrc2 + sine,
 * x264 ultrafast) into one reused RGB24 frame, or transcodes it (reader + writer, audio copied),
 * each length and benchmark in its own JVM (one fork, one shot), and prints the process's peak
 * resident set (VmHWM) at the end. Peaks for the two lengths should be within 10 %.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx256m"})
public class VideoMemoryBenchmark {
    @Param({"10", "600"})
    public int seconds;

    /** x264 preset of the transcode. */
    @Param({"ultrafast"})
    public String preset;

    private Path clip;
    private Arena arena;
    private Frame frame;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        clip = Path.of("build/bench/rss_av_" + seconds + "s.mp4");
        if (!Files.isRegularFile(clip)) {
            Files.createDirectories(clip.getParent());
            VideoBenchmark.run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-f", "lavfi", "-i",
                    "sine=frequency=440", "-t", String.valueOf(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", clip.toString());
        }
        arena = Arena.ofShared();
        try (VideoReader r = VideoReader.open(clip)) {
            frame = r.allocateFrame(arena);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        arena.close();
        for (String field : new String[] {"VmRSS", "VmHWM"}) System.out.println("[memory] " + seconds + " s clip: " + ProcStatus.line(field));
    }

    @Benchmark
    public long transcodeAll() throws IOException {
        return VideoBenchmark.transcode(clip, frame, preset, true);
    }

    @Benchmark
    public long decodeAll() {
        long n = 0;
        try (VideoReader r = VideoReader.open(clip)) {
            while (r.read(frame)) n++;
        }
        return n;
    }
}
