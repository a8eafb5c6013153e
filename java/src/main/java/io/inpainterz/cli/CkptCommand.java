package io.inpainterz.cli;

import io.inpainterz.engine.Checkpoint;
import io.inpainterz.engine.ModelFamily;
import io.inpainterz.engine.ModelInfo;
import io.inpainterz.util.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "ckpt", description = "Checkpoint tools.", subcommands = CkptCommand.Inspect.class)
final class CkptCommand implements Runnable {
    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "expected 'ckpt inspect FILE [--json]'");
    }

    /** The fields of {@code ckpt inspect --json} (stable; see README). */
    record Report(String file, String format, String family, String variant, String wrapper, long tensors, long parameters, long bytes) {}

    @Command(name = "inspect", description = "Model family, variant, tensor and parameter counts of a checkpoint.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        CkptCommand parent;

        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(names = "--json", description = "one JSON object")
        boolean json;

        @Mixin
        ProgressOptions progress;

        @Override
        public Integer call() throws Exception {
            Main main = parent.main;
            return progress.run(main.err(), "checkpoint", job -> {
                try (Checkpoint ck = Checkpoint.open(file, Checkpoint.Options.defaults(), job)) {
                    ModelInfo m = ck.modelInfo();
                    String format = m.format().name().toLowerCase();
                    if (json) {
                        main.out().println(Json.write(new Report(file.toString(), format, m.family().id(), m.variant(), m.wrapper(),
                                m.numTensors(), m.numElements(), m.numBytes())));
                    } else {
                        main.out().printf("file:        %s%n", file);
                        main.out().printf("format:      %s%n", format);
                        main.out().printf("family:      %s%n", m.family().id());
                        main.out().printf("variant:     %s%n", m.variant());
                        main.out().printf("wrapper:     %s%n", m.wrapper().isEmpty() ? "(none: state dict at top level)" : m.wrapper());
                        main.out().printf("tensors:     %d%n", m.numTensors());
                        main.out().printf("parameters:  %,d (%.1f MiB)%n", m.numElements(), m.numBytes() / 1048576.0);
                    }
                    if (m.family() == ModelFamily.UNKNOWN) {
                        main.err().println("inpainterz: '" + file + "' is a valid checkpoint but not a SAM, DeAOT or E2FGVI model");
                        return Main.CHECK_FAILED;
                    }
                    return Main.OK;
                }
            });
        }
    }
}
