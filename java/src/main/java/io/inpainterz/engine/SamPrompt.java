package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import java.util.Arrays;

/**
 * A SAM prompt in original-image pixels, (x, y): points with labels (1 = object,
 * 0 = background), boxes (x0, y0, x1, y1), and/or the low-res logits (256 x 256) of an
 * earlier prediction. Several boxes give one prediction each and cannot be mixed with points.
 */
public record SamPrompt(float[] points, int[] labels, float[] boxes, float[] maskInput, boolean multimask) {
    public static final int LOW_RES = 256;

    public SamPrompt {
        points = points == null ? new float[0] : points.clone();
        labels = labels == null ? new int[0] : labels.clone();
        boxes = boxes == null ? new float[0] : boxes.clone();
        maskInput = maskInput == null ? null : maskInput.clone();
        if (points.length != 2 * labels.length) {
            throw new InvalidInputException("prompt has " + points.length / 2.0 + " points but " + labels.length + " labels");
        }
        if (boxes.length % 4 != 0) throw new InvalidInputException("prompt boxes need 4 numbers each, got " + boxes.length);
        if (maskInput != null && maskInput.length != LOW_RES * LOW_RES) {
            throw new InvalidInputException("mask_input must hold 256 x 256 logits, got " + maskInput.length + " values");
        }
        if (labels.length == 0 && boxes.length == 0 && maskInput == null) {
            throw new InvalidInputException("the prompt is empty: give points, a box or a mask_input");
        }
        if (boxes.length > 4 && labels.length > 0) throw new InvalidInputException("points cannot be combined with several boxes");
        if (boxes.length > 4 && maskInput != null) throw new InvalidInputException("mask_input cannot be combined with several boxes");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) throw new InvalidInputException("point " + i + " has label " + labels[i] + "; expected 1 (object) or 0 (background)");
        }
        for (int i = 0; i < boxes.length; i += 4) {
            if (boxes[i] > boxes[i + 2] || boxes[i + 1] > boxes[i + 3]) {
                throw new InvalidInputException("box " + i / 4 + " " + Arrays.toString(Arrays.copyOfRange(boxes, i, i + 4)) + " is inverted: x0 > x1 or y0 > y1");
            }
        }
        if (maskInput != null) {
            for (int i = 0; i < maskInput.length; i++) {
                if (!Float.isFinite(maskInput[i])) throw new InvalidInputException("mask_input holds a NaN or infinite value at index " + i);
            }
        }
    }

    public static SamPrompt point(float x, float y) {
        return new SamPrompt(new float[] {x, y}, new int[] {1}, null, null, true);
    }

    public static SamPrompt box(float x0, float y0, float x1, float y1) {
        return new SamPrompt(null, null, new float[] {x0, y0, x1, y1}, null, false);
    }

    public SamPrompt withPoint(float x, float y, boolean object) {
        float[] p = Arrays.copyOf(points, points.length + 2);
        p[points.length] = x;
        p[points.length + 1] = y;
        int[] l = Arrays.copyOf(labels, labels.length + 1);
        l[labels.length] = object ? 1 : 0;
        return new SamPrompt(p, l, boxes, maskInput, multimask);
    }

    public SamPrompt withMultimask(boolean on) {
        return new SamPrompt(points, labels, boxes, maskInput, on);
    }

    public SamPrompt withMaskInput(float[] lowResLogits) {
        return new SamPrompt(points, labels, boxes, lowResLogits, multimask);
    }

    public int numPoints() {
        return labels.length;
    }

    public int numBoxes() {
        return boxes.length / 4;
    }

    /** Predictions this prompt yields: one per box, at least one. */
    public int batch() {
        return Math.max(1, numBoxes());
    }

    /** Checks every coordinate is finite and inside a width x height image. */
    void checkInside(int width, int height) {
        for (int i = 0; i < points.length; i += 2) checkXY(points[i], points[i + 1], "point " + i / 2, width, height);
        for (int i = 0; i < boxes.length; i += 2) checkXY(boxes[i], boxes[i + 1], "box " + i / 4 + " corner", width, height);
    }

    private static void checkXY(float x, float y, String what, int width, int height) {
        if (!Float.isFinite(x) || !Float.isFinite(y)) throw new InvalidInputException(what + " (" + x + ", " + y + ") is not a finite number");
        if (x < 0 || x > width || y < 0 || y > height) {
            throw new InvalidInputException(what + " (" + x + ", " + y + ") lies outside the " + width + "x" + height + " image");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamPrompt p && Arrays.equals(points, p.points) && Arrays.equals(labels, p.labels)
                && Arrays.equals(boxes, p.boxes) && Arrays.equals(maskInput, p.maskInput) && multimask == p.multimask;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(points) * 31 + Arrays.hashCode(boxes);
    }

    @Override
    public String toString() {
        return "SamPrompt[points=" + Arrays.toString(points) + ", labels=" + Arrays.toString(labels) + ", boxes=" + Arrays.toString(boxes)
                + ", maskInput=" + (maskInput != null) + ", multimask=" + multimask + "]";
    }
}
