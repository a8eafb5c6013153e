package io.inpainterz.web;

import io.inpainterz.CancelledException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.pipeline.FakeStages;
import io.inpainterz.pipeline.Inpainter;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import io.inpainterz.pipeline.Tracker;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stages without models for the server's tests ({@link FakeStages}: a box becomes its pixels,
 * the tracker copies the last map, the inpainter fills), with hooks: a slow or cancellable
 * prepare, slow tracking, and a log of when each call ran.
 */
final class TestStages implements StageSource {
    final FakeStages.CopyTracker tracker = new FakeStages.CopyTracker();
    final AtomicInteger prepared = new AtomicInteger();
    final AtomicInteger runningTrackers = new AtomicInteger();
    final AtomicInteger maxRunningTrackers = new AtomicInteger();
    /** "prepare:F:start/end@nanos", "cancelled:F" and "track@nanos" lines. */
    final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    volatile long prepareMs;
    volatile boolean closed;

    @Override
    public List<String> engines() {
        return List.of("fake", "other");
    }

    @Override
    public int defaultDilate(String engine) {
        return 2;
    }

    @Override
    public Segmenter segmenter(String engine, Job job) {
        FakeStages.BoxSegmenter boxes = new FakeStages.BoxSegmenter(10);
        return new Segmenter() {
            @Override
            public String description() {
                return "boxes";
            }

            @Override
            public FrameSegmenter prepare(Frame frame, Job j) {
                long tag = FakeStages.checksum(frame);
                log.add("prepare:" + tag + ":start@" + System.nanoTime());
                long end = System.nanoTime() + prepareMs * 1_000_000;
                while (System.nanoTime() < end) {
                    if (j != null && j.isCancelled()) {
                        log.add("cancelled:" + tag);
                        throw new CancelledException("prepare cancelled");
                    }
                    sleep(5);
                }
                prepared.incrementAndGet();
                FrameSegmenter inner = boxes.prepare(frame, j);
                log.add("prepare:" + tag + ":end@" + System.nanoTime());
                return inner;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public RemovePipeline.StageFactory<? extends Tracker> tracker(String engine) {
        return job -> new Tracker() {
            @Override
            public String description() {
                return "copy";
            }

            @Override
            public Session newSession(int width, int height) {
                Session s = tracker.newSession(width, height);
                return new Session() {
                    @Override
                    public void addReference(Frame frame, io.inpainterz.engine.Mask labels, Job j) {
                        s.addReference(frame, labels, j);
                    }

                    @Override
                    public void track(Frame frame, io.inpainterz.engine.Mask labels, Job j) {
                        log.add("track@" + System.nanoTime());
                        s.track(frame, labels, j);
                    }

                    @Override
                    public void predict(Frame frame, io.inpainterz.engine.Mask labels, Job j) {
                        s.predict(frame, labels, j);
                    }

                    @Override
                    public void close() {
                        s.close();
                    }
                };
            }

            {
                maxRunningTrackers.accumulateAndGet(runningTrackers.incrementAndGet(), Math::max);
            }

            @Override
            public void close() {
                runningTrackers.decrementAndGet();
            }
        };
    }

    @Override
    public RemovePipeline.StageFactory<? extends Inpainter> inpainter(String engine) {
        return job -> new FakeStages.FillInpainter(2);
    }

    @Override
    public List<String> notices(String engine) {
        return List.of("test stages: no models");
    }

    @Override
    public void close() {
        closed = true;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
