package io.inpainterz.cli;

import io.inpainterz.engine.Classical;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.ModelFamily;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.Tracker;
import io.inpainterz.pipeline.AutoSegmenter;
import io.inpainterz.pipeline.ClassicalInpainter;
import io.inpainterz.pipeline.ClassicalSegmenter;
import io.inpainterz.pipeline.ClassicalTracker;
import io.inpainterz.pipeline.Engines;
import io.inpainterz.pipeline.NeuralInpainter;
import io.inpainterz.pipeline.NeuralSegmenter;
import io.inpainterz.pipeline.NeuralTracker;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.RemovePipeline.StageFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --engine} and the per-stage choices of {@code remove} and {@code track}: each stage's
 * factory, after its checkpoint was checked (neural) or with a notice saying what {@code auto}
 * chose and why.
 */
final class EngineOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--engine", paramLabel = "neural|classical|auto", defaultValue = "auto", description = "neural: SAM, DeAOT and E2FGVI "
            + "(official weights in ckpt/ or given); classical: the weight-free OpenCV engine (GrabCut, optical-flow tracking, flow-guided "
            + "inpainting; no non-commercial weights); auto: neural for each stage whose weights are present, classical for the others, "
            + "and it says which. Default: ${DEFAULT-VALUE}.")
    Engines.Choice engine;

    @Option(names = "--segmenter", paramLabel = "neural|classical", description = "the segmentation stage alone (default: the --engine's choice)")
    Engines.Kind segmenter;

    @Option(names = "--tracker", paramLabel = "neural|classical", description = "the tracking stage alone (default: the --engine's choice)")
    Engines.Kind tracker;

    @Option(names = "--inpainter", paramLabel = "neural|classical", description = "the inpainting stage alone (default: the --engine's choice)")
    Engines.Kind inpainter;

    @Option(names = "--refine-every", paramLabel = "N", description = "classical tracker: GrabCut refinement of each object's edge every N "
            + "frames (0: never). Default: ${DEFAULT-VALUE}.")
    int refineEvery;

    StageFactory<? extends io.inpainterz.pipeline.Segmenter> segmenter(ModelOptions models, Consumer<String> notice) {
        Engines.Kind kind = kind(Engines.Stage.segmenter, segmenter, models.sam, ModelOptions.DEFAULT_SAM, notice);
        if (kind == Engines.Kind.classical) return j -> new ClassicalSegmenter();
        Path sam = ModelOptions.checkpoint(models.sam, "--sam", ModelOptions.DEFAULT_SAM, ModelFamily.SAM);
        Sam.Options o = Sam.Options.defaults().withDevice(models.device(true));
        return j -> NeuralSegmenter.load(sam, o, j);
    }

    StageFactory<? extends io.inpainterz.pipeline.Tracker> tracker(ModelOptions models, Consumer<String> notice) {
        Engines.Kind kind = kind(Engines.Stage.tracker, tracker, models.deaot, ModelOptions.DEFAULT_DEAOT, notice);
        if (kind == Engines.Kind.classical) {
            Classical.TrackerOptions o = Classical.TrackerOptions.defaults().withRefineEvery(refineEvery);
            return j -> new ClassicalTracker(o);
        }
        Path deaot = ModelOptions.checkpoint(models.deaot, "--deaot", ModelOptions.DEFAULT_DEAOT, ModelFamily.DEAOT);
        Tracker.Options o = Tracker.Options.defaults().withDevice(models.trackerDevice());
        return j -> NeuralTracker.load(deaot, o, j);
    }

    StageFactory<? extends io.inpainterz.pipeline.Inpainter> inpainter(ModelOptions models, Path e2fgvi, Consumer<String> notice) {
        Engines.Kind kind = kind(Engines.Stage.inpainter, inpainter, e2fgvi, ModelOptions.DEFAULT_E2FGVI, notice);
        if (kind == Engines.Kind.classical) return j -> new ClassicalInpainter();
        Path e2 = ModelOptions.checkpoint(e2fgvi, "--e2fgvi", ModelOptions.DEFAULT_E2FGVI, ModelFamily.E2FGVI);
        Inpainter.Options o = Inpainter.Options.defaults().withDevice(models.device(true));
        notice.accept(Engines.licence(e2));
        return j -> NeuralInpainter.load(e2, o, j);
    }

    /**
     * SAM's automatic mask generator for {@code track --everything}: the neural segmenter only.
     * The weight-free engine, or no SAM weights where the default should be, is a usage error.
     */
    StageFactory<? extends AutoSegmenter> autoSegmenter(ModelOptions models) {
        if (refineEvery < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--refine-every must be >= 0, got " + refineEvery);
        if (segmenter == Engines.Kind.classical || (segmenter == null && engine == Engines.Choice.classical)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--everything needs SAM's automatic mask generator, and the weight-free "
                    + "engine has none: use --engine neural or auto (or --segmenter neural) with SAM weights");
        }
        Path file = models.sam != null ? models.sam : ModelOptions.defaultPath(ModelOptions.DEFAULT_SAM);
        if (models.sam == null && !Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--everything needs SAM weights, and the default checkpoint " + file
                    + " is missing: fetch it with ckpt/download.sh (inpainterz models download) or pass --sam FILE");
        }
        Path sam = ModelOptions.checkpoint(models.sam, "--sam", ModelOptions.DEFAULT_SAM, ModelFamily.SAM);
        Sam.Options o = Sam.Options.defaults().withDevice(models.device(true));
        return j -> NeuralSegmenter.load(sam, o, j);
    }

    /**
     * What {@code track --matte-out} follows: the inpainter that {@code remove} would choose with
     * these engine options and its default {@code --e2fgvi} (E2FGVI: 432x240, dilation 4; the
     * weight-free inpainter: the source's size within 1280x720, dilation 8), without loading it.
     */
    RemovePipeline.MatteRule matteRule() {
        Engines.Kind kind = Engines.resolve(engine, inpainter, ModelOptions.defaultPath(ModelOptions.DEFAULT_E2FGVI), false);
        return kind == Engines.Kind.classical ? RemovePipeline.MatteRule.of(new ClassicalInpainter()) : RemovePipeline.MatteRule.e2fgvi();
    }

    private Engines.Kind kind(Engines.Stage stage, Engines.Kind own, Path given, String defaultName, Consumer<String> notice) {
        if (refineEvery < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--refine-every must be >= 0, got " + refineEvery);
        Engines.Decision d = Engines.decide(stage, engine, own, given != null ? given : ModelOptions.defaultPath(defaultName), given != null);
        if (d.fallback()) notice.accept("--engine auto: " + d.reason());
        return d.kind();
    }
}
