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
    void aRegionIsAViewOfItsPixels() {
        Random r = new Random(5);
        int w = 17, h = 9, x0 = 3, y0 = 2, rw = 6, rh = 4;
        try (Frame f = Frame.allocate(w, h); Mask m = Mask.allocate(w, h)) {
            byte[] px = random(r, w * h * 3), mk = random(r, w * h);
            f.copyFrom(px);
            m.copyFrom(mk);
            Frame view = f.region(x0, y0, rw, rh);
            Mask mview = m.region(x0, y0, rw, rh);
            byte[] got = new byte[rw * rh * 3], gotMask = new byte[rw * rh];
            view.copyTo(got);
            mview.copyTo(gotMask);
            for (int y = 0; y < rh; y++) {
                for (int x = 0; x < rw; x++) {
                    for (int c = 0; c < 3; c++) assertEquals(px[3 * ((y0 + y) * w + x0 + x) + c], got[3 * (y * rw + x) + c], "pixel " + x + "," + y);
                    assertEquals(mk[(y0 + y) * w + x0 + x], gotMask[y * rw + x]);
                }
            }
            // Writes go to the frame, inside the region only.
            view.copyFrom(new byte[rw * rh * 3]);
            byte[] after = new byte[w * h * 3];
            f.copyTo(after);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean in = x >= x0 && x < x0 + rw && y >= y0 && y < y0 + rh;
                    for (int c = 0; c < 3; c++) assertEquals(in ? 0 : px[3 * (y * w + x) + c], after[3 * (y * w + x) + c], "pixel " + x + "," + y);
                }
            }
            // A resize reads the view with the frame's row stride.
            try (Frame small = Frame.allocate(rw, rh); Frame copy = Frame.allocate(rw, rh)) {
                f.copyFrom(px);
                view.resizeTo(small);
                copy.copyFrom(got);
                byte[] a = new byte[rw * rh * 3], b = new byte[rw * rh * 3];
                small.copyTo(a);
                copy.copyTo(b);
                assertArrayEquals(b, a, "a same-size resize of the view is its pixels");
            }
            view.close();
            assertEquals(w, f.width(), "closing a view leaves the frame");
            f.copyTo(after);
            assertArrayEquals(px, after);
            assertThrows(InvalidInputException.class, () -> f.region(12, 0, 6, 4), "past the right edge");
            assertThrows(InvalidInputException.class, () -> m.region(0, 6, 4, 4), "past the bottom");
            assertThrows(InvalidInputException.class, () -> f.region(-1, 0, 2, 2));
            assertThrows(InvalidInputException.class, () -> f.region(0, 0, 0, 2));
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
