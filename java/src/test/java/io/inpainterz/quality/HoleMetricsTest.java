package io.inpainterz.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PSNR, SSIM and flicker inside the hole, each against a value worked out independently. */
class HoleMetricsTest {
    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A copy of {@code rgb} with {@code d} added to every channel of the pixels in {@code mask}. */
    private static byte[] offset(byte[] rgb, byte[] mask, int d) {
        byte[] o = rgb.clone();
        for (int p = 0; p < mask.length; p++) {
            if (mask[p] == 0) continue;
            for (int c = 3 * p; c < 3 * p + 3; c++) o[c] = (byte) ((o[c] & 0xff) + d);
        }
        return o;
    }

    /** Values 20-235, so an offset of up to 20 neither wraps nor clips. */
    private static byte[] midRange(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (20 + r.nextInt(216));
        return b;
    }

    private static byte[] box(int w, int h, int x0, int y0, int bw, int bh) {
        byte[] m = new byte[w * h];
        for (int y = y0; y < y0 + bh; y++) for (int x = x0; x < x0 + bw; x++) m[y * w + x] = (byte) 255;
        return m;
    }

    @Test
    void psnrOfAConstantErrorInTheHoleIgnoresErrorsOutsideIt() {
        int w = 16, h = 12;
        Random r = new Random(1);
        byte[] truth = midRange(r, 3 * w * h), mask = box(w, h, 3, 2, 5, 4);
        byte[] out = offset(truth, mask, 5);
        for (int p = 0; p < w * h; p++) if (mask[p] == 0) out[3 * p] = (byte) ~out[3 * p]; // outside: large errors
        double psnr = HoleMetrics.psnr(w, h, List.of(truth), List.of(mask), List.of(out));
        assertEquals(10 * Math.log10(255.0 * 255.0 / 25), psnr, 1e-9); // 34.15 dB
        // The hole restored exactly, errors only outside it: infinite.
        assertEquals(Double.POSITIVE_INFINITY, HoleMetrics.psnr(w, h, List.of(truth), List.of(mask), List.of(offset(out, mask, -5))));
    }

    @Test
    void psnrPoolsThePixelsOfAllFrames() {
        int w = 10, h = 8;
        Random r = new Random(2);
        byte[] t0 = midRange(r, 3 * w * h), t1 = midRange(r, 3 * w * h);
        byte[] m0 = box(w, h, 0, 0, 5, 2), m1 = box(w, h, 2, 2, 6, 5); // 10 and 30 pixels
        List<byte[]> truth = List.of(t0, t1), masks = List.of(m0, m1), out = List.of(offset(t0, m0, 3), offset(t1, m1, -6));
        double mse = (10 * 9.0 + 30 * 36.0) / 40;
        assertEquals(10 * Math.log10(255.0 * 255.0 / mse), HoleMetrics.psnr(w, h, truth, masks, out), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, HoleMetrics.psnr(w, h, truth, masks, truth));
        assertTrue(Double.isNaN(HoleMetrics.psnr(w, h, truth, List.of(new byte[w * h], new byte[w * h]), out)), "no hole, no score");
    }

    /** SSIM straight from its definition: a 2-D 11x11 Gaussian window, each tap weighted directly, edge pixels repeated. */
    private static double bruteSsim(double[] a, double[] b, int w, int h, int px, int py) {
        double wsum = 0, ma = 0, mb = 0;
        double[] wt = new double[121];
        for (int j = -5; j <= 5; j++) for (int i = -5; i <= 5; i++) wsum += wt[(j + 5) * 11 + i + 5] = Math.exp(-(i * i + j * j) / (2 * 1.5 * 1.5));
        for (int j = -5; j <= 5; j++) {
            for (int i = -5; i <= 5; i++) {
                int q = Math.clamp(py + j, 0, h - 1) * w + Math.clamp(px + i, 0, w - 1);
                double k = wt[(j + 5) * 11 + i + 5] / wsum;
                ma += k * a[q];
                mb += k * b[q];
            }
        }
        double va = 0, vb = 0, cov = 0;
        for (int j = -5; j <= 5; j++) {
            for (int i = -5; i <= 5; i++) {
                int q = Math.clamp(py + j, 0, h - 1) * w + Math.clamp(px + i, 0, w - 1);
                double k = wt[(j + 5) * 11 + i + 5] / wsum;
                va += k * (a[q] - ma) * (a[q] - ma);
                vb += k * (b[q] - mb) * (b[q] - mb);
                cov += k * (a[q] - ma) * (b[q] - mb);
            }
        }
        double c1 = 6.5025, c2 = 58.5225; // (0.01 * 255)^2, (0.03 * 255)^2
        return (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
    }

    @Test
    void ssimMapMatchesTheBruteForceDefinition() {
        int w = 13, h = 9;
        Random r = new Random(3);
        double[] a = new double[w * h], b = new double[w * h];
        for (int i = 0; i < a.length; i++) {
            a[i] = 255 * r.nextDouble();
            b[i] = Math.clamp(a[i] + 60 * r.nextGaussian(), 0, 255);
        }
        double[] map = HoleMetrics.ssimMap(a, b, w, h);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) assertEquals(bruteSsim(a, b, w, h, x, y), map[y * w + x], 1e-9, "at " + x + "," + y);
        double[] self = HoleMetrics.ssimMap(a, a, w, h);
        for (double v : self) assertEquals(1, v, 1e-12);
    }

