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
}
