package io.inpainterz;

/** A checkpoint is malformed, truncated, or refused by the safe reader. */
public final class CheckpointException extends InpainterzException {
    public CheckpointException(String message) {
        super(Status.CHECKPOINT, message);
    }
}
