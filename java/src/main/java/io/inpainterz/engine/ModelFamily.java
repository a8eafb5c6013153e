package io.inpainterz.engine;

/** Mirrors {@code enum inp_model_family}. */
public enum ModelFamily {
    UNKNOWN, SAM, DEAOT, E2FGVI;

    public static ModelFamily of(int code) {
        return code >= 0 && code < values().length ? values()[code] : UNKNOWN;
    }

    /** Lower-case name as the CLI and the parity folders spell it. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
