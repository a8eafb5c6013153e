package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** An RGB24 video frame (HWC, 3 bytes per pixel) in off-heap memory. */
public final class Frame extends Image {
    /** Wraps caller memory (not freed by {@link #close()}). */
    public Frame(MemorySegment data, int width, int height, long rowStride) {
        super(data, width, height, rowStride);
    }

    Frame(MemorySegment data, int width, int height, long rowStride, Owner owner) {
        super(data, width, height, rowStride, owner);
    }

    /** A zeroed, tightly packed frame with memory of its own, freed by {@link #close()}. */
    public static Frame allocate(int width, int height) {
        return allocateOwned(width, height, 3, Frame::new);
    }

    /** A zeroed, tightly packed frame from {@code arena} (which frees it). */
    public static Frame allocate(Arena arena, int width, int height) {
        return new Frame(allocatePacked(arena, width, height, 3), width, height, 3L * width);
    }

    /**
     * The {@code w x h} pixels at ({@code x}, {@code y}) as a frame of their own, without a copy:
     * writes go to this frame. Valid while this frame's memory is; closing the view does nothing.
     */
    public Frame region(int x, int y, int w, int h) {
        return new Frame(regionData(x, y, w, h), w, h, rowStride());
    }

    /** Resizes this frame into {@code dst} (its own size) with Pillow's BICUBIC, the inpainting app's frame resize. */
    public void resizeTo(Frame dst) {
        resizeInto(dst, ResizeFilter.BICUBIC);
    }

    /** Resizes this frame into {@code dst} (its own size) as Pillow's Image.resize(size, filter). */
    public void resizeTo(Frame dst, ResizeFilter filter) {
        resizeInto(dst, filter);
    }

    /**
     * Blends {@code over} (same size) into this frame by {@code alpha} (same size): each channel
     * becomes {@code round((this x (255 - a) + over x a) / 255)}, so pixels where alpha is 0 stay
     * exactly as they were and pixels where it is 255 become {@code over}'s. Rows with no alpha
     * are not touched.
     */
    public void blend(Frame over, Mask alpha) {
        if (over.width() != width() || over.height() != height() || alpha.width() != width() || alpha.height() != height()) {
            throw new InvalidInputException("blend: frame is " + width() + "x" + height() + ", over " + over.width() + "x" + over.height()
                    + ", alpha " + alpha.width() + "x" + alpha.height());
        }
        int w = width();
        byte[] a = new byte[w], dst = new byte[3 * w], src = new byte[3 * w];
        for (int y = 0; y < height(); y++) {
            alpha.copyRow(y, a);
            int first = 0;
            while (first < w && a[first] == 0) first++;
            if (first == w) continue;
            copyRow(y, dst);
            over.copyRow(y, src);
            for (int x = first; x < w; x++) {
                int al = a[x] & 0xff;
                if (al == 0) continue;
                int i = 3 * x;
                if (al == 255) {
                    dst[i] = src[i];
                    dst[i + 1] = src[i + 1];
                    dst[i + 2] = src[i + 2];
                } else {
                    int inv = 255 - al;
                    for (int c = i; c < i + 3; c++) dst[c] = (byte) (((dst[c] & 0xff) * inv + (src[c] & 0xff) * al + 127) / 255);
                }
            }
            setRow(y, dst);
        }
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    String kind() {
        return "Frame";
    }
}
