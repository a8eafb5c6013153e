package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CancelledException;
import io.inpainterz.CheckpointException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.parity.NdArray;
import io.inpainterz.parity.Npy;
import io.inpainterz.testing.Fixtures;
import io.inpainterz.util.Json;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java Inpainter over E2FGVI-HQ's fixture (100x190, 12 frames, 2 blocks; the cheap case):
 * bad input, the streaming order and look-ahead, compositing, parity of the whole loop,
 * concurrent sessions on one model, cancel. The model is loaded once for the class, and the
 * clip with the reference options runs once ({@link #reference()}) for every test that compares
 * with it.
 */
class InpainterTest {
    static final Path HQ = Fixtures.file("e2fgvi/e2fgvi_hq_d2");
    static Arena arena;
    static Inpainter model;
    static NdArray frames, masks, dilated, comp;
    static int T, W, H;
    static Map<String, Object> json;

    /** Upstream's window loop on this clip: stride 5, references every 10 within 10 frames (for 12 frames, upstream's own set). */
    static final Inpainter.SessionOptions NEAR = Inpainter.SessionOptions.defaults().withNeighborStride(5).withRefStride(10).withRefRadius(10);

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        arena = Arena.ofShared();
        // A fixed thread count on every calling thread: results may not depend on which thread ran them.
        model = Inpainter.load(HQ.resolve("weights.pth"), Inpainter.Options.defaults().withThreads(Math.min(2, Runtime.getRuntime().availableProcessors())));
        frames = Npy.read(HQ.resolve("frames.npy"), arena);
        masks = Npy.read(HQ.resolve("masks.npy"), arena);
        dilated = Npy.read(HQ.resolve("masks_dilated.npy"), arena);
        comp = Npy.read(HQ.resolve("comp_frames.npy"), arena);
        T = (int) frames.shape()[0];
        H = (int) frames.shape()[1];
        W = (int) frames.shape()[2];
        json = (Map<String, Object>) Json.parse(Files.readString(HQ.resolve("case.json")));
    }

    @AfterAll
    static void close() {
        model.close();
        arena.close();
    }

    static Frame frame(int t) {
        long bytes = (long) W * H * 3;
        Frame f = Frame.allocate(arena, W, H);
        f.data().copyFrom(frames.data().asSlice(t * bytes, bytes));
        return f;
    }

    static Mask mask(int t) {
        long plane = (long) W * H;
        Mask m = Mask.allocate(arena, W, H);
        m.data().copyFrom(masks.data().asSlice(t * plane, plane));
        return m;
    }

    // ---- the model and its options ----------------------------------------------------------

    @Test
    void theVariantIsReadFromTheCheckpointAndOtherModelsAreRefused() {
        assertEquals("E2FGVI-HQ (2 blocks)", model.variant());
        assertTrue(model.isHq());
        Inpainter plain;
        try (Checkpoint ck = Checkpoint.open(Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth"))) {
            plain = Inpainter.fromCheckpoint(ck, Inpainter.Options.defaults());
        } // the model outlives the checkpoint
        try (plain) {
            assertEquals("E2FGVI (2 blocks)", plain.variant());
            assertFalse(plain.isHq());
            InvalidInputException size = assertThrows(InvalidInputException.class, () -> plain.session(864, 480, Inpainter.SessionOptions.defaults()));
            assertTrue(size.getMessage().contains("864x480"), size.getMessage());
            assertNotNull(size.detail());
            plain.session(432, 240, Inpainter.SessionOptions.defaults()).close();
        }
        CheckpointException sam = assertThrows(CheckpointException.class, () -> Inpainter.load(Fixtures.file("sam/tiny/weights.pth")));
        assertTrue(sam.getMessage().contains("E2FGVI"), sam.getMessage());
        assertThrows(io.inpainterz.FileAccessException.class, () -> Inpainter.load(HQ.resolve("absent.pth")));
    }

    @Test
    void theDefaultsAreTheAppsLoop() {
        Inpainter.SessionOptions d = Inpainter.SessionOptions.defaults();
        assertEquals(new Inpainter.SessionOptions(5, 10, 60, 4, true), d, "inpainterz.h documents 5, 10, 60, 4, reuse");
        @SuppressWarnings("unchecked") Map<String, Object> app = (Map<String, Object>) Json.at(json, "hyperparameters", "app");
        assertEquals(((Number) app.get("neighbor_stride")).intValue(), d.neighborStride());
        assertEquals(((Number) app.get("ref_length")).intValue(), d.refStride());
        assertEquals(((Number) app.get("dilate_iterations")).intValue(), d.dilation());
        assertEquals(-1, d.withAllReferences().refRadius());
        assertEquals(Device.defaults(), Inpainter.Options.defaults().device());
        assertEquals(DType.BF16, Inpainter.Options.defaults().withBf16(true).device().dtype());
        assertEquals(DType.F32, Inpainter.Options.defaults().withBf16(true).withBf16(false).device().dtype());
    }

    @Test
    void badInputIsRefusedWithTheSizeInTheMessage() {
        InvalidInputException tiny = assertThrows(InvalidInputException.class, () -> model.session(40, 20, Inpainter.SessionOptions.defaults()));
        assertTrue(tiny.getMessage().contains("40x20"), tiny.getMessage());
        assertThrows(InvalidInputException.class, () -> model.session(W, H, Inpainter.SessionOptions.defaults().withNeighborStride(0)));
        try (Inpainter.Session s = model.session(W, H, Inpainter.SessionOptions.defaults())) {
            InvalidInputException empty = assertThrows(InvalidInputException.class, s::finish);
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
            assertThrows(InvalidInputException.class, () -> s.pop(Frame.allocate(arena, W, H)), "nothing is ready");
            InvalidInputException wide = assertThrows(InvalidInputException.class, () -> s.push(Frame.allocate(arena, W + 1, H), mask(0)));
            assertTrue(wide.getMessage().contains((W + 1) + "x" + H), wide.getMessage());
            InvalidInputException low = assertThrows(InvalidInputException.class, () -> s.push(frame(0), Mask.allocate(arena, W, H - 1)));
            assertTrue(low.getMessage().contains(W + "x" + (H - 1)), low.getMessage());
            assertThrows(InvalidInputException.class, () -> s.pop(Frame.allocate(arena, W, H + 1)));
            assertEquals(0, s.info().framesIn(), "a refused frame is not kept");
            // Still usable: a two-frame clip goes through, and nothing more goes in after finish.
            assertTrue(s.push(frame(0), mask(0)).isEmpty());
            assertTrue(s.push(frame(1), mask(1)).isEmpty());
            List<Frame> out = s.finish();
            assertEquals(2, out.size());
            out.forEach(Frame::close);
            InvalidInputException after = assertThrows(InvalidInputException.class, () -> s.push(frame(2), mask(2)));
            assertTrue(after.getMessage().contains("after finish"), after.getMessage());
            Inpainter.Info info = s.info();
            assertTrue(info.finished());
            assertEquals(2, info.framesIn());
            assertEquals(2, info.framesOut());
            assertEquals(0, info.ready());
        }
    }

    // ---- streaming --------------------------------------------------------------------------

    /** Whole-clip output of one session: the frames (T x H x W x 3), their indices as they came, and the ready count after each push. */
    record Run(MemorySegment frames, List<Long> order, List<Integer> readyAfterPush, Inpainter.Info info, Set<String> stages, int poolPeak) {}

    private static Run reference;

    /** The clip through a session with {@link #NEAR}, once for the class, by the convenience API. */
    static synchronized Run reference() {
        if (reference == null) {
            Set<String> stages = new ConcurrentSkipListSet<>();
            Job job = Job.create().onProgress((stage, done, total) -> stages.add(stage));
            reference = runClip(NEAR, job, stages, null);
        }
        return reference;
    }

    static Run runClip(Inpainter.SessionOptions o, Job job, Set<String> stages, ImagePool<Frame> pool) {
        long bytes = (long) W * H * 3;
        MemorySegment out = arena.allocate(bytes * T);
        List<Long> order = new ArrayList<>();
        List<Integer> ready = new ArrayList<>();
        try (Inpainter.Session s = model.session(W, H, o)) {
            long[] next = {0};
            int[] peak = {0};
            java.util.function.Consumer<List<Frame>> take = done -> {
                if (pool != null) peak[0] = Math.max(peak[0], pool.inUse());
                for (Frame f : done) {
                    long t = next[0]++;
                    order.add(t);
                    out.asSlice(t * bytes, bytes).copyFrom(f.data().asSlice(0, bytes));
                    f.close();
                }
            };
            for (int t = 0; t < T; t++) {
                List<Frame> done = pool == null ? s.push(frame(t), mask(t), job) : s.push(frame(t), mask(t), job, pool);
                ready.add(done.size());
                take.accept(done);
            }
            take.accept(pool == null ? s.finish(job) : s.finish(job, pool));
            return new Run(out, order, ready, s.info(), stages, peak[0]);
        }
    }

    /**
     * The window rule of the session (native/src/e2fgvi/session.h): windows sit at f = 0, s, 2s, ...;
     * window f covers the local frames [f - s, f + s] and runs, in order, once frame f + max(s, R)
     * has arrived (R < 0: only at the end of the clip). A frame is final once every window that
     * covers it has run, i.e. no later window touches it. Returns the final-frame count after
     * each of T pushes.
     */
    static List<Integer> expectedFinalAfterPush(int T, int s, int R) {
        List<Integer> out = new ArrayList<>();
        for (int k = 1; k <= T; k++) {
            Set<Integer> ran = new TreeSet<>();
            for (int f = 0; f < k; f += s) if (R >= 0 && k > f + Math.max(s, R)) ran.add(f);
            for (int f = 0; f < k; f += s) if (!ran.contains(f)) for (int g = f + s; g < k; g += s) ran.remove(g); // windows run in order
            int fin = 0;
            for (int i = 0; i < k; i++) {
                boolean covered = true;
                for (int f = 0; f <= i + s; f += s) if (Math.abs(f - i) <= s && !ran.contains(f)) covered = false;
                if (covered) fin = i + 1;
                else break;
            }
            out.add(fin);
        }
        return out;
    }

    static List<Integer> readyPerPush(List<Integer> finalAfterPush) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < finalAfterPush.size(); k++) out.add(finalAfterPush.get(k) - (k == 0 ? 0 : finalAfterPush.get(k - 1)));
        return out;
    }

    @Test
    void theWindowRuleOfTheTestItself() {
        // s = 3, R = 4: windows 0, 3, 6 run after pushes 5, 8, 11; frames 0-2 are final after push 8, 3-5 after push 11.
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 6, 6), expectedFinalAfterPush(12, 3, 4));
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), expectedFinalAfterPush(12, 5, 10));
        assertEquals(List.of(0, 0, 0), expectedFinalAfterPush(3, 1, -1));
        assertEquals(List.of(0, 0, 1, 2, 3), expectedFinalAfterPush(5, 1, 1)); // window f runs after push f + 2; frame i after window i + 1
    }

    @Test
    void theWholeClipMatchesUpstreamInOrderWithEveryStageReported() {
        Run r = reference();
        assertEquals(readyPerPush(expectedFinalAfterPush(T, 5, 10)), r.readyAfterPush(), "nothing is final before the look-ahead is reached");
        assertEquals(java.util.stream.LongStream.range(0, T).boxed().toList(), r.order());
        assertCompositedOutsideTheMask(r.frames(), NEAR.dilation());
        assertMatchesTheFixture(r.frames());
        Inpainter.Info i = r.info();
        assertEquals(T, i.framesIn());
        assertEquals(T, i.framesOut());
        assertEquals(3, i.windows(), "windows at 0, 5, 10");
        assertEquals(216, i.paddedWidth());
        assertEquals(120, i.paddedHeight());
        assertEquals(T, i.encoderFrames(), "with reuse every frame is encoded once");
        assertEquals(T - 1, i.flowPairs(), "with reuse every consecutive pair goes through SPyNet once");
        assertTrue(i.finished());
        assertTrue(r.stages().containsAll(List.of("e2fgvi.encoder", "e2fgvi.flow", "e2fgvi.propagation", "e2fgvi.transformer", "e2fgvi.window")),
                r.stages().toString());
    }

    @Test
    void framesComeOutAsSoonAsNoLaterWindowTouchesThem() {
        int s = 3, R = 4;
        Inpainter.SessionOptions o = Inpainter.SessionOptions.defaults().withNeighborStride(s).withRefRadius(R);
        Run r;
        try (ImagePool<Frame> pool = ImagePool.frames(W, H, 4)) {
            r = runClip(o, null, Set.of(), pool);
            assertEquals(0, pool.inUse(), "every frame went back to the pool");
        }
        assertEquals(4, r.poolPeak(), "finish gives 6 frames: the pool's 4, then 2 of their own (it never waits for the pool)");
        assertEquals(readyPerPush(expectedFinalAfterPush(T, s, R)), r.readyAfterPush());
        assertEquals(java.util.stream.LongStream.range(0, T).boxed().toList(), r.order());
        assertEquals(4, r.info().windows(), "windows at 0, 3, 6, 9");
        assertCompositedOutsideTheMask(r.frames(), o.dilation());
        assertTrue(r.frames().mismatch(reference().frames()) != -1, "other windows, other frames: the options reached the session");
    }

    /** Outside the mask dilated as the app does (Mask.dilate, the session's dilation) every pixel is the input's. */
    static void assertCompositedOutsideTheMask(MemorySegment out, int dilation) {
        long bytes = (long) W * H * 3;
        Mask d = Mask.allocate(arena, W, H);
        long inside = 0;
        for (int t = 0; t < T; t++) {
            mask(t).dilate(dilation, d);
            MemorySegment in = frames.data().asSlice(t * bytes, bytes), got = out.asSlice(t * bytes, bytes);
            for (long p = 0; p < (long) W * H; p++) {
                if (d.data().get(ValueLayout.JAVA_BYTE, p) != 0) {
                    inside++;
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    assertEquals(in.get(ValueLayout.JAVA_BYTE, 3 * p + c), got.get(ValueLayout.JAVA_BYTE, 3 * p + c),
                            "frame " + t + " pixel (" + p % W + ", " + p / W + ") channel " + c + " is outside the dilated mask");
                }
            }
        }
        assertTrue(inside > 0 && inside < (long) T * W * H / 2, "the mask covers " + inside + " pixels");
    }

    /** The fixture's rule (case.json tolerances.comp_frames): exact outside masks_dilated, inside within the level and the fraction. */
    static void assertMatchesTheFixture(MemorySegment out) {
        @SuppressWarnings("unchecked") Map<String, Object> rule = (Map<String, Object>) Json.at(json, "tolerances", "comp_frames");
        int maxLevel = ((Number) rule.get("recommended_max_level_diff")).intValue();
        double maxFrac = ((Number) rule.get("recommended_max_frac_diff")).doubleValue();
        long pixels = (long) T * W * H, inside = 0, differ = 0;
        for (long p = 0; p < pixels; p++) {
            boolean in = dilated.data().get(ValueLayout.JAVA_BYTE, p) != 0;
            for (int c = 0; c < 3; c++) {
                int a = out.get(ValueLayout.JAVA_BYTE, 3 * p + c) & 0xff, b = comp.data().get(ValueLayout.JAVA_BYTE, 3 * p + c) & 0xff;
                if (!in) {
                    assertEquals(b, a, "value " + (3 * p + c) + " outside the dilated mask");
                    continue;
                }
                inside++;
                assertTrue(Math.abs(a - b) <= maxLevel, "value " + (3 * p + c) + ": " + a + " vs " + b);
                if (a != b) differ++;
            }
        }
        assertTrue(differ <= maxFrac * inside, differ + " of " + inside + " in-mask values differ");
    }

    // ---- sessions, threads, cancel ----------------------------------------------------------

    @Test
    void twoSessionsOnOneModelFromTwoThreadsGiveTheFramesOfOneAlone() throws Exception {
        Run alone = reference();
        @SuppressWarnings("unchecked") CompletableFuture<Run>[] runs = new CompletableFuture[2];
        for (int i = 0; i < 2; i++) runs[i] = CompletableFuture.supplyAsync(() -> runClip(NEAR, null, Set.of(), null));
        for (CompletableFuture<Run> r : runs) {
            Run got = r.get();
            assertEquals(-1, got.frames().mismatch(alone.frames()), "a concurrent session's frames differ from a session run alone");
            assertEquals(alone.order(), got.order());
        }
    }

    @Test
    void aPushCancelledOrFailedInsideAWindowKeepsItsFrameAndTheSessionStillGivesTheClip() {
        long bytes = (long) W * H * 3;
        MemorySegment out = arena.allocate(bytes * T);
        Frame dst = Frame.allocate(arena, W, H);
        int popped = 0;
        try (Inpainter.Session s = model.session(W, H, NEAR)) {
            for (int t = 0; t < 10; t++) assertEquals(0, s.add(frame(t), mask(t), null));
            // Push 11 runs window 0. A call on the session from inside it (the listener runs on the
            // working thread) is refused, not a data race; the listener's exception ends the push.
            IllegalStateException reentrant = assertThrows(IllegalStateException.class,
                    () -> s.add(frame(10), mask(10), Job.create().onProgress((stage, done, total) -> s.info())));
            assertTrue(reentrant.getMessage().contains("one call at a time"), reentrant.getMessage());
            assertEquals(11, s.info().framesIn(), "a failed push keeps its frame");
            // Push 12 runs window 0 again: cancel it from inside, at its first progress report.
            List<String> seen = new ArrayList<>();
            Job job = Job.create();
            job.onProgress((stage, done, total) -> {
                seen.add(stage);
                job.cancel();
            });
            assertThrows(CancelledException.class, () -> s.add(frame(11), mask(11), job));
            assertEquals(1, seen.size(), "cancelled at the first check: " + seen);
            assertTrue(seen.get(0).startsWith("e2fgvi."), seen.toString());
            Inpainter.Info i = s.info();
            assertEquals(12, i.framesIn(), "a cancelled push keeps its frame");
            assertEquals(0, i.windows());
            assertEquals(0, i.ready());
            // Finish runs window 0 and the rest.
            for (int n = s.flush(null); n > 0; n--) {
                long index = s.pop(dst);
                assertEquals(popped++, index);
                out.asSlice(index * bytes, bytes).copyFrom(dst.data().asSlice(0, bytes));
            }
            assertEquals(3, s.info().windows());
        }
        assertEquals(T, popped);
        assertMatchesTheFixture(out);
        assertEquals(-1, out.mismatch(reference().frames()), "as if the cancelled call had not happened");
    }
}
