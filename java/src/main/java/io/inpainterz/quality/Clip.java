package io.inpainterz.quality;

import io.inpainterz.InvalidInputException;
import java.util.List;

/**
 * A clip with a known background: per frame, the composited {@code input} and the clean
 * {@code truth} (RGB24, {@code 3 x width x height} bytes) and the true object {@code masks}
 * (one byte a pixel, 255 where an object covers the pixel at all, 0 elsewhere).
 *
 * @param name short, for tables and file names
 * @param source where the background comes from and how it moves, for the report
 * @param realMotion whether the camera motion is real (footage) rather than synthetic (a warped photo)
 */
public record Clip(String name, String source, boolean realMotion, int width, int height, List<byte[]> input, List<byte[]> truth, List<byte[]> masks) {
    public Clip {
        input = List.copyOf(input);
        truth = List.copyOf(truth);
        masks = List.copyOf(masks);
        if (input.isEmpty() || input.size() != truth.size() || input.size() != masks.size()) {
            throw new InvalidInputException("clip " + name + ": " + input.size() + " input frames, " + truth.size() + " truth frames, " + masks.size() + " masks");
        }
        for (int t = 0; t < input.size(); t++) {
            if (input.get(t).length != 3 * width * height || truth.get(t).length != 3 * width * height || masks.get(t).length != width * height) {
                throw new InvalidInputException("clip " + name + " frame " + t + " is not " + width + "x" + height);
            }
        }
    }

    public int frames() {
        return input.size();
    }

    /** Input frame t as an image (shares the bytes). */
    public RgbImage inputImage(int t) {
        return new RgbImage(width, height, input.get(t));
    }

    /** Truth frame t as an image (shares the bytes). */
    public RgbImage truthImage(int t) {
        return new RgbImage(width, height, truth.get(t));
    }

    /** The share of all pixels of the clip inside the masks. */
    public double holeFraction() {
        long n = 0;
        for (byte[] m : masks) for (byte b : m) if (b != 0) n++;
        return (double) n / ((long) width * height * frames());
    }
}
