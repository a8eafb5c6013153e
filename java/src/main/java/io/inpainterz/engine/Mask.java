package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.ImageBindings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A one-channel 8-bit mask (0 = background, anything else = object) in off-heap memory. */
public final class Mask extends Image {
    /** Wraps caller memory (not freed by {@link #close()}). */
    public Mask(MemorySegment data, int width, int height, long rowStride) {
        super(data, width, height, rowStride);
    }

    Mask(MemorySegment data, int width, int height, long rowStride, Owner owner) {
        super(data, width, height, rowStride, owner);
    }

    /** A zeroed, tightly packed mask with memory of its own, freed by {@link #close()}. */
    public static Mask allocate(int width, int height) {
        return allocateOwned(width, height, 1, Mask::new);
    }

    /** A zeroed, tightly packed mask from {@code arena} (which frees it). */
    public static Mask allocate(Arena arena, int width, int height) {
        return new Mask(allocatePacked(arena, width, height, 1), width, height, width);
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    String kind() {
        return "Mask";
    }

    /**
     * The {@code w x h} pixels at ({@code x}, {@code y}) as a mask of their own, without a copy:
     * writes go to this mask. Valid while this mask's memory is; closing the view does nothing.
     */
    public Mask region(int x, int y, int w, int h) {
        return new Mask(regionData(x, y, w, h), w, h, rowStride());
    }

    /** Resizes this mask into {@code dst} (its own size) with Pillow's NEAREST: labels stay labels. */
    public void resizeTo(Mask dst) {
        resizeInto(dst, ResizeFilter.NEAREST);
    }

    /** Resizes this mask into {@code dst} (its own size) as Pillow's Image.resize(size, filter). */
    public void resizeTo(Mask dst, ResizeFilter filter) {
        resizeInto(dst, filter);
    }

    /** Pixels that are not 0. */
    public long countNonZero() {
        byte[] row = new byte[width()];
        long n = 0;
        for (int y = 0; y < height(); y++) {
            copyRow(y, row);
            for (byte b : row) if (b != 0) n++;
        }
        return n;
    }

    /**
     * Removes regions smaller than {@code minArea} pixels (8-connectivity) into {@code dst}
     * (which may be this mask): with {@code holes}, background regions are filled; otherwise
     * object regions are dropped, keeping the largest when all are small. As SAM's automatic
     * mask generator does for min_mask_region_area. Returns whether anything changed.
     */
    public boolean removeSmallRegions(long minArea, boolean holes, Mask dst) {
        if (minArea < 0) throw new InvalidInputException("minimum region area must be >= 0, got " + minArea);
        if (dst.width() != width() || dst.height() != height()) {
            throw new InvalidInputException("removeSmallRegions: source is " + width() + "x" + height() + " but destination is " + dst.width() + "x" + dst.height());
        }
        try (Arena scratch = Arena.ofConfined()) {
            return ImageBindings.maskRemoveSmallRegions(descriptor(scratch), minArea, holes ? 0 : 1, dst.descriptor(scratch), scratch);
        }
    }

    /**
     * Dilates this mask by a 3x3 cross {@code iterations} times into {@code dst} (which may be
     * this mask), as the upstream inpainting app does before E2FGVI: cv2.dilate with
     * MORPH_CROSS. Pixels outside the image count as background.
     */
    public void dilate(int iterations, Mask dst) {
        if (iterations < 0) throw new InvalidInputException("dilation iterations must be >= 0, got " + iterations);
        if (dst.width() != width() || dst.height() != height()) {
            throw new InvalidInputException("dilate: source is " + width() + "x" + height() + " but destination is " + dst.width() + "x" + dst.height());
        }
        try (Arena scratch = Arena.ofConfined()) {
            ImageBindings.maskDilate(descriptor(scratch), iterations, dst.descriptor(scratch));
        }
    }
}
