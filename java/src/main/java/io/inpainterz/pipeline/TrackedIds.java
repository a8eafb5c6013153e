package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;

/**
 * A tracker session spoken to in the pipeline's label maps: maps in and out carry the objects'
 * own ids, the session its ids in the order objects joined ({@link LabelMaps.SessionIds}).
 */
final class TrackedIds implements AutoCloseable {
    final LabelMaps.SessionIds ids = new LabelMaps.SessionIds();
    private final Tracker.Session session;
    private final Mask labels;
    private final byte[] scratch;

    TrackedIds(Tracker tracker, int width, int height) {
        this.labels = Mask.allocate(width, height);
        try {
            this.session = tracker.newSession(width, height);
        } catch (RuntimeException e) {
            labels.close();
            throw e;
        }
        this.scratch = new byte[width * height];
    }

    /** The objects on {@code frame} into {@code map}, memory left as it was (a reference follows). */
    void predict(Frame frame, byte[] map, Job job) {
        session.predict(frame, labels, job);
        toObjectIds(map);
    }

    /** The objects on {@code frame} into {@code map}, committed to memory. */
    void track(Frame frame, byte[] map, Job job) {
        session.track(frame, labels, job);
        toObjectIds(map);
    }

    /** {@code map} as a reference on {@code frame}; every object in it must be in {@link #ids}. */
    void addReference(Frame frame, byte[] map, Job job) {
        LabelMaps.remap(map, ids.toSession, scratch);
        labels.copyFrom(scratch);
        session.addReference(frame, labels, job);
    }

    private void toObjectIds(byte[] map) {
        labels.copyTo(map);
        LabelMaps.remap(map, ids.toGlobal, map);
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            labels.close();
        }
    }
}
