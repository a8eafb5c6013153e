package io.inpainterz.pipeline;

import io.inpainterz.engine.AmgOptions;
import io.inpainterz.engine.AutoMask;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.SamPrediction;
import io.inpainterz.engine.SamPrompt;
import java.nio.file.Path;
import java.util.List;

/**
 * SAM as the segmentation stage, as the tracking app prompts it: three masks per prompt and the
 * one with the highest predicted IoU. The image embedding is computed once per frame and serves
 * every object prompted there. As the automatic stage ({@link AutoSegmenter}), SAM's automatic
 * mask generator with the app's settings ({@link #appAutoMaskOptions()}).
 */
public final class NeuralSegmenter implements Segmenter, AutoSegmenter {
    private final Sam sam;
    private final boolean owned;
    private final AmgOptions amg;

    private NeuralSegmenter(Sam sam, boolean owned, AmgOptions amg) {
        this.sam = sam;
        this.owned = owned;
        this.amg = amg;
    }

    /** Loads SAM from {@code checkpoint}; closing the segmenter frees it. */
    public static NeuralSegmenter load(Path checkpoint, Sam.Options options, Job job) {
        return new NeuralSegmenter(Sam.load(checkpoint, options, job), true, appAutoMaskOptions());
    }

    /** Over a model the caller owns (and closes). */
    public static NeuralSegmenter of(Sam sam) {
        return of(sam, appAutoMaskOptions());
    }

    /** Over a model the caller owns (and closes), with these automatic mask generator settings. */
    public static NeuralSegmenter of(Sam sam, AmgOptions amg) {
        return new NeuralSegmenter(sam, false, amg);
    }

    /**
     * The segment-and-track app's generator settings (its model_args.py): 16 points per side,
     * predicted IoU 0.8, stability 0.9, one crop layer with half the points per side, regions and
     * holes under 200 pixels removed; the rest are upstream's defaults.
     */
    public static AmgOptions appAutoMaskOptions() {
        AmgOptions d = AmgOptions.defaults();
        return new AmgOptions(16, d.pointsPerBatch(), 0.8, 0.9, d.stabilityScoreOffset(), d.boxNmsThresh(), 1, d.cropNmsThresh(),
                d.cropOverlapRatio(), 2, 200);
    }

    @Override
    public List<Mask> everything(Frame frame, Job job) {
        return sam.generate(frame, amg, job).stream().map(AutoMask::segmentation).toList();
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
