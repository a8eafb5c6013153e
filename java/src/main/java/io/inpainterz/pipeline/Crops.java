package io.inpainterz.pipeline;

import io.inpainterz.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The geometry of {@code --crop on}: which frames are inpainted together (runs), and the one
 * rectangle of the source each run is inpainted on.
 *
 * <p><b>Runs.</b> Frames with a mask that lie within {@code 2 x context} frames of each other
 * belong to one run; a run takes {@code context} more frames on each side (within the range) as
 * the inpainter's context. Each run gets a session of its own, so its crop can be fixed over all
 * its windows and references (flows and feature reuse need one geometry), and the frames between
 * runs are not inpainted at all. With the default 60 frames (E2FGVI's reference radius, beyond
 * the flow inpainter's trace window), a masked frame sees the same neighbours in its run as in
 * one session over the whole clip.
 *
 * <p><b>The crop.</b> The union of the run's mask bounding boxes, plus context on each side
 * ({@link #CONTEXT} of the box's size, at least {@link #MIN_MARGIN} pixels and at least the reach
 * of the dilation at the working resolution), grown to the aspect ratio of the inpainter's
 * whole-frame working size and to at least that size, where the frame allows: a small object
 * is then inpainted at the source's own resolution with more context around it, a large one is
 * scaled down to the working size. The crop is centred on the box and moved inside the frame
 * where it would cross an edge; a side longer than the frame's is cut to it, and the other side
 * then keeps the aspect ratio where the box allows.
 */
public final class Crops {
    /** Context on each side of the masks' box, as a fraction of the box's width (left, right) and height (above, below). */
    public static final double CONTEXT = 0.5;
    /** Context on each side of the masks' box at least, in source pixels. */
    public static final int MIN_MARGIN = 16;
    /** Frames of context before and after the masked frames of a run (see the class comment). */
    public static final int RUN_CONTEXT = 60;

    private Crops() {}

    /** A rectangle of source pixels: [x, x + width) x [y, y + height). */
    public record Rect(int x, int y, int width, int height) {
        public Rect {
            if (width < 1 || height < 1) throw new InvalidInputException("rectangle " + width + "x" + height + " is empty");
        }

        public int right() {
            return x + width;
        }

        public int bottom() {
            return y + height;
        }

        /** The smallest rectangle holding both. */
        public Rect union(Rect o) {
            int x0 = Math.min(x, o.x), y0 = Math.min(y, o.y);
            return new Rect(x0, y0, Math.max(right(), o.right()) - x0, Math.max(bottom(), o.bottom()) - y0);
        }

        public boolean contains(Rect o) {
            return o.x >= x && o.y >= y && o.right() <= right() && o.bottom() <= bottom();
        }

        /** Grown by {@code d} on each side, cut to a {@code frameWidth x frameHeight} frame. */
        Rect grow(int d, int frameWidth, int frameHeight) {
            int x0 = Math.max(0, x - d), y0 = Math.max(0, y - d);
            return new Rect(x0, y0, Math.min(frameWidth, right() + d) - x0, Math.min(frameHeight, bottom() + d) - y0);
        }

        @Override
        public String toString() {
            return width + "x" + height + "+" + x + "+" + y;
        }
    }

    /** Frames {@code first..last} inpainted in one session; {@code box}: the union of their masks' bounding boxes. */
    public record Run(long first, long last, Rect box) {}

    /** The inpainter's working size for frames (or crops) of a size: {@code Inpainter::workingSize}. */
    @FunctionalInterface
    public interface WorkingSize {
        Inpainter.Size of(int width, int height);
    }

    /** The bounding box of a map's nonzero pixels ({@code width x height}), or null when it has none. */
    static Rect bounds(byte[] map, int width, int height) {
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++) {
            int row = y * width, first = -1, last = -1;
            for (int x = 0; x < width; x++) {
                if (map[row + x] != 0) {
                    if (first < 0) first = x;
                    last = x;
                }
            }
            if (first < 0) continue;
            if (y0 == height) y0 = y;
            y1 = y;
            x0 = Math.min(x0, first);
            x1 = Math.max(x1, last);
        }
        return x1 < 0 ? null : new Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /**
     * The crop for masks whose union is {@code box}, in a {@code frameWidth x frameHeight} frame,
     * for an inpainter of working sizes {@code ws} whose masks are dilated {@code dilation} times
     * at the working size: the box with its context contains the dilated masks too.
     */
    public static Rect crop(Rect box, int frameWidth, int frameHeight, int dilation, WorkingSize ws) {
        if (box.x() < 0 || box.y() < 0 || box.right() > frameWidth || box.bottom() > frameHeight) {
            throw new InvalidInputException("box " + box + " is outside the " + frameWidth + "x" + frameHeight + " frame");
        }
        Inpainter.Size target = ws.of(frameWidth, frameHeight);
        // The proportional context holds the dilation for any usual --dilate; a very large one widens the margin until it fits.
        // The margin grows each round and a crop with margins of half the frame is the frame, which holds it: this ends.
        for (int margin = MIN_MARGIN; ; ) {
            Rect c = grow(box, frameWidth, frameHeight, target, margin);
            int reach = reach(c, dilation, ws);
            if (c.contains(box.grow(reach, frameWidth, frameHeight))) return c;
            margin = Math.max(margin + 1, reach);
        }
    }

    /** How far {@code dilation} dilations at the working size of crop {@code c} reach in source pixels (one working pixel more, for the nearest-neighbour resizes). */
    static int reach(Rect c, int dilation, WorkingSize ws) {
        Inpainter.Size w = ws.of(c.width(), c.height());
        double scale = Math.max((double) c.width() / w.width(), (double) c.height() / w.height());
        return (int) Math.ceil((dilation + 1) * scale);
    }

    /** {@link #crop} with a fixed least margin: context, aspect, the least size, the frame. */
    static Rect grow(Rect box, int frameWidth, int frameHeight, Inpainter.Size target, int minMargin) {
        long mx = Math.max(minMargin, (long) Math.ceil(box.width() * CONTEXT)), my = Math.max(minMargin, (long) Math.ceil(box.height() * CONTEXT));
        long needW = box.width() + 2 * mx, needH = box.height() + 2 * my, cw = needW, ch = needH;
        long tw = target.width(), th = target.height();
        // To the target's aspect ratio, in integers: the side that is short grows (rounded up); then to the target's size.
        if (cw * th < ch * tw) cw = Math.ceilDiv(ch * tw, th);
        else ch = Math.ceilDiv(cw * th, tw);
        cw = Math.max(cw, tw);
        ch = Math.max(ch, th);
        // A side longer than the frame's is cut to it; the other then follows the aspect ratio from the cut side, never
        // below what the box and its context need (so a frame smaller than the target gives an undistorted crop).
        if (cw > frameWidth) {
            cw = frameWidth;
            ch = Math.max(needH, Math.ceilDiv(frameWidth * th, tw));
        }
        if (ch > frameHeight) {
            ch = frameHeight;
            cw = Math.max(needW, Math.ceilDiv(frameHeight * tw, th));
        }
        int w = (int) Math.min(frameWidth, cw), h = (int) Math.min(frameHeight, ch);
        int x = (int) Math.round(box.x() + box.width() / 2.0 - w / 2.0), y = (int) Math.round(box.y() + box.height() / 2.0 - h / 2.0);
        x = Math.max(0, Math.min(frameWidth - w, x));
        y = Math.max(0, Math.min(frameHeight - h, y));
        return new Rect(x, y, w, h);
    }

    /**
     * Cuts a range into runs as its frames' masks arrive, in frame order: memory for the runs
     * found, not for the frames.
     */
    static final class Planner {
        private final long first;
        private final int context;
        private final List<Run> runs = new ArrayList<>();
        private long runStart = -1, lastMasked = -1, lastFrame = -1;
        private Rect box;

        /** For a range starting at frame {@code first}, with {@code context} frames each side of a run. */
        Planner(long first, int context) {
            if (context < 0) throw new InvalidInputException("run context must be >= 0, got " + context);
            this.first = first;
            this.context = context;
            this.lastFrame = first - 1;
        }

        /** Frame {@code t} (the next one) with the bounding box of its masks, null when it has none. */
        void add(long t, Rect bounds) {
            if (t != lastFrame + 1) throw new IllegalStateException("frame " + t + " after " + lastFrame + ": frames must come in order");
            lastFrame = t;
            if (bounds == null) return;
            if (box != null && t - lastMasked > 2L * context) close();
            if (box == null) {
                runStart = t;
                box = bounds;
            } else {
                box = box.union(bounds);
            }
            lastMasked = t;
        }

        private void close() {
            runs.add(new Run(Math.max(first, runStart - context), Math.min(lastFrame, lastMasked + context), box));
            box = null;
        }

        /** The runs, once every frame was added; none when no frame had a mask. */
        List<Run> finish() {
            if (box != null) close();
            return List.copyOf(runs);
        }
    }
}
