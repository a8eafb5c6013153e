package io.inpainterz.pipeline;

import io.inpainterz.engine.Classical;

/**
 * Flow-guided inpainting ({@link Classical.FlowInpainter}) as the inpainting stage: hole pixels
 * taken from the nearest frames that show them along completed optical flow, the rest carried
 * from the previous output or filled with patches of the frame. No weights, no non-commercial licence.
 *
 * <p>Working size of whole frames: the source's, scaled down to fit {@link #LIMIT} (transposed
 * for portrait frames), since the pixels it copies are sharper at the source's resolution than
 * anything a resize gives back.
 */
public final class ClassicalInpainter implements Inpainter {
    /** The largest working size (landscape). */
    public static final Size LIMIT = new Size(1280, 720);

    private final Classical.InpainterOptions options;

    public ClassicalInpainter(Classical.InpainterOptions options) {
        this.options = options;
    }

    public ClassicalInpainter() {
        this(Classical.InpainterOptions.defaults());
    }

    @Override
    public String description() {
        return "flow-guided propagation + patch fill (weight-free)";
    }

    @Override
    public Size workingSize(int sourceWidth, int sourceHeight) {
        boolean portrait = sourceHeight > sourceWidth;
        double boxW = portrait ? LIMIT.height() : LIMIT.width(), boxH = portrait ? LIMIT.width() : LIMIT.height();
        double f = Math.min(1.0, Math.min(boxW / sourceWidth, boxH / sourceHeight));
        if (f == 1.0) return new Size(sourceWidth, sourceHeight);
        return new Size(Math.max(2, 2 * (int) Math.round(sourceWidth * f / 2)), Math.max(2, 2 * (int) Math.round(sourceHeight * f / 2)));
    }

    /**
     * 8, twice the app's: the mask comes from the weight-free tracker, whose edges are less sure, and
     * pixels propagated from other frames fill a wider ring as well as a narrow one.
     */
    @Override
    public int defaultDilation() {
        return options.dilation();
    }

    @Override
    public Session newSession(int width, int height, int dilation) {
        return Session.of(Classical.inpainter(width, height, options.withDilation(dilation)));
    }

    @Override
    public void close() {}
}
