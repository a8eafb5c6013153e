package io.inpainterz.pipeline;

import io.inpainterz.engine.Classical;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;

/** GrabCut ({@link Classical#grabCut}) as the segmentation stage: boxes seed the object's region, points are sure discs. No weights. */
public final class ClassicalSegmenter implements Segmenter {
    private final Classical.GrabCutOptions options;

    public ClassicalSegmenter(Classical.GrabCutOptions options) {
        this.options = options;
    }

    public ClassicalSegmenter() {
        this(Classical.GrabCutOptions.defaults());
    }

    @Override
    public String description() {
        return "GrabCut (weight-free)";
    }

    @Override
    public FrameSegmenter prepare(Frame frame, Job job) {
        Frame copy = Frame.allocate(frame.width(), frame.height()); // the caller may reuse its frame once this returns
        copy.copyFrom(frame);
        return new FrameSegmenter() {
            @Override
            public void segment(FramePrompt prompt, Mask dst, Job job) {
                Classical.grabCut(copy, prompt.points(), prompt.labels(), prompt.box(), options, dst, job);
            }

            @Override
            public void close() {
                copy.close();
            }
        };
    }

    @Override
    public void close() {}
}
