package io.inpainterz.pipeline;

import io.inpainterz.engine.Classical;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;

/**
 * Dense optical flow ({@link Classical.FlowTracker}) as the tracking stage: masks carried frame
 * to frame, checked forward-backward, edges refined by GrabCut every few frames. No weights.
 * Limits: an occluded object is not recovered when it reappears, fast motion (beyond about a
 * tenth of the frame a frame) loses it, and a shape that changes faster than the refinement
 * follows drifts.
 */
public final class ClassicalTracker implements Tracker {
    private final Classical.TrackerOptions options;

    public ClassicalTracker(Classical.TrackerOptions options) {
        this.options = options;
    }

    public ClassicalTracker() {
        this(Classical.TrackerOptions.defaults());
    }

    @Override
    public String description() {
        return "optical flow (DIS, weight-free)";
    }

    @Override
    public Session newSession(int width, int height) {
        Classical.FlowTracker t = Classical.tracker(width, height, options);
        return new Session() {
            @Override
            public void addReference(Frame frame, Mask labels, Job job) {
                t.addReference(frame, labels, job);
            }

            @Override
            public void track(Frame frame, Mask labels, Job job) {
                t.track(frame, labels, job);
            }

            @Override
            public void predict(Frame frame, Mask labels, Job job) {
                t.predict(frame, labels, job);
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }

    @Override
    public void close() {}
}
