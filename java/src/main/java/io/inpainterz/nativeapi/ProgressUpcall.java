package io.inpainterz.nativeapi;

import java.lang.foreign.MemorySegment;
import java.util.function.BiPredicate;

/**
 * Adapts a Java progress listener to inp_progress_callback. Runs on the thread that made the
 * native call. Whatever the listener throws is kept, the native work is cancelled, and the
 * caller rethrows it with {@link #rethrowIfFailed()} once the native call has returned.
 */
public final class ProgressUpcall {
    private final BiPredicate<Long, Long> listener;
    private Throwable failure;

    public ProgressUpcall(BiPredicate<Long, Long> listener) {
        this.listener = listener;
    }

    boolean invoke(long done, long total, MemorySegment userData) {
        try {
            return listener.test(done, total);
        } catch (Throwable t) {
            failure = t;
            return false;
        }
    }

    public void rethrowIfFailed() {
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException("progress listener failed", failure);
    }
}
