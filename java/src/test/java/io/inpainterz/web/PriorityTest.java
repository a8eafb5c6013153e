package io.inpainterz.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.CancelledException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Mask;
import io.inpainterz.pipeline.FakeStages;
import io.inpainterz.pipeline.Tracker;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PriorityTest {
    @Test
    void renderStagesWaitWhileInteractiveWorkIsPending() throws Exception {
        Priority p = new Priority();
        Tracker t = p.tracker(j -> new FakeStages.CopyTracker()).open(null);
        try (Frame f = Frame.allocate(8, 8); Mask m = Mask.allocate(8, 8); Tracker.Session s = t.newSession(8, 8)) {
            s.addReference(f, m, null); // no interactive work: goes at once
            p.enter();
            CountDownLatch tracked = new CountDownLatch(1);
            Thread render = new Thread(() -> {
                s.track(f, m, null);
                tracked.countDown();
            });
            render.start();
            assertFalse(tracked.await(300, TimeUnit.MILLISECONDS), "the render must wait while an interactive request is pending");
            p.exit();
            assertTrue(tracked.await(5, TimeUnit.SECONDS), "the render resumes once it is done");
            render.join();
        }
    }

    @Test
    void aWaitingRenderIsCancelledByInterrupt() throws Exception {
        Priority p = new Priority();
        p.enter();
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread render = new Thread(() -> {
            try {
                p.awaitTurn();
            } catch (Throwable e) {
                got.set(e);
            }
        });
        render.start();
        Thread.sleep(100);
        render.interrupt();
        render.join(5000);
        assertInstanceOf(CancelledException.class, got.get());
        assertEquals(1, p.pending());
    }
}
