package io.inpainterz.cli;

import io.inpainterz.InvalidInputException;
import io.inpainterz.pipeline.Range;
import io.inpainterz.pipeline.RemovePipeline;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** What {@code remove} and {@code track} share beyond their mixins. */
final class PipelineCommands {
    private PipelineCommands() {}

    static Range range(String text, CommandLine.Model.CommandSpec spec) {
        if (text == null) return Range.all();
        try {
            return Range.parse(text);
        } catch (InvalidInputException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--range: " + e.getMessage());
        }
    }

    /** Each run's frames, crop of the source (x, y, width, height) and working size: what the inpainter was given. */
    static java.util.List<Object> crops(RemovePipeline.Result r) {
        java.util.List<Object> out = new java.util.ArrayList<>();
        for (RemovePipeline.Crop c : r.crops()) {
            Map<String, Object> o = new java.util.LinkedHashMap<>();
            o.put("frames", c.first() + ":" + c.last());
            o.put("crop", java.util.List.of((long) c.rect().x(), (long) c.rect().y(), (long) c.rect().width(), (long) c.rect().height()));
            o.put("working_size", c.workingSize().toString());
            out.add(o);
        }
        return out;
    }

    /** The fields of the JSON line both commands print. */
    static void report(Map<String, Object> report, RemovePipeline.Result r, Path masksOut, Path matteOut) {
        report.put("frames", r.frames());
        report.put("tracked_frames", r.trackedFrames());
        report.put("backward_frames", r.backwardFrames());
        report.put("objects", r.objects());
        if (r.workingSize() != null) report.put("working_size", r.workingSize().toString());
        if (!r.crops().isEmpty()) report.put("crops", crops(r));
        if (masksOut != null) {
            report.put("masks", masksOut.toString());
            report.put("masks_written", r.masksWritten());
        }
        if (matteOut != null) report.put("matte", matteOut.toString());
        report.put("temp_bytes", r.tempBytes());
        report.put("seconds", r.seconds());
        if (r.truncation() != null) report.put("input_truncated", r.truncation());
        if (!r.outputNotes().isEmpty()) report.put("output_notes", r.outputNotes());
    }
}
