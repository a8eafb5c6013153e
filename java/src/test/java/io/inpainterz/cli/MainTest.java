package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Fixtures;
import io.inpainterz.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @Test
    void inspectJsonMatchesTheCase() {
        Path file = Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth");
        assertEquals(0, run("ckpt", "inspect", file.toString(), "--json"));
        Object json = Json.parse(out.toString());
        Object caseJson = io.inpainterz.parity.ParityCase.load("e2fgvi", file.getParent()).json();
        assertEquals("e2fgvi", Json.at(json, "family"));
        assertEquals("legacy", Json.at(json, "format"));
        assertEquals("E2FGVI (2 blocks)", Json.at(json, "variant"));
        assertEquals(Json.at(caseJson, "weights", "num_keys"), Json.at(json, "tensors"));
        long params = (Long) Json.at(caseJson, "weights", "num_params") + (Long) Json.at(caseJson, "weights", "num_buffer_elems");
        assertEquals(params, Json.at(json, "parameters"));
    }

    @Test
    void inspectTextNamesTheVariant() {
        assertEquals(0, run("ckpt", "inspect", Fixtures.file("deaot/r50_deaotl/weights.pth").toString()));
        assertTrue(out.toString().contains("variant:     R50-DeAOT-L (ResNet-50, 3 layers)"), out.toString());
        assertTrue(out.toString().contains("tensors:     354"), out.toString());
    }

    @Test
    void badInputExitsNonZeroWithTheReadersMessage() throws IOException {
        Path junk = Files.write(tmp.resolve("junk.pth"), new byte[] {'n', 'o', 'p', 'e'});
        assertEquals(Main.BAD_INPUT, run("ckpt", "inspect", junk.toString()));
        assertTrue(err.toString().contains("junk.pth") && err.toString().contains("not a PyTorch checkpoint"), err.toString());
        assertEquals(Main.BAD_INPUT, run("ckpt", "inspect", tmp.resolve("missing.pth").toString()));
        assertEquals(Main.USAGE, run("ckpt", "inspect"));
        assertEquals(Main.USAGE, run("frobnicate"));
        assertEquals(Main.USAGE, run("parity", "nosuchmodel"));
    }

    @Test
    void segmentWritesTheMasksOfTheFixtureCase() throws IOException {
        Path dir = Fixtures.file("sam/tiny");
        Path out = tmp.resolve("mask.png");
        assertEquals(0, run("segment", dir.resolve("image.png").toString(), "--sam", dir.resolve("weights.pth").toString(),
                "--point", "412,168", "--multimask", "-o", out.toString()));
        Object report = Json.parse(this.out.toString());
        assertEquals(2L, Json.at(report, "best"));
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            io.inpainterz.parity.NdArray want = io.inpainterz.parity.Npy.read(dir.resolve("case_a_point_multimask/masks.npy"), arena);
            long differ = 0, n = 0;
            for (int m = 0; m < 3; m++) {
                java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(tmp.resolve("mask_" + m + ".png").toFile());
                assertEquals(640, png.getWidth());
                assertEquals(480, png.getHeight());
                for (int r = 0; r < 60; r++) { // the fixture stores rows 0, 8, ..., 472
                    for (int x = 0; x < 640; x++) {
                        boolean on = (png.getRaster().getSample(x, r * 8, 0)) == 255;
                        boolean expected = want.getDouble(((long) m * 60 + r) * 640 + x) != 0;
                        if (on != expected) differ++;
                        n++;
                    }
                }
            }
            assertTrue(differ <= 6.25e-4 * n, differ + " of " + n + " pixels differ");
        }
    }

    @Test
    void segmentFailsCleanlyAndWritesNothingForBadArguments() {
        Path dir = Fixtures.file("sam/tiny");
        String image = dir.resolve("image.png").toString(), sam = dir.resolve("weights.pth").toString();
        assertEquals(Main.BAD_INPUT, run("segment", image, "--sam", sam, "--point", "900,10", "-o", tmp.resolve("a.png").toString()));
        assertTrue(err.toString().contains("outside the 640x480 image"), err.toString());
        assertEquals(Main.BAD_INPUT, run("segment", image, "--sam", sam, "--point", "1,1", "-o", tmp.resolve("no/such/dir/a.png").toString()));
        assertEquals(Main.BAD_INPUT, run("segment", dir.resolve("case.json").toString(), "--sam", sam, "--point", "1,1", "-o", tmp.resolve("b.png").toString()));
        assertEquals(Main.USAGE, run("segment", image, "--sam", sam, "--point", "1", "-o", tmp.resolve("c.png").toString()));
        assertEquals(Main.USAGE, run("segment", image, "--sam", sam, "-o", tmp.resolve("d.png").toString()));
        assertEquals(0, tmp.toFile().list().length, "nothing may be left behind");
    }

    @Test
    void segmentReadsAVideoFrameAndInfoDescribesTheVideo() throws Exception {
        Path dir = Fixtures.file("sam/tiny");
        Path video = tmp.resolve("clip.mkv");
        // Three frames of the fixture image, losslessly (RGB in, RGB out, exact).
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", dir.resolve("image.png").toString(), "-frames:v", "3",
                "-c:v", "ffv1", "-pix_fmt", "bgr0", video.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        assertEquals(0, run("info", video.toString(), "--json"));
        Object info = Json.parse(out.toString());
        assertEquals(640L, Json.at(info, "width"));
        assertEquals(480L, Json.at(info, "height"));
        assertEquals("ffv1", Json.at(info, "codec"));
        out.reset();
        Path mask = tmp.resolve("frame.png");
        assertEquals(0, run("segment", video.toString(), "--frame", "2", "--sam", dir.resolve("weights.pth").toString(),
                "--point", "412,168", "-o", mask.toString()));
        // Single-mask output for this point: case a's token 0 is not stored, so compare with the image input instead.
        Path fromImage = tmp.resolve("image.png");
        assertEquals(0, run("segment", dir.resolve("image.png").toString(), "--sam", dir.resolve("weights.pth").toString(),
                "--point", "412,168", "-o", fromImage.toString()));
        assertEquals(-1, Files.mismatch(mask, fromImage), "a lossless video frame must segment exactly like the image");
        assertEquals(Main.BAD_INPUT, run("segment", video.toString(), "--frame", "9", "--sam", dir.resolve("weights.pth").toString(),
                "--point", "1,1", "-o", tmp.resolve("none.png").toString()));
        assertTrue(err.toString().contains("has no frame 9"), err.toString());
    }

    @Test
    void segmentEverythingWritesEveryMaskAndAnIndex() throws IOException {
        Path dir = Fixtures.file("sam/tiny");
        Path outDir = Files.createDirectories(tmp.resolve("all"));
        // The fixture's amg_crop0 settings (4 x 4 points, thresholds between the candidates' values): one mask.
        assertEquals(0, run("segment", dir.resolve("image.png").toString(), "--sam", dir.resolve("weights.pth").toString(), "--everything",
                "--points-per-side", "4", "--pred-iou-thresh", "0.6965", "--stability-score-thresh", "0.4021", "-o", outDir.toString()));
        Object index = Json.parse(Files.readString(outDir.resolve("masks.json")));
        java.util.List<?> masks = (java.util.List<?>) index;
        assertEquals(Json.at(Json.parse(this.out.toString()), "masks"), (long) masks.size());
        assertEquals(1, masks.size());
        assertEquals(207131.0, ((Long) Json.at(masks.get(0), "area")).doubleValue(), 10); // amg_crop0/amg_meta.json annotation area
        for (Object m : masks) {
            Path png = outDir.resolve((String) Json.at(m, "file"));
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
            long area = 0;
            for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if (img.getRaster().getSample(x, y, 0) != 0) area++;
            assertEquals(Json.at(m, "area"), area, "the PNG holds exactly the mask's area");
        }
    }

    @Test
    void aWriteFailureMidFileLeavesNothingAtTheOutputPath() throws Exception {
        Path in = io.inpainterz.testing.Ffmpeg.make(tmp, "big.mp4", "640x480", "25", 2, true, "-c:v", "libx264", "-crf", "10");
        Path ok = tmp.resolve("ok.mp4");
        assertEquals(0, run("transcode", in.toString(), "-o", ok.toString(), "--crf", "10"));
        assertTrue(Files.size(ok) > 400_000, "the full output must exceed the limit below: " + Files.size(ok));
        // A file-size limit (ulimit -f, 1 KiB units) makes a write fail mid-file, as a full disk
        // would; the JVM ignores SIGXFSZ, so FFmpeg sees the error and the CLI must clean up.
        Path out = tmp.resolve("limited.mp4");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("sh", "-c", "ulimit -f 200; exec \"$0\" \"$@\""));
        cmd.addAll(io.inpainterz.testing.Jvm.cli(java.util.List.of("-Dinpainterz.library.path=" + System.getProperty("inpainterz.library.path")),
                "transcode", in.toString(), "-o", out.toString(), "--crf", "10"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(Main.BAD_INPUT, p.waitFor(), output);
        assertTrue(output.contains("limited.mp4"), output);
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("limited.mp4.part")), "no temporary file may remain");
        }
    }

    @Test
    void parityPassesOnTheFixturesAndFailsWithoutThem() {
        assertEquals(0, run("parity", "--dir", Fixtures.root().toString(), "deaot"));
        assertTrue(out.toString().contains("failed 0") || out.toString().matches("(?s).*, 0 failed.*"), out.toString());
        assertEquals(Main.BAD_INPUT, run("parity", "--dir", tmp.resolve("none").toString()));
        assertTrue(err.toString().contains("parity fixtures not found"), err.toString());
    }

    @Test
    void helpShowsTheNativeDefaults() {
        assertEquals(0, run("transcode", "--help"));
        String help = out.toString();
        assertTrue(help.contains("Default: " + io.inpainterz.engine.VideoWriter.Options.defaults().crf()), help);
        assertTrue(help.contains("Default: " + io.inpainterz.engine.VideoWriter.Options.defaults().preset()), help);
        out.reset();
        assertEquals(0, run("segment", "--help"));
        assertTrue(out.toString().contains("Default: " + io.inpainterz.engine.AmgOptions.defaults().pointsPerSide()), out.toString());
        out.reset();
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("transcode") && out.toString().contains("Exit codes:"), out.toString());
    }

    @Test
    void progressJsonReportsEachStageThenTheOutcome() throws Exception {
        Path in = io.inpainterz.testing.Ffmpeg.make(tmp, "p.mp4", "160x120", "25", 2, false);
        assertEquals(0, run("transcode", in.toString(), "-o", tmp.resolve("o.mp4").toString(), "--progress", "json"));
        java.util.List<Object> lines = err.toString().lines().map(Json::parse).toList();
        Object last = lines.get(lines.size() - 1);
        assertEquals("done", Json.at(last, "event"), err.toString());
        Object report = lines.get(lines.size() - 2);
        assertEquals("transcode", Json.at(report, "stage"));
        assertEquals(50L, Json.at(report, "done"), "the last report is the last frame");
        assertEquals(50L, Json.at(report, "total"));
        assertTrue(Json.at(report, "fps") instanceof Number && Json.at(report, "eta_s") instanceof Number, report.toString());
        err.reset();
        assertEquals(Main.BAD_INPUT, run("transcode", tmp.resolve("missing.mp4").toString(), "-o", tmp.resolve("x.mp4").toString(), "--progress", "json"));
        Object failed = Json.parse(err.toString().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        assertEquals("failed", Json.at(failed, "event"));
        assertTrue(((String) Json.at(failed, "message")).contains("missing.mp4"));
    }

    @Test
    void aTerminatedTranscodeCancelsAndLeavesNothing() throws Exception {
        Path in = io.inpainterz.testing.Ffmpeg.make(tmp, "long.mp4", "640x480", "25", 20, true);
        Path target = tmp.resolve("never.mp4");
        Process p = new ProcessBuilder(io.inpainterz.testing.Jvm.cli(java.util.List.of("-Dinpainterz.library.path=" + System.getProperty("inpainterz.library.path")),
                "transcode", in.toString(), "-o", target.toString(), "--progress", "json")).start();
        java.io.BufferedReader stderr = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream()));
        String first = stderr.readLine();
        assertTrue(first != null && first.contains("\"stage\":\"transcode\""), String.valueOf(first));
        // SIGTERM, as a scheduler or Ctrl-C stops it (Process.destroy would close our end of stderr).
        assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor());
        StringBuilder rest = new StringBuilder();
        for (String l; (l = stderr.readLine()) != null; ) rest.append(l).append('\n');
        p.waitFor();
        assertTrue(rest.toString().contains("\"event\":\"cancelled\""), rest.toString());
        assertFalse(Files.exists(target));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("never.mp4")), "no temporary file may remain");
        }
    }

    @Test
    void stillImagesAreDecodedByFfmpeg() throws Exception {
        Path png = tmp.resolve("s.png"), webp = tmp.resolve("s.webp"), jpg = tmp.resolve("s.jpg");
        io.inpainterz.testing.Ffmpeg.run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", png.toString());
        io.inpainterz.testing.Ffmpeg.run("ffmpeg", "-v", "error", "-i", png.toString(), "-lossless", "1", webp.toString());
        io.inpainterz.testing.Ffmpeg.run("ffmpeg", "-v", "error", "-i", png.toString(), jpg.toString());
        for (Path f : java.util.List.of(png, webp, jpg)) {
            byte[] want = io.inpainterz.testing.Ffmpeg.run("ffmpeg", "-v", "error", "-i", f.toString(), "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
            try (io.inpainterz.engine.Frame frame = SegmentCommand.readFrame(f, null)) {
                byte[] got = new byte[64 * 48 * 3];
                for (int y = 0; y < 48; y++) {
                    byte[] row = new byte[64 * 3];
                    frame.copyRow(y, row);
                    System.arraycopy(row, 0, got, y * row.length, row.length);
                }
                assertEquals(-1, java.util.Arrays.mismatch(want, got), f + " decodes as the ffmpeg CLI decodes it");
            }
        }
    }
}
