package io.inpainterz.nativeapi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Owns one native handle. The pointer is bound to a shared {@link Arena} whose close frees it
 * with the handle's {@code inp_*_free}; while a native call uses the pointer the arena cannot
 * close, so a concurrent close cannot free memory under a running call. A handle that is never
 * closed is freed by a {@link Cleaner} and reported at WARNING.
 */
public final class NativeHandle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(NativeHandle.class.getName());

    private final String description;
    private final State state;
    private final Cleaner.Cleanable cleanable;

    /** The part the Cleaner may touch: it must not reference the NativeHandle itself. */
    private static final class State implements Runnable {
        final Arena arena = Arena.ofShared();
        final String description;
        final boolean quiet;
        volatile boolean closedByOwner;

        State(String description, boolean quiet) {
            this.description = description;
            this.quiet = quiet;
        }

        @Override
        public void run() {
            if (!closedByOwner && !quiet) {
                LOG.log(System.Logger.Level.WARNING, "{0} was not closed; freeing it now (close it, e.g. with try-with-resources)", description);
            }
            if (arena.scope().isAlive()) arena.close();
        }
    }

    private final MemorySegment pointer;
    private final AtomicReference<Thread> user = new AtomicReference<>();

    private NativeHandle(Object owner, String description, MemorySegment raw, Kind kind) {
        this.description = description;
        this.state = new State(description, kind.quiet);
        MethodHandle free = kind.free;
        this.pointer = raw.reinterpret(state.arena, p -> {
            try {
                free.invokeExact(p);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        });
        this.cleanable = CLEANER.register(owner, state);
    }

    /** The native type of a handle, with its {@code inp_*_free}. */
    public enum Kind {
        CHECKPOINT(CheckpointBindings.CHECKPOINT_FREE, false), TENSORS(CheckpointBindings.TENSORS_FREE, false),
        SAM(SamBindings.SAM_FREE, false), SAM_EMBEDDING(SamBindings.SAM_EMBEDDING_FREE, false),
        VIDEO_READER(VideoBindings.VIDEO_READER_FREE, false), VIDEO_WRITER(VideoBindings.VIDEO_WRITER_FREE, false),
        DEAOT(DeaotBindings.FREE, false), DEAOT_SESSION(DeaotBindings.SESSION_FREE, false),
        E2FGVI(E2fgviBindings.FREE, false), E2FGVI_SESSION(E2fgviBindings.SESSION_FREE, false),
        FLOW_TRACKER(ClassicalBindings.TRACKER_FREE, false), FLOW_INPAINTER(ClassicalBindings.INPAINTER_FREE, false),
        /** Tokens are small and left to the garbage collector by design: no warning. */
        CANCEL_TOKEN(LibraryBindings.CANCEL_TOKEN_FREE, true);

        final MethodHandle free;
        final boolean quiet;

        Kind(MethodHandle free, boolean quiet) {
            this.free = free;
            this.quiet = quiet;
        }
    }

    /** Takes ownership of {@code raw}; {@code owner} is the object whose unreachability frees it. */
    public static NativeHandle of(Kind kind, Object owner, String description, MemorySegment raw) {
        return new NativeHandle(owner, description, raw, kind);
    }

    /**
     * Marks the start of a call on a handle that allows one call at a time (a video reader, a
     * tracking session): such a handle may move between threads, but a second call while one
     * runs gets an IllegalStateException instead of a native data race. Close the returned
     * scope when the call ends.
     */
    public Exclusive exclusive() {
        Thread me = Thread.currentThread();
        Thread other = user.compareAndExchange(null, me);
        if (other != null) {
            throw new IllegalStateException(description + " is in use by " + (other == me ? "this thread (a re-entrant call)" : "thread '"
                    + other.getName() + "'") + "; it allows one call at a time");
        }
        return () -> user.set(null);
    }

    /** The scope of one exclusive call. */
    public interface Exclusive extends AutoCloseable {
        @Override
        void close();
    }

    /** The native pointer, for passing to a binding. */
    public MemorySegment pointer() {
        if (!state.arena.scope().isAlive()) throw new IllegalStateException(description + " is closed");
        return pointer;
    }

    public boolean isClosed() {
        return !state.arena.scope().isAlive();
    }

    /**
     * Frees the native handle. Idempotent. Throws IllegalStateException if another thread is
     * inside a native call on this handle at that moment.
     */
    @Override
    public synchronized void close() {
        if (isClosed()) return;
        state.closedByOwner = true;
        state.arena.close(); // throws, and keeps the handle usable, while a call is in flight
        cleanable.clean();
    }

    @Override
    public String toString() {
        return description;
    }
}
