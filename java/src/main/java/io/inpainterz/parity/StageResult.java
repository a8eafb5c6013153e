package io.inpainterz.parity;

import java.util.Arrays;

/**
 * The outcome of one parity stage: a numeric comparison (max abs / rel error, the worst index,
 * the tolerance) or an exact check (mismatches out of a count, with the first one described).
 */
public record StageResult(String caseName, String stage, boolean passed, String summary) {

    /** Result of comparing arrays element by element. */
    public static StageResult numeric(String caseName, String stage, Comparison.Stats s, Tolerance tol) {
        String worst = s.worstIndex() == null ? "-" : Arrays.toString(s.worstIndex());
        String summary;
        if (s.shapeProblem() != null) {
            summary = s.shapeProblem();
        } else {
            summary = String.format("max_abs %.3e %s %s  max_rel %.3e  worst %s (got %s, want %s)  %d/%d elements out",
                    s.maxAbs(), s.failures() == 0 ? "<=" : ">", tol, s.maxRel(), worst,
                    fmt(s.worstActual()), fmt(s.worstExpected()), s.failures(), s.count());
        }
        return new StageResult(caseName, stage, s.shapeProblem() == null && s.failures() == 0, summary);
    }

    /** Result of an exact check over {@code total} items of which {@code mismatches} differ. */
    public static StageResult exact(String caseName, String stage, long mismatches, long total, String what, String firstMismatch) {
        String summary = (total - mismatches) + "/" + total + " " + what + " match"
                + (mismatches == 0 ? "" : "; first mismatch: " + firstMismatch);
        return new StageResult(caseName, stage, mismatches == 0 && total > 0, total == 0 ? "nothing to check (0 " + what + ")" : summary);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "nan" : String.format("%.6g", v);
    }

    /** One line for the terminal: "PASS  sam/tiny  stage  summary". */
    public String line() {
        return String.format("%s  %-20s %-44s %s", passed ? "PASS" : "FAIL", caseName, stage, summary);
    }
}
