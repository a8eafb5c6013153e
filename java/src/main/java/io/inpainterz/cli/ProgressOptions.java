package io.inpainterz.cli;

import io.inpainterz.CancelledException;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.ProgressListener;
import io.inpainterz.util.Json;
import io.inpainterz.util.ProgressEvents;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Option;

/**
 * {@code --progress} of every long command, and the job it runs under: Ctrl-C cancels the job
 * (outputs are then removed, never left half-written) instead of killing the process mid-write.
 */
final class ProgressOptions {
    enum Mode { auto, bar, json, none }

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
            description = "auto: bars when stderr is a terminal, else nothing; bar; none; json: one JSON object per line on stderr, "
                    + "{\"stage\",\"done\",\"total\",\"fps\",\"eta_s\"}, then {\"stage\",\"event\":\"done\"|\"cancelled\"|\"failed\",\"message\"}. "
                    + "Default: ${DEFAULT-VALUE}.")
    Mode mode = Mode.auto;

    /** Runs {@code body} under a new job whose progress goes to {@code err} as chosen; reports the outcome. */
    <T> T run(PrintStream err, String stage, java.util.function.Function<Job, T> body) throws Exception {
        Reporter reporter = new Reporter(effectiveMode(), err, stage);
        Job job = Job.create().onProgress(reporter);
        CountDownLatch finished = new CountDownLatch(1);
        Thread onInterrupt = new Thread(() -> {
            job.cancel();
            try {
                finished.await(20, TimeUnit.SECONDS); // let the command clean up (temporary files) before the JVM exits
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "inpainterz-cancel");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            T result = body.apply(job);
            reporter.end("done", null);
            return result;
        } catch (CancelledException e) {
            reporter.end("cancelled", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            reporter.end("failed", e.getMessage());
            throw e;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it only waits for `finished`
            }
        }
    }

    /** A one-time note for the user on stderr: a JSON line {"notice": ...} with --progress json, else plain text. */
    void notice(PrintStream err, String message) {
        if (effectiveMode() == Mode.json) err.println(Json.write(ProgressEvents.notice(message)));
        else err.println("inpainterz: note: " + message);
    }

    private Mode effectiveMode() {
        if (mode != Mode.auto) return mode;
        // The launcher knows whether stderr is a terminal; Java alone can only ask about the console.
        String tty = System.getProperty("inpainterz.stderr.tty");
        boolean terminal = tty != null ? tty.equals("1") : System.console() != null && System.console().isTerminal();
        return terminal ? Mode.bar : Mode.none;
    }

    /** Turns progress reports into bars or JSON lines (the objects of {@link ProgressEvents}). Reports arrive on the working thread only. */
    static final class Reporter implements ProgressListener {
        private final Mode mode;
        private final PrintStream err;
        private final ProgressEvents events;
        private ProgressBar bar;

        Reporter(Mode mode, PrintStream err, String stage) {
            this.mode = mode;
            this.err = err;
            this.events = new ProgressEvents(stage); // the first stage's rate counts from the command's start
        }

        @Override
        public void onProgress(String s, long done, long total) {
            if (events.isNewStage(s, done)) closeBar();
            Map<String, Object> o = events.progress(s, done, total);
            switch (mode) {
                case json -> {
                    if (o != null) err.println(Json.write(o));
                }
                case bar -> {
                    if (bar == null) {
                        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(s).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                                .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(200);
                        if (s.startsWith("download") || s.startsWith("verify")) b.setUnit(" MiB", 1 << 20).showSpeed(); // units are bytes
                        bar = b.build();
                    }
                    bar.maxHint(total);
                    bar.stepTo(done);
                }
                default -> { }
            }
        }

        void end(String event, String message) {
            closeBar();
            if (mode == Mode.json) err.println(Json.write(events.end(event, message)));
        }

        private void closeBar() {
            if (bar != null) bar.close();
            bar = null;
        }
    }
}
