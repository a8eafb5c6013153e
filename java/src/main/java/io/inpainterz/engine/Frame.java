package io.inpainterz.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** An RGB24 video frame (HWC, 3 bytes per pixel) in off-heap memory. */
public final class Frame extends Image {
    public Frame(MemorySegment data, int width, int height, long rowStride) {
        super(data, width, height, rowStride);
    }

    /** A zeroed, tightly packed frame from {@code arena}. */
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
