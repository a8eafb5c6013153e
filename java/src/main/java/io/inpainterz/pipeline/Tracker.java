package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;

/**
 * The tracking stage: label maps (ids 1..N in the order objects were added, 0 = background)
 * carried from reference frames through a video, one {@link Session} per video and direction
 * (frames may come in any order: fed from a prompt frame down to 0, a session tracks backward).
 * Implementations: {@link NeuralTracker} (DeAOT); {@link ClassicalTracker} (optical flow, weight-free).
 */
public interface Tracker extends AutoCloseable {
    /** What runs, for reports ("DeAOT R50-DeAOT-L"). */
    String description();

    /** A session for frames and label maps of {@code width x height}. */
    Session newSession(int width, int height);

    @Override
    void close();

    /** One video's memory; one call at a time. */
    interface Session extends AutoCloseable {
        /**
         * A reference: the first objects, new objects, or corrections of tracked ones on
         * {@code frame}. {@code labels} is the full label map of that frame (objects as tracked
         * or corrected, plus new ids, which continue the ids so far).
         */
        void addReference(Frame frame, Mask labels, Job job);

        /** Tracks {@code frame} into {@code labels} and commits the result to memory. */
        void track(Frame frame, Mask labels, Job job);

        /** Tracks {@code frame} into {@code labels} without committing: follow with {@link #addReference}. */
        void predict(Frame frame, Mask labels, Job job);

        @Override
        void close();
    }
}
