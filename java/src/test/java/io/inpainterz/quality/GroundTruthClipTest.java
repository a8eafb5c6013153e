package io.inpainterz.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Clips from the installed photos: deterministic, masks exactly where the input differs from the
 * truth, a realistic hole that moves off the background, and camera motion as specified.
 * The photos' package missing is a failure, not a skip.
 */
class GroundTruthClipTest {
    private static final int W = 432, H = 240;

    @Test
    void thePhotosAreInstalledAndAMissingOneNamesThePackage() {
        Backgrounds.requireInstalled(); // fails here, naming lomiri-wallpapers-16.04, on a machine without it
        RgbImage forest = Backgrounds.photo(Backgrounds.FOREST);
        assertTrue(forest.width() >= 640, "photo width " + forest.width());
        FileAccessException e = assertThrows(FileAccessException.class, () -> Backgrounds.photo("no-such-photo.jpg"));
        assertTrue(e.getMessage().contains(Backgrounds.PACKAGE) && e.getMessage().contains("no-such-photo.jpg"), e.getMessage());
    }

    @Test
    void theSameSeedMakesTheSameClipAndAnotherSeedAnother() {
        Clip a = GroundTruthClip.photo("a", Backgrounds.MOUNTAINS, new CameraMotion.Shake(5, 1.5, 9), W, H, 6, 42);
        Clip b = GroundTruthClip.photo("b", Backgrounds.MOUNTAINS, new CameraMotion.Shake(5, 1.5, 9), W, H, 6, 42);
        Clip c = GroundTruthClip.photo("c", Backgrounds.MOUNTAINS, new CameraMotion.Shake(5, 1.5, 9), W, H, 6, 43);
        for (int t = 0; t < 6; t++) {
            assertArrayEquals(a.input().get(t), b.input().get(t), "input " + t);
            assertArrayEquals(a.truth().get(t), b.truth().get(t), "truth " + t);
            assertArrayEquals(a.masks().get(t), b.masks().get(t), "mask " + t);
        }
        assertArrayEquals(a.truth().get(3), c.truth().get(3), "the objects' seed does not move the camera");
        assertFalse(Arrays.equals(a.masks().get(0), c.masks().get(0)), "another seed, other objects");
    }

    /** Counts {mask pixels whose input equals the truth, input pixels that differ outside the mask, mask pixels}. */
    private static long[] compare(Clip clip, int t) {
        byte[] in = clip.input().get(t), g = clip.truth().get(t), m = clip.masks().get(t);
        long unchangedInMask = 0, changedOutside = 0, inMask = 0;
        for (int p = 0; p < m.length; p++) {
            boolean differs = in[3 * p] != g[3 * p] || in[3 * p + 1] != g[3 * p + 1] || in[3 * p + 2] != g[3 * p + 2];
            if (m[p] != 0) {
                inMask++;
                if (!differs) unchangedInMask++;
                assertEquals((byte) 255, m[p], "masks are 0 or 255");
            } else if (differs) {
                changedOutside++;
            }
        }
        return new long[] {unchangedInMask, changedOutside, inMask};
    }

    @Test
    void hardEdgedShapesChangeExactlyTheMaskedPixels() {
        RgbImage photo = Backgrounds.photo(Backgrounds.FOREST);
        List<MovingObject> objects = List.of(
                new MovingObject(MovingObject.Outline.ELLIPSE, 61.5, 80.2, new MovingObject.Fill.Solid(228, 26, 28), 0, 60, 120, 5.3, 1.1),
                new MovingObject(MovingObject.Outline.RECTANGLE, 50, 70.5, new MovingObject.Fill.Solid(30, 90, 230), 0, 380, 60, -6.2, 2.4));
        Clip clip = GroundTruthClip.make("shapes", new GroundTruthClip.Background.Photo("forest", photo), new CameraMotion.Pan(3, 0.5), W, H, 20, objects);
        for (int t = 0; t < clip.frames(); t++) {
            long[] c = compare(clip, t);
            assertEquals(0, c[0], "frame " + t + ": masked pixels equal to the truth");
            assertEquals(0, c[1], "frame " + t + ": changed pixels outside the mask");
        }
        // The rectangle's footprint on frame 0: 50 x 70.5 centred at (380, 60) with a hard edge covers
        // the pixel centres x in [355, 405], y in [24.75, 95.25]: 51 x 71.
        byte[] m0 = clip.masks().get(0);
        long rect = 0;
        for (int y = 0; y < 120; y++) for (int x = 300; x < W; x++) if (m0[y * W + x] != 0) rect++;
        assertEquals(51 * 71, rect);
    }

    @Test
    void theStandardClipHasARealisticHoleThatUncoversItsBackground() {
        Clip clip = GroundTruthClip.photo("std", Backgrounds.FOREST, new CameraMotion.Pan(3, 0.6), W, H, 40, 7);
        long unchanged = 0, inMask = 0;
        for (int t = 0; t < clip.frames(); t++) {
            long[] c = compare(clip, t);
            assertEquals(0, c[1], "frame " + t + ": changed pixels outside the mask");
            unchanged += c[0];
            inMask += c[2];
        }
        // Only the feathered sprite's outermost ring (opacity of a few 255ths) may leave a pixel as it was.
        assertTrue(unchanged < 0.03 * inMask, unchanged + " of " + inMask + " masked pixels unchanged");
        double hole = clip.holeFraction();
        assertTrue(hole > 0.03 && hole < 0.12, "hole " + hole);
        // Most of frame 0's hole is visible again within 20 frames.
        byte[] m0 = clip.masks().get(0);
        long covered = 0, seen = 0;
        for (int p = 0; p < m0.length; p++) {
            if (m0[p] == 0) continue;
            covered++;
            for (int t = 1; t <= 20; t++) {
                if (clip.masks().get(t)[p] == 0) {
                    seen++;
                    break;
                }
            }
        }
        assertTrue(seen > 0.9 * covered, seen + " of " + covered + " hole pixels uncovered by frame 20");
        assertFalse(clip.realMotion());
        assertTrue(clip.source().contains(Backgrounds.PACKAGE) && clip.source().contains("synthetic"), clip.source());
    }

