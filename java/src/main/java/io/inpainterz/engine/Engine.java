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

    /**
     * E2FGVI's modulated deformable convolution (DCNv2, as mmcv's {@code modulated_deform_conv2d}
     * computes it) alone, for benchmarks and checks; with {@code reference} by the pure-ATen
     * im2col oracle (explicit gathers, one GEMM per group), slowly. Row-major float32 buffers:
     * {@code input} [n, cIn, h, w], {@code offset} [n, deformGroups * 2 * kh * kw, Ho, Wo] (for
     * deform group g and tap k = i * kw + j, channel g * 2 * kh * kw + 2k is dy, the next dx),
     * {@code mask} [n, deformGroups * kh * kw, Ho, Wo], {@code weight} [cOut, cIn / groups, kh, kw],
     * {@code bias} [cOut] or null for none, {@code out} [n, cOut, Ho, Wo] with
     * Ho = (h + 2 padding - dilation (kh - 1) - 1) / stride + 1 and Wo likewise. Runs on the CPU
     * with the process thread count ({@link #setNumThreads}).
     *
     * @throws InvalidInputException for bad parameters, sizes that do not divide, or a buffer
     *     smaller than its shape
     */
    public static void modulatedDeformConv(MemorySegment input, MemorySegment offset, MemorySegment mask, MemorySegment weight,
                                           MemorySegment bias, long n, long cIn, long h, long w, long cOut, long kh, long kw, int stride,
                                           int padding, int dilation, int groups, int deformGroups, boolean reference, MemorySegment out) {
        // What the buffer sizes follow from is checked here (memory safety); the rest natively.
        if (n < 0 || cIn < 0 || cOut < 0 || groups < 1 || deformGroups < 1 || cIn % groups != 0) {
            throw new InvalidInputException("modulatedDeformConv: bad sizes: n " + n + ", cIn " + cIn + ", cOut " + cOut + ", groups " + groups
                    + ", deformGroups " + deformGroups + " (sizes >= 0, groups and deformGroups >= 1, cIn divisible by groups)");
        }
        long[] size = deformConvOutputSize(h, w, kh, kw, stride, padding, dilation);
        long ho = size[0], wo = size[1], taps = kh * kw;
        requireFloats("modulatedDeformConv", "input", input, n, cIn, h, w);
        requireFloats("modulatedDeformConv", "offset", offset, n, deformGroups * 2L * taps, ho, wo);
        requireFloats("modulatedDeformConv", "mask", mask, n, deformGroups * taps, ho, wo);
        requireFloats("modulatedDeformConv", "weight", weight, cOut, cIn / groups, kh, kw);
        if (bias != null) requireFloats("modulatedDeformConv", "bias", bias, cOut);
        requireFloats("modulatedDeformConv", "out", out, n, cOut, ho, wo);
        LibraryBindings.modulatedDeformConv(input, offset, mask, weight, bias == null ? MemorySegment.NULL : bias, n, cIn, h, w, cOut, kh, kw,
                stride, padding, dilation, groups, deformGroups, reference, out);
    }

    /**
     * The output size {Ho, Wo} of {@link #modulatedDeformConv}.
     *
     * @throws InvalidInputException for a negative size, a kernel under 1x1, stride or dilation
     *     under 1, negative padding, or a dilated kernel larger than the padded input
     */
    public static long[] deformConvOutputSize(long h, long w, long kh, long kw, int stride, int padding, int dilation) {
        if (h < 0 || w < 0 || kh < 1 || kw < 1 || stride < 1 || dilation < 1 || padding < 0) {
            throw new InvalidInputException("modulatedDeformConv: bad geometry: input " + h + "x" + w + ", kernel " + kh + "x" + kw + ", stride "
                    + stride + ", padding " + padding + ", dilation " + dilation
                    + " (sizes >= 0, kernel >= 1x1, stride and dilation >= 1, padding >= 0)");
        }
        long spanH = (long) dilation * (kh - 1) + 1, spanW = (long) dilation * (kw - 1) + 1;
        if (h + 2L * padding < spanH || w + 2L * padding < spanW) {
            throw new InvalidInputException("modulatedDeformConv: the output would be empty: the padded input " + (h + 2L * padding) + "x"
                    + (w + 2L * padding) + " is smaller than the dilated kernel " + spanH + "x" + spanW);
        }
        return new long[] {(h + 2L * padding - spanH) / stride + 1, (w + 2L * padding - spanW) / stride + 1};
    }

    private static void requireFloats(String op, String name, MemorySegment s, long... shape) {
        long count = 1;
        for (long d : shape) count = Math.multiplyExact(count, d);
        if (s == null || s.byteSize() < Math.multiplyExact(4L, count)) {
            throw new InvalidInputException(op + ": " + name + " is " + java.util.Arrays.toString(shape) + " float32 (" + 4 * count
                    + " bytes) but its buffer " + (s == null ? "is null" : "holds " + s.byteSize() + " bytes"));
        }
    }
}
