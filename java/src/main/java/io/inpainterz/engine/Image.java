package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.Inp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An 8-bit HWC image in caller-owned off-heap memory that native code reads and writes in
 * place (no copy): a {@link Frame} (RGB24) or a {@link Mask} (one channel). The memory belongs
 * to the arena it came from; the image never frees it.
 */
public abstract sealed class Image permits Frame, Mask {
    private final MemorySegment data;
    private final int width;
    private final int height;
    private final long rowStride;

    Image(MemorySegment data, int width, int height, long rowStride) {
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
    }

    static MemorySegment allocatePacked(Arena arena, int width, int height, int channels) {
        if (width < 1 || height < 1) throw new InvalidInputException("image size " + width + "x" + height + " is invalid; both must be >= 1");
        return arena.allocate((long) width * height * channels, 64);
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

    /** Byte offset of pixel (x, y), channel c. */
    public long offset(int x, int y, int c) {
        return y * rowStride + (long) x * channels() + c;
    }

    /** Writes the native inp_image descriptor of this image into {@code scratch}. */
    MemorySegment descriptor(Arena scratch) {
        return Inp.image(scratch, data, width, height, channels(), rowStride);
    }

    /**
     * The address native code sees when it wraps this image as a tensor. Equal to
     * {@code data().address()}: proof that frames cross the boundary without a copy.
     */
    public long addressSeenByNative() {
        try (Arena scratch = Arena.ofConfined()) {
            return Inp.imageNativeAddress(descriptor(scratch), scratch);
        }
    }

    @Override
    public String toString() {
        return kind() + "[" + width + "x" + height + ", stride " + rowStride + "]";
    }
}