    @Test
    void ssimOfFlatImagesIsTheLuminanceTerm() {
        int w = 20, h = 15;
        byte[] grey100 = new byte[3 * w * h], grey140 = new byte[3 * w * h], mask = box(w, h, 4, 4, 8, 6);
        java.util.Arrays.fill(grey100, (byte) 100);
        java.util.Arrays.fill(grey140, (byte) 140);
        double c1 = Math.pow(0.01 * 255, 2), expected = (2 * 100.0 * 140 + c1) / (100.0 * 100 + 140.0 * 140 + c1); // variances 0: the structure term is C2 / C2
        assertEquals(expected, HoleMetrics.ssim(w, h, List.of(grey100), List.of(mask), List.of(grey140)), 1e-9);
    }

    @Test
    void ssimAveragesTheLumaMapOverHolePixelsOfAllFrames() {
        int w = 24, h = 18;
        Random r = new Random(4);
        List<byte[]> truth = new ArrayList<>(), out = new ArrayList<>();
        List<byte[]> masks = List.of(box(w, h, 0, 0, 6, 5), box(w, h, 10, 7, 9, 9), new byte[w * h]);
        for (int t = 0; t < 3; t++) {
            byte[] g = random(r, 3 * w * h), o = g.clone();
            for (int i = 0; i < o.length; i++) if (r.nextInt(3) == 0) o[i] = (byte) r.nextInt(256);
            truth.add(g);
            out.add(o);
        }
        double sum = 0;
        int n = 0;
        for (int t = 0; t < 3; t++) {
            double[] a = new double[w * h], b = new double[w * h];
            for (int p = 0; p < w * h; p++) { // BT.601 luma, written out here
                byte[] g = truth.get(t), o = out.get(t);
                a[p] = 0.299 * (g[3 * p] & 0xff) + 0.587 * (g[3 * p + 1] & 0xff) + 0.114 * (g[3 * p + 2] & 0xff);
                b[p] = 0.299 * (o[3 * p] & 0xff) + 0.587 * (o[3 * p + 1] & 0xff) + 0.114 * (o[3 * p + 2] & 0xff);
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (masks.get(t)[y * w + x] == 0) continue;
                    sum += bruteSsim(a, b, w, h, x, y);
                    n++;
                }
            }
        }
        assertEquals(30 + 81, n);
        assertEquals(sum / n, HoleMetrics.ssim(w, h, truth, masks, out), 1e-9);
        assertEquals(1, HoleMetrics.ssim(w, h, truth, masks, truth), 1e-12);
    }

    @Test
    void flickerIsZeroForThePerfectResultWhateverTheCameraDoes() {
        int w = 16, h = 12;
        Random r = new Random(5);
        List<byte[]> truth = new ArrayList<>(), masks = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            truth.add(random(r, 3 * w * h)); // every frame different: raw change is large
            masks.add(box(w, h, 2 + t, 3, 4, 4));
        }
        double[] f = HoleMetrics.flicker(w, h, truth, masks, truth);
        assertEquals(0, f[0]);
        // Raw flicker of the truth itself: the mean |truth_t - truth_{t-1}| over the union of consecutive holes.
        double sum = 0;
        long n = 0;
        for (int t = 1; t < 5; t++) {
            for (int p = 0; p < w * h; p++) {
                if (masks.get(t)[p] == 0 && masks.get(t - 1)[p] == 0) continue;
                for (int c = 0; c < 3; c++) sum += Math.abs((truth.get(t)[3 * p + c] & 0xff) - (truth.get(t - 1)[3 * p + c] & 0xff));
                n += 3;
            }
        }
        assertEquals(4 * 20 * 3, n); // each pair's two 4x4 boxes, one column apart: 20 pixels
        assertEquals(sum / n, f[1], 1e-12);
    }

    @Test
    void anOffsetThatAlternatesFlickersByTwiceItsSize() {
        int w = 12, h = 10, d = 7;
        Random r = new Random(6);
        byte[] mask = box(w, h, 3, 3, 5, 4);
        List<byte[]> truth = new ArrayList<>(), out = new ArrayList<>(), masks = new ArrayList<>();
        byte[] still = midRange(r, 3 * w * h);
        for (int t = 0; t < 6; t++) {
            byte[] g = midRange(r, 3 * w * h); // a moving background: relative flicker must not see it
            truth.add(g);
            out.add(offset(g, mask, t % 2 == 0 ? d : -d));
            masks.add(mask);
        }
        assertEquals(2.0 * d, HoleMetrics.flicker(w, h, truth, masks, out)[0], 1e-12);
        // Over a still background the raw measure sees the same 2d.
        List<byte[]> stillTruth = new ArrayList<>(), stillOut = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            stillTruth.add(still);
            stillOut.add(offset(still, mask, t % 2 == 0 ? d : -d));
        }
        double[] f = HoleMetrics.flicker(w, h, stillTruth, masks, stillOut);
        assertEquals(2.0 * d, f[0], 1e-12);
        assertEquals(2.0 * d, f[1], 1e-12);
        // A constant (not alternating) offset does not flicker.
        List<byte[]> steady = new ArrayList<>();
        for (byte[] g : truth) steady.add(offset(g, mask, d));
        assertEquals(0, HoleMetrics.flicker(w, h, truth, masks, steady)[0], 1e-12);
    }

    @Test
    void flickerCountsPixelsThatLeftTheHole() {
        int w = 8, h = 6;
        byte[] g = new byte[3 * w * h];
        List<byte[]> truth = List.of(g, g);
        List<byte[]> masks = List.of(box(w, h, 0, 0, 1, 1), box(w, h, 2, 0, 1, 1)); // the hole moves: union of two pixels
        byte[] o0 = g.clone(), o1 = g.clone();
        o0[0] = 90; // pixel (0, 0): filled on frame 0 with 90 in R, back to the truth's 0 on frame 1
        double[] f = HoleMetrics.flicker(w, h, truth, masks, List.of(o0, o1));
        assertEquals(90.0 / 6, f[0], 1e-12); // one channel of two pixels x 3 channels
        assertEquals(90.0 / 6, f[1], 1e-12);
        assertTrue(Double.isNaN(HoleMetrics.flicker(w, h, List.of(g), List.of(masks.get(0)), List.of(g))[0]), "one frame: no flicker");
    }

    @Test
    void scoresPutTheMeasuresTogetherAndRejectMismatchedFrames() {
        int w = 10, h = 10;
        Random r = new Random(7);
        byte[] g = midRange(r, 3 * w * h), m = box(w, h, 2, 2, 4, 4);
        HoleMetrics.Scores s = HoleMetrics.score(w, h, List.of(g, g), List.of(m, m), List.of(offset(g, m, 10), offset(g, m, -10)));
        assertEquals(10 * Math.log10(255.0 * 255 / 100), s.psnr(), 1e-9);
        assertEquals(20, s.flicker(), 1e-12);
        assertEquals(20, s.rawFlicker(), 1e-12);
        assertEquals(32, s.holePixels());
        assertTrue(s.ssim() < 1);
        assertThrows(InvalidInputException.class, () -> HoleMetrics.score(w, h, List.of(g, g), List.of(m, m), List.of(g)));
        assertThrows(InvalidInputException.class, () -> HoleMetrics.score(w, h, List.of(g), List.of(m), List.of(new byte[5])));
    }
}
