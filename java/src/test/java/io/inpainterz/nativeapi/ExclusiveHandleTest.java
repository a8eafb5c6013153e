package io.inpainterz.nativeapi;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A one-call-at-a-time handle refuses a second call instead of racing, and moves between threads freely. */
class ExclusiveHandleTest {
    @Test
    void aSecondCallWhileOneRunsIsRefusedAndTheHandleMovesBetweenThreads() throws Exception {
        Object owner = new Object();
        NativeHandle h = LibraryBindings.cancelToken(owner);
        try (NativeHandle.Exclusive first = h.exclusive()) {
            IllegalStateException other = CompletableFuture.supplyAsync(() -> assertThrows(IllegalStateException.class, h::exclusive)).get();
            assertTrue(other.getMessage().contains("in use by thread '" + Thread.currentThread().getName() + "'"), other.getMessage());
            assertThrows(IllegalStateException.class, h::exclusive); // re-entrant use is refused too
        }
        CompletableFuture.runAsync(() -> h.exclusive().close()).get(); // free again, from another thread
        h.exclusive().close();
        h.close();
    }
}
