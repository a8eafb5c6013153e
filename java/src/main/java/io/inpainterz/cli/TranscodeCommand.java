package io.inpainterz.cli;

import io.inpainterz.engine.Frame;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.engine.VideoWriter;
import io.inpainterz.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "transcode", description = "Re-encode through the engine's reader and writer (RGB frames, H.264, source timestamps, "
        + "audio, subtitles, chapters and tags kept). OUT appears only once complete; a failure or Ctrl-C leaves nothing there.")
final class TranscodeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "VIDEO")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "output video (.mp4, .mkv, .mov)")
    Path output;

    @Option(names = "--crf", paramLabel = "N", description = "x264 quality 0..51, lower is better. Default: ${DEFAULT-VALUE}.")
    int crf;

    @Option(names = "--preset", paramLabel = "P", description = "x264 preset, ultrafast..veryslow. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        return progress.run(main.err(), "transcode", job -> {
            try (VideoReader r = VideoReader.open(input); Frame frame = r.allocateFrame()) {
                VideoWriter.Options o = VideoWriter.Options.defaults().withCrf(crf).withPreset(preset)
                        .withFps(r.info().fps() > 0 ? r.info().fps() : VideoWriter.Options.defaults().fps()).withSource(input);
                long total = r.info().frameCount(), n = 0;
                try (VideoWriter w = VideoWriter.open(output, r.info().width(), r.info().height(), o)) {
                    while (r.read(frame)) {
                        w.write(frame, r.lastPtsMicros());
                        job.step("transcode", ++n, Math.max(total, n)); // checks for a cancel between frames
                    }
                    w.finish();
                }
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("output", output.toString());
                report.put("frames", n);
                if (r.truncation() != null) report.put("input_truncated", r.truncation());
                main.out().println(Json.write(report));
                return Main.OK;
            }
        });
    }
}
