package io.inpainterz.engine;

import io.inpainterz.CancelledException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.LibraryBindings;
import io.inpainterz.nativeapi.NativeHandle;
import io.inpainterz.nativeapi.ProgressUpcall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.function.Function;

/**
 * The controls of one piece of work, one call or many: a progress listener, a cancel request
 * and a thread count. Pass it to any long call ({@link Checkpoint#open}, {@link Sam#load},
 * {@link Sam#embed}, {@link Sam#generate}, ...). Jobs belong to the caller, never to a model: one
 * {@link Sam} serves many jobs at once, and cancelling one touches no other.
 *
 * <pre>{@code
 * Job job = Job.create().onProgress((stage, done, total) -> ...);
 * executor.submit(() -> sam.generate(frame, AmgOptions.defaults(), job));
 * job.cancel();   // any thread; the call throws CancelledException at its next check
 * }</pre>
 *
 * Each call documents where it checks (between encoder blocks, prompt groups, frames), so a
 * cancel takes effect within one such unit. A cancelled call leaves nothing behind, and the
 * model or handle it ran on serves the next call. A job stays cancelled.
 */
public final class Job {
    private final NativeHandle token;
    private volatile ProgressListener listener;
    private volatile int threads;

    private Job() {
        this.token = LibraryBindings.cancelToken(this);
    }

    public static Job create() {
        return new Job();
    }

    /** Reports progress to {@code l} (null: none). Returns this job. */
    public Job onProgress(ProgressListener l) {
        this.listener = l;
        return this;
    }

    /** Intra-op CPU threads for this job's model calls, overriding the model's count; 0 = the model's. */
    public Job threads(int n) {
        if (n < 0) throw new InvalidInputException("job thread count must be >= 0 (0 = the model's), got " + n);
        this.threads = n;
        return this;
    }

    public int threads() {
        return threads;
    }

    /** Requests a stop. Thread-safe and idempotent; running calls stop at their next check. */
    public void cancel() {
        LibraryBindings.cancel(token);
    }

    public boolean isCancelled() {
        return LibraryBindings.isCancelled(token);
    }

    /**
     * For work driven from Java (a frame loop): reports {@code done} of {@code total} units of
     * {@code stage}, then throws {@link CancelledException} if the job was cancelled.
     */
    public void step(String stage, long done, long total) {
        ProgressListener l = listener;
        if (l != null) l.onProgress(stage, done, total);
        if (isCancelled()) throw new CancelledException("cancelled during " + stage + " after " + done + " of " + total);
    }

    /** Runs a native call with this job's inp_run (NULL for a null job); the listener's own exception wins. */
    static <T> T call(Job job, Arena scratch, Function<MemorySegment, T> body) {
        if (job == null) return body.apply(MemorySegment.NULL);
        ProgressListener l = job.listener;
        ProgressUpcall upcall = l == null ? null : new ProgressUpcall(l::onProgress);
        try {
            return body.apply(LibraryBindings.run(scratch, upcall, job.token, job.threads));
        } catch (RuntimeException e) {
            if (upcall != null) upcall.rethrowIfFailed();
            throw e;
        } finally {
            Reference.reachabilityFence(job); // the native call reads the token: keep it alive until it returns
        }
    }
}
