package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.LibraryBindings;

/**
 * Where and how a model runs: device kind and index, the compute dtype of its heavy parts, and
 * its intra-op CPU threads (applied on the calling thread at the start of every call; 0 = leave
 * the calling thread's count). {@link #defaults()} are the native library's.
 */
public record Device(Kind kind, int index, DType dtype, int threads) {
    /** Mirrors {@code enum inp_device}. */
    public enum Kind { CPU, CUDA }

    public Device {
        if (kind == null) throw new InvalidInputException("device kind must not be null");
        if (index < 0) throw new InvalidInputException("device index must be >= 0, got " + index);
        if (dtype != DType.F32 && dtype != DType.BF16) throw new InvalidInputException("device dtype must be F32 or BF16, got " + dtype);
        if (threads < 0) throw new InvalidInputException("device threads must be >= 0 (0 = the calling thread's count), got " + threads);
    }

    public static Device defaults() {
        return of(LibraryBindings.deviceDefaults());
    }

    public Device withKind(Kind k) {
        return new Device(k, index, dtype, threads);
    }

    public Device withIndex(int i) {
        return new Device(kind, i, dtype, threads);
    }

    public Device withDtype(DType d) {
        return new Device(kind, index, d, threads);
    }

    public Device withThreads(int n) {
        return new Device(kind, index, dtype, n);
    }

    static Device of(LibraryBindings.DeviceParams p) {
        return new Device(Kind.values()[p.kind()], p.index(), DType.of(p.dtype()), p.numThreads());
    }

    LibraryBindings.DeviceParams params() {
        return new LibraryBindings.DeviceParams(kind.ordinal(), index, dtype.code(), threads);
    }
}
