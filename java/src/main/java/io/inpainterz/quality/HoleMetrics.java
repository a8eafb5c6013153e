package io.inpainterz.quality;

import io.inpainterz.InvalidInputException;
import java.util.List;

/**
 * How close a method's output is to the ground truth inside the hole, over a whole clip.
 *
 * <p>The hole of frame t is its true object mask (the pixels any object covers), not the
 * dilated mask a method may fill: the object's footprint is what must be restored, and pixels
 * outside it are the input's own. All numbers pool pixels over the whole clip (a frame with a
 * large hole counts for more than one with a small hole):
 * <ul>
 *   <li><b>PSNR</b> (dB): {@code 10 log10(255^2 / MSE)}, MSE over the R, G and B values of every
 *       hole pixel of every frame; infinite when the hole is restored exactly.
 *   <li><b>SSIM</b>: Wang et al.'s SSIM on luma ({@code Y = 0.299 R + 0.587 G + 0.114 B}, 0-255),
 *       an 11x11 Gaussian window with sigma 1.5, {@code C1 = (0.01 x 255)^2},
 *       {@code C2 = (0.03 x 255)^2}, edge pixels repeated outside the frame; the SSIM map of each
 *       frame is averaged over its hole pixels. Its window reaches 5 pixels
 *       past the hole, into pixels a method normally leaves as they were.
 *   <li><b>flicker</b>: the mean, over the pixels p in {@code hole(t) ∪ hole(t-1)} of each pair of
 *       consecutive frames and over R, G and B, of
 *       {@code |(out_t(p) - out_{t-1}(p)) - (truth_t(p) - truth_{t-1}(p))|}: temporal change that
 *       the truth does not have. The camera and the background move, so raw change alone would
 *       count real motion; this is 0 for a perfect result whatever the camera does.
 *   <li><b>raw flicker</b>: the same mean of {@code |out_t(p) - out_{t-1}(p)|}, the literal "mean
 *       absolute difference between consecutive filled regions"; it includes real motion, so it
 *       compares methods only on the same clip.
 * </ul>
 * A clip with no hole pixels scores NaN; so does flicker on a one-frame clip.
 */
public final class HoleMetrics {
    static final int RADIUS = 5;
    static final double SIGMA = 1.5, C1 = Math.pow(0.01 * 255, 2), C2 = Math.pow(0.03 * 255, 2);

    private HoleMetrics() {}

    /** The scores of one method on one clip; {@code holePixels} counts hole pixels over all frames. */
    public record Scores(double psnr, double ssim, double flicker, double rawFlicker, long holePixels) {}

    /** Scores {@code out} (one RGB24 frame per clip frame) against {@code clip}'s truth inside its true masks. */
    public static Scores score(Clip clip, List<byte[]> out) {
        return score(clip.width(), clip.height(), clip.truth(), clip.masks(), out);
    }

    public static Scores score(int w, int h, List<byte[]> truth, List<byte[]> masks, List<byte[]> out) {
        check(w, h, truth, masks, out);
        double[] f = flicker(w, h, truth, masks, out);
        long n = 0;
        for (byte[] m : masks) n += count(m);
        return new Scores(psnr(w, h, truth, masks, out), ssim(w, h, truth, masks, out), f[0], f[1], n);
    }

