package io.inpainterz;

/**
 * Every failure the engine reports. The subclass says what went wrong (the native status
 * code); the message names the file, key, frame or argument at fault.
 */
public abstract sealed class InpainterzException extends RuntimeException
        permits CheckpointException, VideoException, InvalidInputException, FileAccessException,
                UnsupportedInputException, DeviceException, CancelledException, InternalErrorException {

    private final Status status;
    private String detail = "";

    protected InpainterzException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /**
     * What the native side knew beyond the message (inp_last_error_detail: libtorch's source
     * location and backtrace); empty when there was nothing more. Worth logging for an
     * {@link InternalErrorException}.
     */
    public String detail() {
        return detail;
    }

    /** The exception that a native status code, its message and its detail stand for. */
    public static InpainterzException of(int code, String message, String detail) {
        InpainterzException e = of(code, message);
        e.detail = detail == null || detail.equals(message) ? "" : detail;
        return e;
    }

    /** The exception that a native status code and its message stand for. */
    public static InpainterzException of(int code, String message) {
        return switch (Status.of(code)) {
            case INVALID_ARGUMENT -> new InvalidInputException(message);
            case IO -> new FileAccessException(message);
            case CHECKPOINT -> new CheckpointException(message);
            case VIDEO -> new VideoException(message);
            case UNSUPPORTED -> new UnsupportedInputException(message);
            case DEVICE -> new DeviceException(message);
            case CANCELLED -> new CancelledException(message);
            case OK, INTERNAL, UNKNOWN -> new InternalErrorException(code, message);
        };
    }
}
