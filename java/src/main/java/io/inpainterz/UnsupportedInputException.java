package io.inpainterz;

/** Valid input this build cannot handle (a dtype, a codec, a device). */
public final class UnsupportedInputException extends InpainterzException {
    public UnsupportedInputException(String message) {
        super(Status.UNSUPPORTED, message);
    }
}
