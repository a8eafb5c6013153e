package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Masks as PNG files: 8-bit grayscale, one byte per pixel (255 = object, or an object id in index masks). */
public final class MaskPng {
    private MaskPng() {}

    /**
     * Writes {@code pixels} (width x height bytes, row after row) as an 8-bit grayscale PNG,
     * through a temporary file in the same folder that is then renamed, so {@code file} is
     * never half-written.
     */
    public static void write(byte[] pixels, int width, int height, Path file) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, pixels);
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) throw new FileAccessException("cannot write '" + file + "': folder '" + dir + "' does not exist");
        Path tmp = null;
        try {
            // Not Files.createTempFile: its owner-only permissions would stay on the mask.
            tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new FileAccessException("cannot write '" + file + "': " + e.getMessage());
        }
    }

    /**
     * The pixel values of an image file's first colour channel (palette images: the palette
     * index), width x height bytes; the file must be {@code width x height} (-1: any size). An
     * index mask reads back as its ids; a black-and-white mask as 0 and 255.
     */
    public static byte[] readValues(Path file, int width, int height) {
        BufferedImage img = readImage(file);
        check(file, img, width, height);
        Raster r = img.getRaster();
        byte[] out = new byte[img.getWidth() * img.getHeight()];
        int[] row = new int[img.getWidth()];
        for (int y = 0; y < img.getHeight(); y++) {
            r.getSamples(0, y, img.getWidth(), 1, 0, row);
            for (int x = 0; x < row.length; x++) out[y * row.length + x] = (byte) Math.min(255, row[x]);
        }
        return out;
    }

    /**
     * A mask prompt file as a binary mask (255 = object): pixels where any colour channel is
     * nonzero (alpha ignored; palette images: a nonzero index). It must be {@code width x height}.
     */
    public static byte[] readBinary(Path file, int width, int height) {
        BufferedImage img = readImage(file);
        check(file, img, width, height);
        Raster r = img.getRaster();
        int bands = img.getColorModel() instanceof IndexColorModel ? 1
                : img.getColorModel().getNumColorComponents();
        byte[] out = new byte[width * height];
        int[] row = new int[width];
        for (int b = 0; b < bands; b++) {
            for (int y = 0; y < height; y++) {
                r.getSamples(0, y, width, 1, b, row);
                for (int x = 0; x < width; x++) if (row[x] != 0) out[y * width + x] = (byte) 255;
            }
        }
        return out;
    }

    private static BufferedImage readImage(Path file) {
        if (!Files.isRegularFile(file)) throw new FileAccessException("mask file '" + file + "' does not exist or is not a file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("mask file '" + file + "' cannot be read as an image: " + e.getMessage());
        }
        if (img == null) throw new InvalidInputException("mask file '" + file + "' is not an image ImageIO reads (PNG, BMP, GIF, JPEG)");
        return img;
    }

    private static void check(Path file, BufferedImage img, int width, int height) {
        if (width >= 0 && (img.getWidth() != width || img.getHeight() != height)) {
            throw new InvalidInputException("mask file '" + file + "' is " + img.getWidth() + "x" + img.getHeight() + " but the video is "
                    + width + "x" + height + " (masks are in source pixels)");
        }
    }
}
