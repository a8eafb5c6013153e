package io.inpainterz.engine;

import io.inpainterz.nativeapi.SamBindings;

/**
 * Settings of {@link Sam#generate}. {@link #defaults()} come from the native library
 * (inp_sam_amg_default_params, which are upstream SamAutomaticMaskGenerator's); change what you
 * need with the {@code with} methods.
 */
public record AmgOptions(int pointsPerSide, int pointsPerBatch, double predIouThresh, double stabilityScoreThresh,
                         double stabilityScoreOffset, double boxNmsThresh, int cropNLayers, double cropNmsThresh,
                         double cropOverlapRatio, int cropNPointsDownscaleFactor, long minMaskRegionArea) {
    private static volatile AmgOptions defaults;

    public static AmgOptions defaults() {
        AmgOptions d = defaults;
        if (d == null) defaults = d = SamBindings.amgDefaults(AmgOptions.class);
        return d;
    }

    public AmgOptions withMinMaskRegionArea(long area) {
        return new AmgOptions(pointsPerSide, pointsPerBatch, predIouThresh, stabilityScoreThresh, stabilityScoreOffset, boxNmsThresh, cropNLayers,
                cropNmsThresh, cropOverlapRatio, cropNPointsDownscaleFactor, area);
    }

    public AmgOptions withPointsPerSide(int n) {
        return new AmgOptions(n, pointsPerBatch, predIouThresh, stabilityScoreThresh, stabilityScoreOffset, boxNmsThresh, cropNLayers,
                cropNmsThresh, cropOverlapRatio, cropNPointsDownscaleFactor, minMaskRegionArea);
    }

    public AmgOptions withCropLayers(int n) {
        return new AmgOptions(pointsPerSide, pointsPerBatch, predIouThresh, stabilityScoreThresh, stabilityScoreOffset, boxNmsThresh, n,
                cropNmsThresh, cropOverlapRatio, cropNPointsDownscaleFactor, minMaskRegionArea);
    }

    public AmgOptions withThresholds(double predIou, double stability) {
        return new AmgOptions(pointsPerSide, pointsPerBatch, predIou, stability, stabilityScoreOffset, boxNmsThresh, cropNLayers,
                cropNmsThresh, cropOverlapRatio, cropNPointsDownscaleFactor, minMaskRegionArea);
    }
}
