package io.inpainterz.cli;

import io.inpainterz.engine.Engine;
import io.inpainterz.parity.ParityFixtures;
import io.inpainterz.parity.ParityRunner;
import io.inpainterz.parity.StageResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "parity", description = "Compare this build with the upstream fixtures: one line per stage (error vs tolerance); "
        + "exit 1 on any miss.")
final class ParityCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--dir", paramLabel = "D", description = "fixture folder (default: $INPAINTERZ_PARITY_DIR, else ../shared/parity)")
    Path dir;

    @Parameters(paramLabel = "MODEL", arity = "0..*", description = "sam, deaot, e2fgvi (default: all)")
    List<String> models = new ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        for (String m : models) {
            if (!ParityRunner.MODELS.contains(m)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "unknown model '" + m + "'; expected one of " + ParityRunner.MODELS);
            }
        }
        List<String> chosen = models.isEmpty() ? ParityRunner.MODELS : models;
        Path root = ParityFixtures.root(dir == null ? null : dir.toString());
        main.out().println("parity: " + Engine.buildInfo() + "; fixtures " + root);
        List<StageResult> results = ParityRunner.run(root, chosen, main.out());
        long failed = results.stream().filter(r -> !r.passed()).count();
        main.out().printf("parity: %d stages, %d passed, %d failed%n", results.size(), results.size() - failed, failed);
        return failed == 0 && !results.isEmpty() ? Main.OK : Main.CHECK_FAILED;
    }
}
