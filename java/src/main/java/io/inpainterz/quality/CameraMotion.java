package io.inpainterz.quality;

import io.inpainterz.InvalidInputException;
import java.util.Random;

/**
 * A synthetic camera moving over a still photo. At frame {@code t} of {@code n} the camera has a
 * {@link Pose}: output pixel (x, y) shows the scene point
 * <pre>
 *   (u, v) = (cx, cy) + scale * R(angle) * (x - (W - 1) / 2, y - (H - 1) / 2)
 * </pre>
 * in scene pixels (one scene pixel = one output pixel at scale 1), around the scene's centre.
 * Scale below 1 is a zoom in. This is synthetic motion (a rigid warp of a flat picture: no
 * parallax, no motion blur, no rolling shutter), not real camera motion.
 */
public sealed interface CameraMotion {
    /** The camera at frame t of a clip of n frames. */
    Pose at(int t, int n);

    /** A short name for tables and file names: static, pan, zoom, shake. */
    String kind();

    /** Where the camera looks (scene pixels from the scene centre), its scale and its rotation (radians). */
    record Pose(double cx, double cy, double scale, double angle) {
        /**
         * The map as an affine {u = m[0] + m[1] x + m[2] y, v = m[3] + m[4] x + m[5] y} for a
         * {@code w x h} frame.
         */
        public double[] affine(int w, int h) {
            double c = Math.cos(angle) * scale, s = Math.sin(angle) * scale, xm = (w - 1) / 2.0, ym = (h - 1) / 2.0;
            return new double[] {cx - c * xm + s * ym, c, -s, cy - s * xm - c * ym, s, c};
        }
    }

    /** No motion. */
    record Static() implements CameraMotion {
        public Pose at(int t, int n) {
            return new Pose(0, 0, 1, 0);
        }

        public String kind() {
            return "static";
        }
    }

    /** A steady translation of {@code (vx, vy)} scene pixels a frame (the picture moves the other way), centred on the clip's middle frame. */
    record Pan(double vx, double vy) implements CameraMotion {
        public Pose at(int t, int n) {
            double m = (n - 1) / 2.0;
            return new Pose(vx * (t - m), vy * (t - m), 1, 0);
        }

        public String kind() {
            return "pan";
        }
    }

    /** A zoom in about the centre: magnification ramps linearly from {@code from} on the first frame to {@code to} on the last. */
    record Zoom(double from, double to) implements CameraMotion {
        public Zoom {
            if (!(from > 0 && to > 0)) throw new InvalidInputException("zoom magnifications must be > 0, got " + from + " and " + to);
        }

        public Pose at(int t, int n) {
            double m = n == 1 ? from : from + (to - from) * t / (n - 1);
            return new Pose(0, 0, 1 / m, 0);
        }

        public String kind() {
            return "zoom";
        }
    }

    /**
     * Hand-held shake: smooth random jitter of up to {@code amplitude} pixels on each axis and a
     * rotation of up to {@code degrees}, each a sum of three sines with periods of 8 to 24 frames
     * and random phases drawn from {@code seed}.
     */
    record Shake(double amplitude, double degrees, long seed) implements CameraMotion {
        public Pose at(int t, int n) {
            Random r = new Random(seed);
            double x = amplitude * wave(r, t), y = amplitude * wave(r, t), a = Math.toRadians(degrees) * wave(r, t);
            return new Pose(x, y, 1, a);
        }

        /** A smooth signal in [-1, 1]: the mean of three sines. */
        private static double wave(Random r, int t) {
            double sum = 0;
            for (int j = 0; j < 3; j++) {
                double period = 8 + 16 * r.nextDouble(), phase = 2 * Math.PI * r.nextDouble();
                sum += Math.sin(2 * Math.PI * t / period + phase);
            }
            return sum / 3;
        }

        public String kind() {
            return "shake";
        }
    }
}
