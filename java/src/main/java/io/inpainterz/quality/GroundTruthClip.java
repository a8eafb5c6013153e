package io.inpainterz.quality;

import io.inpainterz.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Makes {@link Clip}s whose background is known: moving objects composited over a still photo
 * seen by a synthetic camera ({@link CameraMotion}: pan, zoom, shake), or over real footage
 * ({@link Footage}). The clean background is the ground truth, the object's footprint the true
 * mask. Everything random is drawn from the seed, so the same arguments make the same bytes.
 *
 * <p>Rendering: each output pixel of the background samples the photo bilinearly at the point the
 * camera maps it to. The photo is first area-averaged down to the smallest size that holds every
 * frame's view at the clip's finest sampling step (so a 3000-pixel photo does not alias, and a zoom
 * in keeps detail). Objects are then blended over it in order as
 * {@code round((bg * (255 - a) + fg * a) / 255)}, with a the object's 8-bit opacity; the mask is
 * 255 wherever any object's opacity is above 0.
 */
public final class GroundTruthClip {
    private GroundTruthClip() {}

    /** What the objects move over. */
    public sealed interface Background {
        /** For the report: the file and where it comes from. */
        String label();

        /** A still photo, moved by a synthetic camera. */
        record Photo(String label, RgbImage image) implements Background {}

        /** Real footage, already at the clip's size, one picture a frame. */
        record Video(String label, List<RgbImage> frames) implements Background {}
    }

    /** Composites {@code objects} over {@code background} seen through {@code motion}: {@code frames} frames of {@code width x height}. */
    public static Clip make(String name, Background background, CameraMotion motion, int width, int height, int frames, List<MovingObject> objects) {
        if (width < 1 || height < 1 || frames < 1) throw new InvalidInputException("clip " + name + ": size " + width + "x" + height + " x " + frames + " frames is invalid");
        List<byte[]> input = new ArrayList<>(), truth = new ArrayList<>(), masks = new ArrayList<>();
        boolean real;
        switch (background) {
            case Background.Photo p -> {
                real = false;
                render(p.image(), motion, width, height, frames, truth);
            }
            case Background.Video v -> {
                real = true;
                if (!(motion instanceof CameraMotion.Static)) throw new InvalidInputException("clip " + name + ": footage has its own camera motion; use CameraMotion.Static, not " + motion.kind());
                if (v.frames().size() < frames) throw new InvalidInputException("clip " + name + ": the footage has " + v.frames().size() + " frames, " + frames + " asked for");
                for (int t = 0; t < frames; t++) {
                    RgbImage f = v.frames().get(t);
                    if (f.width() != width || f.height() != height) throw new InvalidInputException("clip " + name + ": footage frame " + t + " is " + f.width() + "x" + f.height() + ", not " + width + "x" + height);
                    truth.add(f.data().clone());
                }
            }
        }
        double[] rgb = new double[3];
        for (int t = 0; t < frames; t++) {
            byte[] in = truth.get(t).clone(), mask = new byte[width * height];
            for (MovingObject o : objects) {
                double[] c = o.centre(t, width, height), reach = o.reach();
                int y0 = Math.max(0, (int) Math.floor(c[1] - reach[1])), y1 = Math.min(height - 1, (int) Math.ceil(c[1] + reach[1]));
                int x0 = Math.max(0, (int) Math.floor(c[0] - reach[0])), x1 = Math.min(width - 1, (int) Math.ceil(c[0] + reach[0]));
                for (int y = y0; y <= y1; y++) {
                    for (int x = x0; x <= x1; x++) {
                        int a = o.alpha(x, y, c[0], c[1]);
                        if (a == 0) continue;
                        o.colour(x, y, c[0], c[1], rgb);
                        int i = 3 * (y * width + x);
                        for (int k = 0; k < 3; k++) {
                            int fg = (int) Math.clamp(Math.round(rgb[k]), 0, 255);
                            in[i + k] = (byte) (((in[i + k] & 0xff) * (255 - a) + fg * a + 127) / 255);
                        }
                        mask[y * width + x] = (byte) 255;
                    }
                }
            }
            input.add(in);
            masks.add(mask);
        }
        String source = background.label() + (real ? ", real footage (its own camera motion)" : ", synthetic camera motion: " + describe(motion));
        return new Clip(name, source, real, width, height, input, truth, masks);
    }

