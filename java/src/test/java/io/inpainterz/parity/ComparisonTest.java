package io.inpainterz.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.engine.DType;
import io.inpainterz.testing.Fixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static NdArray f32(long[] shape, float... v) {
        return new NdArray(DType.F32, shape, MemorySegment.ofArray(v));
    }

    @Test
    void reportsMaxErrorsAndTheWorstIndex() {
        NdArray want = f32(new long[] {2, 3}, 0, 1, 2, 3, 4, 5);
        NdArray got = f32(new long[] {2, 3}, 0, 1, 2.001f, 3, 4.5f, 5);
        Comparison.Stats s = Comparison.compare(got, want, new Tolerance(0.01, 0));
        assertEquals(1, s.failures());
        assertEquals(0.5, s.maxAbs(), 1e-6);
        assertEquals(0.125, s.maxRel(), 1e-6);
        assertArrayEquals(new long[] {1, 1}, s.worstIndex());
        assertFalse(StageResult.numeric("c", "s", s, new Tolerance(0.01, 0)).passed());
        assertTrue(Comparison.compare(got, want, new Tolerance(0.01, 0.2)).failures() == 0);
    }

    @Test
    void nanWhereANumberIsExpectedFailsAndShapesMustMatch() {
        NdArray want = f32(new long[] {3}, 1, 2, 3);
        Comparison.Stats nan = Comparison.compare(f32(new long[] {3}, 1, Float.NaN, 3), want, new Tolerance(1, 0));
        assertEquals(1, nan.failures());
        assertArrayEquals(new long[] {1}, nan.worstIndex());
        Comparison.Stats shape = Comparison.compare(f32(new long[] {1, 3}, 1, 2, 3), want, Tolerance.EXACT);
        assertTrue(shape.shapeProblem().contains("[1, 3]"));
        assertFalse(StageResult.numeric("c", "s", shape, Tolerance.EXACT).passed());
    }

    @Test
    void aFixtureComparedWithItselfPassesAndOneNudgedElementIsFound() {
        try (Arena arena = Arena.ofConfined()) {
            NdArray want = Npy.read(Fixtures.file("sam/tiny/image_embedding.npy"), arena);
            Tolerance tol = new Tolerance(5e-5, 0);
            assertEquals(0, Comparison.compare(want, want, tol).failures());
            MemorySegment copy = arena.allocate(want.data().byteSize());
            copy.copyFrom(want.data());
            long[] shape = want.shape();
            long flat = 3 * shape[2] * shape[3] + 17 * shape[3] + 40; // element [0, 3, 17, 40]
            copy.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, flat, copy.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, flat) + 1e-3f);
            Comparison.Stats s = Comparison.compare(new NdArray(DType.F32, shape, copy), want, tol);
            assertEquals(1, s.failures());
            assertArrayEquals(new long[] {0, 3, 17, 40}, s.worstIndex());
        }
    }
}
