package io.inpainterz.cli;

import io.inpainterz.CheckpointException;
import io.inpainterz.FileAccessException;
import io.inpainterz.engine.Checkpoint;
import io.inpainterz.engine.DType;
import io.inpainterz.engine.Device;
import io.inpainterz.engine.ModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Checkpoints and the device of {@code remove} and {@code track}. */
final class ModelOptions {
    static final String DEFAULT_SAM = "sam_vit_b_01ec64.pth", DEFAULT_DEAOT = "R50_DeAOTL_PRE_YTB_DAV.pth", DEFAULT_E2FGVI = "E2FGVI-CVPR22.pth";

    enum Precision { fp32, bf16 }

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sam", paramLabel = "FILE", description = "SAM checkpoint (default: ckpt/" + DEFAULT_SAM + " of the installation); "
            + "needed only for --point, --neg, --box and --everything")
    Path sam;

    @Option(names = "--deaot", paramLabel = "FILE", description = "DeAOT checkpoint (default: ckpt/" + DEFAULT_DEAOT + ")")
    Path deaot;

    @Option(names = "--device", paramLabel = "cpu|cuda[:N]", defaultValue = "cpu", description = "where the models run. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "CPU threads of each model call (0: libtorch's default). "
            + "Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--dtype", paramLabel = "fp32|bf16", defaultValue = "fp32", description = "compute type of SAM's encoder, E2FGVI "
            + "and, on the CPU, DeAOT's propagation products. Default: ${DEFAULT-VALUE}.")
    Precision dtype;

    /** The tracker's device: DeAOT's bf16 path is CPU only, so on CUDA it stays float32. */
    Device trackerDevice() {
        Device d = device(true);
        return d.kind() == Device.Kind.CPU ? d : device(false);
    }

    /** The device of a model; {@code bf16Allowed}: whether --dtype applies to it. */
    Device device(boolean bf16Allowed) {
        if (threads < 0) throw usage("--threads must be >= 0, got " + threads);
        String d = device.strip().toLowerCase(Locale.ROOT);
        Device base = Device.defaults().withThreads(threads).withDtype(bf16Allowed && dtype == Precision.bf16 ? DType.BF16 : DType.F32);
        if (d.equals("cpu")) return base.withKind(Device.Kind.CPU).withIndex(0);
        if (d.equals("cuda")) return base.withKind(Device.Kind.CUDA).withIndex(0);
        if (d.startsWith("cuda:")) {
            try {
                int index = Integer.parseInt(d.substring(5));
                if (index >= 0) return base.withKind(Device.Kind.CUDA).withIndex(index);
            } catch (NumberFormatException ignored) {
                // falls through to the usage error
            }
        }
        throw usage("--device takes cpu, cuda or cuda:N, got '" + device + "'");
    }

    /**
     * The checkpoint of {@code option} (or its default under ckpt/), checked before any work: it
     * exists, the safe reader opens it, and it holds the expected family. Errors name the file.
     */
    static Path checkpoint(Path given, String option, String defaultName, ModelFamily family) {
        String what = switch (family) {
            case SAM -> "SAM";
            case DEAOT -> "DeAOT";
            case E2FGVI -> "E2FGVI";
            default -> family.id();
        };
        Path file = given != null ? given : defaultPath(defaultName);
        if (!Files.isRegularFile(file)) {
            throw new FileAccessException(given == null
                    ? "the default " + what + " checkpoint " + file + " is missing: fetch it with ckpt/download.sh (inpainterz models download) or pass " + option + " FILE"
                    : option + " " + file + ": the file does not exist or is not a file");
        }
        try (Checkpoint ck = Checkpoint.open(file)) {
            ModelFamily got = ck.modelInfo().family();
            if (got != family) {
                throw new CheckpointException(option + " " + file + " is " + (got == ModelFamily.UNKNOWN ? "not a checkpoint of a known model"
                        : "a " + got.id() + " checkpoint") + ", not " + what);
            }
        } catch (CheckpointException e) {
            if (e.getMessage().startsWith(option)) throw e;
            throw new CheckpointException(option + " " + file + ": " + e.getMessage());
        }
        return file;
    }

    /** A default checkpoint's place: ckpt/ of the installation. */
    static Path defaultPath(String name) {
        return Path.of(System.getProperty("inpainterz.home", "."), "ckpt", name);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
