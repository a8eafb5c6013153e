package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.ImagePool;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stages without models, whose results a test can predict exactly: they prove that other
 * implementations plug into the pipeline (and stand in for engines in the web server's tests), and let its wiring (ids, directions, merges, queues,
 * compositing) be checked pixel for pixel.
 */
public final class FakeStages {
    private FakeStages() {}

    public static long checksum(byte[] pixels) {
        return Arrays.hashCode(pixels);
    }

    public static long checksum(Frame f) {
        byte[] b = new byte[(int) f.packedSize()];
        f.copyTo(b);
        return checksum(b);
    }

    /** A box prompt's pixels, or a square of side 2 x radius around the first positive point. */
    public static final class BoxSegmenter implements Segmenter {
        final int radius;
        int prepared;
        boolean closed;

        public BoxSegmenter(int radius) {
            this.radius = radius;
        }

        @Override
        public String description() {
            return "boxes";
        }

        @Override
        public FrameSegmenter prepare(Frame frame, Job job) {
            prepared++;
            int w = frame.width(), h = frame.height();
            return new FrameSegmenter() {
                @Override
                public void segment(FramePrompt p, Mask dst, Job job) {
                    byte[] m = new byte[w * h];
                    int x0, y0, x1, y1;
                    if (p.box() != null) {
                        x0 = (int) p.box()[0];
                        y0 = (int) p.box()[1];
                        x1 = (int) p.box()[2];
                        y1 = (int) p.box()[3];
                    } else {
                        int i = 0;
                        while (p.labels()[i] != 1) i++;
                        int cx = (int) p.points()[2 * i], cy = (int) p.points()[2 * i + 1];
                        x0 = cx - radius;
                        y0 = cy - radius;
                        x1 = cx + radius;
                        y1 = cy + radius;
                    }
                    for (int y = Math.max(0, y0); y < Math.min(h, y1); y++) for (int x = Math.max(0, x0); x < Math.min(w, x1); x++) m[y * w + x] = (byte) 255;
                    dst.copyFrom(m);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * Carries the last reference or tracked map unchanged to every next frame; logs each call
     * with the frame's checksum, and checks that session ids stay contiguous.
     */
    public static final class CopyTracker implements Tracker {
        final List<List<String>> sessions = Collections.synchronizedList(new ArrayList<>());
        volatile long failAtChecksum = Long.MIN_VALUE;
        public volatile long sleepMs;
        boolean closed;

        @Override
        public String description() {
            return "copy";
        }

        @Override
        public Session newSession(int width, int height) {
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            sessions.add(log);
            byte[] last = new byte[width * height];
            int[] objects = {0};
            return new Session() {
                @Override
                public void addReference(Frame frame, Mask labels, Job job) {
                    step(frame, job, "ref");
                    labels.copyTo(last);
                    int max = 0;
                    boolean[] seen = new boolean[256];
                    for (byte b : last) {
                        seen[b & 0xff] = true;
                        max = Math.max(max, b & 0xff);
                    }
                    if (max < objects[0]) max = objects[0];
                    for (int id = objects[0] + 1; id <= max; id++) {
                        if (!seen[id]) throw new AssertionError("new session ids must continue the ids so far: " + id + " is missing below " + max);
                    }
                    objects[0] = max;
                }

                @Override
                public void track(Frame frame, Mask labels, Job job) {
                    step(frame, job, "track");
                    labels.copyFrom(last);
                }

                @Override
                public void predict(Frame frame, Mask labels, Job job) {
                    step(frame, job, "predict");
                    labels.copyFrom(last);
                }

                private void step(Frame frame, Job job, String what) {
                    long c = checksum(frame);
                    if (c == failAtChecksum) throw new io.inpainterz.InternalErrorException(8, "tracker failed on purpose");
                    if (sleepMs > 0) {
                        try {
                            Thread.sleep(sleepMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (job != null && job.isCancelled()) throw new io.inpainterz.CancelledException("tracker cancelled");
                    log.add(what + ":" + c);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * Fills the dilated mask with {@link #FILL} at half the size it is given, returning frames
     * {@code lag} pushes late; records each session's size and the checksums of the frames and
     * masks pushed into it.
     */
    public static final class FillInpainter implements Inpainter {
        static final byte[] FILL = {(byte) 255, 0, (byte) 255};
        final int lag;
        volatile long sleepMs;
        volatile int maxHeld;
        boolean closed;
        /** Per session: its size, then "frame:CHECKSUM mask:CHECKSUM" for each push. */
        final List<Size> sessionSizes = Collections.synchronizedList(new ArrayList<>());
        final List<List<String>> pushes = Collections.synchronizedList(new ArrayList<>());

        public FillInpainter(int lag) {
            this.lag = lag;
        }

        @Override
        public String description() {
            return "fill";
        }

        @Override
        public Size workingSize(int w, int h) {
            return new Size((w + 1) / 2, (h + 1) / 2);
        }

        @Override
        public int defaultDilation() {
            return 4;
        }

        @Override
        public Session newSession(int w, int h, int dilation) {
            ArrayDeque<Frame> held = new ArrayDeque<>();
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            sessionSizes.add(new Size(w, h));
            pushes.add(log);
            return new Session() {
                @Override
                public List<Frame> push(Frame frame, Mask mask, Job job, ImagePool<Frame> pool) {
                    if (frame.width() != w || mask.width() != w) throw new AssertionError("frames must come at the working size");
                    byte[] mb = new byte[w * h];
                    mask.copyTo(mb);
                    log.add("frame:" + checksum(frame) + " mask:" + checksum(mb));
                    if (sleepMs > 0) {
                        try {
                            Thread.sleep(sleepMs);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (job != null && job.isCancelled()) throw new io.inpainterz.CancelledException("inpainter cancelled");
                    Frame f = Frame.allocate(w, h);
                    byte[] px = new byte[w * h * 3], m = new byte[w * h];
                    frame.copyTo(px);
                    try (Mask d = Mask.allocate(w, h)) {
                        mask.dilate(dilation, d);
                        d.copyTo(m);
                    }
                    for (int i = 0; i < m.length; i++) if (m[i] != 0) System.arraycopy(FILL, 0, px, 3 * i, 3);
                    f.copyFrom(px);
                    held.add(f);
                    maxHeld = Math.max(maxHeld, held.size());
                    List<Frame> out = new ArrayList<>();
                    while (held.size() > lag) out.add(fromPool(held.poll(), pool));
                    return out;
                }

                @Override
                public List<Frame> finish(Job job, ImagePool<Frame> pool) {
                    List<Frame> out = new ArrayList<>();
                    while (!held.isEmpty()) out.add(fromPool(held.poll(), pool));
                    return out;
                }

                private Frame fromPool(Frame f, ImagePool<Frame> pool) {
                    try {
                        Frame p = pool == null ? null : pool.poll(0, TimeUnit.NANOSECONDS);
                        if (p == null) return f;
                        p.copyFrom(f);
                        f.close();
                        return p;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return f;
                    }
                }

                @Override
                public void close() {
                    held.forEach(Frame::close);
                    held.clear();
                }
            };
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
