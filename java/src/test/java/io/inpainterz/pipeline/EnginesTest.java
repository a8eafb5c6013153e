package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.pipeline.Engines.Choice;
import io.inpainterz.pipeline.Engines.Kind;
import io.inpainterz.pipeline.Engines.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {
    @Test
    void autoTakesNeuralWhereTheWeightsAreAndSaysWhyNot(@TempDir Path dir) throws Exception {
        Path present = Files.writeString(dir.resolve("sam.pth"), "x"), missing = dir.resolve("none.pth");
        assertEquals(Kind.neural, Engines.resolve(Choice.auto, null, present, false));
        Engines.Decision d = Engines.decide(Stage.segmenter, Choice.auto, null, missing, false);
        assertEquals(Kind.classical, d.kind());
        assertTrue(d.fallback());
        assertEquals("no SAM weights at " + missing + ": segmenting with GrabCut (weight-free)", d.reason());
        // A checkpoint the user named is asked for: neural, so that its absence is an error.
        assertEquals(Kind.neural, Engines.resolve(Choice.auto, null, missing, true));
    }

    @Test
    void aStageOfItsOwnOverridesTheEngine(@TempDir Path dir) {
        Path missing = dir.resolve("none.pth");
        assertEquals(Kind.neural, Engines.resolve(Choice.classical, Kind.neural, missing, false));
        assertEquals(Kind.classical, Engines.resolve(Choice.neural, Kind.classical, missing, false));
        assertEquals(Kind.neural, Engines.resolve(Choice.neural, null, missing, false));
        Engines.Decision d = Engines.decide(Stage.tracker, Choice.auto, Kind.classical, missing, false);
        assertFalse(d.fallback());
        assertNull(d.reason());
    }
}
