package io.inpainterz.testing;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Test clips for the pipeline, made by the ffmpeg CLI: a moving magenta box over a textured
 * (a lightly blurred test pattern: a re-encode at CRF 18 keeps it above 41 dB, a resize to 432x240 and back does not reach 34), panning background, with a sine audio track; and the independent
 * helpers that judge the output (decoding with ffmpeg, nearest resize, cross dilation, PSNR).
 */
public final class Clips {
    private Clips() {}

    /** A box of pixels [x, x + w) x [y, y + h). */
    public record Box(int x, int y, int w, int h) {
        public boolean contains(int px, int py) {
            return px >= x && px < x + w && py >= y && py < y + h;
        }

        public byte[] mask(int width, int height) {
            byte[] m = new byte[width * height];
            for (int py = Math.max(0, y); py < Math.min(height, y + h); py++) {
                for (int px = Math.max(0, x); px < Math.min(width, x + w); px++) m[py * width + px] = (byte) 255;
            }
            return m;
        }
    }

    /**
     * A clip of {@code frames} frames at 25 fps, {@code width x height}: the background pans 2
     * pixels a frame; the box ({@link #movingBox}) moves {@code speed} pixels a frame.
     */
    public static Path make(Path dir, String name, int width, int height, int frames, Box start, int speed) throws Exception {
        Path out = dir.resolve(name);
        String bg = "testsrc2=s=" + (2 * width) + "x" + (2 * height) + ":r=25,format=rgb24,gblur=sigma=0.7,crop=" + width + ":" + height + ":x='t*50':y=" + height / 4;
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", bg,
                "-f", "lavfi", "-i", "color=c=0xff00ff:s=" + start.w() + "x" + start.h() + ":r=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-filter_complex", "[0][1]overlay=x='" + start.x() + "+t*" + 25 * speed + "':y=" + start.y() + ":eval=frame[v]",
                "-map", "[v]", "-map", "2", "-t", String.valueOf(frames / 25.0), "-c:v", "libx264", "-threads", "1", "-crf", "12",
                "-pix_fmt", (width % 2 == 0 && height % 2 == 0) ? "yuv420p" : "yuv444p", "-c:a", "aac", out.toString()));
        Ffmpeg.run(cmd.toArray(String[]::new));
        return out;
    }

    public static Box movingBox(Box start, int speed, int frame) {
        return new Box(start.x() + speed * frame, start.y(), start.w(), start.h());
    }

    /** Every frame as RGB24, decoded by the ffmpeg CLI. */
    public static byte[][] frames(Path video, int width, int height) throws Exception {
        byte[] all = Ffmpeg.run("ffmpeg", "-v", "error", "-i", video.toString(), "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
        int size = width * height * 3;
        byte[][] out = new byte[all.length / size][];
        for (int i = 0; i < out.length; i++) out[i] = java.util.Arrays.copyOfRange(all, i * size, (i + 1) * size);
        return out;
    }

    /** An 8-bit grayscale PNG's values. */
    public static byte[] readPng(Path file) throws Exception {
        BufferedImage img = ImageIO.read(file.toFile());
        byte[] out = new byte[img.getWidth() * img.getHeight()];
        img.getRaster().getDataElements(0, 0, img.getWidth(), img.getHeight(), out);
        return out;
    }

    public static void writePng(Path file, byte[] values, int width, int height) throws Exception {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, values);
        ImageIO.write(img, "png", file.toFile());
    }

    /**
     * Pillow's NEAREST: output (x, y) takes input (floor((x + 0.5) * sx), floor((y + 0.5) * sy))
     * with the scales sx = w / ow, sy = h / oh computed first, in doubles, as Pillow does: where
     * (y + 0.5) * h / oh is a whole number, the rounded scale can land just below it (352 to 240
     * rows: output row 82 takes input row 120, not 121).
     */
    public static byte[] nearest(byte[] m, int w, int h, int ow, int oh) {
        byte[] out = new byte[ow * oh];
        double sx = (double) w / ow, sy = (double) h / oh;
        for (int y = 0; y < oh; y++) {
            int iy = Math.min(h - 1, (int) ((y + 0.5) * sy));
            for (int x = 0; x < ow; x++) out[y * ow + x] = m[iy * w + Math.min(w - 1, (int) ((x + 0.5) * sx))];
        }
        return out;
    }

    /** cv2.dilate with a 3x3 cross, {@code n} times (outside = background); nonzero becomes 255. */
    public static byte[] dilate(byte[] m, int w, int h, int n) {
        byte[] cur = new byte[m.length];
        for (int i = 0; i < m.length; i++) cur[i] = m[i] != 0 ? (byte) 255 : 0;
        for (int it = 0; it < n; it++) {
            byte[] next = cur.clone();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    if (cur[i] != 0) continue;
                    if ((x > 0 && cur[i - 1] != 0) || (x < w - 1 && cur[i + 1] != 0) || (y > 0 && cur[i - w] != 0) || (y < h - 1 && cur[i + w] != 0)) {
                        next[i] = (byte) 255;
                    }
                }
            }
            cur = next;
        }
        return cur;
    }

    /** The pipeline's region of change, computed here: the label map resized to the working size, dilated, resized back. */
    public static byte[] changedRegion(byte[] labels, int w, int h, int ww, int wh, int dilation) {
        return nearest(dilate(nearest(labels, w, h, ww, wh), ww, wh, dilation), ww, wh, w, h);
    }

    /** The {@code box}'s pixels of a {@code w}-wide image of {@code channels} bytes a pixel. */
    public static byte[] cut(byte[] image, int w, int channels, Box box) {
        byte[] out = new byte[box.w() * box.h() * channels];
        for (int y = 0; y < box.h(); y++) System.arraycopy(image, ((box.y() + y) * w + box.x()) * channels, out, y * box.w() * channels, box.w() * channels);
        return out;
    }

    /**
     * The pipeline's region of change with the crop on, computed here: the label map's {@code crop}
     * resized to the working size, dilated, resized back to the crop and placed in the frame.
     */
    public static byte[] changedRegion(byte[] labels, int w, int h, Box crop, int ww, int wh, int dilation) {
        byte[] small = nearest(dilate(nearest(cut(labels, w, 1, crop), crop.w(), crop.h(), ww, wh), ww, wh, dilation), ww, wh, crop.w(), crop.h());
        byte[] out = new byte[w * h];
        for (int y = 0; y < crop.h(); y++) System.arraycopy(small, y * crop.w(), out, (crop.y() + y) * w + crop.x(), crop.w());
        return out;
    }

    /** PSNR (dB) of two RGB24 images over the pixels where {@code select} is nonzero (all when null); +inf when equal. */
    public static double psnr(byte[] a, byte[] b, byte[] select, boolean inside) {
        double se = 0;
        long n = 0;
        for (int p = 0; p < a.length / 3; p++) {
            if (select != null && (select[p] != 0) != inside) continue;
            for (int c = 0; c < 3; c++) {
                double d = (a[3 * p + c] & 0xff) - (b[3 * p + c] & 0xff);
                se += d * d;
            }
            n += 3;
        }
        if (n == 0) throw new AssertionError("no pixel selected");
        return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (se / n));
    }

    /** The largest difference of any channel over the selected pixels. */
    public static int maxAbs(byte[] a, byte[] b, byte[] select, boolean inside) {
        int m = -1;
        for (int p = 0; p < a.length / 3; p++) {
            if (select != null && (select[p] != 0) != inside) continue;
            for (int c = 0; c < 3; c++) m = Math.max(m, Math.abs((a[3 * p + c] & 0xff) - (b[3 * p + c] & 0xff)));
        }
        if (m < 0) throw new AssertionError("no pixel selected");
        return m;
    }

    /** Mean absolute difference over the selected pixels. */
    public static double meanAbs(byte[] a, byte[] b, byte[] select, boolean inside) {
        double s = 0;
        long n = 0;
        for (int p = 0; p < a.length / 3; p++) {
            if (select != null && (select[p] != 0) != inside) continue;
            for (int c = 0; c < 3; c++) s += Math.abs((a[3 * p + c] & 0xff) - (b[3 * p + c] & 0xff));
            n += 3;
        }
        if (n == 0) throw new AssertionError("no pixel selected");
        return s / n;
    }

    /**
     * Asserts that a decoded matte frame (RGB24) shows {@code want} (nonzero = removed) once
     * thresholded at 128 in every channel, as an editor's luma key would read it: at the default
     * CRF the codec's error moves no pixel across.
     */
    public static void assertMatte(byte[] want, byte[] rgb, String what) {
        long misses = 0;
        for (int i = 0; i < want.length; i++) {
            boolean on = want[i] != 0;
            if (((rgb[3 * i] & 0xff) >= 128) != on || ((rgb[3 * i + 1] & 0xff) >= 128) != on || ((rgb[3 * i + 2] & 0xff) >= 128) != on) misses++;
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, misses, what + ": matte pixels on the wrong side of 128");
    }

    /** A decoded matte frame (RGB24) as a mask, read as {@link #assertMatte} reads it: 1 where every channel is at least 128. */
    public static byte[] threshold(byte[] rgb) {
        byte[] out = new byte[rgb.length / 3];
        for (int i = 0; i < out.length; i++) {
            if ((rgb[3 * i] & 0xff) >= 128 && (rgb[3 * i + 1] & 0xff) >= 128 && (rgb[3 * i + 2] & 0xff) >= 128) out[i] = 1;
        }
        return out;
    }

    public static long count(byte[] m) {
        long n = 0;
        for (byte b : m) if (b != 0) n++;
        return n;
    }

    /** Video packets of stream {@code stream} ("v:0", "a:0") as ffprobe counts them. */
    public static long packets(Path file, String stream) throws Exception {
        return Long.parseLong(Ffmpeg.probe(file, "-select_streams", stream, "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"));
    }

    /** "WIDTHxHEIGHT" of the first video stream. */
    public static String size(Path file) throws Exception {
        return Ffmpeg.probe(file, "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=s=x:p=0");
    }
}
