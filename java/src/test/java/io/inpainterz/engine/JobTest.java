package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CancelledException;
import io.inpainterz.Status;
import io.inpainterz.parity.NdArray;
import io.inpainterz.parity.Npy;
import io.inpainterz.testing.Fixtures;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Progress, cancel and thread counts of long calls: per job, never per model. */
class JobTest {
    static final Path DIR = Fixtures.file("sam/tiny");
    static Sam sam;
    static Frame frame;

    @BeforeAll
    static void load() {
        sam = Sam.load(DIR.resolve("weights.pth"));
        frame = Frame.allocate(640, 480);
        try (Arena a = Arena.ofConfined()) {
            NdArray image = Npy.read(DIR.resolve("image.npy"), a);
            frame.data().copyFrom(image.data());
        }
    }

    @AfterAll
    static void close() {
        frame.close();
        sam.close();
    }

    @Test
    void aLongGenerationIsCancelledFromAnotherThreadAndTheModelServesTheNextCall() throws Exception {
        AmgOptions big = AmgOptions.defaults().withPointsPerSide(64); // 1024 prompt groups: far longer than the cancel takes
        AtomicLong lastDone = new AtomicLong(), total = new AtomicLong();
        CountDownLatch started = new CountDownLatch(3);
        Job job = Job.create().onProgress((stage, done, t) -> {
            if (!stage.equals("sam.amg")) return;
            lastDone.set(done);
            total.set(t);
            started.countDown();
        });
        CompletableFuture<List<AutoMask>> run = CompletableFuture.supplyAsync(() -> sam.generate(frame, big, job));
        assertTrue(started.await(120, TimeUnit.SECONDS), "the generator never reported progress");
        job.cancel(); // from this thread, while the generator runs on another
        Exception e = assertThrows(Exception.class, run::join);
        CancelledException c = assertInstanceOf(e.getCause());
        assertEquals(Status.CANCELLED, c.status());
        long stoppedAt = lastDone.get();
        assertEquals(64 * 64 / 4, total.get());
        assertTrue(stoppedAt < total.get(), "progress must stop before the end: " + stoppedAt);
        assertEquals(stoppedAt, lastDone.get(), "no progress after the call returned");

        // The same model serves the next call, with the result a fresh model gives (amg_crop0).
        List<AutoMask> masks = sam.generate(frame, new AmgOptions(4, 16, 0.6965, 0.4021, 1.0, 0.7, 0, 0.7, 512.0 / 1500.0, 1, 0));
        assertEquals(207131, masks.get(0).area(), 10);
        masks.forEach(m -> m.segmentation().close());
    }

    private static CancelledException assertInstanceOf(Throwable t) {
        assertTrue(t instanceof CancelledException, "expected a CancelledException, got " + t);
        return (CancelledException) t;
    }

    @Test
    void cancellingOneJobLeavesAnotherOnTheSameModelAlone() throws Exception {
        Job cancelled = Job.create();
        cancelled.cancel();
        Job other = Job.create();
        ConcurrentLinkedQueue<Long> blocks = new ConcurrentLinkedQueue<>();
        other.onProgress((stage, done, total) -> blocks.add(done));
        CompletableFuture<Sam.Embedding> a = CompletableFuture.supplyAsync(() -> sam.embed(frame, cancelled));
        CompletableFuture<Sam.Embedding> b = CompletableFuture.supplyAsync(() -> sam.embed(frame, other));
        assertTrue(assertThrows(Exception.class, a::join).getCause() instanceof CancelledException);
        try (Sam.Embedding e = b.join()) {
            assertEquals(640, e.width());
        }
        assertFalse(other.isCancelled());
        assertFalse(blocks.isEmpty());
        assertEquals(blocks.size(), blocks.stream().distinct().count(), "one report per encoder block");
    }

    @Test
    void eachCallRunsWithTheThreadCountItAskedFor() throws Exception {
        // The listener runs inside the native call, on its thread: the count it reads is the call's own.
        record Seen(ConcurrentLinkedQueue<Integer> counts, Job job) {}
        Seen one = new Seen(new ConcurrentLinkedQueue<>(), Job.create().threads(1));
        Seen two = new Seen(new ConcurrentLinkedQueue<>(), Job.create().threads(2));
        for (Seen s : List.of(one, two)) s.job().onProgress((stage, done, total) -> s.counts().add(Engine.numThreads()));
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> sam.embed(frame, one.job()).close());
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> sam.embed(frame, two.job()).close());
        a.join();
        b.join();
        assertFalse(one.counts().isEmpty());
        assertTrue(one.counts().stream().allMatch(n -> n == 1), one.counts().toString());
        assertTrue(two.counts().stream().allMatch(n -> n == 2), two.counts().toString());

        // A model's own count (its device params) applies when the job sets none.
        try (Sam single = Sam.load(DIR.resolve("weights.pth"), Sam.Options.defaults().withThreads(1))) {
            ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
            Engine.setNumThreads(2);
            single.embed(frame, Job.create().onProgress((stage, done, total) -> seen.add(Engine.numThreads()))).close();
            assertTrue(!seen.isEmpty() && seen.stream().allMatch(n -> n == 1), seen.toString());
        }
    }

    @Test
    void aModelBuiltFromAnOpenCheckpointOutlivesIt() {
        Checkpoint ck = Checkpoint.open(DIR.resolve("weights.pth"));
        Sam fromCk = Sam.fromCheckpoint(ck, Sam.Options.defaults());
        ck.close(); // the model keeps what it needs of the mapping
        try (fromCk; SamPrediction a = predictBox(fromCk); SamPrediction b = predictBox(sam)) {
            assertEquals(-1, a.maskLogits().mismatch(b.maskLogits()), "same weights, same logits");
        }
    }

    private static SamPrediction predictBox(Sam model) {
        try (Sam.Embedding e = model.embed(frame)) {
            return model.predict(e, SamPrompt.box(350, 290, 610, 470));
        }
    }
}
