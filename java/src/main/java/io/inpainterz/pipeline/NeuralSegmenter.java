package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.SamPrediction;
import io.inpainterz.engine.SamPrompt;
import java.nio.file.Path;

/**
 * SAM as the segmentation stage, as the tracking app prompts it: three masks per prompt and the
 * one with the highest predicted IoU. The image embedding is computed once per frame and serves
 * every object prompted there.
 */
public final class NeuralSegmenter implements Segmenter {
    private final Sam sam;
    private final boolean owned;

    private NeuralSegmenter(Sam sam, boolean owned) {
        this.sam = sam;
        this.owned = owned;
    }

    /** Loads SAM from {@code checkpoint}; closing the segmenter frees it. */
    public static NeuralSegmenter load(Path checkpoint, Sam.Options options, Job job) {
        return new NeuralSegmenter(Sam.load(checkpoint, options, job), true);
    }

    /** Over a model the caller owns (and closes). */
    public static NeuralSegmenter of(Sam sam) {
        return new NeuralSegmenter(sam, false);
    }

    @Override
    public String description() {
        return "SAM " + sam.variant();
    }

    @Override
    public FrameSegmenter prepare(Frame frame, Job job) {
        Sam.Embedding embedding = sam.embed(frame, job);
        return new FrameSegmenter() {
            @Override
            public void segment(FramePrompt prompt, Mask dst, Job job) {
                SamPrompt p = new SamPrompt(prompt.points(), prompt.labels(), prompt.box(), null, true);
                try (SamPrediction pred = sam.predict(embedding, p)) {
                    dst.copyFrom(pred.mask(0, pred.best(0)));
                }
            }

            @Override
            public void close() {
                embedding.close();
            }
        };
    }

    @Override
    public void close() {
        if (owned) sam.close();
    }
}
