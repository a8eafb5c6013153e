package io.inpainterz.pipeline;

import io.inpainterz.InvalidInputException;
import java.nio.file.Path;

/**
 * One prompt of one object on one frame of the source video, in source pixels (x, y): a point on
 * the object, a point on the background, a box around it, or a ready-made mask (a PNG of the
 * video's size, nonzero = object).
 */
public sealed interface Prompt permits Prompt.Point, Prompt.Box, Prompt.MaskFile {
    /** Frame index in the video (not in the range). */
    long frame();

    /** Whether the segmenter has to run for this prompt (points and boxes; masks are given). */
    default boolean needsSegmenter() {
        return !(this instanceof MaskFile);
    }

    /** A point on the object ({@code positive}) or on the background. */
    record Point(long frame, float x, float y, boolean positive) implements Prompt {
        public Point {
            checkFrame(frame);
            if (!Float.isFinite(x) || !Float.isFinite(y)) throw new InvalidInputException("point (" + x + ", " + y + ") on frame " + frame + " is not finite");
        }
    }

    /** A box (x0, y0) - (x1, y1) around the object. */
    record Box(long frame, float x0, float y0, float x1, float y1) implements Prompt {
        public Box {
            checkFrame(frame);
            if (!Float.isFinite(x0) || !Float.isFinite(y0) || !Float.isFinite(x1) || !Float.isFinite(y1)) {
                throw new InvalidInputException("box on frame " + frame + " has a coordinate that is not finite");
            }
            if (x0 > x1 || y0 > y1) {
                throw new InvalidInputException("box " + x0 + "," + y0 + "," + x1 + "," + y1 + " on frame " + frame + " is inverted: x0 > x1 or y0 > y1");
            }
        }
    }

    /** A ready-made mask of the object on {@code frame}: a PNG of the video's size, nonzero = object. */
    record MaskFile(long frame, Path file) implements Prompt {
        public MaskFile {
            checkFrame(frame);
            if (file == null) throw new InvalidInputException("mask prompt on frame " + frame + " names no file");
        }
    }

    private static void checkFrame(long frame) {
        if (frame < 0) throw new InvalidInputException("prompt frame " + frame + " is negative");
    }
}
