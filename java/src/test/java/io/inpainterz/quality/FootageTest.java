package io.inpainterz.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Frame;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Footage from a video or a folder of frames, and the RGB image's conversions and resize. */
class FootageTest {
    @TempDir
    Path dir;

    @Test
    void aVideoDecodesAsFfmpegDecodesIt() throws Exception {
        Path video = Ffmpeg.make(dir, "v.mkv", "64x48", "10", 0.6, false, "-c:v", "ffv1", "-pix_fmt", "bgr0");
        byte[][] expected = Clips.frames(video, 64, 48);
        List<RgbImage> got = Footage.read(video, 64, 48, 6);
        assertEquals(6, expected.length);
        for (int t = 0; t < 6; t++) assertArrayEquals(expected[t], got.get(t).data(), "frame " + t); // lossless RGB: no conversion in between
        assertEquals(3, Footage.read(video, 64, 48, 3).size());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Footage.read(video, 64, 48, 7));
        assertTrue(e.getMessage().contains("has 6 frames"), e.getMessage());
        assertThrows(FileAccessException.class, () -> Footage.read(dir.resolve("none.mp4"), 64, 48, 1));
        Files.writeString(dir.resolve("junk.mp4"), "not a video");
        assertThrows(io.inpainterz.VideoException.class, () -> Footage.read(dir.resolve("junk.mp4"), 64, 48, 1));
    }

    @Test
    void theUserNamesFootageInAPropertyAndGetsAClipOfEach() throws Exception {
        Path video = Ffmpeg.make(dir, "walk.mkv", "96x64", "10", 1.0, false, "-c:v", "ffv1", "-pix_fmt", "bgr0");
        String before = System.getProperty(Footage.PROPERTY);
        try {
            System.setProperty(Footage.PROPERTY, video + java.io.File.pathSeparator + dir.resolve("frames"));
            assertEquals(List.of(video, dir.resolve("frames")), Footage.configured());
            System.setProperty(Footage.PROPERTY, video.toString());
            List<Clip> clips = GroundTruthClip.footageSet(96, 64, 10, 1);
            assertEquals(1, clips.size());
            Clip c = clips.get(0);
            assertEquals("walk", c.name());
            assertTrue(c.realMotion() && c.source().contains("walk.mkv"), c.source());
            byte[][] frames = Clips.frames(video, 96, 64);
            for (int t = 0; t < 10; t++) assertArrayEquals(frames[t], c.truth().get(t), "the footage is the truth, frame " + t);
        } finally {
            if (before == null) System.clearProperty(Footage.PROPERTY);
            else System.setProperty(Footage.PROPERTY, before);
        }
    }

    @Test
    void aFolderOfFramesIsCoveredAndCentreCropped() throws Exception {
        Path frames = Files.createDirectories(dir.resolve("frames"));
        for (int t = 0; t < 3; t++) {
            byte[] d = new byte[3 * 40 * 20];
            for (int y = 0; y < 20; y++) for (int x = 0; x < 40; x++) d[3 * (y * 40 + x) + (x < 20 ? 0 : 2)] = (byte) (100 + t); // left red, right blue
            new RgbImage(40, 20, d).writePng(frames.resolve(String.format("%05d.png", 2 - t))); // names sort in reverse of t
        }
        List<RgbImage> got = Footage.read(frames, 20, 20, 3);
        for (int i = 0; i < 3; i++) {
            RgbImage f = got.get(i);
            int v = 100 + 2 - i; // file 00000.png was written at t = 2
            assertEquals(v, f.get(9, 5, 0));
            assertEquals(0, f.get(9, 5, 2));
            assertEquals(v, f.get(10, 5, 2)); // the crop starts at x = 10: the halves meet in the middle
            assertEquals(0, f.get(10, 5, 0));
        }
    }

    @Test
    void pngFramesAndResizeKeepTheirValues() throws Exception {
        Random r = new Random(1);
        byte[] d = new byte[3 * 7 * 5];
        r.nextBytes(d);
        RgbImage img = new RgbImage(7, 5, d);
        img.writePng(dir.resolve("x.png"));
        assertArrayEquals(d, RgbImage.read(dir.resolve("x.png")).data(), "R, G and B in order through a PNG");
        try (Frame f = img.toFrame()) {
            assertArrayEquals(d, RgbImage.of(f).data());
        }
        // Shrinking 4x2 to 2x1 averages each 2x2 block; 3 pixels to 2 weights the middle one half to each.
        byte[] four = {0, 0, 0, 40, 4, 8, 100, 0, 0, (byte) 200, 0, 0, 20, 0, 0, 60, 8, 0, 10, 0, 0, 30, 0, 0};
        RgbImage small = new RgbImage(4, 2, four).resize(2, 1);
        assertArrayEquals(new byte[] {30, 3, 2, 85, 0, 0}, small.data());
        byte[] three = {30, 0, 0, 60, 0, 0, 90, 0, 0};
        assertArrayEquals(new byte[] {40, 0, 0, 80, 0, 0}, new RgbImage(3, 1, three).resize(2, 1).data());
        assertThrows(FileAccessException.class, () -> RgbImage.read(dir.resolve("missing.png")));
    }
}
