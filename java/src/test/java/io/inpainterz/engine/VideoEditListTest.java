package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Ffmpeg;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MP4s whose edit lists start seconds into the media, as `ffmpeg -c copy` cuts and phone editors
 * leave them: what info promises, what the reader yields and what a transcode keeps, each
 * checked against ffprobe's view of the same file.
 */
class VideoEditListTest {
    @TempDir
    static Path tmp;
    /** 10 s, a key frame every 2 s: a cut keeps decode-only frames from the key frame before it. */
    static Path src;

    @BeforeAll
    static void source() throws Exception {
        src = Ffmpeg.make(tmp, "src.mp4", "160x120", "25", 10, true, "-c:v", "libx264", "-g", "50", "-c:a", "aac");
    }

    static Path ffmpeg(String name, String... args) throws Exception {
        Path out = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
        cmd.addAll(Arrays.asList(args));
        cmd.add(out.toString());
        Ffmpeg.run(cmd.toArray(String[]::new));
        return out;
    }

    /** A file as ffprobe presents it: decoded video frames and audio samples, edit lists applied. */
    record View(long frames, long containerFrames, double frameSeconds, List<Long> pts, double audioStart, long samples, int sampleRate) {
        double videoStart() {
            return pts.stream().mapToLong(Long::longValue).min().orElseThrow() / 1e6;
        }

        double videoDuration() {
            return pts.stream().mapToLong(Long::longValue).max().orElseThrow() / 1e6 + frameSeconds - videoStart();
        }

        double audioDuration() {
            return (double) samples / sampleRate;
        }
    }

    static View view(Path file) throws Exception {
        String[] v = Ffmpeg.probe(file, "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate,nb_frames,nb_read_frames",
                "-of", "default=nw=1").lines().toArray(String[]::new);
        String[] rate = value(v, "r_frame_rate").split("/");
        String container = value(v, "nb_frames");
        String[] a = Ffmpeg.probe(file, "-select_streams", "a:0", "-show_entries", "stream=sample_rate,start_time", "-of", "default=nw=1")
                .lines().toArray(String[]::new);
        return new View(Long.parseLong(value(v, "nb_read_frames")), container.equals("N/A") ? -1 : Long.parseLong(container),
                Double.parseDouble(rate[1]) / Double.parseDouble(rate[0]), Ffmpeg.framePtsMicros(file),
                Double.parseDouble(value(a, "start_time")), Ffmpeg.audioSamples(file), Integer.parseInt(value(a, "sample_rate")));
    }

    static String value(String[] lines, String key) {
        return Arrays.stream(lines).filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow(() -> new AssertionError(key)).substring(key.length() + 1);
    }

    /** Seconds of packets of stream `sel` flagged decode-only (outside the edit list). */
    static double decodeOnlySeconds(Path file, String sel) throws Exception {
        return Ffmpeg.probe(file, "-select_streams", sel, "-show_entries", "packet=duration_time,flags", "-of", "csv=p=0").lines()
                .map(l -> l.split(",")).filter(p -> p.length > 1 && p[1].contains("D")).mapToDouble(p -> Double.parseDouble(p[0])).sum();
    }

    /** What the CLI's transcode does: reader frames with the reader's times, audio copied from the source. */
    static Path transcode(Path in, String ext) {
        Path out = tmp.resolve(in.getFileName().toString().replaceFirst("\\.[^.]+$", "") + "_out." + ext);
        try (VideoReader r = VideoReader.open(in); Arena arena = Arena.ofConfined();
             VideoWriter w = VideoWriter.open(out, r.info().width(), r.info().height(),
                     VideoWriter.Options.defaults().withPreset("ultrafast").withFps(r.info().fps()).withSource(in))) {
            Frame f = r.allocateFrame(arena);
            while (r.read(f)) w.write(f, r.lastPtsMicros());
            w.finish();
        }
        return out;
    }

    /**
     * info's count is ffprobe's, exact; the reader yields those frames at ffprobe's times; an mp4
     * and a Matroska transcode keep the frames, each stream's start and length, and A/V alignment.
     */
    static View assertPresentedAsFfprobeSays(Path file) throws Exception {
        View want = view(file);
        try (VideoReader r = VideoReader.open(file); Arena arena = Arena.ofConfined()) {
            assertEquals(want.frames(), r.info().frameCount(), file.getFileName() + ": info frame_count vs ffprobe -count_frames");
            assertTrue(r.info().frameCountExact());
            Frame f = r.allocateFrame(arena);
            List<Long> got = new ArrayList<>();
            while (r.read(f)) got.add(r.lastPtsMicros());
            assertEquals(want.pts(), got, file.getFileName() + ": the reader's frames and times are ffprobe's");
        }
        for (String ext : List.of("mp4", "mkv")) {
            Path out = transcode(file, ext);
            View have = view(out);
            String what = file.getFileName() + " -> " + out.getFileName() + ": ";
            double frame = want.frameSeconds();
            assertEquals(want.frames(), have.frames(), what + "video frames");
            assertEquals(want.videoStart(), have.videoStart(), frame, what + "video start");
            assertEquals(want.videoDuration(), have.videoDuration(), frame, what + "video duration");
            assertEquals(want.audioStart(), have.audioStart(), frame, what + "audio start");
            assertEquals(want.samples(), have.samples(), 1024, what + "audio samples (one AAC frame of slack)");
            assertEquals(want.audioStart() - want.videoStart(), have.audioStart() - have.videoStart(), frame, what + "audio vs video start");
        }
        return want;
    }

