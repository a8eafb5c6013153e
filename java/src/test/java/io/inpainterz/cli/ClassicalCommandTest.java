package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import io.inpainterz.testing.Ffmpeg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remove --engine classical} (no weights at all) end to end, and its bad input: a box
 * outside the frame, an empty or wrongly sized mask, masks that cover every frame whole.
 */
class ClassicalCommandTest {
    static final int W = 432, H = 240, T = 16, SPEED = 4;
    static final Box START = new Box(80, 90, 64, 48);

    @TempDir
    static Path shared;
    static Path clip;
    static byte[][] source;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    @BeforeAll
    static void makeClip() throws Exception {
        clip = Clips.make(shared, "clip.mp4", W, H, T, START, SPEED);
        source = Clips.frames(clip, W, H);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    /** Fraction of the box's pixels that are magenta-ish (the object's colour). */
    static double magenta(byte[] rgb, Box b) {
        int n = 0, hit = 0;
        for (int y = b.y(); y < b.y() + b.h(); y++) {
            for (int x = b.x(); x < b.x() + b.w(); x++) {
                int i = 3 * (y * W + x), r = rgb[i] & 255, g = rgb[i + 1] & 255, bl = rgb[i + 2] & 255;
                n++;
                if (r > 180 && bl > 180 && g < 90) hit++;
            }
        }
        return (double) hit / n;
    }

    @Test
    void removesTheBoxWithNoWeights() throws Exception {
        Path output = tmp.resolve("out.mp4");
        Box b = START;
        int code = run("remove", clip.toString(), "-o", output.toString(), "--engine", "classical",
                "--box", "0:" + (b.x() - 6) + "," + (b.y() - 6) + "," + (b.x() + b.w() + 6) + "," + (b.y() + b.h() + 6));
        assertEquals(0, code, err.toString());
        byte[][] got = Clips.frames(output, W, H);
        assertEquals(T, got.length);
        for (int t = 0; t < T; t++) {
            Box at = Clips.movingBox(START, SPEED, t);
            assertTrue(magenta(source[t], at) > 0.9, "the clip has the object on frame " + t);
            assertTrue(magenta(got[t], at) < 0.02, "frame " + t + ": the object is gone (" + magenta(got[t], at) + " of its box still magenta)");
        }
        String probe = new String(Ffmpeg.run("ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", output.toString()));
        assertTrue(probe.contains("audio"), "the audio is kept: " + probe);
    }

    @Test
    void hevcOutputKeepsTheSourcesSubtitlesAndSaysWhatItConverted() throws Exception {
        Path srt = tmp.resolve("s.srt");
        Files.writeString(srt, "1\n00:00:00,100 --> 00:00:00,500\nA ball\n\n");
        Path withSubs = tmp.resolve("subs.mkv");
        Ffmpeg.run("ffmpeg", "-v", "error", "-i", clip.toString(), "-i", srt.toString(), "-map", "0", "-map", "1", "-c", "copy", "-c:s", "srt",
                "-metadata", "title=Ball", withSubs.toString());
        Path output = tmp.resolve("out.mp4");
        Box b = START;
        int code = run("remove", withSubs.toString(), "-o", output.toString(), "--engine", "classical", "--codec", "hevc", "--preset", "ultrafast",
                "--box", "0:" + (b.x() - 6) + "," + (b.y() - 6) + "," + (b.x() + b.w() + 6) + "," + (b.y() + b.h() + 6));
        assertEquals(0, code, err.toString());
        String streams = new String(Ffmpeg.run("ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", output.toString())).strip();
        assertEquals("hevc\naac\nmov_text", streams);
        assertTrue(err.toString().contains("converted to mov_text"), err.toString());
        assertTrue(out.toString().contains("\"output_notes\""), out.toString());
        assertEquals("Ball", new String(Ffmpeg.run("ffprobe", "-v", "error", "-show_entries", "format_tags=title", "-of", "csv=p=0", output.toString())).strip());
        // (The remux to Matroska starts the video at 23 ms, after AAC's priming; decoded without filling that gap.)
        byte[] all = Ffmpeg.run("ffmpeg", "-v", "error", "-i", output.toString(), "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
        assertEquals((long) T * W * H * 3, all.length, "every frame, none added");
        byte[] middle = java.util.Arrays.copyOfRange(all, T / 2 * W * H * 3, (T / 2 + 1) * W * H * 3);
        assertTrue(magenta(middle, Clips.movingBox(START, SPEED, T / 2)) < 0.02, "the object is gone from the HEVC output too");
    }

    @Test
    void badPromptsAndMasksExit3AndWriteNothing() throws Exception {
        Path output = tmp.resolve("out.mp4");
        assertEquals(3, run("remove", clip.toString(), "-o", output.toString(), "--engine", "classical", "--box", "0:400,100,500,200"));
        assertTrue(err.toString().contains("outside"), err.toString());
        Path empty = tmp.resolve("empty.png");
        Clips.writePng(empty, new byte[W * H], W, H);
        assertEquals(3, run("remove", clip.toString(), "-o", output.toString(), "--engine", "classical", "--mask", "0:" + empty));
        assertTrue(err.toString().contains("empty"), err.toString());
        Path small = tmp.resolve("small.png");
        Clips.writePng(small, new Box(0, 0, 10, 10).mask(W / 2, H / 2), W / 2, H / 2);
        assertEquals(3, run("remove", clip.toString(), "-o", output.toString(), "--engine", "classical", "--mask", "0:" + small));
        assertTrue(err.toString().contains(W / 2 + "x" + H / 2), err.toString());
        // Masks covering every frame whole: nothing is left to propagate from.
        Path masks = Files.createDirectories(tmp.resolve("full"));
        byte[] full = new byte[W * H];
        java.util.Arrays.fill(full, (byte) 1);
        for (int t = 0; t < T; t++) Clips.writePng(masks.resolve(String.format("%06d.png", t)), full, W, H);
        assertEquals(3, run("remove", clip.toString(), "-o", output.toString(), "--engine", "classical", "--masks-in", masks.toString()));
        assertTrue(err.toString().contains("covers the whole frame"), err.toString());
        assertFalse(Files.exists(output), "nothing is written");
    }
}
