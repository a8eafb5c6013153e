package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import io.inpainterz.pipeline.Crops.Rect;
import io.inpainterz.pipeline.Crops.Run;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The crop of {@code --crop on} and its runs, against expectations worked out by hand in the
 * comments (context 50 % of the box each side, at least 16 px; the working size's aspect ratio;
 * at least the working size; the frame's edges; the dilation's reach).
 */
class CropsTest {
    static final Crops.WorkingSize E2FGVI = (w, h) -> NeuralInpainter.E2FGVI_SIZE;
    static final Crops.WorkingSize CLASSICAL = new ClassicalInpainter()::workingSize;
    static final int FW = 1920, FH = 1080, DILATE = 4;

    static Rect crop(Rect box, Crops.WorkingSize ws) {
        return Crops.crop(box, FW, FH, DILATE, ws);
    }

    @Test
    void aTinyMaskGrowsToTheWorkingSizeAtTheSourceResolution() {
        // 10x10 + 16 px each side = 42x42; to 432:240, 76x42; up to 432x240; centred on (1005, 505).
        Rect c = crop(new Rect(1000, 500, 10, 10), E2FGVI);
        assertEquals(new Rect(789, 385, 432, 240), c);
        // One pixel: 33x33, then 60x33, then 432x240; centred at (0.5, 0.5), moved into the frame.
        assertEquals(new Rect(0, 0, 432, 240), crop(new Rect(0, 0, 1, 1), E2FGVI));
    }

    @Test
    void theUnionOfARunsMasksWithHalfItsSizeEachSideToTheAspectRatio() {
        Crops.Planner p = new Crops.Planner(0, 60);
        p.add(0, new Rect(600, 400, 50, 40));
        p.add(1, null);
        p.add(2, new Rect(800, 460, 30, 60));
        List<Run> runs = p.finish();
        assertEquals(List.of(new Run(0, 2, new Rect(600, 400, 230, 120))), runs, "one run, the union of the boxes");
        // 230x120 + 115 and 60 each side = 460x240; to 432:240 the height grows to ceil(460 x 240 / 432) = 256;
        // centred on (715, 460): x = 715 - 230, y = 460 - 128. Scale 460/432 or 256/240: 1.067, the dilation reaches 6 px.
        assertEquals(new Rect(485, 332, 460, 256), crop(runs.get(0).box(), E2FGVI));
    }

    @Test
    void aLargeMaskIsScaledDownToTheWorkingSize() {
        // 800x400 + 400 and 200 each side = 1600x800; to 432:240, 1600x889 (ceil 888.9); centred on (900, 500):
        // x = 900 - 800 = 100, y = round(500 - 444.5) = 56. E2FGVI gets it at 432x240, 3.7 times smaller.
        Rect c = crop(new Rect(500, 300, 800, 400), E2FGVI);
        assertEquals(new Rect(100, 56, 1600, 889), c);
        // The weight-free inpainter: 2400x1200 wanted, the frame's 1920x1080 given, scaled down to its 1280x720.
        Rect k = crop(new Rect(200, 100, 1200, 600), CLASSICAL);
        assertEquals(new Rect(0, 0, FW, FH), k);
        assertEquals(new Inpainter.Size(1280, 720), CLASSICAL.of(k.width(), k.height()));
    }

    @Test
    void theWeightFreeInpainterKeepsTheCropsOwnSizeWithinItsLimit() {
        // Its whole-frame working size at 1080p is 1280x720: a small object's crop grows to that at the source's resolution.
        Rect c = crop(new Rect(1000, 500, 10, 10), CLASSICAL);
        assertEquals(new Rect(365, 145, 1280, 720), c);
        assertEquals(new Inpainter.Size(1280, 720), CLASSICAL.of(c.width(), c.height()), "no resize at all");
        // A 720p source: the whole frame is its working size, so the crop is the frame (as --crop off, without a resize).
        assertEquals(new Rect(0, 0, 1280, 720), Crops.crop(new Rect(600, 300, 40, 40), 1280, 720, DILATE, CLASSICAL));
    }

