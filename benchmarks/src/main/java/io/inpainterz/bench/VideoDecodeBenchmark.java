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
 * Decoding a whole H.264 clip (testsrc2, 5 s at 25 fps, libx264 medium, yuv420p) into RGB24
 * frames, next to the ffmpeg command line doing the same work on the same file in the same run:
 * {@code ffmpeg -i F -pix_fmt rgb24 -f null -} (decode + the same conversion) and
 * {@code ffmpeg -i F -f null -} (decode only). Time per clip; fps = 125 / time.
 * Clips are made on first use under build/bench/ with the ffmpeg command line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class VideoDecodeBenchmark {
    @Param({"1920x1080", "854x480"})
    public String size;

    private Path clip;
    private Arena arena;
    private Frame frame;

    static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) throw new IllegalStateException("failed: " + String.join(" ", cmd));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot run " + cmd[0] + " (is FFmpeg installed?): " + e, e);
        }
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        clip = Path.of("build/bench/decode_" + size + ".mp4");
        if (!Files.isRegularFile(clip)) {
            Files.createDirectories(clip.getParent());
            run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-t", "5", "-c:v", "libx264",
                    "-preset", "medium", "-pix_fmt", "yuv420p", clip.toString());
        }
        arena = Arena.ofShared();
        try (VideoReader r = VideoReader.open(clip)) {
            frame = r.allocateFrame(arena);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long inpainterzToRgb() {
        long n = 0;
        try (VideoReader r = VideoReader.open(clip)) {
            while (r.read(frame)) n++;
        }
        return n;
    }

    @Benchmark
    public void ffmpegCliToRgb() {
        run("ffmpeg", "-v", "error", "-i", clip.toString(), "-pix_fmt", "rgb24", "-f", "null", "-");
    }

    @Benchmark
    public void ffmpegCliDecodeOnly() {
        run("ffmpeg", "-v", "error", "-i", clip.toString(), "-f", "null", "-");
    }
}
