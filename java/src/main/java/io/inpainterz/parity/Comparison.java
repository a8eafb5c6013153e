package io.inpainterz.parity;

import java.util.Arrays;

/** Element-wise comparison of an engine output with a recorded upstream array. */
public final class Comparison {
    private Comparison() {}

    /**
     * @param worstIndex multi-index of the element furthest beyond its tolerance (or with the
     *                   largest error when all pass); null when nothing was compared
     * @param shapeProblem set when shapes differ; nothing else is then meaningful
     */
    public record Stats(long count, long failures, double maxAbs, double maxRel, long[] worstIndex,
                        double worstActual, double worstExpected, String shapeProblem) {}

    public static Stats compare(NdArray actual, NdArray expected, Tolerance tol) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return new Stats(0, 0, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN,
                    "shape " + Arrays.toString(actual.shape()) + " != expected " + Arrays.toString(expected.shape()));
        }
        long n = expected.numElements();
        long failures = 0;
        double maxAbs = 0, maxRel = 0, worstScore = Double.NEGATIVE_INFINITY;
        long worst = -1;
        for (long i = 0; i < n; i++) {
            double a = actual.getDouble(i), e = expected.getDouble(i);
            double diff = Math.abs(a - e);
            boolean ok = tol.accepts(a, e);
            if (Double.isNaN(diff)) diff = ok ? 0 : Double.POSITIVE_INFINITY; // NaN where a number was expected
            if (!ok) failures++;
            maxAbs = Math.max(maxAbs, diff);
            double rel = diff / Math.max(Math.abs(e), 1e-12);
            maxRel = Math.max(maxRel, rel);
            // How far past its allowance this element is; the largest one is reported.
            double score = diff - (tol.atol() + tol.rtol() * Math.abs(e));
            if (score > worstScore) {
                worstScore = score;
                worst = i;
            }
        }
        if (worst < 0) return new Stats(n, 0, 0, 0, null, Double.NaN, Double.NaN, null);
        return new Stats(n, failures, maxAbs, maxRel, expected.unravel(worst), actual.getDouble(worst), expected.getDouble(worst), null);
    }
}