    @Test
    void atTheFrameEdgesTheCropMovesInsideAndTakesContextFromTheOtherSide() {
        // A mask touching the bottom-right corner: 20x80 + 16 and 40 = 52x160, 288x160, 432x240 around (1910, 1040), moved in.
        Rect c = crop(new Rect(1900, 1000, 20, 80), E2FGVI);
        assertEquals(new Rect(FW - 432, FH - 240, 432, 240), c);
        // A frame lower than the working size: the crop's height is the frame's, its width 200 x 432 / 240 = 360 (not distorted).
        assertEquals(new Rect(140, 0, 360, 200), Crops.crop(new Rect(300, 80, 40, 40), 640, 200, DILATE, E2FGVI));
        // A mask as wide as the frame: the whole width, the height from the aspect ratio (1920 x 240 / 432 = 1066.7),
        // centred on y = 520 and moved down into the frame.
        assertEquals(new Rect(0, 0, 1920, 1067), crop(new Rect(0, 500, 1920, 40), E2FGVI));
        assertEquals(new Rect(0, 13, 1920, 1067), crop(new Rect(0, 1000, 1920, 80), E2FGVI), "at the bottom: moved up");
    }

    @Test
    void aLargeDilationWidensTheContextUntilTheDilatedMaskFits() {
        // 150 dilations reach 151 working pixels: more than the 104 px above and below a 20 px box in a 240 px crop.
        Rect box = new Rect(900, 500, 20, 20);
        Rect c = Crops.crop(box, FW, FH, 150, E2FGVI);
        int reach = Crops.reach(c, 150, E2FGVI);
        assertTrue(reach >= 151, "reach " + reach);
        assertTrue(c.contains(box.grow(reach, FW, FH)), c + " holds " + box + " grown by " + reach);
        assertTrue(c.height() > 240, "the crop grew: " + c);
        // The usual dilation needs no more than the proportional context.
        assertEquals(Crops.grow(box, FW, FH, NeuralInpainter.E2FGVI_SIZE, Crops.MIN_MARGIN), crop(box, E2FGVI));
    }

    @Test
    void boundsOfAMap() {
        int w = 7, h = 5;
        byte[] m = new byte[w * h];
        assertNull(Crops.bounds(m, w, h));
        m[1 * w + 4] = 3;
        assertEquals(new Rect(4, 1, 1, 1), Crops.bounds(m, w, h));
        m[3 * w + 2] = 1;
        m[4 * w + 6] = 1;
        assertEquals(new Rect(2, 1, 5, 4), Crops.bounds(m, w, h));
    }

    @Test
    void runsSplitWhereNoFrameHasAMaskForMoreThanTwiceTheContext() {
        Crops.Planner p = new Crops.Planner(0, 2);
        Rect a = new Rect(10, 10, 5, 5), b = new Rect(40, 20, 3, 3), c = new Rect(0, 0, 2, 2);
        for (int t = 0; t < 30; t++) {
            Rect r = t >= 5 && t <= 7 ? a : t == 9 ? b : t == 14 ? c : t == 29 ? b : null;
            p.add(t, r);
        }
        // 7 and 9: two frames apart, one run; 9 and 14: five apart (more than 4), a new run; 29: another, cut at the last frame.
        assertEquals(List.of(new Run(3, 11, a.union(b)), new Run(12, 16, c), new Run(27, 29, b)), p.finish());

        Crops.Planner q = new Crops.Planner(10, 2);
        q.add(10, a);
        q.add(11, null);
        q.add(12, null);
        assertEquals(List.of(new Run(10, 12, a)), q.finish(), "the context stays within the range");

        Crops.Planner none = new Crops.Planner(0, 60);
        for (int t = 0; t < 5; t++) none.add(t, null);
        assertEquals(List.of(), none.finish(), "no mask, no run");
        assertThrows(IllegalStateException.class, () -> none.add(7, a), "frames in order");
        assertThrows(InvalidInputException.class, () -> Crops.crop(new Rect(1900, 0, 30, 10), FW, FH, DILATE, E2FGVI), "outside the frame");
    }
}
