package io.inpainterz.cli;

import io.inpainterz.engine.VideoInfo;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "info", description = "Size, rotation, frame rate, frame count (exact or estimated), duration, codec, pixel format, "
        + "colour, container and audio streams of a video.")
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "VIDEO", description = "the video (or still image) to describe")
    Path file;

    @Option(names = "--json", description = "one JSON object (stable field names; see README)")
    boolean json;

    @Override
    public Integer call() {
        try (VideoReader r = VideoReader.open(file)) {
            VideoInfo v = r.info();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("file", file.toString());
            o.put("width", v.width());
            o.put("height", v.height());
            o.put("coded_width", v.codedWidth());
            o.put("coded_height", v.codedHeight());
            o.put("rotation", v.rotation());
            o.put("display_aspect", Math.round(v.displayAspect() * 10000) / 10000.0);
            o.put("fps", Math.round(v.fps() * 1000) / 1000.0);
            o.put("variable_frame_rate", v.variableFrameRate());
            o.put("frame_count", v.frameCount());
            o.put("frame_count_exact", v.frameCountExact());
            o.put("duration_s", Math.round(v.durationS() * 1000) / 1000.0);
            o.put("codec", v.codec());
            o.put("pixel_format", v.pixelFormat());
            o.put("bit_depth", v.bitDepth());
            o.put("color_space", v.colorSpace());
            o.put("color_range", v.colorRange());
            o.put("container", v.container());
            o.put("audio_streams", v.audioStreams());
            if (json) {
                main.out().println(Json.write(o));
            } else {
                for (Map.Entry<String, Object> e : o.entrySet()) main.out().printf("%-20s %s%n", e.getKey() + ":", e.getValue());
            }
            return Main.OK;
        }
    }
}
