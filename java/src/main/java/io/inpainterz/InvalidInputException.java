package io.inpainterz;

/** An argument is out of range, NULL, or of the wrong shape. */
public final class InvalidInputException extends InpainterzException {
    public InvalidInputException(String message) {
        super(Status.INVALID_ARGUMENT, message);
    }
}
