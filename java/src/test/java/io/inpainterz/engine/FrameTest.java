package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inpainterz.InvalidInputException;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pixel access (packed copies, rows), blending and the resize of frames and masks. */
class FrameTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void packedCopiesHonourTheRowStride() {
        Random r = new Random(1);
        Frame f = new Frame(arena.allocate(40L * 5), 11, 5, 40); // 33 bytes a row, 7 of padding
        byte[] in = random(r, 11 * 5 * 3), out = new byte[in.length];
        f.copyFrom(in);
        f.copyTo(out);
        assertArrayEquals(in, out);
        byte[] row = new byte[33];
        f.copyRow(3, row);
        assertArrayEquals(java.util.Arrays.copyOfRange(in, 3 * 33, 4 * 33), row);
        try (Frame packed = Frame.allocate(11, 5)) {
            packed.copyFrom(f);
            byte[] again = new byte[in.length];
            packed.copyTo(again);
            assertArrayEquals(in, again);
        }
        assertThrows(InvalidInputException.class, () -> f.copyTo(new byte[10]));
    }

    @Test
    void blendKeepsAlphaZeroPixelsAndTakesAlphaFullOnes() {
        Random r = new Random(2);
        int w = 9, h = 4;
        byte[] a = random(r, w * h * 3), b = random(r, w * h * 3), alpha = new byte[w * h];
        for (int i = 0; i < alpha.length; i++) alpha[i] = (byte) (i % 3 == 0 ? 0 : i % 3 == 1 ? 255 : r.nextInt(256));
        try (Frame dst = Frame.allocate(w, h); Frame over = Frame.allocate(w, h); Mask m = Mask.allocate(w, h)) {
            dst.copyFrom(a);
            over.copyFrom(b);
            m.copyFrom(alpha);
            dst.blend(over, m);
            byte[] got = new byte[a.length];
            dst.copyTo(got);
            for (int i = 0; i < alpha.length; i++) {
                int al = alpha[i] & 0xff;
                for (int c = 0; c < 3; c++) {
                    int want = ((a[3 * i + c] & 0xff) * (255 - al) + (b[3 * i + c] & 0xff) * al + 127) / 255;
                    assertEquals(want, got[3 * i + c] & 0xff, "pixel " + i + " channel " + c + " alpha " + al);
                }
            }
            try (Mask small = Mask.allocate(w - 1, h)) {
                assertThrows(InvalidInputException.class, () -> dst.blend(over, small));
            }
        }
    }

    @Test
    void nearestResizeOfMasksPicksThePixelAtTheScaledCentre() {
        Random r = new Random(3);
        int w = 37, h = 23, ow = 16, oh = 50;
        byte[] in = random(r, w * h), out = new byte[ow * oh];
        try (Mask src = Mask.allocate(w, h); Mask dst = Mask.allocate(ow, oh)) {
            src.copyFrom(in);
            src.resizeTo(dst);
            dst.copyTo(out);
        }
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx = (int) Math.floor((x + 0.5) * w / ow), sy = (int) Math.floor((y + 0.5) * h / oh);
                assertEquals(in[sy * w + sx], out[y * ow + x], "(" + x + ", " + y + ")");
            }
        }
    }

    @Test
    void bicubicResizeOfFramesKeepsAConstantFrameAndTheSameSizeExactly() {
        Random r = new Random(4);
        try (Frame src = Frame.allocate(30, 20); Frame dst = Frame.allocate(13, 47); Frame same = Frame.allocate(30, 20)) {
            byte[] flat = new byte[30 * 20 * 3];
            for (int i = 0; i < flat.length; i += 3) {
                flat[i] = 10;
                flat[i + 1] = (byte) 200;
                flat[i + 2] = 77;
            }
            src.copyFrom(flat);
            src.resizeTo(dst);
            byte[] got = new byte[13 * 47 * 3];
            dst.copyTo(got);
            for (int i = 0; i < got.length; i += 3) assertArrayEquals(new byte[] {10, (byte) 200, 77}, new byte[] {got[i], got[i + 1], got[i + 2]});
            byte[] noise = random(r, flat.length), back = new byte[flat.length];
            src.copyFrom(noise);
            src.resizeTo(same);
            same.copyTo(back);
            assertArrayEquals(noise, back, "a resize to the same size is the identity, as Pillow's");
            assertThrows(InvalidInputException.class, () -> src.resizeTo(src), "source and destination may not overlap");
        }
    }

    @Test
    void countNonZeroCountsObjectPixels() {
        try (Mask m = Mask.allocate(5, 3)) {
            assertEquals(0, m.countNonZero());
            m.copyFrom(new byte[] {0, 1, 0, 0, 0, 0, 0, (byte) 255, 0, 0, 0, 0, 0, 0, 9});
            assertEquals(3, m.countNonZero());
        }
    }
}
