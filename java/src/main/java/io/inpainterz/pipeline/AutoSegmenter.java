package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import java.util.List;

/**
 * The automatic segmentation stage of {@code track --everything}: every object on a frame,
 * found without prompts. Implementation: {@link NeuralSegmenter} (SAM's automatic mask
 * generator with the reference app's settings); the weight-free engine has none.
 */
public interface AutoSegmenter extends AutoCloseable {
    /** What runs, for reports ("SAM vit_b"). */
    String description();

    /** Every object's mask on {@code frame} (its size; nonzero = object), in the generator's order; the caller closes them. */
    List<Mask> everything(Frame frame, Job job);

    @Override
    void close();
}
