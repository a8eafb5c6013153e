package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import java.nio.file.Path;

/** DeAOT ({@link io.inpainterz.engine.Tracker}) as the tracking stage, with the app's session rules (long-term gap 9999). */
public final class NeuralTracker implements Tracker {
    private final io.inpainterz.engine.Tracker model;
    private final io.inpainterz.engine.Tracker.SessionOptions options;
    private final boolean owned;

    private NeuralTracker(io.inpainterz.engine.Tracker model, io.inpainterz.engine.Tracker.SessionOptions options, boolean owned) {
        this.model = model;
        this.options = options;
        this.owned = owned;
    }

    /** Loads DeAOT from {@code checkpoint}; closing the tracker frees it. */
    public static NeuralTracker load(Path checkpoint, io.inpainterz.engine.Tracker.Options options, Job job) {
        return new NeuralTracker(io.inpainterz.engine.Tracker.load(checkpoint, options, job), io.inpainterz.engine.Tracker.SessionOptions.defaults(), true);
    }

    /** Over a model the caller owns (and closes), with these session rules. */
    public static NeuralTracker of(io.inpainterz.engine.Tracker model, io.inpainterz.engine.Tracker.SessionOptions options) {
        return new NeuralTracker(model, options, false);
    }

    @Override
    public String description() {
        return "DeAOT " + model.variant();
    }

    @Override
    public Session newSession(int width, int height) {
        io.inpainterz.engine.Tracker.Session s = model.newSession(width, height, options);
        return new Session() {
            @Override
            public void addReference(Frame frame, Mask labels, Job job) {
                s.addObjects(frame, labels, job, null);
            }

            @Override
            public void track(Frame frame, Mask labels, Job job) {
                s.track(frame, labels, job);
            }

            @Override
            public void predict(Frame frame, Mask labels, Job job) {
                s.predict(frame, labels, null, job, null);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public void close() {
        if (owned) model.close();
    }
}
