package io.inpainterz.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import io.inpainterz.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParityRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void everyFixtureCheckpointPassesItsStages() {
        List<StageResult> results = ParityRunner.run(Fixtures.root(), ParityRunner.MODELS, null);
        List<StageResult> failed = results.stream().filter(r -> !r.passed()).toList();
        assertTrue(failed.isEmpty(), () -> String.join("\n", failed.stream().map(StageResult::line).toList()));
        // One key check per checkpoint file on disk; hashes where recorded (deaot); the legacy/zip equality.
        long files = ParityRunner.MODELS.stream().flatMap(m -> ParityCase.all(Fixtures.root(), m).stream())
                .mapToLong(c -> c.weightFiles().size()).sum();
        assertTrue(files >= 7, "the fixtures hold at least 7 checkpoints, found " + files);
        assertTrue(results.stream().anyMatch(r -> r.stage().equals("ckpt weights.pth == weights_legacy.pth")));
        assertTrue(results.stream().filter(r -> r.stage().endsWith("sha256")).count() >= 4);
        assertEquals(files, results.stream().filter(r -> r.stage().endsWith(" keys")).count());
        // SAM: the image stages, dense_pe, 9 stages for each of the 6 prompt cases, 4 per AMG case
        // (two with the model, one with the fixture's formula predictor).
        assertEquals(6 + 1 + 6 * 9 + 3 * 4, results.stream().filter(r -> r.caseName().equals("sam/tiny") && !r.stage().startsWith("ckpt")).count());
        // E2FGVI, each case: the variant, window 0's 24 recorded stages and the returned prediction,
        // the whole clip with upstream's references and streamed with the default radius, and the
        // deformable conv's two standalone cases, kernel and reference.
        for (String e : List.of("e2fgvi/e2fgvi_d2", "e2fgvi/e2fgvi_hq_d2")) {
            List<String> stages = results.stream().filter(r -> r.caseName().equals(e) && !r.stage().startsWith("ckpt")).map(StageResult::stage).toList();
            assertEquals(1 + 24 + 1 + 2 + 4, stages.size(), e + ": " + stages);
            assertTrue(stages.containsAll(List.of("variant", "window0_pred", "inter_block1_slot2", "comp_frames", "comp_frames (ref_radius 60, streamed)", "dcn kernel", "dcn_general reference")), stages.toString());
        }
    }

    @Test
    void aCaseThatDisagreesWithTheCheckpointFails() throws IOException {
        Path src = Fixtures.file("sam/tiny");
        Path dst = Files.createDirectories(tmp.resolve("sam/tiny"));
        try (var entries = Files.list(src)) { // everything but case.json, by link
            for (Path p : entries.toList()) {
                if (!p.getFileName().toString().equals("case.json")) Files.createSymbolicLink(dst.resolve(p.getFileName()), p);
            }
        }
        String json = Files.readString(src.resolve("case.json"));
        // Claim a different shape for one key: the keys stage must catch it.
        String edited = json.replaceFirst("\"image_encoder.pos_embed\": \\[\\s*1,\\s*64,", "\"image_encoder.pos_embed\": [1, 65,");
        assertFalse(edited.equals(json), "edit did not apply");
        Files.writeString(dst.resolve("case.json"), edited);
        List<StageResult> results = ParityRunner.run(tmp, List.of("sam"), null);
        StageResult keys = results.stream().filter(r -> r.stage().endsWith(" keys")).findFirst().orElseThrow();
        assertFalse(keys.passed());
        assertTrue(keys.summary().contains("'image_encoder.pos_embed' has shape [1, 64, 64, 64], expected [1, 65, 64, 64]"), keys.summary());
    }

    @Test
    void missingFixturesAreAnErrorNotASkip() {
        assertThrows(FileAccessException.class, () -> ParityFixtures.root(tmp.resolve("absent").toString()));
        assertThrows(FileAccessException.class, () -> ParityRunner.run(tmp, List.of("deaot"), null));
    }
}
