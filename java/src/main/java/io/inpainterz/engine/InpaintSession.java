package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.NativeHandle;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One clip streaming through a native inpainter (E2FGVI's {@link Inpainter.Session}, the
 * weight-free {@link Classical.FlowInpainter}): frames and masks go in, in order; the frames that
 * became final come back, in order, composited (pixels outside the dilated mask are the input's).
 * One call at a time; it may move between threads (a second call while one runs throws
 * {@link IllegalStateException}).
 *
 * <p>Two ways out: {@link #push} and {@link #finish} return the final frames (from a pool, or
 * newly allocated); {@link #add}, {@link #flush} and {@link #pop} write them into caller memory.
 */
public abstract sealed class InpaintSession implements AutoCloseable permits Inpainter.Session, Classical.FlowInpainter {
    final NativeHandle handle;
    private final int width, height;

    InpaintSession(NativeHandle.Kind kind, String name, MemorySegment raw, int width, int height) {
        this.handle = NativeHandle.of(kind, this, name + "[" + width + "x" + height + "]", raw);
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Adds the next frame and its mask (nonzero = fill); returns how many final frames are ready to {@link #pop}. */
    public abstract int add(Frame frame, Mask mask, Job job);

    /** Ends the clip; returns how many frames are ready to {@link #pop} (then all that were not taken). */
    public abstract int flush(Job job);

    /**
     * Writes the next final frame into {@code dst} (the session's size) and returns its index in the clip.
     *
     * @throws InvalidInputException no frame is ready, or dst has the wrong size
     */
    public abstract long pop(Frame dst);

    /** Final frames waiting to be taken. */
    public abstract int ready();

    /** The frames that became final with this one, in order, each with memory of its own (close them). */
    public List<Frame> push(Frame frame, Mask mask) {
        return push(frame, mask, null);
    }

    /** As {@link #push(Frame, Mask)}; progress and cancel from {@code job}. */
    public List<Frame> push(Frame frame, Mask mask, Job job) {
        add(frame, mask, job);
        return takeReady(null);
    }

    /**
     * As {@link #push(Frame, Mask, Job)}, the final frames taken from {@code pool} (of the
     * session's size) while it has free ones, and with memory of their own beyond that:
     * closing a frame gives it back either way. It never waits for the pool, so a caller
     * holding the frames of an earlier call cannot deadlock itself (more frames may be ready
     * at once than a small pool holds: at finish, the look-ahead's worth).
     */
    public List<Frame> push(Frame frame, Mask mask, Job job, ImagePool<Frame> pool) {
        add(frame, mask, job);
        return takeReady(pool);
    }

    /** Ends the clip and returns every frame not yet taken, in order, each with memory of its own. */
    public List<Frame> finish() {
        return finish(null);
    }

    public List<Frame> finish(Job job) {
        flush(job);
        return takeReady(null);
    }

    public List<Frame> finish(Job job, ImagePool<Frame> pool) {
        flush(job);
        return takeReady(pool);
    }

    private List<Frame> takeReady(ImagePool<Frame> pool) {
        if (pool != null && (pool.width() != width || pool.height() != height)) {
            throw new InvalidInputException("the pool's frames are " + pool.width() + "x" + pool.height() + " but the session is " + width + "x" + height);
        }
        List<Frame> out = new ArrayList<>();
        for (int n = ready(); n > 0; n--) {
            Frame f = pool == null ? null : free(pool);
            if (f == null) f = Frame.allocate(width, height);
            try {
                pop(f);
            } catch (RuntimeException e) {
                f.close();
                out.forEach(Frame::close);
                throw e;
            }
            out.add(f);
        }
        return out;
    }

    private static Frame free(ImagePool<Frame> pool) {
        try {
            return pool.poll(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    void checkSize(String what, Image image) {
        if (image.width() != width || image.height() != height) {
            throw new InvalidInputException(what + " is " + image.width() + "x" + image.height() + " but the session is " + width + "x" + height);
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
