package io.inpainterz.cli;

import io.inpainterz.pipeline.Prompts;
import io.inpainterz.pipeline.Range;
import io.inpainterz.pipeline.RemovePipeline;
import io.inpainterz.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "track", sortOptions = false, description = {
        "Track objects through a video without inpainting: PNG index masks DIR/%%06d.png, one per frame.",
        "0 = background, k = object k; every frame of the range, tracked forward and backward from each object's first prompted "
                + "frame. The masks appear in DIR only once all are written.",
        "Prompts as for remove: --point/--neg/--box/--mask belong to the current object; --object starts the next.",
        "--everything finds the objects itself instead (SAM's automatic masks every --sam-gap frames, tracked forward)."})
final class TrackCommand implements Callable<Integer> {
    /** The app's sam_gap. */
    static final int DEFAULT_SAM_GAP = 10;

    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "INPUT", description = "the source video")
    Path input;

    @Option(names = "--masks-out", paramLabel = "DIR", description = "folder for the masks (created if missing)")
    Path masksOut;

    @Option(names = "--matte-out", paramLabel = "FILE", description = "the dilated masks (255 = to remove) as a grayscale H.264 video at "
            + "the source's size and timestamps, no audio: what remove would composite with the same --range, --dilate and --crop, "
            + "with the inpainter it would choose with these engine options and its default --e2fgvi (E2FGVI: 432x240; classical: "
            + "the source's size within 1280x720), not loaded; frames with nothing to remove are black")
    Path matteOut;

    @Option(names = "--dilate", paramLabel = "N", description = "--matte-out: 3x3-cross dilations at the working size. Default: as remove's, "
            + "the inpainter's: E2FGVI 4, classical 8.")
    Integer dilate;

    @Option(names = "--crop", paramLabel = "off|on", description = "--matte-out: as remove --crop (on: each run's crop, chosen as remove "
            + "chooses it, dilated at the crop's working size; off: whole frames at the working size). Default: on.")
    RemoveCommand.Crop crop;

    @Option(names = "--everything", description = "segment everything and track, as the reference app: SAM's automatic masks (16 points "
            + "per side, IoU 0.8, stability 0.9, 1 crop layer) on the range's first frame and every --sam-gap frames; a mask becomes a new "
            + "object when at least 200 of its pixels and 80 %% of it are not tracked yet, up to 255 objects. Forward only; no prompts")
    boolean everything;

    @Option(names = "--sam-gap", paramLabel = "N", description = "--everything: frames between two automatic segmentations. Default: "
            + DEFAULT_SAM_GAP + ".")
    Integer samGap;

    @Mixin
    PromptOptions prompts;

    @Option(names = "--range", paramLabel = "A:B", description = "track frames A through B (inclusive; A: to the end)")
    String range;

    @Mixin
    ModelOptions models;

    @Mixin
    EngineOptions engines;

    @Option(names = "--temp", paramLabel = "DIR", description = "folder for the temporary masks (default: the system's temporary folder)")
    Path temp;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        if (masksOut == null && matteOut == null) throw usage("track needs somewhere to write: --masks-out DIR, --matte-out FILE, or both");
        if (everything && prompts.given()) throw usage("--everything finds the objects itself: give it no --point, --neg, --box, --mask or --prompts");
        if (samGap != null && !everything) throw usage("--sam-gap N sets how often --everything segments; give --everything");
        int gap = samGap == null ? DEFAULT_SAM_GAP : samGap;
        if (gap < 1) throw usage("--sam-gap must be >= 1, got " + gap);
        if (dilate != null && matteOut == null) throw usage("--dilate N sets how --matte-out is dilated; give --matte-out FILE");
        if (crop != null && matteOut == null) throw usage("--crop sets how --matte-out follows remove; give --matte-out FILE");
        if (dilate != null && dilate < 0) throw usage("--dilate must be >= 0, got " + dilate);
        Prompts objects = everything ? null : prompts.prompts();
        Range r = PipelineCommands.range(range, spec);
        RemovePipeline.Options o = RemovePipeline.Options.defaults().withRange(r)
                .withDilate(dilate == null ? RemovePipeline.INPAINTER_DILATION : dilate).withCrop(crop != RemoveCommand.Crop.off).withTemp(temp)
                .withMasksOut(masksOut).withMatteOut(matteOut).withThreads(models.threads);
        RemovePipeline.Result result = progress.run(main.err(), everything ? "track" : "segment", job -> {
            Consumer<String> notice = m -> progress.notice(main.err(), m);
            RemovePipeline p;
            if (everything) {
                var segmenter = engines.autoSegmenter(models);
                p = RemovePipeline.trackEverything(input, gap, o, segmenter, engines.tracker(models, notice));
            } else {
                var segmenter = objects.needsSegmenter() ? engines.segmenter(models, notice) : null;
                p = RemovePipeline.track(input, objects, o, segmenter, engines.tracker(models, notice));
            }
            return p.matteAt(engines.matteRule()).run(job.threads(models.threads));
        });
        Map<String, Object> report = new LinkedHashMap<>();
        PipelineCommands.report(report, result, masksOut, matteOut);
        main.out().println(Json.write(report));
        return Main.OK;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
