package io.inpainterz.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The ffmpeg command line, as the independent source and judge of test videos. */
public final class Ffmpeg {
    private Ffmpeg() {}

    /** Runs a command and returns its standard output; fails the test on a non-zero exit. */
    public static byte[] run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), String.join(" ", command));
        return out;
    }

    /** A video in `dir` from ffmpeg's test sources (testsrc2, plus a sine when `audio`); `extra` are output options. */
    public static Path make(Path dir, String name, String size, String rate, double seconds, boolean audio, String... extra) throws Exception {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=" + rate));
        if (audio) cmd.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440"));
        cmd.addAll(List.of("-t", String.valueOf(seconds)));
        cmd.addAll(Arrays.asList(extra));
        if (audio) cmd.add("-shortest");
        cmd.add(out.toString());
        run(cmd.toArray(String[]::new));
        return out;
    }

    /** `ffprobe -v error OPTIONS FILE`, its output stripped. */
    public static String probe(Path file, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error"));
        cmd.addAll(Arrays.asList(options));
        cmd.add(file.toString());
        return new String(run(cmd.toArray(String[]::new)), StandardCharsets.UTF_8).strip();
    }

    /** Presentation times of the video frames as ffprobe decodes them, in microseconds. */
    public static List<Long> framePtsMicros(Path file) throws Exception {
        return probe(file, "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0").lines()
                .map(l -> l.replace(",", "").strip()).filter(l -> !l.isEmpty()).map(l -> Math.round(Double.parseDouble(l) * 1e6)).toList();
    }

    /** Samples per channel that ffmpeg decodes from the first audio stream (edit lists applied). */
    public static long audioSamples(Path file) throws Exception {
        return run("ffmpeg", "-v", "error", "-i", file.toString(), "-map", "0:a:0", "-ac", "1", "-f", "s16le", "-").length / 2;
    }
}
