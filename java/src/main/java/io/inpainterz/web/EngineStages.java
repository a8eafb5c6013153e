package io.inpainterz.web;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.Tracker;
import io.inpainterz.pipeline.ClassicalInpainter;
import io.inpainterz.pipeline.ClassicalSegmenter;
import io.inpainterz.pipeline.ClassicalTracker;
import io.inpainterz.pipeline.Engines;
import io.inpainterz.pipeline.NeuralInpainter;
import io.inpainterz.pipeline.NeuralSegmenter;
import io.inpainterz.pipeline.NeuralTracker;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The server's real stages, by the engine names of {@code remove --engine}: {@code auto} (the
 * default), {@code neural} and {@code classical}, each stage decided as the CLI decides it
 * ({@link Engines#decide}: under auto, neural where its checkpoint is a file, looked up at each
 * job, so weights fetched while the server runs are used from the next job on). Each model is
 * loaded once, on first use, and kept until the server stops; every job gets wrappers over the
 * loaded models. The classical stages need no weights: one GrabCut segmenter serves every
 * session, and each job gets its own flow tracker and inpainter.
 */
public final class EngineStages implements StageSource {
    /** The neural engine's checkpoints (serve's --sam/--deaot/--e2fgvi or ckpt/ of the installation) and options, as {@code remove} takes them. */
    public record Neural(Path sam, Path deaot, Path e2fgvi, Sam.Options samOptions, Tracker.Options deaotOptions, Inpainter.Options e2fgviOptions) {}

    private static final List<String> ENGINES = List.of("auto", "neural", "classical"); // the default first

    private final Neural neural;
    private final ClassicalSegmenter grabCut = new ClassicalSegmenter(); // holds nothing between prompts
    private Sam sam;          // guarded by this
    private Tracker deaot;    // guarded by this
    private Inpainter e2fgvi; // guarded by this

    public EngineStages(Neural neural) {
        this.neural = neural;
    }

    @Override
    public List<String> engines() {
        return ENGINES;
    }

    @Override
    public int defaultDilate(String engine) {
        // remove --dilate's default: the inpainter's own
        return decide(engine, Engines.Stage.inpainter).kind() == Engines.Kind.neural ? io.inpainterz.engine.Inpainter.SessionOptions.defaults().dilation()
                : io.inpainterz.engine.Classical.InpainterOptions.defaults().dilation();
    }

    private Engines.Decision decide(String engine, Engines.Stage stage) {
        if (!ENGINES.contains(engine)) throw new InvalidInputException("unknown engine '" + engine + "'; this server has " + ENGINES);
        Path checkpoint = switch (stage) {
            case segmenter -> neural.sam();
            case tracker -> neural.deaot();
            case inpainter -> neural.e2fgvi();
        };
        return Engines.decide(stage, Engines.Choice.valueOf(engine), null, checkpoint, false);
    }

    private boolean isNeural(String engine, Engines.Stage stage) {
        return decide(engine, stage).kind() == Engines.Kind.neural;
    }

    @Override
    public List<Engines.Decision> plan(String engine) {
        return Arrays.stream(Engines.Stage.values()).map(s -> decide(engine, s)).toList();
    }

    private static Path present(Path file, String what, String option) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new FileAccessException("the " + what + " checkpoint " + file + " is missing: fetch it with ckpt/download.sh (inpainterz models "
                    + "download) and restart, or start serve with " + option + " FILE, or choose the classical or auto engine");
        }
        return file;
    }

    @Override
    public synchronized Segmenter segmenter(String engine, Job job) {
        if (!isNeural(engine, Engines.Stage.segmenter)) return grabCut;
        if (sam == null) sam = Sam.load(present(neural.sam(), "SAM", "--sam"), neural.samOptions(), job);
        return NeuralSegmenter.of(sam);
    }

    @Override
    public RemovePipeline.StageFactory<? extends io.inpainterz.pipeline.Tracker> tracker(String engine) {
        if (!isNeural(engine, Engines.Stage.tracker)) return job -> new ClassicalTracker();
        Path file = present(neural.deaot(), "DeAOT", "--deaot"); // refused before the job is queued
        return job -> {
            synchronized (this) {
                if (deaot == null) deaot = Tracker.load(file, neural.deaotOptions(), job);
                return NeuralTracker.of(deaot, Tracker.SessionOptions.defaults());
            }
        };
    }

    @Override
    public RemovePipeline.StageFactory<? extends io.inpainterz.pipeline.Inpainter> inpainter(String engine) {
        if (!isNeural(engine, Engines.Stage.inpainter)) return job -> new ClassicalInpainter();
        Path file = present(neural.e2fgvi(), "E2FGVI", "--e2fgvi");
        return job -> {
            synchronized (this) {
                if (e2fgvi == null) e2fgvi = Inpainter.load(file, neural.e2fgviOptions(), job);
                return NeuralInpainter.of(e2fgvi, Inpainter.SessionOptions.defaults());
            }
        };
    }

    @Override
    public List<String> notices(String engine) {
        return isNeural(engine, Engines.Stage.inpainter) ? List.of(Engines.licence(neural.e2fgvi())) : List.of();
    }

    @Override
    public synchronized void close() {
        if (sam != null) sam.close();
        if (deaot != null) deaot.close();
        if (e2fgvi != null) e2fgvi.close();
        sam = null;
        deaot = null;
        e2fgvi = null;
    }
}
