package io.inpainterz.engine;

/** Settings of {@link Sam#generate}; {@link #defaults()} are upstream SamAutomaticMaskGenerator's. */
public record AmgOptions(int pointsPerSide, int pointsPerBatch, double predIouThresh, double stabilityScoreThresh,
                         double stabilityScoreOffset, double boxNmsThresh, int cropNLayers, double cropNmsThresh,
                         double cropOverlapRatio, int cropNPointsDownscaleFactor, long minMaskRegionArea) {
    public static AmgOptions defaults() {
        return new AmgOptions(32, 64, 0.88, 0.95, 1.0, 0.7, 0, 0.7, 512.0 / 1500.0, 1, 0);
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
