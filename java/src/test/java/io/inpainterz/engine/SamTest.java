package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CheckpointException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.parity.Comparison;
import io.inpainterz.parity.NdArray;
import io.inpainterz.parity.Npy;
import io.inpainterz.parity.Tolerance;
import io.inpainterz.testing.Fixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SamTest {
    static final Path DIR = Fixtures.file("sam/tiny");
    static Sam sam;
    static Arena arena;
    static Sam.Embedding embedding;

    @BeforeAll
    static void load() {
        sam = Sam.load(DIR.resolve("weights.pth"));
        arena = Arena.ofShared();
        NdArray image = Npy.read(DIR.resolve("image.npy"), arena);
        Frame frame = Frame.allocate(arena, 640, 480);
        frame.data().copyFrom(image.data());
        embedding = sam.embed(frame);
    }

    @AfterAll
    static void close() {
        embedding.close();
        sam.close();
        arena.close();
    }

    @Test
    void iouPredictionsOfCaseAMatchTheCaseRecord() {
        SamPrediction p = sam.predict(embedding, SamPrompt.point(412, 168), arena);
        assertEquals(1, p.batch());
        assertEquals(3, p.masksPer());
        float[] want = {-0.8541069626808167f, -1.152268648147583f, 2.460803747177124f}; // case.json cases.case_a.iou_predictions
        for (int m = 0; m < 3; m++) assertEquals(want[m], p.iou(0, m), 2e-5);
        assertEquals(2, p.best(0));
        // masks are exactly logits > 0, written into the caller's arena
        for (long i = 0; i < (long) 3 * 480 * 640; i += 997) {
            boolean on = p.maskLogits().getAtIndex(ValueLayout.JAVA_FLOAT, i) > 0;
            assertEquals(on ? (byte) 255 : 0, p.masks().get(ValueLayout.JAVA_BYTE, i));
        }
        assertEquals("custom ViT (embed dim 64, 2 blocks)", sam.variant());
    }

    @Test
    void aPreviousLowResMaskCanBeFedBack() {
        SamPrediction first = sam.predict(embedding, SamPrompt.point(412, 168), arena);
        float[] best = first.lowResLogits(0, first.best(0));
        // case e of the fixture: point (430, 190) + case a's best low-res mask
        SamPrediction second = sam.predict(embedding, new SamPrompt(new float[] {430, 190}, new int[] {1}, null, best, false), arena);
        NdArray want = Npy.read(DIR.resolve("case_e_point_mask_input/low_res_logits.npy"), arena);
        NdArray got = new NdArray(DType.F32, new long[] {1, 1, 256, 256}, second.lowResLogits());
        assertEquals(0, Comparison.compare(got, want, new Tolerance(2e-4, 0)).failures());
    }

    @Test
    void aOnePixelShiftIsCaughtByTheParityTolerance() {
        // The parity check must be able to fail: a prompt off by one pixel moves low_res_logits past its atol.
        SamPrediction shifted = sam.predict(embedding, SamPrompt.point(413, 168), arena);
        NdArray want = Npy.read(DIR.resolve("case_a_point_multimask/low_res_logits.npy"), arena);
        NdArray got = new NdArray(DType.F32, want.shape(), shifted.lowResLogits());
        assertTrue(Comparison.compare(got, want, new Tolerance(2e-4, 0)).failures() > 0);
    }

    @Test
    void oneModelServesManyThreadsWithIdenticalResults() throws Exception {
        SamPrompt prompt = SamPrompt.box(350, 290, 610, 470);
        MemorySegment reference = sam.predict(embedding, prompt, arena).maskLogits();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<MemorySegment>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) results.add(pool.submit(() -> sam.predict(embedding, prompt, arena).maskLogits()));
            for (Future<MemorySegment> f : results) assertEquals(-1, f.get().mismatch(reference));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badPromptsAreClearErrors() {
        record Bad(SamPrompt prompt, String expected) {}
        for (Bad b : List.of(
                new Bad(SamPrompt.point(641, 10), "outside the 640x480 image"),
                new Bad(SamPrompt.point(-1, 10), "outside"),
                new Bad(SamPrompt.point(Float.NaN, 10), "not a finite number"),
                new Bad(SamPrompt.box(10, 10, 700, 20), "outside"))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> sam.predict(embedding, b.prompt(), arena));
            assertTrue(e.getMessage().contains(b.expected()), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> SamPrompt.box(20, 10, 10, 20));
        assertThrows(InvalidInputException.class, () -> new SamPrompt(null, null, null, null, true));
        assertThrows(InvalidInputException.class, () -> new SamPrompt(new float[] {1, 2}, new int[] {2}, null, null, true));
        assertThrows(InvalidInputException.class, () -> new SamPrompt(new float[] {1, 2}, new int[] {1}, new float[] {0, 0, 5, 5, 1, 1, 6, 6}, null, true));
    }

    @Test
    void smallRegionRemovalRunsInsideTheAutomaticMaskGenerator() {
        // amg_crop0's settings, plus a minimum region larger than the image: every background
        // region is a "small hole" and gets filled, so the one mask covers the whole image.
        AmgOptions o = new AmgOptions(4, 16, 0.6965, 0.4021, 1.0, 0.7, 0, 0.7, 512.0 / 1500.0, 1, 1_000_000);
        List<AutoMask> masks = sam.generate(frame(), o, arena, null, null);
        assertEquals(1, masks.size());
        assertEquals(640L * 480, masks.get(0).area());
        assertEquals(List.of(0L, 0L, 639L, 479L), java.util.Arrays.stream(masks.get(0).bbox()).boxed().toList());
        List<AutoMask> plain = sam.generate(frame(), new AmgOptions(4, 16, 0.6965, 0.4021, 1.0, 0.7, 0, 0.7, 512.0 / 1500.0, 1, 0));
        assertEquals(207131, plain.get(0).area(), 10); // amg_crop0 annotation area
    }

    private static Frame frame() {
        NdArray image = Npy.read(DIR.resolve("image.npy"), arena);
        Frame frame = Frame.allocate(arena, 640, 480);
        frame.data().copyFrom(image.data());
        return frame;
    }

    @Test
    void aCheckpointOfAnotherModelIsRefused() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Sam.load(Fixtures.file("deaot/deaott/weights.pth")));
        assertTrue(e.getMessage().contains("is not a SAM model"), e.getMessage());
    }

    @Test
    void useAfterCloseIsACleanError() {
        Sam other = Sam.load(DIR.resolve("weights.pth"));
        other.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.predict(embedding, SamPrompt.point(1, 1), arena));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }
}
