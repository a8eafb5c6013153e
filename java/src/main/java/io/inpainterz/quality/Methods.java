package io.inpainterz.quality;

import io.inpainterz.engine.Classical;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.pipeline.Inpainter;
import io.inpainterz.pipeline.Tracker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The removal methods the harness compares: OpenCV's per-frame Telea, the weight-free engine
 * (tracking from the first frame's mask, then flow-guided inpainting), and any pipeline
 * {@link Inpainter} given the true masks (the classical one, or E2FGVI on a checkpoint).
 */
public final class Methods {
    private Methods() {}

    /** Telea on each frame alone, inside the true mask (the baseline). */
    public static QualityHarness.Method telea(int radius) {
        return task -> {
            List<byte[]> out = new ArrayList<>();
            try (Frame f = Frame.allocate(task.width(), task.height()); Frame dst = Frame.allocate(task.width(), task.height());
                 Mask m = Mask.allocate(task.width(), task.height())) {
                for (int t = 0; t < task.frames().size(); t++) {
                    f.copyFrom(task.frames().get(t));
                    m.copyFrom(task.masks().get(t));
                    Classical.telea(f, m, radius, dst);
                    out.add(bytes(dst));
                }
            }
            return out;
        };
    }

    /**
     * A pipeline tracker and inpainter, given only frame 0's mask: each connected region of it is
     * an object, tracked forward through the clip; the tracked masks (all objects) are inpainted
     * with {@code dilation}.
     */
    public static QualityHarness.Method trackAndInpaint(Tracker tracker, Inpainter inpainter, int dilation) {
        return task -> {
            int w = task.width(), h = task.height();
            List<byte[]> out = new ArrayList<>();
            Job job = Job.create();
            try (Tracker.Session ts = tracker.newSession(w, h); Inpainter.Session is = inpainter.newSession(w, h, dilation);
                 Frame f = Frame.allocate(w, h); Mask labels = Mask.allocate(w, h)) {
                for (int t = 0; t < task.frames().size(); t++) {
                    f.copyFrom(task.frames().get(t));
                    if (t == 0) {
                        labels.copyFrom(components(task.masks().get(0), w, h));
                        ts.addReference(f, labels, job);
                    } else {
                        ts.track(f, labels, job);
                    }
                    for (Frame done : is.push(f, labels, job, null)) take(done, out);
                }
                for (Frame done : is.finish(job, null)) take(done, out);
            }
            return out;
        };
    }

    /** A pipeline inpainter given every frame's true mask, with {@code dilation}. */
    public static QualityHarness.Method inpaint(Inpainter inpainter, int dilation) {
        return task -> {
            int w = task.width(), h = task.height();
            List<byte[]> out = new ArrayList<>();
            Job job = Job.create();
            try (Inpainter.Session is = inpainter.newSession(w, h, dilation); Frame f = Frame.allocate(w, h); Mask m = Mask.allocate(w, h)) {
                for (int t = 0; t < task.frames().size(); t++) {
                    f.copyFrom(task.frames().get(t));
                    m.copyFrom(task.masks().get(t));
                    for (Frame done : is.push(f, m, job, null)) take(done, out);
                }
                for (Frame done : is.finish(job, null)) take(done, out);
            }
            return out;
        };
    }

    private static void take(Frame done, List<byte[]> out) {
        try (done) {
            out.add(bytes(done));
        }
    }

    private static byte[] bytes(Frame f) {
        byte[] b = new byte[f.width() * f.height() * 3];
        f.copyTo(b);
        return b;
    }

    /** The 4-connected regions of a mask (nonzero) as a label map 1..N (at most 255; the rest join the last). */
    static byte[] components(byte[] mask, int w, int h) {
        byte[] labels = new byte[w * h];
        int next = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < mask.length; start++) {
            if (mask[start] == 0 || labels[start] != 0) continue;
            next = Math.min(next + 1, 255);
            labels[start] = (byte) next;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll(), x = p % w, y = p / w;
                int[] around = {x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1};
                for (int q : around) {
                    if (q >= 0 && mask[q] != 0 && labels[q] == 0) {
                        labels[q] = (byte) next;
                        queue.add(q);
                    }
                }
            }
        }
        return labels;
    }
}
