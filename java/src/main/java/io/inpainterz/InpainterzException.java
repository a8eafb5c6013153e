package io.inpainterz;

/**
 * Every failure the engine reports. The subclass says what went wrong (the native status
 * code); the message names the file, key, frame or argument at fault.
 */
public abstract sealed class InpainterzException extends RuntimeException
        permits CheckpointException, VideoException, InvalidInputException, FileAccessException,
                UnsupportedInputException, DeviceException, CancelledException, InternalErrorException {

    private final Status status;

    protected InpainterzException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public Status status() {
        return status;
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
