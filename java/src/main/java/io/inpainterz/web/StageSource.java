package io.inpainterz.web;

import io.inpainterz.engine.Job;
import io.inpainterz.pipeline.Engines;
import io.inpainterz.pipeline.Inpainter;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.pipeline.Segmenter;
import io.inpainterz.pipeline.Tracker;
import java.util.List;

/**
 * Where the server's stages come from, by engine name: the one place the server touches
 * engines, so that the models load once ({@link EngineStages}) and tests inject stand-ins.
 * Stages handed out are shared: a segmenter serves every session, and the pipeline's
 * factories return wrappers whose {@code close()} leaves the models loaded.
 */
public interface StageSource extends AutoCloseable {
    /** The engines the page offers ("neural", "classical", "auto"), the default first. */
    List<String> engines();

    /** The dilation {@code remove --dilate} uses with this engine. */
    int defaultDilate(String engine);

    /** The shared segmenter of {@code engine}, loaded on first use (progress and cancel from {@code job}). */
    Segmenter segmenter(String engine, Job job);

    RemovePipeline.StageFactory<? extends Tracker> tracker(String engine);

    RemovePipeline.StageFactory<? extends Inpainter> inpainter(String engine);

    /**
     * Which implementation each stage gets under {@code engine} now (for {@code auto}: where the
     * checkpoints are), for the page and the jobs' notices; none for sources without the choice.
     */
    default List<Engines.Decision> plan(String engine) {
        return List.of();
    }

    /** Notes to show before a render with {@code engine} (weights' licences), possibly none. */
    List<String> notices(String engine);

    @Override
    void close();
}
