package io.inpainterz.cli;

import io.inpainterz.engine.VideoReader;
import io.inpainterz.engine.VideoWriter;
import io.inpainterz.pipeline.MasksIn;
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

@Command(name = "remove", sortOptions = false, description = {
        "Remove objects from a video: same size, frames, timestamps and audio, only the masked pixels changed.",
        "Prompts become masks (SAM) on their frames, every object is tracked forward and backward from its first prompted frame "
                + "(DeAOT), the masks are dilated and filled (E2FGVI; on a crop around each run of masks, see --crop) and composited "
                + "into the source frames. OUTPUT appears only once "
                + "complete; a failure or Ctrl-C leaves nothing there (exit 130 for Ctrl-C).",
        "Prompts: --point/--neg/--box/--mask belong to the current object; --object starts the next. Frame indices are the video's."})
final class RemoveCommand implements Callable<Integer> {
    enum Crop { off, on }

    enum Codec { h264, hevc }

    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "INPUT", description = "the source video")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTPUT", description = "the output video (.mp4, .mkv, .mov)")
    Path output;

    @Mixin
    PromptOptions prompts;

    @Option(names = "--masks-in", paramLabel = "DIR", description = "remove the objects of ready-made index masks DIR/%%06d.png "
            + "(0 = background, k = object k, as track --masks-out writes them) instead of prompts: no segmentation, no tracking. "
            + "A frame without a file has nothing to remove")
    Path masksIn;

    @Option(names = "--ids", paramLabel = "3,5", split = ",", description = "with --masks-in: remove only these object ids (default: every nonzero id)")
    java.util.List<Integer> ids;

    @Option(names = "--masks-out", paramLabel = "DIR", description = "also write the index masks DIR/%%06d.png (0 = background, k = object k)")
    Path masksOut;

    @Option(names = "--matte-out", paramLabel = "FILE", description = "also write where the output was composited: the dilated masks "
            + "as the inpainter used them (255 = removed), resized back to the source's size (with --crop on into each run's crop, "
            + "black around it), as a grayscale H.264 video with the source's timestamps, no audio; frames with nothing removed "
            + "(outside --range, outside every run) are black. Same --crf and --preset as the output; appears only once complete")
    Path matteOut;

    @Option(names = "--range", paramLabel = "A:B", description = "process frames A through B (inclusive; A: to the end); the others are "
            + "re-encoded unchanged")
    String range;

    @Mixin
    ModelOptions models;

    @Mixin
    EngineOptions engines;

    @Option(names = "--e2fgvi", paramLabel = "FILE", description = "E2FGVI or E2FGVI-HQ checkpoint (default: ckpt/" + ModelOptions.DEFAULT_E2FGVI + ")")
    Path e2fgvi;

    @Option(names = "--dilate", paramLabel = "N", description = "3x3-cross dilations of the masks at the working size. Default: the "
            + "inpainter's: E2FGVI 4 (the app's), classical 8.")
    Integer dilate;

    @Option(names = "--feather", paramLabel = "PX", defaultValue = "0", description = "blend the fill over PX pixels inside the dilated "
            + "mask's edge (outside it, pixels stay the source's). Default: ${DEFAULT-VALUE}.")
    int feather;

    @Option(names = "--crop", paramLabel = "off|on", defaultValue = "on", description = "on: each run of masked frames is inpainted on "
            + "one crop of the source around its masks, with context (50 %% of the masks' box each side, at least 16 px), grown to the "
            + "working size's aspect ratio and to at least that size where the frame allows, a larger crop scaled down to it: small "
            + "objects keep the source's resolution. Runs split where no frame has a mask for more than 120 frames; frames outside "
            + "every run are re-encoded unchanged. off: whole frames resized to the inpainter's working size (E2FGVI: 432x240; HQ: the "
            + "source size, at most 864x480; classical: the source size, at most 1280x720), as the app does. Default: ${DEFAULT-VALUE}.")
    Crop crop;

    @Option(names = "--temp", paramLabel = "DIR", description = "folder for the temporary masks (default: the system's temporary folder)")
    Path temp;

    @Option(names = "--crf", paramLabel = "N", description = "constant rate factor 0..51, lower is better (18 is visually lossless for H.264). Default: ${DEFAULT-VALUE}.")
    int crf;

    @Option(names = "--preset", paramLabel = "P", description = "encoder preset, ultrafast..veryslow: slower gives smaller files. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--codec", paramLabel = "h264|hevc", defaultValue = "h264", description = "output video codec: H.264 (libx264) or HEVC "
            + "(libx265, smaller files at the same CRF, slower). Default: ${DEFAULT-VALUE}.")
    Codec codec;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        if (masksIn != null && prompts.given()) throw usage("--masks-in replaces the prompts: give one or the other");
        if (ids != null && masksIn == null) throw usage("--ids picks objects of --masks-in; give --masks-in DIR");
        Prompts objects = masksIn != null ? null : prompts.prompts();
        Range r = PipelineCommands.range(range, spec);
        RemovePipeline.Options o = RemovePipeline.Options.defaults().withRange(r).withDilate(dilate == null ? RemovePipeline.INPAINTER_DILATION : dilate)
                .withFeather(feather).withTemp(temp).withMasksOut(masksOut).withMatteOut(matteOut).withWriter(VideoWriter.Options.defaults().withCrf(crf).withPreset(preset)
                        .withCodec(codec == Codec.hevc ? VideoWriter.Codec.HEVC : VideoWriter.Codec.H264))
                .withThreads(models.threads).withCrop(crop == Crop.on);
        // Inside the job, so that --progress json ends with an outcome event for bad input too.
        RemovePipeline.Result result = progress.run(main.err(), "segment", job -> {
            Consumer<String> notice = m -> progress.notice(main.err(), m);
            try (VideoReader v = VideoReader.open(input)) {
                for (String w : RemovePipeline.warnings(v.info())) notice.accept(w);
            }
            if (masksIn != null) {
                MasksIn source = new MasksIn(masksIn, ids == null ? null : new java.util.HashSet<>(ids));
                return RemovePipeline.remove(input, output, source, o, engines.inpainter(models, e2fgvi, notice)).run(job.threads(models.threads));
            }
            var segmenter = objects.needsSegmenter() ? engines.segmenter(models, notice) : null;
            var tracker = engines.tracker(models, notice);
            var inpainter = engines.inpainter(models, e2fgvi, notice);
            return RemovePipeline.remove(input, output, objects, o, segmenter, tracker, inpainter).run(job.threads(models.threads));
        });
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("output", output.toString());
        for (String n : result.outputNotes()) progress.notice(main.err(), n);
        PipelineCommands.report(report, result, masksOut, matteOut);
        main.out().println(Json.write(report));
        return Main.OK;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
