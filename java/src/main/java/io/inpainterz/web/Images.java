package io.inpainterz.web;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Frames and masks as the bytes the page gets: JPEG or PNG frames, 8-bit PNG label maps; label maps kept deflated. */
final class Images {
    private Images() {}

    /** RGB24 pixels (row after row) as JPEG (quality 0..1) or PNG. */
    static byte[] encodeRgb(byte[] rgb, int width, int height, boolean png) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) { // BGR in memory
            dst[i] = rgb[i + 2];
            dst[i + 1] = rgb[i + 1];
            dst[i + 2] = rgb[i];
        }
        return png ? png(img) : jpeg(img, 0.9f);
    }

    /** An 8-bit grayscale PNG of {@code values} (ids of a label map). */
    static byte[] encodeGray(byte[] values, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, values);
        return png(img);
    }

    private static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage img, float quality) {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            w.setOutput(ios);
            w.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            w.dispose();
        }
        return out.toByteArray();
    }

    /** A label map, deflated fast (solid regions shrink a thousandfold). */
    static byte[] pack(byte[] map) {
        Deflater d = new Deflater(1);
        try {
            d.setInput(map);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            byte[] buf = new byte[8192];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static byte[] unpack(byte[] packed, int size) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(packed);
            byte[] out = new byte[size];
            int n = 0;
            while (n < size && !inf.finished()) n += inf.inflate(out, n, size - n);
            return out;
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt packed mask", e);
        } finally {
            inf.end();
        }
    }
}