    /**
     * ffprobe's frame times are evenly spaced (within 2 ms: rounding to the container's clock),
     * but for the last `skip` gaps: a `-t` cut drops B-frames there and keeps the frames they lean on.
     */
    static void assertEvenlySpaced(View v, int skip) {
        for (int i = 1; i < v.pts().size() - skip; i++) {
            long gap = v.pts().get(i) - v.pts().get(i - 1);
            assertEquals(v.frameSeconds() * 1e6, gap, 2000, "gap before frame " + i);
        }
    }

    static boolean variableFrameRate(Path file) {
        try (VideoReader r = VideoReader.open(file)) {
            return r.info().variableFrameRate();
        }
    }

    @Test
    void cutWithEditListsOnBothStreamsAtDifferentOffsets() throws Exception {
        Path cut = ffmpeg("cut.mp4", "-ss", "3.3", "-i", src.toString(), "-c", "copy", "-t", "4");
        double video = decodeOnlySeconds(cut, "v"), audio = decodeOnlySeconds(cut, "a");
        assertTrue(video > 1 && audio > 0.5, "both streams start inside their media: " + video + " s, " + audio + " s decode-only");
        assertNotEquals(video, audio, 0.02, "at different offsets");
        View v = assertPresentedAsFfprobeSays(cut);
        assertTrue(v.containerFrames() > v.frames(), "the container counts the decode-only frames too");
        assertEvenlySpaced(v, 1);
        assertFalse(variableFrameRate(cut), "a constant-rate cut is not variable-rate");
        try (VideoReader r = VideoReader.open(cut); Arena arena = Arena.ofConfined()) {
            Frame f = r.allocateFrame(arena);
            for (int target : new int[] {0, 7, 60, 101, 30}) {
                r.seek(target);
                assertTrue(r.read(f));
                assertEquals(v.pts().get(target), r.lastPtsMicros(), "frame " + target + " after a seek");
            }
        }
    }

    @Test
    void phoneLikeCutLongGopAt600Hz() throws Exception {
        // 29.97 fps on a 600 Hz clock, a key frame every 20 s, 48 kHz: most packets are decode-only.
        Path phone = Ffmpeg.make(tmp, "phone.mp4", "160x120", "30000/1001", 12, true, "-c:v", "libx264", "-g", "600", "-c:a", "aac", "-ar", "48000",
                "-video_track_timescale", "600");
        Path cut = ffmpeg("phone_cut.mp4", "-ss", "7.7", "-i", phone.toString(), "-c", "copy");
        View v = assertPresentedAsFfprobeSays(cut);
        assertTrue(v.containerFrames() > 2 * v.frames(), v.containerFrames() + " packets, " + v.frames() + " frames");
        assertEvenlySpaced(v, 0);
        assertFalse(variableFrameRate(cut), "its declared average rate is skewed by the decode-only packets; what is shown is constant");
    }

    @Test
    void audioCutAtAnotherPointThanVideo() throws Exception {
        Path cut = ffmpeg("apart.mp4", "-ss", "3.3", "-i", src.toString(), "-ss", "2.65", "-i", src.toString(), "-map", "0:v", "-map", "1:a", "-c", "copy", "-t", "4");
        assertNotEquals(decodeOnlySeconds(cut, "v"), decodeOnlySeconds(cut, "a"), 0.02);
        assertFalse(variableFrameRate(cut));
        assertPresentedAsFfprobeSays(cut);
    }

    @Test
    void editListOnlyOnVideo() throws Exception {
        // Re-encoded audio starts at the cut: only the encoder's priming is outside its edit.
        Path cut = ffmpeg("video_only.mp4", "-ss", "3.3", "-i", src.toString(), "-c:v", "copy", "-c:a", "aac", "-t", "4");
        assertTrue(decodeOnlySeconds(cut, "v") > 1);
        assertEquals(1024 / 44100.0, decodeOnlySeconds(cut, "a"), 1e-3);
        assertFalse(variableFrameRate(cut));
        assertPresentedAsFfprobeSays(cut);
    }

    @Test
    void audioStartsLaterThanVideo() throws Exception {
        Path delayed = ffmpeg("delayed.mp4", "-itsoffset", "0.7", "-i", src.toString(), "-i", src.toString(), "-map", "1:v", "-map", "0:a", "-c", "copy");
        Path cut = ffmpeg("late_audio.mp4", "-ss", "0.3", "-i", delayed.toString(), "-c", "copy", "-t", "4");
        assertTrue(decodeOnlySeconds(cut, "v") > 0.2);
        View v = assertPresentedAsFfprobeSays(cut);
        assertTrue(v.audioStart() > v.videoStart() + 0.3, "audio starts " + v.audioStart() + " s, video " + v.videoStart() + " s");
        assertFalse(variableFrameRate(cut));
    }

