package io.inpainterz.pipeline;

import io.inpainterz.InvalidInputException;

/** Frames {@code first} through {@code last} inclusive; {@code last = -1}: to the end of the video. */
public record Range(long first, long last) {
    public Range {
        if (first < 0) throw new InvalidInputException("range start " + first + " is negative");
        if (last != -1 && last < first) throw new InvalidInputException("range " + first + ":" + last + " ends before it starts");
    }

    /** "A:B" (inclusive), "A:" (to the end) or ":B" (from 0). */
    public static Range parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) throw new InvalidInputException("range '" + text + "' must be A:B (frames A through B inclusive), A: or :B");
        try {
            String a = text.substring(0, colon).strip(), b = text.substring(colon + 1).strip();
            return new Range(a.isEmpty() ? 0 : Long.parseLong(a), b.isEmpty() ? -1 : Long.parseLong(b));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("range '" + text + "' must be A:B with frame indices A <= B");
        }
    }

    public static Range all() {
        return new Range(0, -1);
    }

    public boolean contains(long frame) {
        return frame >= first && (last == -1 || frame <= last);
    }

    /** The last frame, given the video's frame count. */
    public long lastIn(long frameCount) {
        return last == -1 ? frameCount - 1 : Math.min(last, frameCount - 1);
    }

    @Override
    public String toString() {
        return first + ":" + (last == -1 ? "" : String.valueOf(last));
    }
}
