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
        // Three objects of a typical size: an ellipse, a box, a ragged blob.
        Random r = new Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ex = (x - 600) / 180.0, ey = (y - 500) / 260.0;
                if (ex * ex + ey * ey < 1) map[y * w + x] = 1;
                else if (x > 1200 && x < 1500 && y > 300 && y < 900) map[y * w + x] = 2;
                else if (x > 200 && x < 400 && y > 800 && y < 1000 && r.nextInt(10) < 8) map[y * w + x] = 3;
            }
        }
        MaskStore store = MaskStore.create(tmp, w, h);
        Path dir = store.dir();
        assertTrue(dir.startsWith(tmp));
        store.put(7, map);
        store.put(8, new byte[w * h]);
        assertEquals(1, store.files());
        assertTrue(store.get(7, back));
        assertArrayEquals(map, back);
        assertFalse(store.get(8, back));
        assertArrayEquals(new byte[w * h], back);
        assertFalse(store.get(9, back));
        long bytes = store.bytesWritten();
        System.out.println("MaskStoreTest: a 1920x1080 map with three objects takes " + bytes + " bytes");
        assertTrue(bytes < 64 * 1024, "a 1080p map of a few objects stays small: " + bytes);
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
