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
 * Video I/O per clip (testsrc2, 5 s at 25 fps = 125 frames, libx264 medium, yuv420p), next to
 * the ffmpeg command line doing the same work on the same file in the same run (its numbers
 * include starting a process, ~30 ms):
 * <ul>
 *   <li>decode to RGB24: ours vs {@code ffmpeg -i F -pix_fmt rgb24 -f null -} (and decode only,
 *       {@code ffmpeg -i F -f null -});</li>
 *   <li>transcode (decode, RGB24, encode libx264 crf 18 with the same preset): ours through
 *       VideoReader + VideoWriter vs {@code ffmpeg -i F -c:v libx264 -preset P -crf 18 -f null -};</li>
 *   <li>encode only, like for like: the first 50 frames as RGB24 (in memory for us, a raw file in
 *       the page cache for the CLI) to libx264 crf 18, ours through VideoWriter vs
 *       {@code ffmpeg -f rawvideo -pix_fmt rgb24 ... -i frames.rgb -c:v libx264 ... -f null -}.</li>
 * </ul>
 * fps = 125 / time. Clips are made on first use under build/bench/ with the ffmpeg command line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class VideoBenchmark {
    @Param({"1920x1080", "854x480"})
    public String size;

    static final int ENCODE_FRAMES = 50;

    private Path clip, rawFrames;
    private Arena arena;
    private Frame frame;
    private Frame[] rgbFrames;

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
        rgbFrames = new Frame[ENCODE_FRAMES];
        rawFrames = clip.resolveSibling("decode_" + size + ".rgb");
        try (VideoReader r = VideoReader.open(clip);
             var raw = java.nio.channels.FileChannel.open(rawFrames, java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            frame = r.allocateFrame(arena);
            for (int i = 0; i < ENCODE_FRAMES && r.read(frame); i++) {
                rgbFrames[i] = r.allocateFrame(arena);
                rgbFrames[i].data().copyFrom(frame.data());
                raw.write(frame.data().asByteBuffer());
            }
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

    /** x264 preset used by both transcodes. */
    @Param({"veryfast"})
    public String preset;

    @Benchmark
    public long inpainterzTranscode() throws IOException {
        return transcode(clip, frame, preset, false);
    }

    /**
     * Reads `clip` into `frame` and writes every frame to a temporary file with its own time
     * (and the clip's audio when `audio`); returns the frame count. Shared with {@link VideoMemoryBenchmark}.
     */
    static long transcode(Path clip, Frame frame, String preset, boolean audio) throws IOException {
        Path out = Files.createTempFile(clip.getParent(), "transcode", ".mp4");
        long n = 0;
        try (VideoReader r = VideoReader.open(clip);
             io.inpainterz.engine.VideoWriter w = io.inpainterz.engine.VideoWriter.open(out, r.info().width(), r.info().height(),
                     io.inpainterz.engine.VideoWriter.Options.defaults().withPreset(preset).withFps(r.info().fps()).withSource(audio ? clip : null))) {
            while (r.read(frame)) {
                w.write(frame, r.lastPtsMicros());
                n++;
            }
            w.finish();
        } finally {
            Files.deleteIfExists(out);
        }
        return n;
    }

    @Benchmark
    public void ffmpegCliTranscode() {
        run("ffmpeg", "-v", "error", "-i", clip.toString(), "-c:v", "libx264", "-preset", preset, "-crf", "18", "-pix_fmt", "yuv420p", "-f", "null", "-");
    }

    @Benchmark
    public void inpainterzEncodeRgb() throws IOException {
        Path out = Files.createTempFile(clip.getParent(), "encode", ".mp4");
        try (io.inpainterz.engine.VideoWriter w = io.inpainterz.engine.VideoWriter.open(out, frame.width(), frame.height(),
                io.inpainterz.engine.VideoWriter.Options.defaults().withPreset(preset))) {
            for (Frame f : rgbFrames) w.write(f, -1);
            w.finish();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Benchmark
    public void ffmpegCliEncodeRgb() {
        run("ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", "25", "-i", rawFrames.toString(),
                "-c:v", "libx264", "-preset", preset, "-crf", "18", "-pix_fmt", "yuv420p", "-f", "null", "-");
    }

    @Benchmark
    public void ffmpegCliDecodeOnly() {
        run("ffmpeg", "-v", "error", "-i", clip.toString(), "-f", "null", "-");
    }
}
