package io.inpainterz;

/** A video cannot be demuxed, decoded or encoded. */
public final class VideoException extends InpainterzException {
    public VideoException(String message) {
        super(Status.VIDEO, message);
    }
}
