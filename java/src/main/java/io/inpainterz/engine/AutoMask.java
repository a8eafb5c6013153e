package io.inpainterz.engine;

/**
 * One mask of {@link Sam#generate}, with upstream's annotation fields.
 *
 * @param bbox           x, y, w, h (w = x1 - x0 of the inclusive box, as upstream writes it)
 * @param area           pixels in the mask
 * @param point          the prompt point (x, y) in image pixels
 * @param cropBox        x, y, w, h of the crop the mask came from
 */
public record AutoMask(Mask segmentation, long[] bbox, long area, float predictedIou, float stabilityScore, double[] point, long[] cropBox) {}