    @Test
    void pcmBehindAnEditListIsReencodedInStep() throws Exception {
        // mp4 cannot carry PCM: the writer decodes (dropping what the edit list hides) and re-encodes.
        Path mov = Ffmpeg.make(tmp, "pcm.mov", "160x120", "25", 10, true, "-c:v", "libx264", "-g", "50", "-c:a", "pcm_s16le");
        Path cut = ffmpeg("pcm_cut.mov", "-ss", "3.3", "-i", mov.toString(), "-c", "copy", "-t", "4");
        assertTrue(decodeOnlySeconds(cut, "v") > 1);
        assertPresentedAsFfprobeSays(cut);
    }

    @Test
    void twoEditsAsPhoneEditorsLeaveThem() throws Exception {
        // The second edit's decode-only packets go back in time: copied as they were, the muxer
        // refused them ("copying audio failed: Invalid argument").
        Path two = twoEdits(src, tmp.resolve("two_edits.mp4"), 2.3, 6.3, 1.5);
        View v = assertPresentedAsFfprobeSays(two);
        assertEquals(3.0, v.videoDuration(), 0.1);
    }

    @Test
    void aVariableRateCutStaysVariable() throws Exception {
        Path vfr = Ffmpeg.make(tmp, "vfr.mp4", "160x120", "25", 4, false, "-vf", "setpts='if(lt(N,50),N/25,2+(N-50)/10)/TB'", "-fps_mode", "vfr",
                "-c:v", "libx264", "-g", "30");
        Path cut = ffmpeg("vfr_cut.mp4", "-ss", "1.5", "-i", vfr.toString(), "-c", "copy");
        assertTrue(decodeOnlySeconds(cut, "v") > 0.1);
        try (VideoReader r = VideoReader.open(cut)) {
            assertTrue(r.info().variableFrameRate());
            assertEquals(Long.parseLong(Ffmpeg.probe(cut, "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0")),
                    r.info().frameCount());
        }
    }

    /**
     * Gives every track of an mp4 two edits of `seconds` each, starting `a` and `b` seconds into its
     * media (after the edit ffmpeg wrote: composition or priming offset). The moov must follow the
     * mdat, as ffmpeg writes it, so no chunk offset moves; boxes are version 0.
     */
    static Path twoEdits(Path in, Path out, double a, double b, double seconds) throws Exception {
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(in));
        int moov = child(f, 0, f.limit(), "moov");
        assertTrue(moov > child(f, 0, f.limit(), "mdat"), "moov after mdat");
        int movieScale = f.getInt(child(f, moov + 8, end(f, moov), "mvhd") + 20);
        ByteArrayOutputStream box = new ByteArrayOutputStream();
        box.write(f.array(), moov, 8);
        for (int i = moov + 8; i < end(f, moov); i = end(f, i)) {
            if (!type(f, i).equals("trak")) {
                box.write(f.array(), i, end(f, i) - i);
                continue;
            }
            int mdia = child(f, i + 8, end(f, i), "mdia"), edts = child(f, i + 8, end(f, i), "edts"), elst = child(f, edts + 8, end(f, edts), "elst");
            int scale = f.getInt(child(f, mdia + 8, end(f, mdia), "mdhd") + 20);
            assertEquals(0, f.get(elst + 8), "elst version 0");
            int mediaTime = f.getInt(elst + 20);
            ByteBuffer edit = ByteBuffer.allocate(8 + 16 + 2 * 12);
            edit.putInt(edit.capacity()).put("edts".getBytes(StandardCharsets.US_ASCII)).putInt(16 + 2 * 12).put("elst".getBytes(StandardCharsets.US_ASCII));
            edit.putInt(0).putInt(2);
            for (double at : new double[] {a, b}) edit.putInt((int) Math.round(seconds * movieScale)).putInt(mediaTime + (int) Math.round(at * scale)).putInt(0x10000);
            ByteArrayOutputStream trak = new ByteArrayOutputStream();
            trak.write(f.array(), i, edts - i);
            trak.write(edit.array());
            trak.write(f.array(), end(f, edts), end(f, i) - end(f, edts));
            byte[] t = trak.toByteArray();
            ByteBuffer.wrap(t).putInt(0, t.length);
            box.write(t);
        }
        byte[] m = box.toByteArray();
        ByteBuffer.wrap(m).putInt(0, m.length);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(f.array(), 0, moov);
        file.write(m);
        file.write(f.array(), end(f, moov), f.limit() - end(f, moov));
        return Files.write(out, file.toByteArray());
    }

    static int end(ByteBuffer f, int box) {
        return box + f.getInt(box);
    }

    static String type(ByteBuffer f, int box) {
        return new String(f.array(), box + 4, 4, StandardCharsets.US_ASCII);
    }

    /** Offset of the first box of `type` among the boxes in [from, to). */
    static int child(ByteBuffer f, int from, int to, String type) {
        for (int i = from; i < to; i = end(f, i)) if (type(f, i).equals(type)) return i;
        throw new AssertionError("no " + type + " box");
    }
}
