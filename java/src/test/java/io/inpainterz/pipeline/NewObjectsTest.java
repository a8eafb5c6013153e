package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The admission rule of {@code track --everything} on hand-made masks: at least 200 uncovered
 * pixels, at least 80 % of the mask uncovered, at most 255 objects, masks merged later over
 * earlier, new objects taking only uncovered pixels. Expected maps are painted here directly.
 */
class NewObjectsTest {
    static final int W = 100, H = 60;

    /** Pixels [x0, x1) x [y0, y1). */
    static byte[] rect(int x0, int y0, int x1, int y1) {
        byte[] m = new byte[W * H];
        for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) m[y * W + x] = (byte) 255;
        return m;
    }

    static void paint(byte[] map, byte[] mask, int id) {
        for (int i = 0; i < map.length; i++) if (mask[i] != 0) map[i] = (byte) id;
    }

    @Test
    void anObjectNeedsAtLeast200UncoveredPixels() {
        NewObjects n = new NewObjects(W, H);
        byte[] map = new byte[W * H];
        map[19 * W + 59] = 1; // tracked object 1 covers one pixel of the third mask
        byte[] tracked = map.clone();
        n.add(rect(0, 0, 10, 20)); // 200 pixels, all uncovered: in
        n.add(rect(20, 0, 39, 10)); // 19 x 10 = 190: too small even to merge
        n.add(rect(50, 0, 60, 20)); // 200, 199 of them uncovered (99.5 %): too few
        assertEquals(2, n.admit(map, 1));
        byte[] want = tracked.clone();
        paint(want, rect(0, 0, 10, 20), 2);
        assertArrayEquals(want, map, "only the first mask, as object 2");
    }

    @Test
    void atLeast80PercentOfTheMaskMustBeUncovered() {
        // Masks of 500 pixels (25 x 20); tracked objects 1 and 2 cover 100 (20 %) of the first and 101 of the second.
        byte[] map = new byte[W * H];
        paint(map, rect(0, 0, 5, 20), 1);
        paint(map, rect(40, 0, 45, 20), 2);
        map[45] = 2; // the 101st pixel under the second mask: 399 of 500 uncovered is 79.8 %
        byte[] tracked = map.clone();
        NewObjects n = new NewObjects(W, H);
        n.add(rect(0, 0, 25, 20));
        n.add(rect(40, 0, 65, 20));
        n.add(rect(70, 30, 95, 50)); // wholly uncovered
        assertEquals(4, n.admit(map, 2));
        byte[] want = tracked.clone();
        for (int i = 0; i < want.length; i++) {
            if (tracked[i] != 0) continue;
            if (rect(0, 0, 25, 20)[i] != 0) want[i] = 3; // 80 % uncovered: in, with its uncovered pixels only
            if (rect(70, 30, 95, 50)[i] != 0) want[i] = 4; // the next id: the rejected second mask takes none
        }
        assertArrayEquals(want, map);
    }

    @Test
    void laterMasksLieOverEarlierOnes() {
        NewObjects n = new NewObjects(W, H);
        byte[] map = new byte[W * H];
        n.add(rect(0, 0, 30, 30)); // 900, of which the next mask takes 20 x 30 = 600
        n.add(rect(10, 0, 40, 30));
        assertEquals(2, n.admit(map, 0));
        byte[] want = new byte[W * H];
        paint(want, rect(0, 0, 10, 30), 1);
        paint(want, rect(10, 0, 40, 30), 2);
        assertArrayEquals(want, map);
        // The merge starts again for the next frame.
        byte[] next = map.clone();
        assertEquals(2, n.admit(next, 2));
        assertArrayEquals(map, next);
    }

    @Test
    void atMost255Objects() {
        NewObjects n = new NewObjects(W, H);
        byte[] map = new byte[W * H];
        n.add(rect(0, 0, 20, 20));
        n.add(rect(30, 0, 50, 20));
        assertEquals(255, n.admit(map, 254));
        byte[] want = new byte[W * H];
        paint(want, rect(0, 0, 20, 20), 255);
        assertArrayEquals(want, map, "one more id, 255, for the first; none for the second");
        n.add(rect(60, 0, 80, 20));
        assertEquals(255, n.admit(map, 255));
        assertArrayEquals(want, map);
    }
}
