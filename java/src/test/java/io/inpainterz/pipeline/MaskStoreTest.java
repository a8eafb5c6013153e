package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compressed label maps on disk, and their size: the README quotes the bytes per frame measured here. */
class MaskStoreTest {
    @TempDir
    Path tmp;

    @Test
    void mapsComeBackExactlyEmptyOnesTakeNoFileAndCloseRemovesTheFolder() {
        int w = 1920, h = 1080;
        byte[] map = new byte[w * h], back = new byte[w * h];
        // Two solid objects (an ellipse, a box), then a third that is speckled (a worst case for compression).
        Random r = new Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ex = (x - 600) / 180.0, ey = (y - 500) / 260.0;
                if (ex * ex + ey * ey < 1) map[y * w + x] = 1;
                else if (x > 1200 && x < 1500 && y > 300 && y < 900) map[y * w + x] = 2;
            }
        }
        MaskStore store = MaskStore.create(tmp, w, h);
        store.put(3, map);
        long solid = store.bytesWritten();
        for (int y = 800; y < 1000; y++) for (int x = 200; x < 400; x++) if (r.nextInt(10) < 8) map[y * w + x] = 3;
        Path dir = store.dir();
        assertTrue(dir.startsWith(tmp));
        store.put(7, map);
        store.put(8, new byte[w * h]);
        assertEquals(2, store.files());
        assertTrue(store.get(7, back));
        assertArrayEquals(map, back);
        assertFalse(store.get(8, back));
        assertArrayEquals(new byte[w * h], back);
        assertFalse(store.get(9, back));
        long speckled = store.bytesWritten() - solid;
        System.out.println("MaskStoreTest: a 1920x1080 map of two solid objects takes " + solid + " bytes, with a speckled third " + speckled);
        assertTrue(solid < 8 * 1024, "a 1080p map of solid objects stays small: " + solid);
        assertTrue(speckled < 64 * 1024, "a 1080p map with a speckled object stays small: " + speckled);
        store.close();
        assertFalse(Files.exists(dir));
        assertThrows(FileAccessException.class, () -> MaskStore.create(tmp.resolve("missing"), w, h));
    }

    @Test
    void packedPromptMasksRoundTrip() {
        byte[] m = new byte[333 * 77];
        new Random(1).nextBytes(m);
        byte[] back = new byte[m.length];
        MaskStore.unpack(MaskStore.pack(m), back);
        assertArrayEquals(m, back);
    }
}
