package io.inpainterz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import io.inpainterz.Status;
import io.inpainterz.parity.Comparison;
import io.inpainterz.parity.DeformConvParity;
import io.inpainterz.parity.NdArray;
import io.inpainterz.parity.Npy;
import io.inpainterz.parity.ParityCase;
import io.inpainterz.parity.StageResult;
import io.inpainterz.parity.Tolerance;
import io.inpainterz.testing.Fixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link Engine#modulatedDeformConv}: the e2fgvi fixtures' dcn arrays through the binding, and its checks. */
class DeformConvTest {
    private static final List<String> CASES = List.of("e2fgvi_d2", "e2fgvi_hq_d2");

    @ParameterizedTest
    @ValueSource(strings = {"e2fgvi_d2", "e2fgvi_hq_d2"})
    void theFixturesMatchThroughTheBindingWithKernelAndReference(String name) {
        ParityCase c = ParityCase.load("e2fgvi", Fixtures.file("e2fgvi/" + name));
        List<StageResult> results = DeformConvParity.run(c);
        assertEquals(List.of("dcn kernel", "dcn reference", "dcn_general kernel", "dcn_general reference"),
                results.stream().map(StageResult::stage).toList());
        for (StageResult r : results) assertTrue(r.passed(), r.line());
    }

    @Test
    void offsetsWithDyAndDxSwappedFailTheFixture() {
        // The comparison the parity stage makes would catch a binding that swaps dy and dx.
        Path dir = Fixtures.file("e2fgvi/" + CASES.get(0));
        try (Arena arena = Arena.ofConfined()) {
            NdArray input = Npy.read(dir.resolve("dcn_input.npy"), arena), offset = Npy.read(dir.resolve("dcn_offset.npy"), arena);
            NdArray mask = Npy.read(dir.resolve("dcn_mask.npy"), arena), weight = Npy.read(dir.resolve("dcn_weight.npy"), arena);
            NdArray bias = Npy.read(dir.resolve("dcn_bias.npy"), arena), want = Npy.read(dir.resolve("dcn_output.npy"), arena);
            long[] is = input.shape(), os = offset.shape(), ws = want.shape();
            MemorySegment swapped = arena.allocate(offset.data().byteSize(), 64);
            long plane = os[2] * os[3];
            for (long b = 0; b < os[0]; b++) {
                for (long ch = 0; ch < os[1]; ch++) {
                    long from = (b * os[1] + (ch ^ 1)) * plane * 4; // channel pairs (dy, dx) exchanged
                    MemorySegment.copy(offset.data(), from, swapped, (b * os[1] + ch) * plane * 4, plane * 4);
                }
            }
            Tolerance tol = new Tolerance(1e-5, 0);
            for (MemorySegment off : List.of(offset.data(), swapped)) {
                MemorySegment out = arena.allocate(4 * want.numElements(), 64);
                Engine.modulatedDeformConv(input.data(), off, mask.data(), weight.data(), bias.data(), is[0], is[1], is[2], is[3], ws[1], 3, 3,
                        1, 1, 1, 1, 16, false, out);
                Comparison.Stats s = Comparison.compare(new NdArray(DType.F32, ws, out), want, tol);
                if (off == swapped) assertTrue(s.failures() > want.numElements() / 2 && s.maxAbs() > 0.1, "swapped offsets pass: " + s);
                else assertEquals(0, s.failures(), "the fixture's own offsets: " + s);
            }
        }
    }

    @Test
    void kernelAndReferenceAgreeOnRandomInputsWithoutBias() {
        int n = 2, c = 12, h = 9, w = 14, cOut = 8, k = 3, stride = 2, pad = 2, dil = 1, groups = 2, dg = 3;
        long[] size = Engine.deformConvOutputSize(h, w, k, k, stride, pad, dil);
        long pixels = size[0] * size[1];
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(7);
            MemorySegment input = gaussian(arena, (long) n * c * h * w, 1, r), offset = gaussian(arena, n * dg * 2L * k * k * pixels, 3, r);
            MemorySegment mask = gaussian(arena, n * dg * (long) k * k * pixels, 1, r), weight = gaussian(arena, (long) cOut * c / groups * k * k, 0.2, r);
            MemorySegment a = arena.allocate(4L * n * cOut * pixels), b = arena.allocate(4L * n * cOut * pixels);
            Engine.modulatedDeformConv(input, offset, mask, weight, null, n, c, h, w, cOut, k, k, stride, pad, dil, groups, dg, false, a);
            Engine.modulatedDeformConv(input, offset, mask, weight, null, n, c, h, w, cOut, k, k, stride, pad, dil, groups, dg, true, b);
            double worst = 0, scale = 0;
            for (long i = 0; i < n * cOut * pixels; i++) {
                float x = a.getAtIndex(ValueLayout.JAVA_FLOAT, i), y = b.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                worst = Math.max(worst, Math.abs(x - y));
                scale = Math.max(scale, Math.abs(y));
            }
            assertTrue(scale > 0.5, "the output is not trivial: " + scale);
            assertTrue(worst <= 1e-5 * scale, "max |kernel - reference| " + worst);
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheirNames() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4L * 4096);
            // Deform groups that do not divide C_in: the native check, its message.
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> Engine.modulatedDeformConv(buf, buf, buf, buf, null, 1, 6, 4, 4, 2, 3, 3, 1, 1, 1, 1, 4, false, buf));
            assertEquals(Status.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().contains("C_in = 6 is not divisible by deform_groups = 4"), e.getMessage());
            // A buffer too small for its shape never reaches native code.
            e = assertThrows(InvalidInputException.class,
                    () -> Engine.modulatedDeformConv(buf, arena.allocate(4), buf, buf, null, 1, 4, 4, 4, 2, 3, 3, 1, 1, 1, 1, 2, false, buf));
            assertTrue(e.getMessage().contains("offset is [1, 36, 4, 4] float32 (2304 bytes) but its buffer holds 4 bytes"), e.getMessage());
            e = assertThrows(InvalidInputException.class,
                    () -> Engine.modulatedDeformConv(buf, buf, buf, buf, null, 1, 6, 4, 4, 2, 3, 3, 1, 1, 1, 4, 1, false, buf));
            assertTrue(e.getMessage().contains("cIn divisible by groups"), e.getMessage());
            e = assertThrows(InvalidInputException.class, () -> Engine.deformConvOutputSize(4, 4, 3, 3, 0, 1, 1));
            assertTrue(e.getMessage().contains("stride and dilation >= 1"), e.getMessage());
            e = assertThrows(InvalidInputException.class,
                    () -> Engine.modulatedDeformConv(buf, buf, buf, buf, null, 1, 4, 2, 2, 2, 5, 5, 1, 0, 1, 1, 1, true, buf));
            assertTrue(e.getMessage().contains("the output would be empty"), e.getMessage());
            // The native side is intact afterwards.
            assertFalse(DeformConvParity.run(ParityCase.load("e2fgvi", Fixtures.file("e2fgvi/" + CASES.get(1)))).isEmpty());
        }
    }

    private static MemorySegment gaussian(Arena arena, long n, double scale, Random r) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextGaussian() * scale));
        return s;
    }
}
