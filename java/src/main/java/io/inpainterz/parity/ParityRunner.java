package io.inpainterz.parity;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the parity stages of the chosen models against the fixtures and prints one line per
 * stage. Backs both {@code inpainterz parity} and the tests.
 */
public final class ParityRunner {
    public static final List<String> MODELS = List.of("sam", "deaot", "e2fgvi");

    private ParityRunner() {}

    /** All stage results of {@code models} (each "sam", "deaot" or "e2fgvi") under {@code root}. */
    public static List<StageResult> run(Path root, List<String> models, PrintStream out) {
        List<StageResult> results = new ArrayList<>();
        for (String model : models) {
            if (!MODELS.contains(model)) throw new IllegalArgumentException("unknown model '" + model + "'; expected one of " + MODELS);
            for (ParityCase c : ParityCase.all(root, model)) {
                List<StageResult> stages = new ArrayList<>(CheckpointParity.run(c));
                if (model.equals("sam")) stages.addAll(SamParity.run(c));
                if (model.equals("deaot")) stages.addAll(DeaotParity.run(c));
                if (model.equals("e2fgvi")) stages.addAll(E2fgviParity.run(c));
                for (StageResult r : stages) {
                    results.add(r);
                    if (out != null) out.println(r.line());
                }
            }
        }
        return results;
    }
}
