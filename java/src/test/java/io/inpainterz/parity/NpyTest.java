package io.inpainterz.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.DType;
import io.inpainterz.testing.Fixtures;
import io.inpainterz.util.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    private final Arena arena = Arena.ofShared();

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void uint8FramesEqualThePngsOfTheSameFrames() throws IOException {
        Path dir = Fixtures.file("deaot/deaott");
        NdArray frames = Npy.read(dir.resolve("frames.npy"), arena);
        assertEquals(DType.U8, frames.dtype());
        long[] s = frames.shape();
        assertEquals(4, s.length);
        for (int t = 0; t < 2; t++) {
            BufferedImage png = ImageIO.read(dir.resolve(String.format("frame_%02d.png", t)).toFile());
            assertEquals(s[1], png.getHeight());
            assertEquals(s[2], png.getWidth());
            for (int y = 0; y < png.getHeight(); y += 7) {
                for (int x = 0; x < png.getWidth(); x += 5) {
                    int rgb = png.getRGB(x, y);
                    long base = ((t * s[1] + y) * s[2] + x) * 3;
                    assertEquals((rgb >> 16) & 0xff, (int) frames.getDouble(base), "R at " + x + "," + y);
                    assertEquals((rgb >> 8) & 0xff, (int) frames.getDouble(base + 1), "G at " + x + "," + y);
                    assertEquals(rgb & 0xff, (int) frames.getDouble(base + 2), "B at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void float32ArraysHaveTheAbsMaxTheCaseRecords() {
        ParityCase c = ParityCase.load("sam", Fixtures.file("sam/tiny"));
        int checked = 0;
        for (String name : new String[] {"patch_embed.npy", "block_0.npy", "image_embedding.npy", "dense_pe.npy"}) {
            Object tol = Json.at(c.json(), "tolerances", name);
            double want = ((Number) ((Map<?, ?>) tol).get("ref_absmax")).doubleValue();
            NdArray a = Npy.read(c.dir().resolve(name), arena);
            assertEquals(DType.F32, a.dtype());
            double max = 0;
            for (long i = 0; i < a.numElements(); i++) max = Math.max(max, Math.abs(a.getDouble(i)));
            assertEquals(want, max, 1e-6 * want, name);
            checked++;
        }
        assertEquals(4, checked);
    }

    @Test
    void readsBoolAndInt64() {
        NdArray labels = Npy.read(Fixtures.file("sam/tiny/case_b_two_points/point_labels.npy"), arena);
        assertEquals(DType.I64, labels.dtype());
        assertArrayEquals(new long[] {2}, labels.shape());
        NdArray masks = Npy.read(Fixtures.file("sam/tiny/case_b_two_points/masks.npy"), arena);
        assertEquals(DType.BOOL, masks.dtype());
        for (long i = 0; i < masks.numElements(); i++) {
            double v = masks.getDouble(i);
            assertTrue(v == 0 || v == 1);
        }
    }

    @Test
    void malformedFilesAreNamedErrors() throws IOException {
        Path good = Fixtures.file("sam/tiny/case_b_two_points/point_labels.npy");
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(tmp.resolve("trunc.npy"), java.util.Arrays.copyOf(bytes, bytes.length - 3));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Npy.read(truncated, arena));
        assertTrue(e.getMessage().contains("trunc.npy") && e.getMessage().contains("data bytes"), e.getMessage());
        Path junk = Files.write(tmp.resolve("junk.npy"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertThrows(InvalidInputException.class, () -> Npy.read(junk, arena));
        assertThrows(io.inpainterz.FileAccessException.class, () -> Npy.read(tmp.resolve("none.npy"), arena));
        assertThrows(InvalidInputException.class, () -> Npy.parse("x", MemorySegment.ofArray(new byte[0])));
    }
}
