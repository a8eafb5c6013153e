package io.inpainterz.engine;

/**
 * Facts of a video's main video stream.
 *
 * @param width, height  as displayed (rotation applied): the size of the frames a reader returns
 * @param rotation       degrees clockwise the reader applies: 0, 90, 180 or 270
 * @param frameCountExact whether frameCount comes from the container (else duration x fps)
 */
public record VideoInfo(String file, int width, int height, int codedWidth, int codedHeight, int rotation, int sarNum, int sarDen,
                        int bitDepth, double fps, boolean variableFrameRate, long frameCount, boolean frameCountExact, double durationS,
                        String codec, String pixelFormat, String container, String colorSpace, String colorRange, int audioStreams) {

    /** Display aspect ratio: width x sar / height. */
    public double displayAspect() {
        return (double) width * sarNum / ((double) height * sarDen);
    }
}
