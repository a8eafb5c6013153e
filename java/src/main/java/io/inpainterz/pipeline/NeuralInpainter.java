package io.inpainterz.pipeline;

import io.inpainterz.engine.Job;
import java.nio.file.Path;

/**
 * E2FGVI ({@link io.inpainterz.engine.Inpainter}) as the inpainting stage, with the app's window
 * loop (neighbour stride 5, references every 10) within a bounded reference radius.
 *
 * <p>Working size of whole frames ({@code --crop off}): E2FGVI runs at 432x240 only, so every
 * frame is resized to it, as the app does. E2FGVI-HQ takes any size: frames keep the source size
 * up to {@link #HQ_LIMIT} (the long side within 864, the short within 480; larger frames are
 * scaled down to fit, keeping the aspect ratio), since its memory and time grow with the pixel count.
 */
public final class NeuralInpainter implements Inpainter {
    /** The only size E2FGVI takes. */
    public static final Size E2FGVI_SIZE = new Size(432, 240);
    /** The largest working size E2FGVI-HQ gets in whole-frame mode (landscape; transposed for portrait frames). */
    public static final Size HQ_LIMIT = new Size(864, 480);
    /** E2FGVI-HQ pads to multiples of 108x60 and needs at least half of that. */
    private static final Size HQ_MIN = new Size(108, 60);

    private final io.inpainterz.engine.Inpainter model;
    private final io.inpainterz.engine.Inpainter.SessionOptions options;
    private final boolean owned;

    private NeuralInpainter(io.inpainterz.engine.Inpainter model, io.inpainterz.engine.Inpainter.SessionOptions options, boolean owned) {
        this.model = model;
        this.options = options;
        this.owned = owned;
    }

    /** Loads E2FGVI or E2FGVI-HQ from {@code checkpoint}; closing the inpainter frees it. */
    public static NeuralInpainter load(Path checkpoint, io.inpainterz.engine.Inpainter.Options options, Job job) {
        return new NeuralInpainter(io.inpainterz.engine.Inpainter.load(checkpoint, options, job),
                io.inpainterz.engine.Inpainter.SessionOptions.defaults(), true);
    }

    /** Over a model the caller owns (and closes), with these session options (their dilation is replaced per session). */
    public static NeuralInpainter of(io.inpainterz.engine.Inpainter model, io.inpainterz.engine.Inpainter.SessionOptions options) {
        return new NeuralInpainter(model, options, false);
    }

    @Override
    public String description() {
        return model.variant();
    }

    public boolean isHq() {
        return model.isHq();
    }

    @Override
    public Size workingSize(int sourceWidth, int sourceHeight) {
        if (!model.isHq()) return E2FGVI_SIZE;
        boolean portrait = sourceHeight > sourceWidth;
        double boxW = portrait ? HQ_LIMIT.height() : HQ_LIMIT.width(), boxH = portrait ? HQ_LIMIT.width() : HQ_LIMIT.height();
        double f = Math.min(1.0, Math.min(boxW / sourceWidth, boxH / sourceHeight));
        f = Math.max(f, Math.max((double) HQ_MIN.width() / sourceWidth, (double) HQ_MIN.height() / sourceHeight));
        if (f == 1.0) return new Size(sourceWidth, sourceHeight);
        return new Size(Math.max(2, 2 * (int) Math.round(sourceWidth * f / 2)), Math.max(2, 2 * (int) Math.round(sourceHeight * f / 2)));
    }

    /** The app's: 4. */
    @Override
    public int defaultDilation() {
        return io.inpainterz.engine.Inpainter.SessionOptions.defaults().dilation();
    }

    @Override
    public Session newSession(int width, int height, int dilation) {
        return Session.of(model.session(width, height, options.withDilation(dilation)));
    }

    @Override
    public void close() {
        if (owned) model.close();
    }
}
