package io.inpainterz.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The result of one {@link Sam#predict}: {@code batch} predictions of {@code masksPer} masks
 * each, at the image's original size, in off-heap memory: its own (freed by {@link #close()}) or
 * the caller's arena.
 *
 * <ul><li>masks(): batch x masksPer x height x width bytes, 255 = object, 0 = background</li>
 * <li>maskLogits(): the same layout, float32 logits (mask = logit > 0)</li>
 * <li>iou(): batch x masksPer float32 predicted IoU (unbounded; higher is better)</li>
 * <li>lowResLogits(): batch x masksPer x 256 x 256 float32, usable as a later mask input</li></ul>
 */
public final class SamPrediction implements AutoCloseable {
    private final int batch, masksPer, width, height;
    private final MemorySegment masks, maskLogits, iou, lowResLogits;
    private final Arena owned; // null when the memory came from the caller's arena

    SamPrediction(int batch, int masksPer, int width, int height, MemorySegment masks, MemorySegment maskLogits, MemorySegment iou,
                  MemorySegment lowResLogits, Arena owned) {
        this.batch = batch;
        this.masksPer = masksPer;
        this.width = width;
        this.height = height;
        this.masks = masks;
        this.maskLogits = maskLogits;
        this.iou = iou;
        this.lowResLogits = lowResLogits;
        this.owned = owned;
    }

    public int batch() {
        return batch;
    }

    public int masksPer() {
        return masksPer;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public MemorySegment masks() {
        return masks;
    }

    public MemorySegment maskLogits() {
        return maskLogits;
    }

    public MemorySegment iou() {
        return iou;
    }

    public MemorySegment lowResLogits() {
        return lowResLogits;
    }

    /** Frees the prediction's memory when it has its own ({@link Sam#predict(Sam.Embedding, SamPrompt)}); else a no-op. */
    @Override
    public void close() {
        if (owned != null && owned.scope().isAlive()) owned.close();
    }

    /** Mask {@code m} of prediction {@code b}, as a view (no copy). */
    public Mask mask(int b, int m) {
        long plane = (long) width * height;
        return new Mask(masks.asSlice(((long) b * masksPer + m) * plane, plane), width, height, width);
    }

    public float iou(int b, int m) {
        return iou.getAtIndex(ValueLayout.JAVA_FLOAT, (long) b * masksPer + m);
    }

    /** Index of the mask with the highest predicted IoU in prediction {@code b}. */
    public int best(int b) {
        int best = 0;
        for (int m = 1; m < masksPer; m++) if (iou(b, m) > iou(b, best)) best = m;
        return best;
    }

    /** The low-res logits of mask m of prediction b, as a Java array (for a follow-up prompt). */
    public float[] lowResLogits(int b, int m) {
        long n = (long) SamPrompt.LOW_RES * SamPrompt.LOW_RES;
        return lowResLogits.asSlice(((long) b * masksPer + m) * n * 4, n * 4).toArray(ValueLayout.JAVA_FLOAT);
    }
}
