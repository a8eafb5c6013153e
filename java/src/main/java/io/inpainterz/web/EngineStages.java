package io.inpainterz.web;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Sam;
import io.inpainterz.engine.Tracker;
import io.inpainterz.pipeline.NeuralInpainter;
import io.inpainterz.pipeline.NeuralSegmenter;
import io.inpainterz.pipeline.NeuralTracker;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's real stages: each model is loaded once, on first use, and kept until the server
 * stops; every job gets wrappers over the loaded models.
 */
public final class EngineStages implements StageSource {
    /** The neural engine's checkpoints and options, as {@code remove} takes them. */
    public record Neural(Path sam, Path deaot, Path e2fgvi, Sam.Options samOptions, Tracker.Options deaotOptions, Inpainter.Options e2fgviOptions) {}

    private final Neural neural;
    private Sam sam;          // guarded by this
    private Tracker deaot;    // guarded by this
    private Inpainter e2fgvi; // guarded by this

    public EngineStages(Neural neural) {
        this.neural = neural;
    }

    @Override
    public List<String> engines() {
        List<String> out = new ArrayList<>();
        out.add("neural");
        return out;
    }

    @Override
    public int defaultDilate(String engine) {
        return RemovePipeline.Options.defaults().dilate();
    }

    private void check(String engine) {
        if (!engines().contains(engine)) throw new InvalidInputException("unknown engine '" + engine + "'; this server has " + engines());
    }

    private static Path present(Path file, String what) {
        if (file == null || !Files.isRegularFile(file)) {
            throw new FileAccessException("the " + what + " checkpoint " + file + " is missing: start serve with --" + what.toLowerCase() + " FILE");
        }
        return file;
    }

    @Override
    public synchronized Segmenter segmenter(String engine, Job job) {
        check(engine);
        if (sam == null) sam = Sam.load(present(neural.sam(), "SAM"), neural.samOptions(), job);
        return NeuralSegmenter.of(sam);
    }

    @Override
    public RemovePipeline.StageFactory<? extends io.inpainterz.pipeline.Tracker> tracker(String engine) {
        check(engine);
        return job -> {
            synchronized (this) {
                if (deaot == null) deaot = Tracker.load(present(neural.deaot(), "DeAOT"), neural.deaotOptions(), job);
                return NeuralTracker.of(deaot, Tracker.SessionOptions.defaults());
            }
        };
    }

    @Override
    public RemovePipeline.StageFactory<? extends io.inpainterz.pipeline.Inpainter> inpainter(String engine) {
        check(engine);
        return job -> {
            synchronized (this) {
                if (e2fgvi == null) e2fgvi = Inpainter.load(present(neural.e2fgvi(), "E2FGVI"), neural.e2fgviOptions(), job);
                return NeuralInpainter.of(e2fgvi, Inpainter.SessionOptions.defaults());
            }
        };
    }

    @Override
    public List<String> notices(String engine) {
        return List.of("E2FGVI's weights (" + neural.e2fgvi().getFileName() + ") are licensed CC BY-NC 4.0: non-commercial use only");
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
