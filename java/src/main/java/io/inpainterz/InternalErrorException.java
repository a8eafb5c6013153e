package io.inpainterz;

/** A bug in the engine (an unexpected native exception), or a status code this jar does not know. */
public final class InternalErrorException extends InpainterzException {
    private final int code;

    public InternalErrorException(int code, String message) {
        super(Status.of(code) == Status.UNKNOWN ? Status.UNKNOWN : Status.INTERNAL, message);
        this.code = code;
    }

    /** The raw native status code. */
    public int code() {
        return code;
    }
}
