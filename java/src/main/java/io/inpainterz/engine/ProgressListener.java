package io.inpainterz.engine;

/**
 * Told how far a long native operation has come; called on the thread that started it, at
 * most once per unit of work. Return false to cancel: the operation then fails with
 * {@link io.inpainterz.CancelledException} and leaves nothing behind.
 */
@FunctionalInterface
public interface ProgressListener {
    boolean onProgress(long done, long total);
}
