package io.inpainterz.engine;

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

    @Override
    public int channels() {
        return 3;
    }

    @Override
    String kind() {
        return "Frame";
    }
}
