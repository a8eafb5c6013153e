package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void parityPassesOnTheFixturesAndFailsWithoutThem() {
        assertEquals(0, run("parity", "--dir", Fixtures.root().toString(), "deaot"));
        assertTrue(out.toString().contains("failed 0") || out.toString().matches("(?s).*, 0 failed.*"), out.toString());
        assertEquals(Main.BAD_INPUT, run("parity", "--dir", tmp.resolve("none").toString()));
        assertTrue(err.toString().contains("parity fixtures not found"), err.toString());
    }
}
