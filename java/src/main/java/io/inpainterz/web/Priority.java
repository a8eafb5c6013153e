package io.inpainterz.web;

import io.inpainterz.CancelledException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.ImagePool;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.pipeline.Inpainter;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Tracker;
import java.util.List;

/**
 * Interactive requests (embeddings, prompt masks) go before a running render: while one is
 * pending, every render stage waits before its next model call (a frame's tracking, an
 * inpainter push), so the CPU is the interactive request's. The render resumes where it
 * paused; its output does not change.
 */
final class Priority {
    private int pending; // guarded by this

    /** An interactive request starts (or is queued). */
    synchronized void enter() {
        pending++;
    }

    synchronized void exit() {
        if (--pending == 0) notifyAll();
    }

    synchronized int pending() {
        return pending;
    }

    /** Blocks a render stage while interactive requests are pending; an interrupt (the render is cancelled or failed) ends the wait as a cancel. */
    synchronized void awaitTurn() {
        while (pending > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancelledException("render cancelled while it gave way to an interactive request");
            }
        }
    }

    /** {@code factory}'s tracker, whose sessions wait their turn before each call. */
    RemovePipeline.StageFactory<Tracker> tracker(RemovePipeline.StageFactory<? extends Tracker> factory) {
        return job -> {
            Tracker t = factory.open(job);
            return new Tracker() {
                @Override
                public String description() {
                    return t.description();
                }

                @Override
                public Session newSession(int width, int height) {
                    Session s = t.newSession(width, height);
                    return new Session() {
                        @Override
                        public void addReference(Frame frame, Mask labels, Job j) {
                            awaitTurn();
                            s.addReference(frame, labels, j);
                        }

                        @Override
                        public void track(Frame frame, Mask labels, Job j) {
                            awaitTurn();
                            s.track(frame, labels, j);
                        }

                        @Override
                        public void predict(Frame frame, Mask labels, Job j) {
                            awaitTurn();
                            s.predict(frame, labels, j);
                        }

                        @Override
                        public void close() {
                            s.close();
                        }
                    };
                }

                @Override
                public void close() {
                    t.close();
                }
            };
        };
    }

    /** {@code factory}'s inpainter, whose sessions wait their turn before each push. */
    RemovePipeline.StageFactory<Inpainter> inpainter(RemovePipeline.StageFactory<? extends Inpainter> factory) {
        return job -> {
            Inpainter in = factory.open(job);
            return new Inpainter() {
                @Override
                public String description() {
                    return in.description();
                }

                @Override
                public Size workingSize(int w, int h) {
                    return in.workingSize(w, h);
                }

                @Override
                public int defaultDilation() {
                    return in.defaultDilation();
                }

                @Override
                public Session newSession(int width, int height, int dilation) {
                    Session s = in.newSession(width, height, dilation);
                    return new Session() {
                        @Override
                        public List<Frame> push(Frame frame, Mask mask, Job j, ImagePool<Frame> pool) {
                            awaitTurn();
                            return s.push(frame, mask, j, pool);
                        }

                        @Override
                        public List<Frame> finish(Job j, ImagePool<Frame> pool) {
                            awaitTurn();
                            return s.finish(j, pool);
                        }

                        @Override
                        public void close() {
                            s.close();
                        }
                    };
                }

                @Override
                public void close() {
                    in.close();
                }
            };
        };
    }
}
