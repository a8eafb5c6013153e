package io.inpainterz.parity;

import java.util.Map;

/**
 * An element passes when {@code |actual - expected| <= atol + rtol * |expected|} (numpy's
 * allclose rule). Read from a case.json entry's "atol" and optional "rtol".
 */
public record Tolerance(double atol, double rtol) {
    public static final Tolerance EXACT = new Tolerance(0, 0);

    public static Tolerance of(Object caseJsonEntry) {
        if (!(caseJsonEntry instanceof Map<?, ?> m) || !(m.get("atol") instanceof Number atol)) {
            throw new IllegalArgumentException("tolerance entry has no numeric 'atol': " + caseJsonEntry);
        }
        double rtol = m.get("rtol") instanceof Number r ? r.doubleValue() : 0.0;
        return new Tolerance(atol.doubleValue(), rtol);
    }

    public boolean accepts(double actual, double expected) {
        double diff = Math.abs(actual - expected);
        return diff <= atol + rtol * Math.abs(expected) || (Double.isNaN(actual) && Double.isNaN(expected));
    }

    @Override
    public String toString() {
        return rtol == 0 ? String.format("atol %.1e", atol) : String.format("atol %.1e, rtol %.1e", atol, rtol);
    }
}
