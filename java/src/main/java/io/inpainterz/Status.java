package io.inpainterz;

/** Mirrors {@code enum inp_status} in native/include/inpainterz.h, code for code. */
public enum Status {
    OK(0),
    INVALID_ARGUMENT(1),
    IO(2),
    CHECKPOINT(3),
    VIDEO(4),
    UNSUPPORTED(5),
    DEVICE(6),
    CANCELLED(7),
    INTERNAL(8),
    /** A code this jar does not know: the native library is newer than the jar. */
    UNKNOWN(-1);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Status of(int code) {
        for (Status s : values()) {
            if (s.code == code) return s;
        }
        return UNKNOWN;
    }
}
