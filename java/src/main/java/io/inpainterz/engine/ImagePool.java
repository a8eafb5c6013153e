package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of same-sized frames or masks, recycled: {@link #take()} hands one out
 * (blocking while all are in use, which is the back-pressure of a bounded pipeline), and
 * closing the image gives it back. Memory is allocated once, up front, and freed by
 * {@link #close()}. Thread-safe: images may be taken on one thread and closed on another.
 *
 * <pre>{@code
 * try (ImagePool<Frame> pool = ImagePool.frames(1920, 1080, 8)) {
 *     Frame f = pool.take();
 *     reader.read(f);
 *     queue.put(f);          // the consumer closes it, which returns it here
 * }
 * }</pre>
 */
public final class ImagePool<T extends Image> implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final BlockingQueue<T> free;
    private final Map<Image, Boolean> out = new IdentityHashMap<>();
    private final int width, height, capacity;
    private boolean closed;

    private ImagePool(int width, int height, int capacity, int channels, Image.ImageFactory<T> make) {
        if (capacity < 1) throw new InvalidInputException("pool capacity must be >= 1, got " + capacity);
        this.width = width;
        this.height = height;
        this.capacity = capacity;
        this.free = new ArrayBlockingQueue<>(capacity);
        try {
            for (int i = 0; i < capacity; i++) {
                MemorySegment data = Image.allocatePacked(arena, width, height, channels);
                free.add(make.create(data, width, height, (long) width * channels, this::giveBack));
            }
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public static ImagePool<Frame> frames(int width, int height, int capacity) {
        return new ImagePool<>(width, height, capacity, 3, Frame::new);
    }

    public static ImagePool<Mask> masks(int width, int height, int capacity) {
        return new ImagePool<>(width, height, capacity, 1, Mask::new);
    }

    /** An image from the pool, waiting while all are in use. Its pixels are whatever they were. */
    public T take() throws InterruptedException {
        return handOut(free.take());
    }

    /** An image, or null when none frees up within the timeout. */
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        T image = free.poll(timeout, unit);
        return image == null ? null : handOut(image);
    }

    private synchronized T handOut(T image) {
        if (closed) throw new IllegalStateException("the pool is closed");
        out.put(image, Boolean.TRUE);
        return image;
    }

    @SuppressWarnings("unchecked")
    private void giveBack(Image image) {
        synchronized (this) {
            if (out.remove(image) == null) return; // closed twice: once is enough
            if (closed) return;
        }
        free.add((T) image);
    }

    /** Images handed out and not yet closed. */
    public synchronized int inUse() {
        return out.size();
    }

    public int capacity() {
        return capacity;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Frees every image's memory; images still out must not be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        arena.close();
    }
}
