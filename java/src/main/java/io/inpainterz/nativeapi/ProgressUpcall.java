package io.inpainterz.nativeapi;

import java.lang.foreign.MemorySegment;

/**
 * Adapts a Java progress listener to inp_progress_callback. Runs on the thread that made the
 * native call. Whatever the listener throws is kept, the native work is cancelled, and the
 * caller rethrows it with {@link #rethrowIfFailed()} once the native call has returned.
 */
public final class ProgressUpcall {
    /** Receives one native progress report. */
    @FunctionalInterface
    public interface Target {
        void report(String stage, long done, long total);
    }

    private final Target target;
    private Throwable failure;

    public ProgressUpcall(Target target) {
        this.target = target;
    }

    boolean invoke(MemorySegment stage, long done, long total, MemorySegment userData) {
        try {
            target.report(Native.string(stage), done, total);
            return true;
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
