package io.inpainterz;

/** A progress listener or a cancel request stopped the work; nothing was left behind. */
public final class CancelledException extends InpainterzException {
    public CancelledException(String message) {
        super(Status.CANCELLED, message);
    }
}
