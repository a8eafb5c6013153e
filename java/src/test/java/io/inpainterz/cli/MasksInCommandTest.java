package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import io.inpainterz.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remove --masks-in DIR [--ids]} end to end with the parity checkpoints on a tiny clip:
 * {@code track --masks-out} then {@code remove --masks-in} gives the very video that
 * {@code remove} with the prompts gives; usage errors and bad mask files.
 */
class MasksInCommandTest {
    static final int W = 96, H = 64, T = 5, PROMPT = 2;
    static final Box START = new Box(20, 20, 24, 18);
    static final String DEAOT = Fixtures.file("deaot/deaott/weights.pth").toString(), E2FGVI = Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth").toString();

    @TempDir
    static Path shared;
    static Path clip, promptMask;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void makeClip() throws Exception {
        clip = Clips.make(shared, "clip.mp4", W, H, T, START, 4);
        promptMask = shared.resolve("box.png");
        Clips.writePng(promptMask, Clips.movingBox(START, 4, PROMPT).mask(W, H), W, H);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @Test
    void trackThenMasksInGivesWhatRemoveWithThePromptsGives() throws Exception {
        Path direct = tmp.resolve("direct.mp4"), masks = tmp.resolve("masks"), viaMasks = tmp.resolve("via.mp4"), again = tmp.resolve("again");
        long start = System.nanoTime();
        // The weight-free inpainter: this test is about the masks' path, and in the full suite the random-weight E2FGVI
        // has given two runs that differ slightly in the hole (then everywhere, through the encoder); cause not found yet.
        assertEquals(0, run("remove", clip.toString(), "-o", direct.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT,
                "--inpainter", "classical", "--threads", "1"), err.toString());
        assertEquals(0, run("track", clip.toString(), "--masks-out", masks.toString(), "--mask", PROMPT + ":" + promptMask, "--deaot", DEAOT,
                "--threads", "1"), err.toString());
        assertEquals(0, run("remove", clip.toString(), "-o", viaMasks.toString(), "--masks-in", masks.toString(), "--inpainter", "classical",
                "--masks-out", again.toString(), "--threads", "1"), err.toString());
        System.out.printf("MasksInCommandTest: remove, track, remove --masks-in of %d frames at %dx%d took %.1f s%n", T, W, H, (System.nanoTime() - start) / 1e9);
        byte[][] a = Clips.frames(direct, W, H), b = Clips.frames(viaMasks, W, H), src = Clips.frames(clip, W, H);
        assertEquals(T, b.length);
        boolean changed = false;
        for (int t = 0; t < T; t++) {
            assertArrayEquals(Clips.readPng(masks.resolve(String.format("%06d.png", t))), Clips.readPng(again.resolve(String.format("%06d.png", t))),
                    "the masks read are the masks written, frame " + t);
            assertArrayEquals(a[t], b[t], "frame " + t);
            changed |= !java.util.Arrays.equals(a[t], src[t]);
        }
        assertTrue(changed, "something was removed");
    }

    @Test
    void promptsWithMasksInAreAUsageError() throws Exception {
        Path masks = Files.createDirectory(tmp.resolve("m")), output = tmp.resolve("out.mp4");
        assertEquals(2, run("remove", clip.toString(), "-o", output.toString(), "--masks-in", masks.toString(), "--point", "0:5,5"), err.toString());
        assertTrue(err.toString().contains("--masks-in"), err.toString());
        assertEquals(2, run("remove", clip.toString(), "-o", output.toString(), "--ids", "2", "--point", "0:5,5"), err.toString());
        assertFalse(Files.exists(output));
    }

    @Test
    void aMaskOfTheWrongSizeIsBadInputNamingTheFile() throws Exception {
        Path masks = Files.createDirectory(tmp.resolve("m")), output = tmp.resolve("out.mp4");
        Clips.writePng(masks.resolve("000001.png"), new byte[W * H], W, H);
        Clips.writePng(masks.resolve("000004.png"), new byte[W * (H + 2)], W, H + 2);
        assertEquals(3, run("remove", clip.toString(), "-o", output.toString(), "--masks-in", masks.toString(), "--ids", "1", "--e2fgvi", E2FGVI),
                err.toString());
        assertTrue(err.toString().contains("000004.png"), err.toString());
        assertFalse(Files.exists(output));
    }
}
