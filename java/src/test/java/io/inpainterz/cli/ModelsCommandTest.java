package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.testing.Fixtures;
import io.inpainterz.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code models} and {@code models download} through the CLI, against a local server standing in for Google Drive and a mirror. */
@Timeout(120)
class ModelsCommandTest {
    @TempDir
    Path dir;

    ModelServer server;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = new ModelServer();
        System.setProperty(ModelCatalog.DRIVE, server.url() + "/drive");
    }

    @AfterEach
    void stop() {
        System.clearProperty(ModelCatalog.DRIVE);
        System.clearProperty(ModelCatalog.MIRROR);
        server.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> listing() {
        assertEquals(Main.OK, run("models", "--dir", dir.toString(), "--json"), err.toString());
        Map<String, Map<String, Object>> byFile = new java.util.LinkedHashMap<>();
        for (Object m : (List<Object>) Json.at(Json.parse(out.toString().strip()), "models")) byFile.put((String) Json.at(m, "file"), (Map<String, Object>) m);
        return byFile;
    }

    private List<String> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void downloadThenListTheFilesPresentAndValid() throws Exception {
        Map<String, Map<String, Object>> before = listing();
        assertEquals(ModelCatalog.MODELS.size(), before.size());
        assertTrue(before.values().stream().allMatch(m -> m.get("status").equals("missing")), before.toString());
        assertEquals("CC BY-NC 4.0 (non-commercial use only)", before.get("E2FGVI-CVPR22.pth").get("licence"));
        assertEquals("SHA-256", before.get("sam_vit_b_01ec64.pth").get("verified"));
        assertEquals("SHA-256 + structure", before.get("R50_DeAOTL_PRE_YTB_DAV.pth").get("verified"));

        byte[] tiny = Files.readAllBytes(Fixtures.file("deaot/deaott/weights.pth"));
        ModelCatalog.Model deaott = ModelCatalog.find("DeAOTT_PRE_YTB_DAV.pth").orElseThrow();
        server.files.put("t", tiny);
        server.drive.put(deaott.driveId(), "t");
        server.cutOnce.add("t");
        assertEquals(Main.OK, run("models", "download", "deaott_pre_ytb_dav", "--dir", dir.toString(), "--progress", "json"), err.toString());
        Object line = Json.parse(out.toString().strip());
        assertEquals("downloaded", Json.at(line, "status"));
        assertEquals("structure", Json.at(line, "verified"));
        assertEquals((long) tiny.length, Json.at(line, "bytes"));
        assertArrayEquals(tiny, Files.readAllBytes(dir.resolve("DeAOTT_PRE_YTB_DAV.pth")));
        assertTrue(err.toString().contains("\"stage\":\"download DeAOTT_PRE_YTB_DAV.pth\""), err.toString());
        assertTrue(server.requests().stream().anyMatch(r -> r.matches(".*confirm=t.* bytes=\\d+-")), "resumed after the cut: " + server.requests());

        Map<String, Map<String, Object>> after = listing();
        assertEquals("ok", after.get("DeAOTT_PRE_YTB_DAV.pth").get("status"));
        assertEquals((long) tiny.length, after.get("DeAOTT_PRE_YTB_DAV.pth").get("bytes"));
        assertEquals("missing", after.get("DeAOTS_PRE_YTB_DAV.pth").get("status"));

        // Present and good: not fetched again.
        server.log.clear();
        assertEquals(Main.OK, run("models", "download", "DeAOTT_PRE_YTB_DAV.pth", "--dir", dir.toString()), err.toString());
        assertEquals("present", Json.at(Json.parse(out.toString().strip()), "status"));
        assertEquals(List.of(), server.requests());

        assertEquals(Main.OK, run("models", "--dir", dir.toString()), err.toString());
        assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("DeAOTT_PRE_YTB_DAV.pth") && l.contains(" ok ") && l.contains("structure")
                && l.contains("BSD-3-Clause")), out.toString());
    }

    @Test
    void aBadDownloadIsRemovedAndExits3AndABadFileMakesTheListingExit1() throws Exception {
        System.setProperty(ModelCatalog.MIRROR, server.url() + "/files");
        server.files.put("sam_vit_b_01ec64.pth", "not SAM".getBytes());
        assertEquals(Main.BAD_INPUT, run("models", "download", "sam_vit_b_01ec64.pth", "--dir", dir.toString()), err.toString());
        assertTrue(err.toString().contains("375042383") && err.toString().contains("the download was removed"), err.toString());
        assertEquals(List.of(), files());
        assertEquals(List.of("/files/sam_vit_b_01ec64.pth -"), server.requests(), "fetched from the mirror");

        Files.writeString(dir.resolve("E2FGVI-CVPR22.pth"), "garbage");
        Files.writeString(dir.resolve("sam_vit_h_4b8939.pth.part"), "half");
        assertEquals(Main.CHECK_FAILED, run("models", "--dir", dir.toString(), "--json"), err.toString());
        Object models = Json.at(Json.parse(out.toString().strip()), "models");
        for (Object m : (List<?>) models) {
            if (Json.at(m, "file").equals("E2FGVI-CVPR22.pth")) {
                assertEquals("invalid", Json.at(m, "status"));
                assertTrue(((String) Json.at(m, "message")).contains("not a good E2FGVI checkpoint"), m.toString());
            }
            if (Json.at(m, "file").equals("sam_vit_h_4b8939.pth")) {
                assertEquals("missing", Json.at(m, "status"));
                assertEquals(4L, Json.at(m, "bytes"));
                assertTrue(((String) Json.at(m, "message")).contains("resumes"), m.toString());
            }
        }
        // A download that fails (here the mirror has no such file): exit 5, the model's name in the message.
        assertEquals(Main.PROCESSING_FAILED, run("models", "download", "sam_vit_l_0b3195", "--dir", dir.toString()), err.toString());
        assertTrue(err.toString().contains("sam_vit_l_0b3195.pth: HTTP 404"), err.toString());
        assertFalse(Files.exists(dir.resolve("sam_vit_l_0b3195.pth")));
    }

    @Test
    void unknownNamesAreUsageErrors() {
        assertEquals(Main.USAGE, run("models", "download", "sam_vit_z", "--dir", dir.toString()));
        assertTrue(err.toString().contains("no model named 'sam_vit_z'") && err.toString().contains("E2FGVI-HQ-CVPR22.pth"), err.toString());
    }
}
