package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import io.inpainterz.InpainterzException;
import io.inpainterz.VideoException;
import io.inpainterz.testing.Ffmpeg;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoded frames and facts checked against the ffmpeg command line on videos it generates. */
class VideoReaderTest {
    @TempDir
    static Path tmp;

    static byte[] run(String... command) throws Exception {
        return Ffmpeg.run(command);
    }

    static Path make(String name, String size, String rate, double seconds, boolean audio, String... extra) throws Exception {
        return Ffmpeg.make(tmp, name, size, rate, seconds, audio, extra);
    }

    /** Every frame as `ffmpeg -f rawvideo -pix_fmt rgb24` decodes it (auto-rotation on). */
    static byte[] ffmpegFrames(Path video) throws Exception {
        return run("ffmpeg", "-v", "error", "-i", video.toString(), "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
    }

    static void assertMatchesFfmpeg(Path video, int width, int height, int frames) throws Exception {
        byte[] want = ffmpegFrames(video);
        try (VideoReader r = VideoReader.open(video); Arena arena = Arena.ofConfined()) {
            assertEquals(width, r.info().width());
            assertEquals(height, r.info().height());
            Frame f = r.allocateFrame(arena);
            long size = (long) width * height * 3;
            int n = 0;
            while (r.read(f)) {
                assertEquals(n, r.lastIndex());
                long at = f.data().mismatch(MemorySegment.ofArray(want).asSlice(n * size, size));
                assertEquals(-1, at, video.getFileName() + ": frame " + n + " differs from ffmpeg's at byte " + at);
                n++;
            }
            assertEquals(frames, n);
            assertEquals(want.length / size, n);
            assertNull(r.truncation());
        }
    }

    @Test
    void h264WithAudioMatchesFfmpegAndReportsItsFacts() throws Exception {
        Path v = make("a.mp4", "320x240", "25", 1, true, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        assertMatchesFfmpeg(v, 320, 240, 25);
        try (VideoReader r = VideoReader.open(v)) {
            VideoInfo i = r.info();
            assertEquals(25.0, i.fps(), 1e-9);
            assertEquals(25, i.frameCount());
            assertTrue(i.frameCountExact());
            assertEquals(1.0, i.durationS(), 0.05);
            assertEquals("h264", i.codec());
            assertEquals("yuv420p", i.pixelFormat());
            assertEquals(1, i.audioStreams());
            assertEquals(0, i.rotation());
        }
    }

    @Test
    void codecsContainersOddSizes444And10BitMatchFfmpeg() throws Exception {
        assertMatchesFfmpeg(make("odd.mkv", "320x240", "30000/1001", 0.5, false, "-vf", "scale=321:241", "-c:v", "libx264", "-pix_fmt", "yuv444p"), 321, 241, 15);
        assertMatchesFfmpeg(make("ten.mp4", "320x240", "25", 0.4, false, "-c:v", "libx264", "-pix_fmt", "yuv420p10le"), 320, 240, 10);
        assertMatchesFfmpeg(make("mpeg4.avi", "176x144", "25", 0.4, false, "-c:v", "mpeg4"), 176, 144, 10);
        assertMatchesFfmpeg(make("mjpeg.mov", "176x144", "25", 0.4, false, "-c:v", "mjpeg", "-pix_fmt", "yuvj422p"), 176, 144, 10);
        assertMatchesFfmpeg(make("hevc.mkv", "160x120", "25", 0.2, false, "-c:v", "libx265", "-x265-params", "log-level=error"), 160, 120, 5);
        assertMatchesFfmpeg(make("vp9.webm", "160x120", "25", 0.2, false, "-c:v", "libvpx-vp9"), 160, 120, 5);
        assertMatchesFfmpeg(make("av1.mkv", "160x120", "25", 0.2, false, "-c:v", "libaom-av1", "-cpu-used", "8"), 160, 120, 5);
        try (VideoReader r = VideoReader.open(tmp.resolve("ten.mp4"))) {
            assertEquals(10, r.info().bitDepth());
        }
    }

    @Test
    void rotationMetadataIsApplied() throws Exception {
        Path src = make("src.mp4", "320x240", "25", 0.4, false, "-c:v", "libx264");
        Path rotated = tmp.resolve("rot.mp4");
        run("ffmpeg", "-v", "error", "-y", "-i", src.toString(), "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.toString());
        assertMatchesFfmpeg(rotated, 240, 320, 10);
        try (VideoReader r = VideoReader.open(rotated)) {
            assertEquals(320, r.info().codedWidth());
            assertTrue(r.info().rotation() == 90 || r.info().rotation() == 270);
        }
    }

    @Test
    void seekLandsOnTheRequestedFrame() throws Exception {
        Path v = make("gop.mp4", "160x120", "25", 2, false, "-c:v", "libx264", "-g", "12");
        byte[] all = ffmpegFrames(v);
        long size = 160 * 120 * 3;
        try (VideoReader r = VideoReader.open(v); Arena arena = Arena.ofConfined()) {
            Frame f = r.allocateFrame(arena);
            for (int target : new int[] {30, 5, 12, 49, 0}) {
                r.seek(target);
                assertTrue(r.read(f));
                assertEquals(target, r.lastIndex());
                assertEquals(-1, f.data().mismatch(MemorySegment.ofArray(all).asSlice(target * size, size)), "frame " + target);
                assertEquals(target * 40_000L, r.lastPtsMicros(), 1000);
            }
            r.seek(49);
            assertTrue(r.read(f));
            assertFalse(r.read(f));
        }
    }

    @Test
    void variableFrameRateTimestampsMatchFfprobeAndSurviveARoundTrip() throws Exception {
        // 10 frames at 25 fps, then 10 fps.
        Path vfr = make("vfr.mkv", "160x120", "25", 2, false, "-vf", "setpts='if(lt(N,10),N/25,0.4+(N-10)/10)/TB'", "-fps_mode", "vfr", "-c:v", "libx264");
        List<Long> want = new String(run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=best_effort_timestamp_time",
                "-of", "csv=p=0", vfr.toString()), StandardCharsets.UTF_8).lines()
                .map(l -> l.replace(",", "").strip()).filter(l -> !l.isEmpty()).map(l -> Math.round(Double.parseDouble(l) * 1e6)).toList();
        List<Long> got = new java.util.ArrayList<>();
        Path out = tmp.resolve("vfr_out.mkv");
        try (VideoReader r = VideoReader.open(vfr); Arena arena = Arena.ofConfined();
             VideoWriter w = VideoWriter.open(out, 160, 120, VideoWriter.Options.defaults().withFps(25))) {
            Frame f = r.allocateFrame(arena);
            while (r.read(f)) {
                got.add(r.lastPtsMicros());
                w.write(f, r.lastPtsMicros());
            }
            w.finish();
        }
        assertEquals(want, got);
        try (VideoReader r = VideoReader.open(vfr)) {
            assertTrue(r.info().variableFrameRate(), "a variable-rate Matroska stream must be reported as such");
        }
        try (VideoReader r = VideoReader.open(make("cfr.mkv", "160x120", "25", 1, false, "-c:v", "libx264"))) {
            assertFalse(r.info().variableFrameRate(), "a constant-rate one must not");
        }
        java.util.Set<Long> gaps = new java.util.HashSet<>();
        for (int i = 1; i < got.size(); i++) gaps.add(got.get(i) - got.get(i - 1));
        assertTrue(gaps.size() > 1, "the clip must really be variable-rate: " + got);
        List<Long> written = new String(run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=best_effort_timestamp_time",
                "-of", "csv=p=0", out.toString()), StandardCharsets.UTF_8).lines()
                .map(l -> l.replace(",", "").strip()).filter(l -> !l.isEmpty()).map(l -> Math.round(Double.parseDouble(l) * 1e6)).toList();
        assertEquals(want, written, "the writer keeps every frame's own time");
    }

    @Test
    void aFileCutMidStreamDecodesWhatIsThereAndSaysSo() throws Exception {
        Path v = make("fast.mp4", "160x120", "25", 2, false, "-c:v", "libx264", "-movflags", "+faststart");
        byte[] bytes = Files.readAllBytes(v);
        Path cut = Files.write(tmp.resolve("cut.mp4"), Arrays.copyOf(bytes, bytes.length / 2));
        try (VideoReader r = VideoReader.open(cut); Arena arena = Arena.ofConfined()) {
            Frame f = r.allocateFrame(arena);
            int n = 0;
            while (r.read(f)) n++;
            assertTrue(n > 0 && n < 50, n + " frames");
            assertNotNull(r.truncation());
        }
    }

    @Test
    void badFilesAreNamedErrors() throws Exception {
        Path random = tmp.resolve("random.mp4");
        byte[] junk = new byte[5000];
        new java.util.Random(3).nextBytes(junk);
        Files.write(random, junk);
        Path empty = Files.write(tmp.resolve("empty.mp4"), new byte[0]);
        Path audio = tmp.resolve("audio.m4a");
        run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "0.5", audio.toString());
        Path full = make("whole.mp4", "160x120", "25", 1, false, "-c:v", "libx264");
        byte[] b = Files.readAllBytes(full);
        Path noIndex = Files.write(tmp.resolve("noindex.mp4"), Arrays.copyOf(b, b.length / 2)); // moov at the end: cut off
        Path huge = Files.write(tmp.resolve("huge.y4m"), "YUV4MPEG2 W40000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\n".getBytes(StandardCharsets.US_ASCII));

        // An mp4 whose video sample entry names a codec nobody knows ("zzzz" instead of "avc1").
        Path withAudio = make("named.mp4", "160x120", "25", 0.2, false, "-c:v", "libx264");
        byte[] mp4 = Files.readAllBytes(withAudio);
        int stsd = indexOf(mp4, "stsd".getBytes(StandardCharsets.US_ASCII), 0), entry = indexOf(mp4, "avc1".getBytes(StandardCharsets.US_ASCII), stsd);
        System.arraycopy("zzzz".getBytes(StandardCharsets.US_ASCII), 0, mp4, entry, 4);
        Path unknownCodec = Files.write(tmp.resolve("unknown_codec.mp4"), mp4);

        record Bad(Path file, Class<? extends InpainterzException> type, String expected) {}
        for (Bad bad : List.of(
                new Bad(random, VideoException.class, "cannot open"),
                new Bad(empty, VideoException.class, "empty"),
                new Bad(audio, VideoException.class, "has no video stream"),
                new Bad(noIndex, VideoException.class, "noindex.mp4"),
                new Bad(huge, VideoException.class, "cannot open"), // FFmpeg refuses 40000x30000 itself
                new Bad(unknownCodec, io.inpainterz.UnsupportedInputException.class, "no decoder for codec with tag 'zzzz'"),
                new Bad(tmp.resolve("missing.mp4"), FileAccessException.class, "does not exist"),
                new Bad(tmp, FileAccessException.class, "is a directory"))) {
            InpainterzException e = assertThrows(bad.type(), () -> VideoReader.open(bad.file()), bad.file().toString());
            assertTrue(e.getMessage().contains(bad.expected()) && e.getMessage().contains(bad.file().getFileName().toString()), e.getMessage());
        }
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void aFrameOfTheWrongSizeIsRefused() throws Exception {
        Path v = make("small.mp4", "160x120", "25", 0.2, false, "-c:v", "libx264");
        try (VideoReader r = VideoReader.open(v); Arena arena = Arena.ofConfined()) {
            assertThrows(io.inpainterz.InvalidInputException.class, () -> r.read(Frame.allocate(arena, 120, 160)));
        }
    }
}
