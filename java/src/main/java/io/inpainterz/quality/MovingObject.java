package io.inpainterz.quality;

import io.inpainterz.InvalidInputException;
import java.util.Random;

/**
 * An object composited over a clip: an ellipse or a rectangle of {@code width x height} pixels,
 * filled with a solid colour or with a texture that moves with it, its edge hard
 * ({@code feather} 0) or ramped over {@code feather} pixels. Its centre starts at (x0, y0) and
 * moves (vx, vy) pixels a frame in frame coordinates, bouncing off the frame's edges so that the
 * object stays whole inside the frame (when it fits).
 */
public record MovingObject(Outline outline, double width, double height, Fill fill, double feather, double x0, double y0, double vx, double vy) {
    public enum Outline { ELLIPSE, RECTANGLE }

    /** What is inside the outline. */
    public sealed interface Fill {
        /** One colour, 0-255 a channel. */
        record Solid(int r, int g, int b) implements Fill {}

        /** A picture centred on the object (bilinear, edges clamped): a sprite that moves with its object. */
        record Texture(RgbImage image) implements Fill {}
    }

    /** Saturated colours that rarely occur exactly in photos. */
    static final Fill.Solid[] PALETTE = {
        new Fill.Solid(228, 26, 28), new Fill.Solid(30, 90, 230), new Fill.Solid(250, 210, 20), new Fill.Solid(20, 200, 60), new Fill.Solid(230, 30, 200),
    };

    public MovingObject {
        if (!(width > 0 && height > 0)) throw new InvalidInputException("object size " + width + "x" + height + " is invalid");
        if (!(feather >= 0)) throw new InvalidInputException("feather must be >= 0, got " + feather);
    }

    /** The centre at frame t of a {@code w x h} clip. */
    public double[] centre(int t, int w, int h) {
        return new double[] {bounce(x0 + vx * t, width / 2, w - width / 2), bounce(y0 + vy * t, height / 2, h - height / 2)};
    }

    /** {@code p} folded into [lo, hi] as a ball bouncing between walls; the middle when the range is empty. */
    private static double bounce(double p, double lo, double hi) {
        if (hi <= lo) return (lo + hi) / 2;
        double span = hi - lo, q = (p - lo) % (2 * span);
        if (q < 0) q += 2 * span;
        return lo + (q <= span ? q : 2 * span - q);
    }

    /** Opacity 0-255 at pixel (x, y) when the centre is at (cx, cy). */
    int alpha(int x, int y, double cx, double cy) {
        double a = width / 2, b = height / 2, dx = x - cx, dy = y - cy;
        // Signed distance inside the outline, in pixels (for the ellipse, its radial approximation).
        double d = outline == Outline.RECTANGLE ? Math.min(a - Math.abs(dx), b - Math.abs(dy)) : (1 - Math.hypot(dx / a, dy / b)) * Math.min(a, b);
        if (feather == 0) return d >= 0 ? 255 : 0;
        return (int) Math.round(255 * Math.clamp(d / feather + 0.5, 0, 1));
    }

    /** The object's colour at pixel (x, y) when its centre is at (cx, cy), into {@code rgb}. */
    void colour(int x, int y, double cx, double cy, double[] rgb) {
        switch (fill) {
            case Fill.Solid s -> {
                rgb[0] = s.r();
                rgb[1] = s.g();
                rgb[2] = s.b();
            }
            case Fill.Texture t -> t.image().sample(x - cx + (t.image().width() - 1) / 2.0, y - cy + (t.image().height() - 1) / 2.0, rgb);
        }
    }

    /** Half the extent of pixels it may touch, past its centre, on each axis. */
    double[] reach() {
        return new double[] {width / 2 + feather / 2 + 1, height / 2 + feather / 2 + 1};
    }

    /**
     * A random object of about {@code area} (a fraction of the {@code w x h} frame), of aspect
     * (height / width) 0.6 to 1.7, that moves its own width in {@code revealFrames} frames, within
     * 30 degrees of horizontal, from a random place in the frame.
     */
    public static MovingObject random(Random r, Outline outline, Fill fill, double feather, int w, int h, double area, double revealFrames) {
        double aspect = 0.6 + 1.1 * r.nextDouble();
        double shape = outline == Outline.ELLIPSE ? Math.PI / 4 : 1;
        double ow = Math.sqrt(area * w * h / (shape * aspect)), oh = aspect * ow;
        ow = Math.min(ow, 0.6 * w);
        oh = Math.min(oh, 0.8 * h);
        double speed = ow / revealFrames, angle = Math.toRadians(60 * r.nextDouble() - 30) + (r.nextBoolean() ? 0 : Math.PI);
        double x0 = ow / 2 + r.nextDouble() * Math.max(0, w - ow), y0 = oh / 2 + r.nextDouble() * Math.max(0, h - oh);
        return new MovingObject(outline, ow, oh, fill, feather, x0, y0, speed * Math.cos(angle), speed * Math.sin(angle));
    }
}
