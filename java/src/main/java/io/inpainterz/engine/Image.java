package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.ImageBindings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * An 8-bit HWC image in off-heap memory that native code reads and writes in place (no copy):
 * a {@link Frame} (RGB24) or a {@link Mask} (one channel). Where the memory comes from decides
 * what {@link #close()} does: an image from {@code allocate(width, height)} frees its memory, one
 * from an {@link ImagePool} goes back to the pool, and one wrapping caller memory (a segment, an
 * arena) does nothing, since that memory belongs to its arena.
 */
public abstract sealed class Image implements AutoCloseable permits Frame, Mask {
    private static final Cleaner CLEANER = Cleaner.create();

    /** Where an image's memory goes when the image is closed. */
    interface Owner {
        void release(Image image);
    }

    private final MemorySegment data;
    private final int width;
    private final int height;
    private final long rowStride;
    private final Owner owner;

    Image(MemorySegment data, int width, int height, long rowStride) {
        this(data, width, height, rowStride, null);
    }

    Image(MemorySegment data, int width, int height, long rowStride, Owner owner) {
        int channels = channels();
        if (width < 1 || height < 1) {
            throw new InvalidInputException(kind() + " size " + width + "x" + height + " is invalid; both must be >= 1");
        }
        if (rowStride < (long) width * channels) {
            throw new InvalidInputException(kind() + " row stride " + rowStride + " is below width x channels = " + (long) width * channels);
        }
        long needed = rowStride * (height - 1) + (long) width * channels;
        if (data.byteSize() < needed) {
            throw new InvalidInputException(kind() + " of " + width + "x" + height + " needs " + needed
                    + " bytes but its segment holds " + data.byteSize());
        }
        if (data.isReadOnly()) throw new InvalidInputException(kind() + " memory is read-only");
        this.data = data;
        this.width = width;
        this.height = height;
        this.rowStride = rowStride;
        this.owner = owner;
    }

    static MemorySegment allocatePacked(Arena arena, int width, int height, int channels) {
        if (width < 1 || height < 1) throw new InvalidInputException("image size " + width + "x" + height + " is invalid; both must be >= 1");
        return arena.allocate((long) width * height * channels, 64);
    }

    /**
     * Memory of its own for one image: freed by {@link #close()}, or when the image becomes
     * unreachable. Shared, so the image may move between threads.
     */
    static <T extends Image> T allocateOwned(int width, int height, int channels, ImageFactory<T> make) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment data = allocatePacked(arena, width, height, channels);
            Runnable free = new Runnable() { // the Cleaner's action must not reach the image
                private boolean done;

                @Override
                public synchronized void run() {
                    if (!done) arena.close();
                    done = true;
                }
            };
            T image = make.create(data, width, height, (long) width * channels, img -> free.run());
            CLEANER.register(image, free);
            return image;
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @FunctionalInterface
    interface ImageFactory<T extends Image> {
        T create(MemorySegment data, int width, int height, long rowStride, Owner owner);
    }

    /** Frees the image's own memory or returns it to its pool; a no-op for caller memory. */
    @Override
    public void close() {
        if (owner != null) owner.release(this);
    }

    public abstract int channels();

    abstract String kind();

    public MemorySegment data() {
        return data;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public long rowStride() {
        return rowStride;
    }

    /** Copies row {@code y} ({@code width x channels} bytes) into {@code dst}. */
    public void copyRow(int y, byte[] dst) {
        if (y < 0 || y >= height) throw new InvalidInputException("row " + y + " is outside the " + width + "x" + height + " " + kind());
        MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, y * rowStride, dst, 0, width * channels());
    }

    /** Copies {@code src} ({@code width x channels} bytes) into row {@code y}. */
    public void setRow(int y, byte[] src) {
        if (y < 0 || y >= height) throw new InvalidInputException("row " + y + " is outside the " + width + "x" + height + " " + kind());
        if (src.length < width * channels()) throw new InvalidInputException("row of " + src.length + " bytes is shorter than " + width * channels());
        MemorySegment.copy(src, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, y * rowStride, width * channels());
    }

    /** Bytes of the pixels, tightly packed: width x height x channels. */
    public long packedSize() {
        return (long) width * height * channels();
    }

    /** Copies every pixel into {@code dst}, tightly packed (row after row of width x channels bytes). */
    public void copyTo(byte[] dst) {
        checkPacked(dst);
        int row = width * channels();
        if (rowStride == row) {
            MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, dst, 0, row * height);
            return;
        }
        for (int y = 0; y < height; y++) MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, y * rowStride, dst, y * row, row);
    }

    /** Sets every pixel from {@code src}, tightly packed as {@link #copyTo} writes it. */
    public void copyFrom(byte[] src) {
        checkPacked(src);
        int row = width * channels();
        if (rowStride == row) {
            MemorySegment.copy(src, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, row * height);
            return;
        }
        for (int y = 0; y < height; y++) MemorySegment.copy(src, y * row, data, java.lang.foreign.ValueLayout.JAVA_BYTE, y * rowStride, row);
    }

    /** Copies the pixels of {@code src} (same size and kind) into this image. */
    public void copyFrom(Image src) {
        if (src.width != width || src.height != height || src.channels() != channels()) {
            throw new InvalidInputException("copy: source is " + src + " but destination is " + this);
        }
        int row = width * channels();
        for (int y = 0; y < height; y++) MemorySegment.copy(src.data, y * src.rowStride, data, y * rowStride, row);
    }

    private void checkPacked(byte[] a) {
        if (a.length != packedSize()) {
            throw new InvalidInputException(kind() + " of " + width + "x" + height + " holds " + packedSize() + " bytes, the array " + a.length);
        }
    }

    /** Resizes into {@code dst} (same kind, its own size) as Pillow's Image.resize(size, filter), bit for bit. */
    void resizeInto(Image dst, ResizeFilter filter) {
        if (dst.data.address() < data.address() + data.byteSize() && data.address() < dst.data.address() + dst.data.byteSize()) {
            throw new InvalidInputException("resize: source and destination memory overlap");
        }
        try (Arena scratch = Arena.ofConfined()) {
            ImageBindings.imageResize(descriptor(scratch), dst.descriptor(scratch), filter.code());
        }
    }

    /**
     * The memory of the {@code w x h} region at ({@code x}, {@code y}), for a view that shares
     * this image's pixels and row stride.
     */
    MemorySegment regionData(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w < 1 || h < 1 || (long) x + w > width || (long) y + h > height) {
            throw new InvalidInputException("region " + w + "x" + h + " at " + x + "," + y + " is outside the " + width + "x" + height + " " + kind());
        }
        return data.asSlice(offset(x, y, 0), rowStride * (h - 1) + (long) w * channels());
    }

    /** Byte offset of pixel (x, y), channel c. */
    public long offset(int x, int y, int c) {
        return y * rowStride + (long) x * channels() + c;
    }

    /** Writes the native inp_image descriptor of this image into {@code scratch}. */
    MemorySegment descriptor(Arena scratch) {
        return ImageBindings.image(scratch, data, width, height, channels(), rowStride);
    }

    /**
     * The address native code sees when it wraps this image as a tensor. Equal to
     * {@code data().address()}: proof that frames cross the boundary without a copy.
     */
    public long addressSeenByNative() {
        try (Arena scratch = Arena.ofConfined()) {
            return ImageBindings.imageNativeAddress(descriptor(scratch), scratch);
        }
    }

    @Override
    public String toString() {
        return kind() + "[" + width + "x" + height + ", stride " + rowStride + "]";
    }
}
