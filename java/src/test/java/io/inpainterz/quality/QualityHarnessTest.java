package io.inpainterz.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness on small clips with trivial methods whose order is known: the truth beats the border mean beats leaving the object in. */
class QualityHarnessTest {
    @TempDir
    Path dir;

    /** A smooth random picture (sums of sines), so a shifted view is not the same picture. */
    private static RgbImage smooth(int w, int h, long seed) {
        Random r = new Random(seed);
        double[][] f = new double[3][4];
        for (double[] a : f) for (int i = 0; i < 4; i++) a[i] = 0.02 + 0.1 * r.nextDouble();
        byte[] d = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 128 + 50 * Math.sin(f[c][0] * x + f[c][1] * y) + 50 * Math.cos(f[c][2] * x - f[c][3] * y + c);
                    d[3 * (y * w + x) + c] = (byte) Math.clamp(Math.round(v), 0, 255);
                }
            }
        }
        return new RgbImage(w, h, d);
    }

    private static Clip tinyClip(String name, long seed) {
        List<MovingObject> objects = List.of(
                new MovingObject(MovingObject.Outline.ELLIPSE, 14, 18, new MovingObject.Fill.Solid(228, 26, 28), 0, 15, 20, 2.5, 0.5),
                new MovingObject(MovingObject.Outline.RECTANGLE, 12, 10, new MovingObject.Fill.Texture(smooth(14, 12, seed + 1)), 1.5, 50, 12, -2, 1));
        return GroundTruthClip.make(name, new GroundTruthClip.Background.Photo("sines", smooth(300, 200, seed)), new CameraMotion.Pan(1.5, 0.5), 64, 40, 8, objects);
    }

    /** An oracle that cheats: it returns the clip's truth. Only a test may write this. */
    private static QualityHarness.Method truthOf(List<Clip> clips) {
        return task -> {
            Clip c = clips.stream().filter(k -> k.name().equals(task.clip())).findFirst().orElseThrow();
            List<byte[]> out = new ArrayList<>();
            for (byte[] f : c.truth()) out.add(f.clone());
            return out;
        };
    }

    @Test
    void theTruthScoresPerfectlyTheBorderMeanWorseAndTheUntouchedInputWorst() throws Exception {
        List<Clip> clips = List.of(tinyClip("tiny-a", 1), tinyClip("tiny b", 2));
        QualityHarness harness = new QualityHarness(dir, 3, 99);
        QualityHarness.Report report = harness.run(clips, List.of(
                new QualityHarness.Entry("truth", QualityHarness.Masks.FIRST_FRAME, truthOf(clips)),
                new QualityHarness.Entry("border mean", QualityHarness.Masks.ALL_FRAMES, Baselines.borderMean()),
                new QualityHarness.Entry("identity", QualityHarness.Masks.ALL_FRAMES, Baselines.identity())));
        assertEquals(6, report.results().size());
        for (int i = 0; i < 2; i++) {
            HoleMetrics.Scores truth = report.results().get(3 * i).scores(), mean = report.results().get(3 * i + 1).scores(), left = report.results().get(3 * i + 2).scores();
            assertEquals(clips.get(i).name(), report.results().get(3 * i).clip());
            assertEquals(Double.POSITIVE_INFINITY, truth.psnr());
            assertEquals(1, truth.ssim(), 1e-12);
            assertEquals(0, truth.flicker());
            assertTrue(mean.psnr() < 40 && mean.psnr() > left.psnr(), mean.psnr() + " vs " + left.psnr());
            assertTrue(mean.ssim() < 1 && mean.flicker() > 0, mean.toString());
            // Scores are the metrics of what the methods returned, recomputed here.
            assertEquals(HoleMetrics.psnr(64, 40, clips.get(i).truth(), clips.get(i).masks(), clips.get(i).input()), left.psnr(), 1e-12);
        }
        String md = Files.readString(dir.resolve("quality.md"));
        assertEquals(report.markdown(), md);
        assertTrue(md.contains("| tiny-a | truth | first frame | inf | 1.0000 | 0.00 |"), md);
        assertTrue(md.contains("| tiny b | border mean | all frames |"), md);
        assertTrue(md.contains("Columns: input | mask | truth | border mean | identity | ground truth."), md);
        // One strip per clip (frame 99 is past the end): input | mask | 3 methods | truth, with 4-pixel gaps.
        assertEquals(List.of(dir.resolve("tiny-a-003.png"), dir.resolve("tiny_b-003.png")), report.pictures());
        RgbImage strip = RgbImage.read(dir.resolve("tiny-a-003.png"));
        assertEquals(6 * 64 + 5 * 4, strip.width());
        assertEquals(40, strip.height());
        Clip a = clips.get(0);
        assertArrayEquals(a.input().get(3), strip.crop(0, 0, 64, 40).data(), "input column");
        assertArrayEquals(a.truth().get(3), strip.crop(2 * 68, 0, 64, 40).data(), "the truth method's column");
        assertArrayEquals(a.input().get(3), strip.crop(4 * 68, 0, 64, 40).data(), "identity's column");
        assertArrayEquals(a.truth().get(3), strip.crop(5 * 68, 0, 64, 40).data(), "ground truth column");
        RgbImage mask = strip.crop(68, 0, 64, 40);
        for (int p = 0; p < 64 * 40; p++) assertEquals(a.masks().get(3)[p], mask.data()[3 * p], "mask column");
    }

    @Test
    void aMethodGetsCopiesAndOnlyTheMasksItIsAllowed() {
        Clip clip = tinyClip("c", 3);
        List<Integer> seen = new ArrayList<>();
        QualityHarness.Method scribble = task -> {
            seen.add(task.masks().size());
            assertEquals(64, task.width());
            for (byte[] f : task.frames()) java.util.Arrays.fill(f, (byte) 7);
            for (byte[] m : task.masks()) java.util.Arrays.fill(m, (byte) 0);
            return task.frames();
        };
        QualityHarness.Report r = new QualityHarness(dir).run(List.of(clip), List.of(
                new QualityHarness.Entry("first", QualityHarness.Masks.FIRST_FRAME, scribble),
                new QualityHarness.Entry("all", QualityHarness.Masks.ALL_FRAMES, scribble),
                new QualityHarness.Entry("identity", QualityHarness.Masks.ALL_FRAMES, Baselines.identity())));
        assertEquals(List.of(1, 8), seen);
        assertEquals(HoleMetrics.psnr(64, 40, clip.truth(), clip.masks(), clip.input()), r.results().get(2).scores().psnr(), 1e-12, "the scribbles did not reach the clip");
        assertTrue(r.pictures().isEmpty());
    }

    @Test
    void aMethodThatReturnsTheWrongFramesIsNamed() {
        Clip clip = tinyClip("c", 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new QualityHarness(dir).run(List.of(clip),
                List.of(new QualityHarness.Entry("short", QualityHarness.Masks.ALL_FRAMES, task -> task.frames().subList(0, 3)))));
        assertTrue(e.getMessage().contains("'short'") && e.getMessage().contains("3 frames"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> new QualityHarness(dir).run(List.of(clip),
                List.of(new QualityHarness.Entry("boom", QualityHarness.Masks.ALL_FRAMES, task -> {
                    throw new java.io.IOException("disk on fire");
                }))));
        assertTrue(e.getMessage().contains("'boom'") && e.getMessage().contains("disk on fire"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> new QualityHarness(dir).run(List.of(clip), List.of(
                new QualityHarness.Entry("x", QualityHarness.Masks.ALL_FRAMES, Baselines.identity()), new QualityHarness.Entry("x", QualityHarness.Masks.ALL_FRAMES, Baselines.identity()))));
    }

    @Test
    void onAStandardPhotoClipTheBorderMeanBeatsTheUntouchedInput() {
        Clip clip = GroundTruthClip.photo("forest-pan", Backgrounds.FOREST, new CameraMotion.Pan(3, 0.6), 432, 240, 12, 5);
        QualityHarness.Report r = new QualityHarness(dir, 6).run(List.of(clip), List.of(
                new QualityHarness.Entry("border mean", QualityHarness.Masks.ALL_FRAMES, Baselines.borderMean()),
                new QualityHarness.Entry("border mean, first mask", QualityHarness.Masks.FIRST_FRAME, Baselines.borderMean()),
                new QualityHarness.Entry("identity", QualityHarness.Masks.ALL_FRAMES, Baselines.identity())));
        double all = r.results().get(0).scores().psnr(), first = r.results().get(1).scores().psnr(), none = r.results().get(2).scores().psnr();
        assertTrue(all > first && first > none, all + " > " + first + " > " + none);
        assertTrue(Files.isRegularFile(dir.resolve("forest-pan-006.png")));
    }

    @Test
    void theBorderMeanFillsWithTheMeanOfTheRingAroundTheHole() throws Exception {
        int w = 5, h = 4;
        byte[] f = new byte[3 * w * h], m = new byte[w * h];
        for (int p = 0; p < w * h; p++) f[3 * p] = (byte) (10 * p); // R = 10 x pixel index
        m[1 * w + 2] = (byte) 255; // hole at (2, 1): ring (1, 1), (3, 1), (2, 0), (2, 2) = indices 6, 8, 2, 12
        List<byte[]> out = Baselines.borderMean().run(new QualityHarness.Task("t", w, h, List.of(f), QualityHarness.Masks.ALL_FRAMES, List.of(m)));
        assertEquals((byte) Math.round((60 + 80 + 20 + 120) / 4.0), out.get(0)[3 * 7]);
        assertEquals(0, out.get(0)[3 * 7 + 1]);
        assertEquals((byte) 60, out.get(0)[3 * 6], "outside the hole: unchanged");
    }
}
