package io.inpainterz.pipeline;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.engine.VideoWriter;
import java.nio.file.Path;

/**
 * {@code --matte-out FILE}: the dilated masks as a grayscale H.264 video (R = G = B; 255 =
 * removed, 0 = kept), a frame for each source frame at its timestamp, no audio. Like the output,
 * it appears at its path only once {@link #finish()}ed.
 */
final class MatteOut implements AutoCloseable {
    private final VideoWriter writer;
    private final Frame frame;
    private final int width, height;
    private final byte[] row, rgb;
    private boolean black;

    private MatteOut(VideoWriter writer, int width, int height) {
        this.writer = writer;
        this.frame = Frame.allocate(width, height);
        this.width = width;
        this.height = height;
        this.row = new byte[width];
        this.rgb = new byte[3 * width * height];
    }

    /** Opens the matte's writer: {@code options}' quality and fps, without audio. */
    static MatteOut open(Path file, int width, int height, VideoWriter.Options options) {
        VideoWriter w = VideoWriter.open(file, width, height, options.withSource(null));
        try {
            return new MatteOut(w, width, height);
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Writes the next frame at {@code ptsMicros}: white where {@code dilated} (the source's size) is nonzero, or all black when it is null. */
    void write(Mask dilated, long ptsMicros) {
        write(dilated, 0, 0, ptsMicros);
    }

    /**
     * Writes the next frame at {@code ptsMicros}: white where {@code part} is nonzero, placed with
     * its top left corner at ({@code x}, {@code y}) (a crop of the source), black elsewhere; all
     * black when {@code part} is null.
     */
    void write(Mask part, int x, int y, long ptsMicros) {
        if (part == null) {
            if (!black) {
                java.util.Arrays.fill(rgb, (byte) 0);
                frame.copyFrom(rgb);
                black = true;
            }
        } else {
            if (x < 0 || y < 0 || x + part.width() > width || y + part.height() > height) {
                throw new IllegalArgumentException("matte part " + part.width() + "x" + part.height() + "+" + x + "+" + y + " is outside the " + width + "x" + height + " frame");
            }
            if (part.width() != width || part.height() != height) java.util.Arrays.fill(rgb, (byte) 0);
            for (int r = 0; r < part.height(); r++) {
                part.copyRow(r, row);
                for (int i = 0, j = 3 * ((y + r) * width + x); i < part.width(); i++, j += 3) {
                    byte v = row[i] != 0 ? (byte) 255 : 0;
                    rgb[j] = v;
                    rgb[j + 1] = v;
                    rgb[j + 2] = v;
                }
            }
            frame.copyFrom(rgb);
            black = false;
        }
        writer.write(frame, ptsMicros);
    }

    /** Completes the file and moves it to its path. */
    void finish() {
        writer.finish();
    }

    /** Frees the writer; a matte not finished is deleted. */
    @Override
    public void close() {
        try {
            writer.close();
        } finally {
            frame.close();
        }
    }
}
