package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MaskTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    /** Straightforward cross dilation, written independently of the native one. */
    private static int[][] dilateReference(int[][] m, int iterations) {
        int h = m.length, w = m[0].length;
        for (int it = 0; it < iterations; it++) {
            int[][] o = new int[h][w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = m[y][x];
                    if (y > 0) v = Math.max(v, m[y - 1][x]);
                    if (y < h - 1) v = Math.max(v, m[y + 1][x]);
                    if (x > 0) v = Math.max(v, m[y][x - 1]);
                    if (x < w - 1) v = Math.max(v, m[y][x + 1]);
                    o[y][x] = v;
                }
            }
            m = o;
        }
        return m;
    }

    private static Mask randomMask(Arena arena, Random r, int w, int h, long stride) {
        Mask m = new Mask(arena.allocate(stride * h), w, h, stride);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = r.nextInt(100) < 3 ? 1 + r.nextInt(255) : 0; // sparse, grey levels too
                m.data().set(ValueLayout.JAVA_BYTE, m.offset(x, y, 0), (byte) v);
            }
        }
        return m;
    }

    private static int[][] pixels(Mask m) {
        int[][] p = new int[m.height()][m.width()];
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) p[y][x] = m.data().get(ValueLayout.JAVA_BYTE, m.offset(x, y, 0)) & 0xff;
        }
        return p;
    }

    @Test
    void dilationWritesTheReferenceResultIntoTheCallersMask() {
        Random r = new Random(1);
        for (int[] size : new int[][] {{1, 1}, {7, 3}, {64, 48}, {433, 241}}) {
            for (int iterations : new int[] {0, 1, 4}) {
                int w = size[0], h = size[1];
                Mask src = randomMask(arena, r, w, h, w + 5L); // padded rows
                Mask dst = Mask.allocate(arena, w, h);
                MemorySegment before = dst.data();
                src.dilate(iterations, dst);
                assertEquals(before.address(), dst.data().address());
                int[][] want = dilateReference(pixels(src), iterations);
                int[][] got = pixels(dst);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) assertEquals(want[y][x], got[y][x], "(" + x + "," + y + ") " + w + "x" + h + " it " + iterations);
                }
            }
        }
    }

    /** Independent reference: BFS labelling with 8-connectivity, then upstream's fill rule. */
    private static int[][] removeSmallReference(int[][] m, long minArea, boolean holes) {
        int h = m.length, w = m[0].length;
        int[][] label = new int[h][w];
        List<Long> sizes = new java.util.ArrayList<>();
        sizes.add(0L);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean work = holes ? m[y][x] == 0 : m[y][x] != 0;
                if (!work || label[y][x] != 0) continue;
                int id = sizes.size();
                long count = 0;
                java.util.ArrayDeque<int[]> q = new java.util.ArrayDeque<>();
                q.add(new int[] {y, x});
                label[y][x] = id;
                while (!q.isEmpty()) {
                    int[] p = q.poll();
                    count++;
                    for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
                        int yy = p[0] + dy, xx = p[1] + dx;
                        if (yy < 0 || xx < 0 || yy >= h || xx >= w || label[yy][xx] != 0) continue;
                        boolean ww = holes ? m[yy][xx] == 0 : m[yy][xx] != 0;
                        if (ww) {
                            label[yy][xx] = id;
                            q.add(new int[] {yy, xx});
                        }
                    }
                }
                sizes.add(count);
            }
        }
        java.util.Set<Integer> small = new java.util.HashSet<>();
        for (int i = 1; i < sizes.size(); i++) if (sizes.get(i) < minArea) small.add(i);
        int[][] out = new int[h][w];
        int largest = 1;
        for (int i = 1; i < sizes.size(); i++) if (sizes.get(i) > sizes.get(largest)) largest = i;
        boolean allSmall = small.size() == sizes.size() - 1;
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            boolean on = m[y][x] != 0;
            int l = label[y][x];
            if (holes && l != 0 && small.contains(l)) on = true;
            if (!holes && l != 0 && small.contains(l) && !(allSmall && l == largest)) on = false;
            out[y][x] = on ? 255 : 0;
        }
        return out;
    }

    @Test
    void smallHolesAndIslandsAreRemovedLikeTheReference() {
        Random r = new Random(5);
        for (int trial = 0; trial < 6; trial++) {
            int w = 37 + trial * 11, h = 23 + trial * 7;
            Mask src = Mask.allocate(arena, w, h);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                src.data().set(ValueLayout.JAVA_BYTE, src.offset(x, y, 0), (byte) (r.nextInt(100) < 45 + trial * 3 ? 255 : 0));
            }
            for (boolean holes : new boolean[] {true, false}) {
                long minArea = 3 + trial * 4;
                Mask dst = Mask.allocate(arena, w, h);
                int[][] want = removeSmallReference(pixels(src), minArea, holes);
                boolean changed = src.removeSmallRegions(minArea, holes, dst);
                int[][] got = pixels(dst);
                boolean differs = false;
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                    assertEquals(want[y][x], got[y][x], "(" + x + "," + y + ") holes=" + holes + " trial " + trial);
                    differs |= (want[y][x] != 0) != (pixels(src)[y][x] != 0);
                }
                if (differs) assertTrue(changed, "pixels changed but the call says nothing did");
            }
        }
    }

    @Test
    void dilatesInPlace() {
        Mask m = randomMask(arena, new Random(2), 50, 30, 50);
        int[][] want = dilateReference(pixels(m), 4);
        m.dilate(4, m);
        int[][] got = pixels(m);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 50; x++) assertEquals(want[y][x], got[y][x]);
    }

    @Test
    void nativeCodeSeesTheCallersMemoryWithoutACopy() {
        Frame f = Frame.allocate(arena, 640, 360);
        assertEquals(f.data().address(), f.addressSeenByNative());
        Mask m = new Mask(arena.allocate(100 * 20 + 13).asSlice(13), 90, 20, 100); // unaligned, strided
        assertEquals(m.data().address(), m.addressSeenByNative());
    }

    @Test
    void rejectsBadGeometryBeforeCallingNativeCode() {
        assertThrows(InvalidInputException.class, () -> Mask.allocate(arena, 0, 5));
        assertThrows(InvalidInputException.class, () -> new Mask(arena.allocate(10), 4, 4, 4));
        assertThrows(InvalidInputException.class, () -> new Frame(arena.allocate(100), 10, 1, 20));
        Mask a = Mask.allocate(arena, 4, 4), b = Mask.allocate(arena, 5, 4);
        assertThrows(InvalidInputException.class, () -> a.dilate(1, b));
        assertThrows(InvalidInputException.class, () -> a.dilate(-1, a));
    }
}
