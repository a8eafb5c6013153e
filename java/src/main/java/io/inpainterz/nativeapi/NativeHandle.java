package io.inpainterz.nativeapi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;

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
        volatile boolean closedByOwner;

        State(String description) {
            this.description = description;
        }

        @Override
        public void run() {
            if (!closedByOwner) {
                LOG.log(System.Logger.Level.WARNING, "{0} was not closed; freeing it now (close it, e.g. with try-with-resources)", description);
            }
            if (arena.scope().isAlive()) arena.close();
        }
    }

    private final MemorySegment pointer;

    private NativeHandle(Object owner, String description, MemorySegment raw, MethodHandle free) {
        this.description = description;
        this.state = new State(description);
        this.pointer = raw.reinterpret(state.arena, p -> {
            try {
                free.invokeExact(p);
            } catch (Throwable t) {
                throw Inp.rethrow(t);
            }
        });
        this.cleanable = CLEANER.register(owner, state);
    }

    /** The native type of a handle, with its {@code inp_*_free}. */
    public enum Kind {
        CHECKPOINT(Inp.CHECKPOINT_FREE), TENSORS(Inp.TENSORS_FREE), SAM(Inp.SAM_FREE), SAM_EMBEDDING(Inp.SAM_EMBEDDING_FREE),
        VIDEO_READER(Inp.VIDEO_READER_FREE), VIDEO_WRITER(Inp.VIDEO_WRITER_FREE);

        final MethodHandle free;

        Kind(MethodHandle free) {
            this.free = free;
        }
    }

    /** Takes ownership of {@code raw}; {@code owner} is the object whose unreachability frees it. */
    public static NativeHandle of(Kind kind, Object owner, String description, MemorySegment raw) {
        return new NativeHandle(owner, description, raw, kind.free);
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
