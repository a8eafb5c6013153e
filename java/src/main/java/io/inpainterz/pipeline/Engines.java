package io.inpainterz.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which implementation runs a stage: {@code neural} (SAM, DeAOT, E2FGVI: official weights) or
 * {@code classical} (the weight-free OpenCV engine). The engine choice {@code auto} takes neural
 * for a stage whose checkpoint is there, classical for one whose checkpoint is missing. The one
 * place of this choice and of what is said about it: {@code remove}/{@code track}'s
 * {@code --engine} and the page of {@code serve} both decide through {@link #decide}.
 */
public final class Engines {
    private Engines() {}

    /** A stage's implementation. */
    public enum Kind { neural, classical }

    /** The engine of every stage not chosen on its own. */
    public enum Choice { neural, classical, auto }

    /** A stage with a choice: the model it needs under neural, what it does under classical. */
    public enum Stage {
        segmenter("SAM", "segmenting with GrabCut"),
        tracker("DeAOT", "tracking along optical flow"),
        inpainter("E2FGVI", "inpainting with flow-guided propagation");

        public final String model;
        final String classically;

        Stage(String model, String classically) {
            this.model = model;
            this.classically = classically;
        }
    }

    /**
     * What one stage got: its kind, the checkpoint looked for, and whether {@code auto} fell back
     * to classical because that checkpoint is missing.
     */
    public record Decision(Stage stage, Kind kind, Path checkpoint, boolean fallback) {
        /** Why auto chose classical ("no SAM weights at ckpt/...: segmenting with GrabCut (weight-free)"), or null. */
        public String reason() {
            return fallback ? "no " + stage.model + " weights at " + checkpoint + ": " + stage.classically + " (weight-free)" : null;
        }
    }

    /**
     * The kind of one stage: its own choice when given ({@code stage} not null), else the engine's;
     * under {@code auto}, neural when {@code checkpoint} is a file or was {@code named} by the user
     * (an explicit {@code --sam FILE} asks for that model: a missing file is then an error, not a
     * silent fallback).
     */
    public static Kind resolve(Choice engine, Kind stage, Path checkpoint, boolean named) {
        if (stage != null) return stage;
        return switch (engine) {
            case neural -> Kind.neural;
            case classical -> Kind.classical;
            case auto -> named || (checkpoint != null && Files.isRegularFile(checkpoint)) ? Kind.neural : Kind.classical;
        };
    }

    /** {@link #resolve} with what is to be said about it. */
    public static Decision decide(Stage stage, Choice engine, Kind own, Path checkpoint, boolean named) {
        Kind kind = resolve(engine, own, checkpoint, named);
        return new Decision(stage, kind, checkpoint, own == null && engine == Choice.auto && kind == Kind.classical);
    }

    /** The notice of every run that inpaints with E2FGVI's weights. */
    public static String licence(Path e2fgvi) {
        return "E2FGVI's weights (" + e2fgvi.getFileName() + ") are licensed CC BY-NC 4.0: non-commercial use only";
    }
}
