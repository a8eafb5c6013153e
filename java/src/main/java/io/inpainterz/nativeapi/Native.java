package io.inpainterz.nativeapi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.inpainterz.InpainterzException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * What every binding shares: the linker and symbol lookup, the one status check, and the one
 * try / check / rethrow around a downcall. The per-section classes ({@link LibraryBindings},
 * {@link CheckpointBindings}, {@link ImageBindings}, {@link VideoBindings}, {@link SamBindings})
 * mirror the sections of native/include/inpainterz.h.
 */
final class Native {
    private Native() {}

    /** {@code const char *}: a NUL-terminated string of unknown length. */
    static final AddressLayout C_STRING = ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, JAVA_BYTE));

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = lookup();

    @SuppressWarnings("restricted")
    private static SymbolLookup lookup() {
        NativeLibrary.load(); // System.load before the first handle, so the loader lookup sees it
        return SymbolLookup.loaderLookup();
    }

    /** The downcall handle of a C function, looked up once by the class that declares it. */
    static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), fd);
    }

    /** A downcall that returns an {@code int32_t} status. */
    @FunctionalInterface
    interface StatusCall {
        int invoke() throws Throwable;
    }

    /** A downcall that writes its result through a trailing {@code ret_} pointer. */
    @FunctionalInterface
    interface OutCall {
        int invoke(MemorySegment ret) throws Throwable;
    }

    /** A downcall with no status (getters, frees). */
    @FunctionalInterface
    interface ValueCall<T> {
        T invoke() throws Throwable;
    }

    /** Runs a status-returning downcall and throws the typed exception for a failure. */
    static void call(StatusCall c) {
        int status;
        try {
            status = c.invoke();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(status);
    }

    /** Runs a downcall whose result is a pointer written to its {@code ret_} argument. */
    static MemorySegment callForPointer(Arena scratch, OutCall c) {
        MemorySegment ret = scratch.allocate(ADDRESS);
        call(() -> c.invoke(ret));
        return ret.get(ADDRESS, 0);
    }

    /** Runs a downcall that cannot fail. */
    static <T> T get(ValueCall<T> c) {
        try {
            return c.invoke();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Throws the typed exception for a non-zero status, with this thread's native message and detail. */
    static void check(int status) {
        if (status == 0) return;
        String message = LibraryBindings.lastError();
        String detail = LibraryBindings.lastErrorDetail();
        throw InpainterzException.of(status, message.isEmpty() ? LibraryBindings.statusName(status) : message, detail);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }

    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** The string a {@code const char *} points to ("" for NULL). */
    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0);
    }

    /** The string the {@code const char *} field at {@code offset} of {@code struct} points to. */
    static String stringAt(MemorySegment struct, long offset) {
        return string(struct.get(C_STRING, offset));
    }
}
