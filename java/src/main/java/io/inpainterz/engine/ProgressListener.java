package io.inpainterz.engine;

/**
 * Told how far a long operation has come: called on the thread running it, after each unit of
 * work of {@code stage} ("checkpoint", "sam.encoder", "sam.amg", "transcode", ...). It must be
 * quick; an exception it throws cancels the operation and is rethrown by the call. To cancel
 * from elsewhere, use {@link Job#cancel()}.
 */
@FunctionalInterface
public interface ProgressListener {
    void onProgress(String stage, long done, long total);
}