    @Test
    void anIntegerPanShiftsTheTruthByExactlyThatMuch() {
        RgbImage photo = Backgrounds.photo(Backgrounds.HILLSIDE);
        Clip clip = GroundTruthClip.make("pan", new GroundTruthClip.Background.Photo("hillside", photo), new CameraMotion.Pan(2, -1), 96, 64, 5, List.of());
        for (int t = 0; t + 1 < clip.frames(); t++) {
            byte[] a = clip.truth().get(t), b = clip.truth().get(t + 1);
            // The camera moves (+2, -1): frame t + 1 at (x, y) shows what frame t had at (x + 2, y - 1).
            for (int y = 1; y < 64; y++) {
                for (int x = 0; x < 94; x++) {
                    for (int c = 0; c < 3; c++) assertEquals(a[3 * ((y - 1) * 96 + x + 2) + c], b[3 * (y * 96 + x) + c], "frame " + (t + 1) + " at " + x + "," + y);
                }
            }
            assertArrayEquals(clip.truth().get(t), clip.input().get(t), "no objects: input = truth");
        }
        assertFalse(Arrays.equals(clip.truth().get(0), clip.truth().get(1)), "the picture moved");
    }

    @Test
    void aZoomKeepsTheCentreAndMagnifiesAroundIt() {
        RgbImage photo = Backgrounds.photo(Backgrounds.MOUNTAINS);
        int w = 101, h = 61, cx = 50, cy = 30;
        Clip clip = GroundTruthClip.make("zoom", new GroundTruthClip.Background.Photo("mountains", photo), new CameraMotion.Zoom(1, 1.25), w, h, 5, List.of());
        for (int t = 1; t < 5; t++) {
            for (int c = 0; c < 3; c++) assertEquals(clip.truth().get(0)[3 * (cy * w + cx) + c], clip.truth().get(t)[3 * (cy * w + cx) + c], "the centre pixel, frame " + t);
        }
        // The camera's map: at the last frame, scale 1 / 1.25 about the centre.
        CameraMotion.Pose last = new CameraMotion.Zoom(1, 1.25).at(4, 5);
        double[] m = last.affine(w, h);
        assertEquals(0.8, m[1], 1e-12);
        assertEquals(0, m[0] + m[1] * cx + m[2] * cy, 1e-9);
        assertEquals(-0.8 * cx, m[0], 1e-9);
    }

    @Test
    void aShakeStaysWithinItsAmplitudeAndMovesSmoothly() {
        CameraMotion.Shake s = new CameraMotion.Shake(6, 1.5, 11);
        double prevX = s.at(0, 60).cx();
        for (int t = 0; t < 60; t++) {
            CameraMotion.Pose p = s.at(t, 60);
            assertTrue(Math.abs(p.cx()) <= 6 && Math.abs(p.cy()) <= 6 && Math.abs(p.angle()) <= Math.toRadians(1.5), "frame " + t + ": " + p);
            assertTrue(Math.abs(p.cx() - prevX) <= 6 * 2 * Math.PI / 8, "frame " + t + " jumps"); // the fastest sine's slope
            prevX = p.cx();
        }
        assertEquals(s.at(17, 60), new CameraMotion.Shake(6, 1.5, 11).at(17, 60));
    }

    @Test
    void objectsBounceInsideTheFrame() {
        MovingObject o = new MovingObject(MovingObject.Outline.RECTANGLE, 40, 20, new MovingObject.Fill.Solid(1, 2, 3), 0, 90, 50, 7, 0);
        // On a 100 x 60 frame a 40 x 20 object's centre stays in [20, 80] x [10, 50]; x = 90 + 7t folds back off the walls.
        for (int t = 0; t < 50; t++) {
            double[] c = o.centre(t, 100, 60);
            assertTrue(c[0] >= 20 && c[0] <= 80 && c[1] == 50, "frame " + t + ": " + c[0]);
        }
        assertEquals(70, o.centre(0, 100, 60)[0], 1e-12); // 90 is 10 past the wall at 80
        assertEquals(63, o.centre(1, 100, 60)[0], 1e-12);
        MovingObject r = MovingObject.random(new Random(3), MovingObject.Outline.ELLIPSE, new MovingObject.Fill.Solid(0, 0, 0), 0, W, H, 0.05, 12);
        assertEquals(0.05 * W * H, Math.PI / 4 * r.width() * r.height(), 1e-6);
        assertEquals(r.width() / 12, Math.hypot(r.vx(), r.vy()), 1e-9);
    }

    @Test
    void footageMustBeStaticAndLongEnough() {
        List<RgbImage> frames = List.of(RgbImage.blank(32, 24), RgbImage.blank(32, 24));
        GroundTruthClip.Background bg = new GroundTruthClip.Background.Video("two", frames);
        assertThrows(InvalidInputException.class, () -> GroundTruthClip.make("f", bg, new CameraMotion.Pan(1, 0), 32, 24, 2, List.of()));
        assertThrows(InvalidInputException.class, () -> GroundTruthClip.make("f", bg, new CameraMotion.Static(), 32, 24, 3, List.of()));
        Clip clip = GroundTruthClip.make("f", bg, new CameraMotion.Static(), 32, 24, 2, List.of());
        assertTrue(clip.realMotion());
        assertArrayEquals(frames.get(1).data(), clip.truth().get(1));
    }
}
