package io.inpainterz.cli;

import io.inpainterz.CancelledException;
import io.inpainterz.DeviceException;
import io.inpainterz.InternalErrorException;
import io.inpainterz.InpainterzException;
import io.inpainterz.engine.Engine;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code inpainterz} command line (launcher: bin/inpainterz). */
@Command(name = "inpainterz", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
        defaultValueProvider = NativeDefaults.class,
        description = "Remove objects from videos: SAM masks, DeAOT tracking, E2FGVI inpainting, FFmpeg video.",
        subcommands = {RemoveCommand.class, TrackCommand.class, BatchCommand.class, ServeCommand.class, InfoCommand.class, TranscodeCommand.class,
                SegmentCommand.class, CkptCommand.class, ModelsCommand.class, ParityCommand.class,
                Main.VersionCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a check failed (parity miss, unrecognised model), or some batch jobs failed", "2:usage error",
                "3:bad input file or checkpoint (the message names the file and what is wrong)", "4:native library missing or mismatched",
                "5:processing failed (device, out of memory, internal error)", "130:cancelled (Ctrl-C, SIGTERM)"})
public final class Main implements Runnable {
    /** Exit codes, documented in README.md; mapped from exceptions in {@link #exitCode} and nowhere else. */
    static final int OK = 0, CHECK_FAILED = 1, USAGE = 2, BAD_INPUT = 3, NO_NATIVE_LIBRARY = 4, PROCESSING_FAILED = 5, CANCELLED = 130;

    private final PrintStream out;
    private final PrintStream err;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public Main() {
        this(System.out, System.err);
    }

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Main().run(args));
    }

    int run(String[] args) {
        CommandLine cl;
        try {
            cl = new CommandLine(this);
        } catch (RuntimeException | LinkageError e) {
            return exitCode(e); // building the help with native defaults needs the library
        }
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> exitCode(e));
        cl.setParameterExceptionHandler((e, args2) -> {
            Throwable native_ = nativeCause(e);
            if (native_ != null) return exitCode(native_);
            err.println("inpainterz: " + e.getMessage());
            e.getCommandLine().usage(err);
            return USAGE;
        });
        try {
            return cl.execute(args);
        } catch (RuntimeException | LinkageError e) { // a default value provider failing while help is drawn
            return exitCode(e);
        }
    }

    /** The exit code of a failure, after telling the user what it was. */
    int exitCode(Throwable e) {
        Throwable n = nativeCause(e);
        if (n != null) e = n;
        if (e instanceof UnsatisfiedLinkError) {
            err.println("inpainterz: " + e.getMessage());
            return NO_NATIVE_LIBRARY;
        }
        if (e instanceof CancelledException) {
            err.println("inpainterz: " + e.getMessage());
            return CANCELLED;
        }
        if (e instanceof InternalErrorException || e instanceof DeviceException) {
            err.println("inpainterz: processing failed: " + e.getMessage());
            return PROCESSING_FAILED;
        }
        if (e instanceof InpainterzException) {
            err.println("inpainterz: " + e.getMessage());
            return BAD_INPUT;
        }
        if (e instanceof CommandLine.ParameterException p) {
            err.println("inpainterz: " + p.getMessage());
            p.getCommandLine().usage(err);
            return USAGE;
        }
        err.println("inpainterz: internal error: " + e);
        e.printStackTrace(err);
        return PROCESSING_FAILED;
    }

    /** The library or engine failure behind wrapping exceptions (class initialisation, picocli). */
    private static Throwable nativeCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsatisfiedLinkError || t instanceof InpainterzException) return t;
        }
        return null;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no command given");
    }

    /** --version: the versions of this build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Engine.buildInfo()};
        }
    }

    @Command(name = "version", description = "Versions of this build (native library, libtorch, FFmpeg).")
    static final class VersionCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Override
        public Integer call() {
            main.out().println(Engine.buildInfo());
            return OK;
        }
    }
}
