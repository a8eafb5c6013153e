package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import io.inpainterz.Status;
import io.inpainterz.nativeapi.NativeLibrary;
import org.junit.jupiter.api.Test;

class EngineTest {
    @Test
    void libraryMatchesTheJarsAbi() {
        assertEquals(NativeLibrary.ABI_VERSION, Engine.abiVersion());
        assertTrue(Engine.buildInfo().contains("torch "), Engine.buildInfo());
    }

    @Test
    void matmulMatchesAPlainJavaProduct() {
        int m = 3, k = 4, n = 5;
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (i % 7) - 3;
        for (int i = 0; i < b.length; i++) b[i] = (i % 5) * 0.5f;
        float[] want = new float[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) want[i * n + j] += a[i * k + p] * b[p * n + j];
        assertArrayEquals(want, Engine.matmulF32(a, m, k, b, k, n), 1e-5f);
    }

    @Test
    void aProductLargeEnoughForOneDnnMatchesAPlainJavaProduct() {
        // 1.3 M multiply-adds: above the size from which the CPU products go through oneDNN; odd
        // sizes so that no dimension fits its blocking.
        int m = 131, k = 97, n = 103;
        java.util.Random r = new java.util.Random(11);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        float[] want = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[p * n + j];
                want[i * n + j] = (float) s;
            }
        assertArrayEquals(want, Engine.matmulF32(a, m, k, b, k, n), 1e-4f);
    }

    @Test
    void aLibtorchErrorBecomesATypedExceptionAndTheJvmGoesOn() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Engine.matmulF32(new float[6], 2, 3, new float[20], 4, 5));
        assertEquals(Status.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"), e.getMessage());
        // The native side is intact: the next call works and the error text is not stale.
        assertArrayEquals(new float[] {11}, Engine.matmulF32(new float[] {1, 2}, 1, 2, new float[] {3, 4}, 2, 1));
        // libtorch's own detail (where the check failed) travels with the exception.
        assertFalse(e.detail().isEmpty(), "the native detail must be carried");
        assertTrue(e.detail().contains("mat1 and mat2 shapes cannot be multiplied"), e.detail());
    }

    @Test
    void threadCountIsSettableAndValidated() {
        int before = Engine.numThreads();
        try {
            Engine.setNumThreads(1);
            assertEquals(1, Engine.numThreads());
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Engine.setNumThreads(0));
            assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        } finally {
            Engine.setNumThreads(before);
        }
    }

    @Test
    void buffersTooSmallForTheStatedShapeAreRefusedBeforeNativeCode() {
        assertThrows(InvalidInputException.class, () -> Engine.matmulF32(new float[5], 2, 3, new float[12], 3, 4));
    }

    @Test
    void theLocalWindowOpsMatchTheirUnfoldOracle() {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            int n = 2, c = 5, h = 9, w = 13, p = 15;
            java.util.Random r = new java.util.Random(3);
            java.lang.foreign.MemorySegment q = a.allocate(4L * n * c * h * w), k = a.allocate(4L * n * c * h * w),
                    attn = a.allocate(4L * n * p * p * h * w);
            for (long i = 0; i < q.byteSize() / 4; i++) {
                q.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
                k.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            for (long i = 0; i < attn.byteSize() / 4; i++) attn.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, r.nextFloat());
            for (boolean aggregate : new boolean[] {false, true}) {
                long size = 4L * n * (aggregate ? c : p * p) * h * w;
                java.lang.foreign.MemorySegment ours = a.allocate(size), oracle = a.allocate(size);
                java.lang.foreign.MemorySegment first = aggregate ? attn : q;
                Engine.spatialCorrelation(first, k, n, c, h, w, p, aggregate, false, ours);
                Engine.spatialCorrelation(first, k, n, c, h, w, p, aggregate, true, oracle);
                double worst = 0, scale = 0;
                for (long i = 0; i < size / 4; i++) {
                    float x = ours.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i), y = oracle.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
                    worst = Math.max(worst, Math.abs(x - y));
                    scale = Math.max(scale, Math.abs(y));
                }
                assertTrue(scale > 1, "the oracle's output is not trivial");
                assertTrue(worst <= 1e-5 * scale, (aggregate ? "aggregate" : "correlation") + ": max |diff| " + worst);
            }
            assertThrows(InvalidInputException.class, () -> Engine.spatialCorrelation(q, k, n, c, h, w, 14, false, false, a.allocate(4L * n * 196 * h * w)));
        }
    }
}
