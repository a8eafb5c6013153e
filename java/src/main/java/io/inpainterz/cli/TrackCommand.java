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
        "Prompts as for remove: --point/--neg/--box/--mask belong to the current object; --object starts the next."})
final class TrackCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "INPUT", description = "the source video")
    Path input;

    @Option(names = "--masks-out", required = true, paramLabel = "DIR", description = "folder for the masks (created if missing)")
    Path masksOut;

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
        Prompts objects = prompts.prompts();
        Range r = PipelineCommands.range(range, spec);
        RemovePipeline.Options o = RemovePipeline.Options.defaults().withRange(r).withTemp(temp).withMasksOut(masksOut).withThreads(models.threads);
        RemovePipeline.Result result = progress.run(main.err(), "segment", job -> {
            Consumer<String> notice = m -> progress.notice(main.err(), m);
            var segmenter = objects.needsSegmenter() ? engines.segmenter(models, notice) : null;
            return RemovePipeline.track(input, objects, o, segmenter, engines.tracker(models, notice)).run(job.threads(models.threads));
        });
        Map<String, Object> report = new LinkedHashMap<>();
        PipelineCommands.report(report, result, masksOut);
        main.out().println(Json.write(report));
        return Main.OK;
    }
}
