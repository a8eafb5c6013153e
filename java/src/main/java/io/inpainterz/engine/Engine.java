package io.inpainterz.engine;

import io.inpainterz.InvalidInputException;
import io.inpainterz.nativeapi.LibraryBindings;
import io.inpainterz.nativeapi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Process-wide facts and settings of the native engine. */
public final class Engine {
    private Engine() {}

    /** Loads the native library (idempotent) and returns where it was found. */
    public static Path load() {
        return NativeLibrary.load();
    }

    /** "inpainterz 0.1.0; abi 1; torch 2.13.0; ffmpeg 5.1.x; cuda: no; openmp: yes". */
    public static String buildInfo() {
        return LibraryBindings.buildInfo();
    }

    public static int abiVersion() {
        return LibraryBindings.abiVersion();
    }

    /**
     * The process default of intra-op CPU threads: model calls use it unless their model
     * ({@link Device#threads()}) or job ({@link Job#threads(int)}) sets a count. Every call sets
     * its count on its own thread (OpenMP keeps one per thread), so concurrent jobs with different
     * counts do not disturb each other.
     */
    public static void setNumThreads(int n) {
        LibraryBindings.setNumThreads(n);
    }

    /** The count in effect on the calling thread; from a progress listener, that of the running call. */
    public static int numThreads() {
        return LibraryBindings.getNumThreads();
    }

    /**
     * {@code out[m x n] = a[m x k] * b[k2 x n]} (row-major float32) through libtorch's GEMM: the
     * machine's GEMM rate that benchmark results are reported against. Shapes are deliberately
     * checked by libtorch, not here, so a mismatch shows its own message.
     */
    public static void matmulF32(MemorySegment a, long m, long k, MemorySegment b, long k2, long n, MemorySegment out) {
        // Buffer sizes are memory safety and are checked here; whether the shapes multiply is libtorch's call.
        requireBytes("a", a, m, k);
        requireBytes("b", b, k2, n);
        requireBytes("out", out, m, n);
        LibraryBindings.matmulF32(a, m, k, b, k2, n, out);
    }

    private static void requireBytes(String name, MemorySegment s, long rows, long cols) {
        if (rows < 0 || cols < 0) throw new InvalidInputException("matmul: " + name + " has negative size " + rows + "x" + cols);
        if (s.byteSize() < 4 * rows * cols) {
            throw new InvalidInputException("matmul: " + name + " is " + rows + "x" + cols + " float32 (" + 4 * rows * cols
                    + " bytes) but its buffer holds " + s.byteSize() + " bytes");
        }
    }

    /** Convenience for {@link #matmulF32} on Java arrays (copies in and out). */
    public static float[] matmulF32(float[] a, long m, long k, float[] b, long k2, long n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, a);
            MemorySegment sb = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, b);
            MemorySegment out = arena.allocate(java.lang.foreign.ValueLayout.JAVA_FLOAT, Math.max(1, m * n));
            matmulF32(sa, m, k, sb, k2, n, out);
            return out.asSlice(0, 4 * m * n).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        }
    }

    /**
     * DeAOT's local-window ops alone (benchmarks, checks): the spatial correlation of a = q and
     * b = k [n, c, h, w] into out [n, patch^2, h, w], or with {@code aggregate} the window sum of
     * a = attention [n, patch^2, h, w] times b = v [n, c, h, w] into out [n, c, h, w]; with
     * {@code reference} by the zero-pad + unfold oracle. Row-major float32.
     */
    public static void spatialCorrelation(MemorySegment a, MemorySegment b, long n, long c, long h, long w, int patch, boolean aggregate,
                                          boolean reference, MemorySegment out) {
        long p2 = (long) patch * patch;
        requireBytes("a", a, n * (aggregate ? p2 : c), h * w);
        requireBytes("b", b, n * c, h * w);
        requireBytes("out", out, n * (aggregate ? c : p2), h * w);
        LibraryBindings.spatialCorrelation(a, b, n, c, h, w, patch, aggregate, reference, out);
    }
}
