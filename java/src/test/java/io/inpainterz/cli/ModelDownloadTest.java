package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CheckpointException;
import io.inpainterz.engine.ModelFamily;
import io.inpainterz.testing.Fixtures;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model downloader against a local HTTP server ({@link ModelServer}): plain files, a
 * transfer cut midway and resumed with Range, a stalled one, an earlier run's .part, Google
 * Drive's confirmation pages (both forms), a wrong sum, and the structure check with the
 * parity checkpoints served under official names that have no published sum.
 */
@Timeout(120)
class ModelDownloadTest {
    @TempDir
    Path dir;

    ModelServer server;
    // A generous stall limit: a loaded CI machine may pause the local server for a while (the
    // stall test below has its own short one).
    final ModelDownload download = new ModelDownload(3, Duration.ofMillis(50), Duration.ofSeconds(20));
    final ModelDownload impatient = new ModelDownload(3, Duration.ofMillis(50), Duration.ofMillis(400));
    static final byte[] DATA = new byte[3 * 1024 * 1024 + 517];

    static {
        new Random(7).nextBytes(DATA);
    }

    @BeforeEach
    void start() throws IOException {
        server = new ModelServer();
        server.files.put("model.pth", DATA);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static ModelCatalog.Model bySum(String file, String sha256, long bytes) {
        return new ModelCatalog.Model(file, "test model", false, ModelFamily.SAM, "vit_b", null, null, null, bytes, sha256, false, "test");
    }

    private ModelCatalog.Verified fetch(ModelCatalog.Model m, String path) throws Exception {
        return download.fetch(m, new ModelCatalog.Source(URI.create(server.url() + path), m.file()), dir, null);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aPlainFileIsVerifiedByItsSumAndGetsItsName() throws Exception {
        ModelCatalog.Verified v = fetch(bySum("model.pth", sha(DATA), DATA.length), "/files/model.pth");
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
        assertEquals(new ModelCatalog.Verified(DATA.length, sha(DATA), "SHA-256"), v);
        assertEquals(List.of("model.pth"), files(), "no .part left");
        assertEquals(List.of("/files/model.pth -"), server.requests());
    }

    @Test
    void aTransferCutMidwayIsResumedWithARangeRequest() throws Exception {
        server.cutOnce.add("model.pth");
        fetch(bySum("model.pth", sha(DATA), -1), "/files/model.pth");
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
        List<String> r = server.requests();
        assertEquals(2, r.size(), r.toString());
        assertEquals("/files/model.pth -", r.get(0));
        long resumedAt = Long.parseLong(r.get(1).replaceAll(".*bytes=(\\d+)-$", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= DATA.length / 2, "resumed where the cut left it, not from 0: " + r);
    }

    @Test
    void aStalledTransferIsDroppedAndResumed() throws Exception {
        server.stallOnce.add("model.pth");
        server.stallMillis = 5000;
        long t0 = System.nanoTime();
        ModelCatalog.Model m = bySum("model.pth", sha(DATA), -1);
        impatient.fetch(m, new ModelCatalog.Source(URI.create(server.url() + "/files/model.pth"), m.file()), dir, null);
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
        assertTrue((System.nanoTime() - t0) / 1e9 < 4, "the stall was cut short after 0.4 s, not waited out");
        assertTrue(server.requests().get(1).matches("/files/model.pth bytes=\\d+-"), server.requests().toString());
    }

    @Test
    void anEarlierRunsPartIsResumed() throws Exception {
        Files.write(dir.resolve("model.pth.part"), java.util.Arrays.copyOf(DATA, 1000));
        fetch(bySum("model.pth", sha(DATA), DATA.length), "/files/model.pth");
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
        assertEquals(List.of("/files/model.pth bytes=1000-"), server.requests());
        // A server that ignores Range sends the whole file: it replaces the part instead of being appended to it.
        Files.delete(dir.resolve("model.pth"));
        Files.write(dir.resolve("model.pth.part"), java.util.Arrays.copyOf(DATA, 1000));
        server.ignoreRange = true;
        fetch(bySum("model.pth", sha(DATA), DATA.length), "/files/model.pth");
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
    }

    @Test
    void googleDrivesConfirmationPagesAreFollowed() throws Exception {
        server.drive.put("1AbC-d_E", "model.pth");
        fetch(bySum("model.pth", sha(DATA), -1), "/drive/download?id=1AbC-d_E&export=download");
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
        List<String> r = server.requests();
        assertEquals(2, r.size(), r.toString());
        assertEquals("/drive/download?id=1AbC-d_E&export=download -", r.get(0));
        assertEquals("/drive/download?id=1AbC-d_E&export=download&confirm=t&uuid=5b0f3c1e-uuid -", r.get(1), "the form's hidden inputs");

        // The older page: a link with confirm=TOKEN, and the token in a download_warning cookie; here after a cut, resumed.
        Files.delete(dir.resolve("model.pth"));
        server.log.clear();
        server.cutOnce.add("model.pth");
        fetch(bySum("model.pth", sha(DATA), -1), "/olddrive/download?id=1AbC-d_E&export=download");
        assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("model.pth")));
        r = server.requests();
        assertEquals("/olddrive/download?export=download&confirm=Xk9_tok&id=1AbC-d_E -", r.get(1), r.toString());
        assertTrue(r.get(r.size() - 1).matches(".*confirm=Xk9_tok.* bytes=\\d+-"), r.toString());
    }

    @Test
    void confirmationPagesOfEveryKindAndPagesWithout() {
        URI at = URI.create("https://drive.usercontent.google.com/download?id=X&export=download");
        assertEquals(URI.create("https://drive.usercontent.google.com/download?id=X&export=download&confirm=t&uuid=a+b%26c"), ModelDownload.confirmation(
                "<form id='download-form' action='https://drive.usercontent.google.com/download'><input type='hidden' value='X' name='id'>"
                        + "<input name=\"export\" value=\"download\" type=\"hidden\"><input type=\"hidden\" name=\"confirm\" value=\"t\">"
                        + "<input type=\"hidden\" name=\"uuid\" value=\"a b&amp;c\"></form>", at, null));
        assertEquals(URI.create("https://drive.google.com/uc?export=download&confirm=AbC1&id=X"), ModelDownload.confirmation(
                "<a href=\"/uc?export=download&amp;confirm=AbC1&amp;id=X\">Download anyway</a>", URI.create("https://drive.google.com/uc?export=download&id=X"), null));
        assertEquals(URI.create("https://drive.google.com/uc?export=download&id=X&confirm=z_9"), ModelDownload.confirmation(
                "<p>... confirm=z_9 ...</p>", URI.create("https://drive.google.com/uc?export=download&id=X"), null));
        assertNull(ModelDownload.confirmation("<html><title>Quota exceeded</title></html>", at, null));
        assertEquals(-1, ModelDownload.contentRange("bytes 5-9/*")[1]);
        assertNull(ModelDownload.contentRange("items 0-1/2"));
    }

    @Test
    void aWrongSumIsRejectedAndNothingIsLeft() throws Exception {
        CheckpointException e = assertThrows(CheckpointException.class, () -> fetch(bySum("model.pth", "00".repeat(32), -1), "/files/model.pth"));
        assertTrue(e.getMessage().contains("SHA-256 " + sha(DATA)) && e.getMessage().contains("the download was removed"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> fetch(bySum("model.pth", sha(DATA), 12345), "/files/model.pth"));
        assertTrue(e.getMessage().contains(DATA.length + " bytes"), e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void failuresThatRetriesCannotFixAreErrorsAndLeaveNoEmptyPart() throws Exception {
        IOException e = assertThrows(IOException.class, () -> fetch(bySum("model.pth", sha(DATA), -1), "/files/none.pth"));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        e = assertThrows(IOException.class, () -> fetch(bySum("model.pth", sha(DATA), -1), "/quota"));
        assertTrue(e.getMessage().contains("web page instead of the file") && e.getMessage().contains("Quota exceeded"), e.getMessage());
        String gone = server.url();
        server.close();
        e = assertThrows(IOException.class, () -> download.fetch(bySum("model.pth", sha(DATA), -1),
                new ModelCatalog.Source(URI.create(gone + "/files/model.pth"), "model.pth"), dir, null));
        assertTrue(e.getMessage().contains("failed after 3 tries"), "no server: retried, then given up: " + e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void noSumMeansTheStructureIsChecked() throws Exception {
        ModelCatalog.Model deaott = ModelCatalog.find("DeAOTT_PRE_YTB_DAV").orElseThrow();
        assertNull(deaott.sha256(), "an official file without a published sum");
        byte[] tiny = Files.readAllBytes(Fixtures.file("deaot/deaott/weights.pth")), small = Files.readAllBytes(Fixtures.file("deaot/deaots/weights.pth"));
        server.files.put("deaott", tiny);
        server.drive.put(deaott.driveId(), "deaott");
        ModelCatalog.Source source = ModelCatalog.source(deaott, Map.of(ModelCatalog.DRIVE, server.url() + "/drive")::get);
        assertEquals(URI.create(server.url() + "/drive/download?id=" + deaott.driveId() + "&export=download"), source.uri());
        ModelCatalog.Verified v = download.fetch(deaott, source, dir, null);
        assertEquals(new ModelCatalog.Verified(tiny.length, sha(tiny), "structure"), v);
        assertArrayEquals(tiny, Files.readAllBytes(dir.resolve("DeAOTT_PRE_YTB_DAV.pth")));

        // DeAOT-S under DeAOT-T's name: a valid checkpoint, the wrong model.
        Files.delete(dir.resolve("DeAOTT_PRE_YTB_DAV.pth"));
        server.files.put("deaott", small);
        CheckpointException e = assertThrows(CheckpointException.class, () -> download.fetch(deaott, source, dir, null));
        assertTrue(e.getMessage().contains("DeAOT-S (MobileNetV2, 2 layers)") && e.getMessage().contains("not DeAOT-T"), e.getMessage());
        // The 2-block E2FGVI of the fixtures is not the official 8-block one.
        ModelCatalog.Model hq = ModelCatalog.find("E2FGVI-CVPR22.pth").orElseThrow();
        server.files.put("E2FGVI-CVPR22.pth", Files.readAllBytes(Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth")));
        e = assertThrows(CheckpointException.class, () -> download.fetch(hq, ModelCatalog.source(hq, Map.of(ModelCatalog.MIRROR, server.url() + "/files")::get), dir, null));
        assertTrue(e.getMessage().contains("E2FGVI (2 blocks)") && e.getMessage().contains("E2FGVI (8 blocks)"), e.getMessage());
        // Not a checkpoint at all.
        server.files.put("deaott", "<not a checkpoint>".getBytes());
        e = assertThrows(CheckpointException.class, () -> download.fetch(deaott, source, dir, null));
        assertTrue(e.getMessage().contains("not a good DeAOT-T checkpoint"), e.getMessage());
        assertEquals(List.of(), files(), "bad downloads are removed");
    }

    @Test
    void aZipFromDriveGivesTheCheckpointInside() throws Exception {
        byte[] tiny = Files.readAllBytes(Fixtures.file("deaot/deaott/weights.pth"));
        Path zip = dir.resolveSibling(dir.getFileName() + "-pack.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("release_model/README.md"));
            z.write("models".getBytes());
            z.putNextEntry(new ZipEntry("release_model/t.pth"));
            z.write(tiny);
        }
        server.files.put("pack", Files.readAllBytes(zip));
        server.drive.put("zipid", "pack");
        ModelCatalog.Model m = new ModelCatalog.Model("t.pth", "DeAOT-T", false, ModelFamily.DEAOT, "DeAOT-T (MobileNetV2, 1 layer)", null, "zipid",
                "pack.zip", -1, null, true, "test");
        ModelCatalog.Source s = ModelCatalog.source(m, Map.of(ModelCatalog.DRIVE, server.url() + "/drive")::get);
        assertEquals("pack.zip", s.name());
        download.fetch(m, s, dir, null);
        assertArrayEquals(tiny, Files.readAllBytes(dir.resolve("t.pth")));
        assertEquals(List.of("t.pth"), files(), "the archive is removed");
    }

    @Test
    void aSecondDownloadOfTheSameFileAtOnceIsRefused() throws Exception {
        Path part = dir.resolve("model.pth.part");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            IOException e = assertThrows(IOException.class, () -> download.transfer(URI.create(server.url() + "/files/model.pth"), part, -1, "d", null));
            assertTrue(e.getMessage().contains("being downloaded by another process"), e.getMessage());
        }
        assertEquals(List.of(), server.requests());
    }
}
