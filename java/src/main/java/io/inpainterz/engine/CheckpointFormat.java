package io.inpainterz.engine;

/** Mirrors {@code enum inp_checkpoint_format}. */
public enum CheckpointFormat {
    UNKNOWN, ZIP, LEGACY;

    public static CheckpointFormat of(int code) {
        return code >= 0 && code < values().length ? values()[code] : UNKNOWN;
    }
}