    /** PSNR in dB over the hole pixels of all frames (RGB). */
    public static double psnr(int w, int h, List<byte[]> truth, List<byte[]> masks, List<byte[]> out) {
        check(w, h, truth, masks, out);
        double sse = 0;
        long n = 0;
        for (int t = 0; t < truth.size(); t++) {
            byte[] g = truth.get(t), o = out.get(t), m = masks.get(t);
            for (int p = 0; p < w * h; p++) {
                if (m[p] == 0) continue;
                for (int c = 3 * p; c < 3 * p + 3; c++) {
                    int d = (g[c] & 0xff) - (o[c] & 0xff);
                    sse += d * d;
                }
                n += 3;
            }
        }
        if (n == 0) return Double.NaN;
        return sse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (sse / n));
    }

    /** Mean luma SSIM over the hole pixels of all frames. */
    public static double ssim(int w, int h, List<byte[]> truth, List<byte[]> masks, List<byte[]> out) {
        check(w, h, truth, masks, out);
        double sum = 0;
        long n = 0;
        for (int t = 0; t < truth.size(); t++) {
            byte[] m = masks.get(t);
            int[] box = bounds(m, w, h);
            if (box == null) continue;
            double[] map = ssimMap(luma(truth.get(t)), luma(out.get(t)), w, h, box);
            for (int y = box[1]; y <= box[3]; y++) {
                for (int x = box[0]; x <= box[2]; x++) {
                    if (m[y * w + x] == 0) continue;
                    sum += map[y * w + x];
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** {relative flicker, raw flicker}, as defined above. */
    public static double[] flicker(int w, int h, List<byte[]> truth, List<byte[]> masks, List<byte[]> out) {
        check(w, h, truth, masks, out);
        double rel = 0, raw = 0;
        long n = 0;
        for (int t = 1; t < truth.size(); t++) {
            byte[] g1 = truth.get(t), g0 = truth.get(t - 1), o1 = out.get(t), o0 = out.get(t - 1), m1 = masks.get(t), m0 = masks.get(t - 1);
            for (int p = 0; p < w * h; p++) {
                if (m1[p] == 0 && m0[p] == 0) continue;
                for (int c = 3 * p; c < 3 * p + 3; c++) {
                    int dOut = (o1[c] & 0xff) - (o0[c] & 0xff), dTruth = (g1[c] & 0xff) - (g0[c] & 0xff);
                    rel += Math.abs(dOut - dTruth);
                    raw += Math.abs(dOut);
                }
                n += 3;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {rel / n, raw / n};
    }

    /** BT.601 luma of an RGB24 frame, 0-255. */
    public static double[] luma(byte[] rgb) {
        double[] y = new double[rgb.length / 3];
        for (int p = 0; p < y.length; p++) y[p] = 0.299 * (rgb[3 * p] & 0xff) + 0.587 * (rgb[3 * p + 1] & 0xff) + 0.114 * (rgb[3 * p + 2] & 0xff);
        return y;
    }

    /** The SSIM map of two {@code w x h} luma images, at every pixel. */
    public static double[] ssimMap(double[] a, double[] b, int w, int h) {
        return ssimMap(a, b, w, h, new int[] {0, 0, w - 1, h - 1});
    }

    /**
     * The SSIM map at the pixels of {@code box} = {x0, y0, x1, y1} (inclusive), 0 elsewhere: a
     * separable Gaussian pass over the rows the window needs, then down the columns.
     */
    static double[] ssimMap(double[] a, double[] b, int w, int h, int[] box) {
        double[] g = gaussian();
        int x0 = box[0], x1 = box[2], bw = x1 - x0 + 1;
        int r0 = Math.max(0, box[1] - RADIUS), r1 = Math.min(h - 1, box[3] + RADIUS), rows = r1 - r0 + 1;
        // Horizontal pass: 5 moments (a, b, a^2, b^2, ab) for rows r0..r1, columns x0..x1.
        double[][] hp = new double[5][rows * bw];
        for (int y = r0; y <= r1; y++) {
            for (int x = x0; x <= x1; x++) {
                double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
                for (int k = -RADIUS; k <= RADIUS; k++) {
                    int i = y * w + Math.clamp(x + k, 0, w - 1);
                    double wk = g[k + RADIUS], va = a[i], vb = b[i];
                    sa += wk * va;
                    sb += wk * vb;
                    saa += wk * va * va;
                    sbb += wk * vb * vb;
                    sab += wk * va * vb;
                }
                int j = (y - r0) * bw + (x - x0);
                hp[0][j] = sa;
                hp[1][j] = sb;
                hp[2][j] = saa;
                hp[3][j] = sbb;
                hp[4][j] = sab;
            }
        }
        double[] map = new double[w * h];
        for (int y = box[1]; y <= box[3]; y++) {
            for (int x = x0; x <= x1; x++) {
                double[] s = new double[5];
                for (int k = -RADIUS; k <= RADIUS; k++) {
                    int j = (Math.clamp(y + k, 0, h - 1) - r0) * bw + (x - x0);
                    for (int q = 0; q < 5; q++) s[q] += g[k + RADIUS] * hp[q][j];
                }
                double ma = s[0], mb = s[1], va = s[2] - ma * ma, vb = s[3] - mb * mb, cov = s[4] - ma * mb;
                map[y * w + x] = ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
            }
        }
        return map;
    }

    /** The 11 normalised taps of the 1-D Gaussian, sigma 1.5. */
    static double[] gaussian() {
        double[] g = new double[2 * RADIUS + 1];
        double sum = 0;
        for (int k = -RADIUS; k <= RADIUS; k++) sum += g[k + RADIUS] = Math.exp(-k * k / (2 * SIGMA * SIGMA));
        for (int k = 0; k < g.length; k++) g[k] /= sum;
        return g;
    }

    /** {x0, y0, x1, y1} of the mask's non-zero pixels, or null when it has none. */
    static int[] bounds(byte[] m, int w, int h) {
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (m[y * w + x] == 0) continue;
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
    }

    static long count(byte[] m) {
        long n = 0;
        for (byte b : m) if (b != 0) n++;
        return n;
    }

    private static void check(int w, int h, List<byte[]> truth, List<byte[]> masks, List<byte[]> out) {
        if (out.size() != truth.size() || masks.size() != truth.size()) {
            throw new InvalidInputException("metrics: " + out.size() + " output frames, " + truth.size() + " truth frames, " + masks.size() + " masks");
        }
        for (int t = 0; t < truth.size(); t++) {
            if (out.get(t) == null || out.get(t).length != 3 * w * h || truth.get(t).length != 3 * w * h || masks.get(t).length != w * h) {
                throw new InvalidInputException("metrics: frame " + t + " is not " + w + "x" + h + " RGB24 (output " + (out.get(t) == null ? "null" : out.get(t).length + " bytes") + ")");
            }
        }
    }
}
