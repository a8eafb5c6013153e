package io.inpainterz.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
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
}
