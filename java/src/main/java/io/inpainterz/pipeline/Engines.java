package io.inpainterz.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which implementation runs a stage: {@code neural} (SAM, DeAOT, E2FGVI: official weights) or
 * {@code classical} (the weight-free OpenCV engine). The engine choice {@code auto} takes neural
 * for a stage whose checkpoint is there, classical for one whose checkpoint is missing.
 */
public final class Engines {
    private Engines() {}

    /** A stage's implementation. */
    public enum Kind { neural, classical }

    /** The engine of every stage not chosen on its own. */
    public enum Choice { neural, classical, auto }

    /**
     * The kind of one stage: its own choice when given ({@code stage} not null), else the engine's;
     * under {@code auto}, neural when {@code checkpoint} is a file.
     */
    public static Kind resolve(Choice engine, Kind stage, Path checkpoint) {
        if (stage != null) return stage;
        return switch (engine) {
            case neural -> Kind.neural;
            case classical -> Kind.classical;
            case auto -> checkpoint != null && Files.isRegularFile(checkpoint) ? Kind.neural : Kind.classical;
        };
    }
}