    /** The photo seen through the camera: one truth frame a frame, appended to {@code out}. */
    private static void render(RgbImage photo, CameraMotion motion, int w, int h, int n, List<byte[]> out) {
        // The scene area every view covers, and the finest step (smallest scale) the camera samples at.
        double umin = Double.MAX_VALUE, umax = -Double.MAX_VALUE, vmin = Double.MAX_VALUE, vmax = -Double.MAX_VALUE, finest = Double.MAX_VALUE;
        double[][] affines = new double[n][];
        for (int t = 0; t < n; t++) {
            CameraMotion.Pose p = motion.at(t, n);
            double[] m = affines[t] = p.affine(w, h);
            finest = Math.min(finest, p.scale());
            for (double[] corner : new double[][] {{-0.5, -0.5}, {w - 0.5, -0.5}, {-0.5, h - 0.5}, {w - 0.5, h - 0.5}}) {
                double u = m[0] + m[1] * corner[0] + m[2] * corner[1], v = m[3] + m[4] * corner[0] + m[5] * corner[1];
                umin = Math.min(umin, u);
                umax = Math.max(umax, u);
                vmin = Math.min(vmin, v);
                vmax = Math.max(vmax, v);
            }
        }
        double q = Math.max(1, 1 / finest); // working pixels per scene pixel
        double fit = q * Math.max((umax - umin + 4) / photo.width(), (vmax - vmin + 4) / photo.height());
        int ww = (int) Math.ceil(photo.width() * fit), wh = (int) Math.ceil(photo.height() * fit);
        RgbImage work = photo.resize(ww, wh);
        double ox = (ww - 1) / 2.0 - q * (umin + umax) / 2, oy = (wh - 1) / 2.0 - q * (vmin + vmax) / 2;
        double[] rgb = new double[3];
        for (int t = 0; t < n; t++) {
            double[] m = affines[t];
            byte[] f = new byte[3 * w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    work.sample(ox + q * (m[0] + m[1] * x + m[2] * y), oy + q * (m[3] + m[4] * x + m[5] * y), rgb);
                    int i = 3 * (y * w + x);
                    for (int k = 0; k < 3; k++) f[i + k] = (byte) Math.clamp(Math.round(rgb[k]), 0, 255);
                }
            }
            out.add(f);
        }
    }

    private static String describe(CameraMotion m) {
        return switch (m) {
            case CameraMotion.Static s -> "none (static)";
            case CameraMotion.Pan p -> String.format("pan %.1f, %.1f px/frame", p.vx(), p.vy());
            case CameraMotion.Zoom z -> String.format("zoom in %.2fx to %.2fx", z.from(), z.to());
            case CameraMotion.Shake s -> String.format("shake up to %.1f px and %.1f deg", s.amplitude(), s.degrees());
        };
    }

    /**
     * The standard two objects for a {@code w x h} clip: a solid shape (ellipse or rectangle, hard
     * edge, a palette colour) and a textured sprite (an ellipse cut from {@code spriteSource} seen at the frame's width,
     * 2-pixel feathered edge), each about 4 % of the frame and moving its own width in 12 frames.
     */
    public static List<MovingObject> standardObjects(long seed, int w, int h, RgbImage spriteSource) {
        Random r = new Random(seed);
        MovingObject.Outline outline = r.nextBoolean() ? MovingObject.Outline.ELLIPSE : MovingObject.Outline.RECTANGLE;
        MovingObject shape = MovingObject.random(r, outline, MovingObject.PALETTE[r.nextInt(MovingObject.PALETTE.length)], 0, w, h, 0.04, 12);
        MovingObject sprite = MovingObject.random(r, MovingObject.Outline.ELLIPSE, new MovingObject.Fill.Solid(0, 0, 0), 2, w, h, 0.04, 12);
        // The sprite's texture: a patch of the source, seen at about the frame's width.
        double s = Math.min(1, (double) w / spriteSource.width());
        RgbImage src = s < 1 ? spriteSource.resize((int) Math.round(spriteSource.width() * s), (int) Math.round(spriteSource.height() * s)) : spriteSource;
        int tw = Math.min(src.width(), (int) Math.ceil(sprite.width()) + 4), th = Math.min(src.height(), (int) Math.ceil(sprite.height()) + 4);
        RgbImage patch = src.crop(r.nextInt(src.width() - tw + 1), r.nextInt(src.height() - th + 1), tw, th);
        sprite = new MovingObject(sprite.outline(), sprite.width(), sprite.height(), new MovingObject.Fill.Texture(patch), sprite.feather(), sprite.x0(), sprite.y0(), sprite.vx(), sprite.vy());
        return List.of(shape, sprite);
    }

    /** A clip over the installed photo {@code photo} ({@link Backgrounds}), with the standard objects. */
    public static Clip photo(String name, String photo, CameraMotion motion, int w, int h, int frames, long seed) {
        Background bg = new Background.Photo("photo " + photo + " (Debian package " + Backgrounds.PACKAGE + ")", Backgrounds.photo(photo));
        return make(name, bg, motion, w, h, frames, standardObjects(seed, w, h, Backgrounds.photo(Backgrounds.BRUSHES)));
    }

    /** A clip over the footage in {@code video} (a video file or a folder of frames), with the standard objects. */
    public static Clip footage(String name, Path video, int w, int h, int frames, long seed) {
        Background bg = new Background.Video("footage " + video.getFileName(), Footage.read(video, w, h, frames));
        return make(name, bg, new CameraMotion.Static(), w, h, frames, standardObjects(seed, w, h, Backgrounds.photo(Backgrounds.BRUSHES)));
    }

    /**
     * A clip over each piece of footage the user named ({@link Footage#configured()}), named after
     * its file; empty when none is named.
     */
    public static List<Clip> footageSet(int w, int h, int frames, long seed) {
        List<Clip> clips = new ArrayList<>();
        for (Path p : Footage.configured()) clips.add(footage(p.getFileName().toString().replaceFirst("\\.[^.]*$", ""), p, w, h, frames, seed + clips.size()));
        return clips;
    }

    /**
     * The standard synthetic set for {@code w x h}: two pans, two zooms (1.0x to 1.25x) and two
     * shakes, over four photos. Pan speed and shake amplitude scale with the frame's width (at
     * 432 pixels: 3 px/frame, 5.4 px and 1.5 degrees).
     */
    public static List<Clip> standardSet(int w, int h, int frames, long seed) {
        double k = w / 432.0;
        return List.of(
                photo("forest-pan", Backgrounds.FOREST, new CameraMotion.Pan(3 * k, 0.6 * k), w, h, frames, seed),
                photo("mountains-pan", Backgrounds.MOUNTAINS, new CameraMotion.Pan(-2.5 * k, -0.8 * k), w, h, frames, seed + 1),
                photo("hillside-zoom", Backgrounds.HILLSIDE, new CameraMotion.Zoom(1.0, 1.25), w, h, frames, seed + 2),
                photo("forest-zoom", Backgrounds.FOREST, new CameraMotion.Zoom(1.0, 1.25), w, h, frames, seed + 3),
                photo("leaves-shake", Backgrounds.LEAVES, new CameraMotion.Shake(5.4 * k, 1.5, seed + 4), w, h, frames, seed + 4),
                photo("mountains-shake", Backgrounds.MOUNTAINS, new CameraMotion.Shake(5.4 * k, 1.5, seed + 5), w, h, frames, seed + 5));
    }
}
