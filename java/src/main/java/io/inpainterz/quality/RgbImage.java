package io.inpainterz.quality;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * An RGB24 picture on the Java heap: {@code data} holds {@code width x height} pixels row after
 * row, 3 bytes (R, G, B) each. The quality harness's one frame type; {@link #toFrame} and
 * {@link #of(Frame)} cross to the engine's off-heap {@link Frame}.
 */
public record RgbImage(int width, int height, byte[] data) {
    public RgbImage {
        if (width < 1 || height < 1) throw new InvalidInputException("image size " + width + "x" + height + " is invalid; both must be >= 1");
        if (data.length != 3L * width * height) {
            throw new InvalidInputException("an RGB24 image of " + width + "x" + height + " holds " + 3L * width * height + " bytes, the array " + data.length);
        }
    }

    /** A black image. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[3 * width * height]);
    }

    /** Reads any image ImageIO decodes (PNG, JPEG, ...), as RGB. */
    public static RgbImage read(Path file) {
        BufferedImage img;
        try {
            img = Files.isRegularFile(file) ? ImageIO.read(file.toFile()) : null;
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read the image: " + e.getMessage());
        }
        if (img == null) throw new FileAccessException(file + ": missing, or not an image ImageIO can decode");
        return of(img);
    }

    public static RgbImage of(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] d = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], i = 3 * (y * w + x);
                d[i] = (byte) (p >> 16);
                d[i + 1] = (byte) (p >> 8);
                d[i + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, d);
    }

    /** A copy of the engine frame's pixels. */
    public static RgbImage of(Frame frame) {
        byte[] d = new byte[(int) frame.packedSize()];
        frame.copyTo(d);
        return new RgbImage(frame.width(), frame.height(), d);
    }

    /** A new engine frame (its own memory: close it) holding a copy of these pixels. */
    public Frame toFrame() {
        Frame f = Frame.allocate(width, height);
        f.copyFrom(data);
        return f;
    }

    /** A new engine mask (its own memory: close it) from one byte a pixel, {@code width x height}. */
    public static Mask toMask(byte[] mask, int width, int height) {
        Mask m = Mask.allocate(width, height);
        m.copyFrom(mask);
        return m;
    }

    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = 3 * (y * width + x);
                row[x] = (data[i] & 0xff) << 16 | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return img;
    }

    public void writePng(Path file) {
        try {
            ImageIO.write(toBufferedImage(), "png", file.toFile());
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot write the PNG: " + e.getMessage());
        }
    }

    /** Channel {@code c} of pixel (x, y), 0-255. */
    public int get(int x, int y, int c) {
        return data[3 * (y * width + x) + c] & 0xff;
    }

    /** The pixels [x, x + w) x [y, y + h), which must lie inside. */
    public RgbImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
            throw new InvalidInputException("crop " + w + "x" + h + " at " + x + "," + y + " is outside the " + width + "x" + height + " image");
        }
        byte[] d = new byte[3 * w * h];
        for (int r = 0; r < h; r++) System.arraycopy(data, 3 * ((y + r) * width + x), d, 3 * r * w, 3 * w);
        return new RgbImage(w, h, d);
    }

    /**
     * Resized to {@code w x h}: an area average (each output pixel the mean of the input area it
     * covers, fractional pixels weighted) when shrinking, so a large photo does not alias;
     * bilinear when growing. Each axis is handled on its own.
     */
    public RgbImage resize(int w, int h) {
        if (w < 1 || h < 1) throw new InvalidInputException("resize to " + w + "x" + h + " is invalid; both must be >= 1");
        float[] src = new float[data.length];
        for (int i = 0; i < data.length; i++) src[i] = data[i] & 0xff;
        float[] rows = resample(src, width, height, w, true); // w x height
        float[] both = resample(rows, w, height, h, false); // w x h
        byte[] d = new byte[3 * w * h];
        for (int i = 0; i < d.length; i++) d[i] = (byte) Math.clamp(Math.round(both[i]), 0, 255);
        return new RgbImage(w, h, d);
    }

    /** Resamples one axis of a {@code sw x sh} RGB float image (float: a 16-megapixel photo stays near 200 MB) to {@code n} samples. */
    private static float[] resample(float[] src, int sw, int sh, int n, boolean horizontal) {
        int len = horizontal ? sw : sh, other = horizontal ? sh : sw;
        int ow = horizontal ? n : sw, oh = horizontal ? sh : n;
        float[] out = new float[3 * ow * oh];
        double scale = (double) len / n;
        for (int o = 0; o < n; o++) {
            // The input taps and weights of output sample o along the axis.
            int first;
            double[] wts;
            if (scale > 1) { // shrink: the area [o * scale, (o + 1) * scale)
                double a = o * scale, b = (o + 1) * scale;
                first = (int) Math.floor(a);
                int last = Math.min(len - 1, (int) Math.ceil(b) - 1);
                wts = new double[last - first + 1];
                for (int k = first; k <= last; k++) wts[k - first] = (Math.min(b, k + 1) - Math.max(a, k)) / scale;
            } else { // grow: bilinear between pixel centres, edges clamped
                double s = Math.clamp((o + 0.5) * scale - 0.5, 0, len - 1);
                first = Math.min((int) Math.floor(s), Math.max(0, len - 2));
                double f = s - first;
                wts = len == 1 ? new double[] {1} : new double[] {1 - f, f};
            }
            for (int q = 0; q < other; q++) {
                double r = 0, g = 0, b = 0;
                for (int k = 0; k < wts.length; k++) {
                    int p = first + k;
                    int i = 3 * (horizontal ? q * sw + p : p * sw + q);
                    r += wts[k] * src[i];
                    g += wts[k] * src[i + 1];
                    b += wts[k] * src[i + 2];
                }
                int j = 3 * (horizontal ? q * ow + o : o * ow + q);
                out[j] = (float) r;
                out[j + 1] = (float) g;
                out[j + 2] = (float) b;
            }
        }
        return out;
    }

    /**
     * Bilinear sample at (u, v) in pixel-centre coordinates (pixel (0, 0)'s centre is (0, 0)),
     * edges clamped, written as 3 doubles into {@code rgb}.
     */
    public void sample(double u, double v, double[] rgb) {
        u = Math.clamp(u, 0, width - 1);
        v = Math.clamp(v, 0, height - 1);
        int x0 = Math.min((int) u, Math.max(0, width - 2)), y0 = Math.min((int) v, Math.max(0, height - 2));
        int x1 = Math.min(x0 + 1, width - 1), y1 = Math.min(y0 + 1, height - 1);
        double fx = u - x0, fy = v - y0;
        int i00 = 3 * (y0 * width + x0), i01 = 3 * (y0 * width + x1), i10 = 3 * (y1 * width + x0), i11 = 3 * (y1 * width + x1);
        for (int c = 0; c < 3; c++) {
            double top = (data[i00 + c] & 0xff) * (1 - fx) + (data[i01 + c] & 0xff) * fx;
            double bottom = (data[i10 + c] & 0xff) * (1 - fx) + (data[i11 + c] & 0xff) * fx;
            rgb[c] = top * (1 - fy) + bottom * fy;
        }
    }
}
