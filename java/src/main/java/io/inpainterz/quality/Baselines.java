package io.inpainterz.quality;

import java.util.List;

/**
 * Trivial methods for checking the harness and as floors in its tables; not inpainting engines.
 */
public final class Baselines {
    private Baselines() {}

    /** Returns the input unchanged: the object stays in. */
    public static QualityHarness.Method identity() {
        return QualityHarness.Task::frames;
    }

    /**
     * Fills each frame's hole with the mean colour of the pixels just outside it (its
     * 4-neighbours not in the hole); a hole with no such pixel stays as it is. Given only the
     * first frame's mask, it uses that mask on every frame (no tracking).
     */
    public static QualityHarness.Method borderMean() {
        return task -> {
            int w = task.width(), h = task.height();
            List<byte[]> frames = task.frames();
            for (int t = 0; t < frames.size(); t++) {
                byte[] f = frames.get(t), m = task.masks().get(Math.min(t, task.masks().size() - 1));
                long[] sum = new long[3];
                long n = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (m[y * w + x] != 0) continue;
                        boolean border = (x > 0 && m[y * w + x - 1] != 0) || (x < w - 1 && m[y * w + x + 1] != 0)
                                || (y > 0 && m[(y - 1) * w + x] != 0) || (y < h - 1 && m[(y + 1) * w + x] != 0);
                        if (!border) continue;
                        for (int c = 0; c < 3; c++) sum[c] += f[3 * (y * w + x) + c] & 0xff;
                        n++;
                    }
                }
                if (n == 0) continue;
                for (int p = 0; p < w * h; p++) {
                    if (m[p] == 0) continue;
                    for (int c = 0; c < 3; c++) f[3 * p + c] = (byte) Math.round((double) sum[c] / n);
                }
            }
            return frames;
        };
    }
}
