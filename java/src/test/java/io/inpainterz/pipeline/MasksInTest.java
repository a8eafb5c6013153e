package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remove --masks-in DIR [--ids]} with the model-free inpainter of {@link FakeStages}: the
 * maps used are exactly the PNGs' ids (filtered by the ids), a frame without a file is left as
 * the source, only the picked objects' dilated pixels change, and a bad file writes nothing.
 */
class MasksInTest {
    static final int W = RemovePipelineTest.W, H = RemovePipelineTest.H, T = 8, WW = RemovePipelineTest.WW, WH = RemovePipelineTest.WH;
    static final Box A = new Box(20, 8, 30, 18), B = new Box(90, 50, 30, 20);
    static final int NO_FILE = 5;

    @TempDir
    static Path shared;
    static Path clip, masks;
    static byte[][] source, labels;

    @TempDir
    Path tmp;

    @BeforeAll
    static void make() throws Exception {
        clip = Clips.make(shared, "clip.mp4", W, H, T, new Box(10, 30, 24, 20), 4);
        source = Clips.frames(clip, W, H);
        masks = Files.createDirectory(shared.resolve("in"));
        labels = new byte[T][];
        for (int t = 0; t < T; t++) {
            byte[] m = new byte[W * H];
            Box a = new Box(A.x() + 3 * t, A.y(), A.w(), A.h());
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (B.contains(x, y)) m[y * W + x] = 2;
                    else if (a.contains(x, y)) m[y * W + x] = 1;
                }
            }
            labels[t] = m;
            if (t != NO_FILE) Clips.writePng(masks.resolve(String.format("%06d.png", t)), m, W, H);
        }
    }

    /** The labels of frame t keeping only {@code id} (0: all); none on the frame without a file. */
    static byte[] expected(int t, int id) {
        byte[] m = new byte[W * H];
        if (t == NO_FILE) return m;
        for (int i = 0; i < m.length; i++) if (labels[t][i] != 0 && (id == 0 || labels[t][i] == id)) m[i] = labels[t][i];
        return m;
    }

    RemovePipeline.Result remove(Set<Integer> ids, Path out, Path masksOut) {
        return RemovePipeline.remove(clip, out, new MasksIn(masks, ids), RemovePipelineTest.LOSSLESS.withDilate(2).withMasksOut(masksOut),
                j -> new FakeStages.FillInpainter(2)).run(null);
    }

    void checkVideo(Path out, int id) throws Exception {
        byte[][] got = Clips.frames(out, W, H);
        assertEquals(T, got.length);
        byte[] filled = RemovePipelineTest.fillFrame();
        for (int t = 0; t < T; t++) {
            byte[] want = expected(t, id);
            byte[] region = Clips.changedRegion(want, W, H, WW, WH, 2);
            assertTrue(Clips.maxAbs(source[t], got[t], region, false) <= RemovePipelineTest.ROUNDING, "frame " + t + ": outside, the source");
            if (Clips.count(want) > 0) {
                assertTrue(Clips.maxAbs(filled, got[t], RemovePipelineTest.erode(region, 4), true) <= RemovePipelineTest.ROUNDING, "frame " + t + ": inside, the fill");
            } else {
                assertEquals(0, Clips.count(region));
            }
        }
    }

    @Test
    void everyIdByDefaultAndAFrameWithoutAFileIsLeftAlone() throws Exception {
        Path out = tmp.resolve("out.mp4"), back = tmp.resolve("back");
        RemovePipeline.Result r = remove(null, out, back);
        assertEquals(T, r.frames());
        assertEquals(0, r.backwardFrames());
        assertEquals(2, r.objects());
        for (int t = 0; t < T; t++) assertArrayEquals(expected(t, 0), Clips.readPng(back.resolve(String.format("%06d.png", t))), "frame " + t);
        checkVideo(out, 0);
    }

    @Test
    void idsPickTheObjectsThatGo() throws Exception {
        Path out = tmp.resolve("out.mp4"), back = tmp.resolve("back");
        RemovePipeline.Result r = remove(Set.of(2), out, back);
        assertEquals(1, r.objects());
        for (int t = 0; t < T; t++) assertArrayEquals(expected(t, 2), Clips.readPng(back.resolve(String.format("%06d.png", t))), "frame " + t);
        checkVideo(out, 2);
        // Object 1's pixels (away from object 2's dilated region) are the source's.
        byte[][] got = Clips.frames(out, W, H);
        byte[] one = new byte[W * H];
        for (int i = 0; i < one.length; i++) one[i] = (byte) (labels[3][i] == 1 ? 1 : 0);
        assertTrue(Clips.maxAbs(source[3], got[3], one, true) <= RemovePipelineTest.ROUNDING, "object 1 stays");
    }

    @Test
    void aMaskOfTheWrongSizeWritesNothing() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("bad")), out = tmp.resolve("out.mp4");
        Clips.writePng(dir.resolve("000000.png"), expected(0, 0), W, H);
        Clips.writePng(dir.resolve("000003.png"), new byte[(W - 1) * H], W - 1, H);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RemovePipeline.remove(clip, out, new MasksIn(dir, null),
                RemovePipelineTest.LOSSLESS, j -> new FakeStages.FillInpainter(2)).run(null));
        assertTrue(e.getMessage().contains("000003.png") && e.getMessage().contains((W - 1) + "x" + H), e.getMessage());
        assertFalse(Files.exists(out));
        Files.writeString(dir.resolve("000003.png"), "not a png");
        e = assertThrows(InvalidInputException.class, () -> RemovePipeline.remove(clip, out, new MasksIn(dir, null),
                RemovePipelineTest.LOSSLESS, j -> new FakeStages.FillInpainter(2)).run(null));
        assertTrue(e.getMessage().contains("000003.png"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
