package io.inpainterz.cli;

import io.inpainterz.engine.AmgOptions;
import io.inpainterz.engine.Classical;
import io.inpainterz.engine.Inpainter;
import io.inpainterz.engine.VideoWriter;
import picocli.CommandLine;

/**
 * Option defaults that are params-struct defaults come from the native library (its
 * {@code *_default_params()} functions), so {@code --help} shows what a run would use. Loading
 * the library for that is deliberate: without it, help says so and exits 4.
 */
final class NativeDefaults implements CommandLine.IDefaultValueProvider {
    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec o) || arg.command() == null) return null;
        String command = arg.command().name(), option = o.longestName();
        return switch (command + " " + option) {
            case "transcode --crf", "remove --crf" -> String.valueOf(VideoWriter.Options.defaults().crf());
            case "transcode --preset", "remove --preset" -> VideoWriter.Options.defaults().preset();
            case "remove --refine-every", "track --refine-every" -> String.valueOf(Classical.TrackerOptions.defaults().refineEvery());
            case "segment --points-per-side" -> String.valueOf(AmgOptions.defaults().pointsPerSide());
            case "segment --crop-n-layers" -> String.valueOf(AmgOptions.defaults().cropNLayers());
            case "segment --pred-iou-thresh" -> String.valueOf(AmgOptions.defaults().predIouThresh());
            case "segment --stability-score-thresh" -> String.valueOf(AmgOptions.defaults().stabilityScoreThresh());
            case "segment --min-mask-region-area" -> String.valueOf(AmgOptions.defaults().minMaskRegionArea());
            default -> null;
        };
    }
}
