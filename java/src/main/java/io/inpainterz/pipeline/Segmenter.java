package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;

/**
 * The segmentation stage: prompts of one object on one frame become that object's mask. A frame
 * is prepared once ({@link #prepare}: the neural segmenter computes SAM's image embedding there)
 * and then serves the prompts of every object on it. Implementations: {@link NeuralSegmenter}
 * (SAM); {@link ClassicalSegmenter} (GrabCut, weight-free).
 */
public interface Segmenter extends AutoCloseable {
    /** What runs, for reports ("SAM vit_b"). */
    String description();

    /** Per-frame state for {@link FrameSegmenter#segment}; the frame may be reused once this returns. */
    FrameSegmenter prepare(Frame frame, Job job);

    @Override
    void close();

    /** One prepared frame. */
    interface FrameSegmenter extends AutoCloseable {
        /** The object's mask from its prompts on this frame into {@code dst} (the frame's size): 255 = object, 0 = not. */
        void segment(FramePrompt prompt, Mask dst, Job job);

        @Override
        void close();
    }

    /**
     * Points (x, y pairs; labels 1 = object, 0 = background) and at most one box (x0, y0, x1, y1,
     * or null), in the frame's pixels.
     */
    record FramePrompt(float[] points, int[] labels, float[] box) {
        public FramePrompt {
            points = points.clone();
            labels = labels.clone();
            box = box == null ? null : box.clone();
        }
    }
}
