package io.inpainterz.cli;

import io.inpainterz.InpainterzException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.pipeline.Manifest;
import io.inpainterz.pipeline.Prompt;
import io.inpainterz.pipeline.Shard;
import io.inpainterz.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code batch MANIFEST.jsonl}: each job of the shard runs as {@code remove} does, through the
 * {@code remove} command itself: the job's objects and options become its arguments
 * ({@code "range": "0:8"} is {@code --range=0:8}), so there is one parser and one pipeline.
 */
@Command(name = "batch", sortOptions = false, description = {
        "Run the remove jobs of a manifest (JSON lines), or one shard of them; resumes, and goes on past failed jobs.",
        "A job per line: {\"input\": ..., \"output\": ..., \"objects\": [[prompt, ...], ...], "
                + "\"options\": {\"range\": \"0:8\", \"masks-in\": \"masks/\", ...}} (objects as in --prompts; options are remove's long names "
                + "without the dashes; relative paths are relative to the manifest).",
        "Jobs whose output exists are skipped, so a batch resumes; a failed job does not stop the others. Ends with a summary: "
                + "a line per job on stderr, one JSON object on stdout. Exit 0 when every job is ok or skipped, 1 when some failed."})
final class BatchCommand implements Callable<Integer> {
    /** Prompts go in "objects", the output at the top level: not in "options". */
    private static final Set<String> NOT_OPTIONS = Set.of("point", "neg", "box", "mask", "object", "output", "help", "version");

    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MANIFEST.jsonl", description = "the jobs, one JSON object per line")
    Path manifestFile;

    @Option(names = "--shard", paramLabel = "i/n|auto", description = "run only the jobs whose index (0-based, among non-blank lines) mod n is i; "
            + "auto: i and n from a Slurm job array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes "
            + "Indexed Job (JOB_COMPLETION_INDEX, with --shards N)")
    String shard;

    @Option(names = "--shards", paramLabel = "N", description = "with --shard auto in a Kubernetes Indexed Job: the Job's completions")
    Integer shards;

    @Mixin
    ProgressOptions progress;

    /** Environment lookup, replaced in tests. */
    Function<String, String> env = System::getenv;

    private volatile boolean stopping;

    /** {@code exit}: remove's exit code, null when it did not run. */
    record Outcome(int index, int line, Path input, Path output, String status, String message, Integer exit, double seconds, Object result) {}

    @Override
    public Integer call() {
        Shard s;
        Manifest manifest;
        try {
            if (shard == null && shards != null) throw new CommandLine.ParameterException(spec.commandLine(), "--shards N goes with --shard auto");
            s = shard == null ? Shard.all() : Shard.parse(shard, shards, env);
            manifest = Manifest.read(manifestFile);
        } catch (InpainterzException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        CountDownLatch done = new CountDownLatch(1);
        // Ctrl-C: the running job's own hook cancels it; this one stops the loop and lets the summary out.
        Thread onInterrupt = new Thread(() -> {
            stopping = true;
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "inpainterz-batch-cancel");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            List<Outcome> outcomes = new ArrayList<>();
            for (Manifest.Line line : manifest.lines()) {
                if (stopping) break;
                if (!s.contains(line.index())) continue;
                outcomes.add(run(manifest, line));
                if (outcomes.getLast().status().equals("cancelled")) break;
            }
            return summary(manifest, s, outcomes);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it only waits for `done`
            }
        }
    }

    private Outcome run(Manifest manifest, Manifest.Line line) {
        long start = System.nanoTime();
        Manifest.Job job;
        try {
            job = manifest.job(line);
        } catch (InpainterzException e) {
            main.err().println("inpainterz batch: job " + line.index() + " failed: " + e.getMessage());
            return new Outcome(line.index(), line.number(), null, null, "failed", e.getMessage(), null, seconds(start), null);
        }
        if (Files.exists(job.output())) {
            main.err().println("inpainterz batch: job " + line.index() + " skipped: " + job.output() + " exists");
            return outcome(job, "skipped", "output exists", null, start, null);
        }
        List<String> args;
        try {
            args = removeArgs(manifest, job);
        } catch (InpainterzException e) {
            main.err().println("inpainterz batch: job " + line.index() + " failed: " + e.getMessage());
            return outcome(job, "failed", e.getMessage(), null, start, null);
        }
        main.err().println("inpainterz batch: job " + line.index() + " (line " + line.number() + "): " + job.input() + " -> " + job.output());
        try {
            Files.createDirectories(job.output().toAbsolutePath().getParent());
        } catch (IOException e) {
            return outcome(job, "failed", "cannot create the output's folder: " + e.getMessage(), null, start, null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FirstError err = new FirstError(main.err());
        int rc = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args.toArray(String[]::new));
        if (rc == Main.OK) return outcome(job, "ok", null, rc, start, lastJsonLine(out.toString(StandardCharsets.UTF_8)));
        if (rc == Main.CANCELLED || stopping) return outcome(job, "cancelled", err.message(), rc, start, null);
        // Another process (an overlapping shard, a second run) may have finished this output meanwhile:
        // outputs appear only complete, so the job is done.
        if (Files.exists(job.output())) return outcome(job, "skipped", "output written by another process while this job ran", rc, start, null);
        String message = err.message() != null ? err.message() : "remove exited " + rc;
        main.err().println("inpainterz batch: job " + line.index() + " failed (exit " + rc + "): " + message);
        return outcome(job, "failed", message, rc, start, null);
    }

    /** The job as {@code remove} arguments: its objects as --point/--neg/--box/--mask/--object, its options as --name=value. */
    List<String> removeArgs(Manifest manifest, Manifest.Job job) {
        CommandLine.Model.CommandSpec remove = spec.parent().subcommands().get("remove").getCommandSpec();
        String where = "line " + job.line().number() + " of " + manifest.file().getFileName();
        List<String> args = new ArrayList<>(List.of("remove", job.input().toString(), "--output=" + job.output()));
        for (int i = 0; i < job.objects().size(); i++) {
            if (i > 0) args.add("--object");
            for (Prompt p : job.objects().get(i)) {
                args.add(switch (p) {
                    case Prompt.Point pt -> (pt.positive() ? "--point=" : "--neg=") + pt.frame() + ":" + pt.x() + "," + pt.y();
                    case Prompt.Box b -> "--box=" + b.frame() + ":" + b.x0() + "," + b.y0() + "," + b.x1() + "," + b.y1();
                    case Prompt.MaskFile m -> "--mask=" + m.frame() + ":" + m.file();
                });
            }
        }
        boolean progressGiven = false;
        for (Map.Entry<String, Object> e : job.options().entrySet()) {
            String name = e.getKey();
            CommandLine.Model.OptionSpec o = remove.findOption("--" + name);
            if (NOT_OPTIONS.contains(name) || o == null || !o.longestName().equals("--" + name)) {
                throw new InvalidInputException(where + ": unknown option \"" + name + "\" in \"options\""
                        + (NOT_OPTIONS.contains(name) ? " (prompts go in \"objects\", the output in \"output\")" : "")
                        + "; options are remove's long names without the dashes: " + optionNames(remove));
            }
            progressGiven |= name.equals("progress");
            List<?> values = e.getValue() instanceof List<?> l ? l : List.of(e.getValue() == null ? "" : e.getValue());
            if (e.getValue() instanceof List<?> && !o.isMultiValue()) {
                throw new InvalidInputException(where + ": option \"" + name + "\" takes one value, not a list");
            }
            for (Object v : values) {
                if (v instanceof Map<?, ?> || v instanceof List<?> || e.getValue() == null) {
                    throw new InvalidInputException(where + ": option \"" + name + "\" must be a string, a number or true/false");
                }
                if (o.arity().max() == 0) { // a flag
                    if (!(v instanceof Boolean b)) throw new InvalidInputException(where + ": option \"" + name + "\" is a flag: true or false");
                    if (b) args.add("--" + name);
                    continue;
                }
                String text = v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.valueOf(v);
                if (o.type() == Path.class) text = manifest.resolve(text).toString();
                args.add("--" + name + "=" + text);
            }
        }
        if (!progressGiven) args.add("--progress=" + progress.mode);
        return args;
    }

    private static String optionNames(CommandLine.Model.CommandSpec remove) {
        List<String> names = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : remove.options()) {
            String n = o.longestName().replaceFirst("^-+", "");
            if (!NOT_OPTIONS.contains(n)) names.add(n);
        }
        return String.join(", ", names);
    }

    private int summary(Manifest manifest, Shard s, List<Outcome> outcomes) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String st : List.of("ok", "skipped", "failed")) counts.put(st, 0);
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Outcome o : outcomes) {
            counts.merge(o.status(), 1, Integer::sum);
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("index", o.index());
            j.put("line", o.line());
            j.put("input", o.input() == null ? null : o.input().toString());
            j.put("output", o.output() == null ? null : o.output().toString());
            j.put("status", o.status());
            j.put("message", o.message());
            if (o.exit() != null) j.put("exit", o.exit());
            j.put("seconds", Math.round(o.seconds() * 1000) / 1000.0);
            if (o.result() != null) j.put("result", o.result());
            jobs.add(j);
            main.err().printf("inpainterz batch:   job %d (line %d) %-9s %7.1f s  %s%s%n", o.index(), o.line(), o.status(), o.seconds(),
                    o.output() == null ? "" : o.output(), o.message() == null ? "" : "  " + o.message());
        }
        boolean cancelled = counts.getOrDefault("cancelled", 0) > 0 || stopping;
        main.err().println("inpainterz batch: shard " + s + " of " + manifest.file() + ": " + outcomes.size() + " job(s): " + counts.get("ok") + " ok, "
                + counts.get("skipped") + " skipped, " + counts.get("failed") + " failed" + (cancelled ? "; cancelled" : ""));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("manifest", manifest.file().toString());
        report.put("shard", s.toString());
        report.put("jobs", jobs);
        report.putAll(counts);
        if (cancelled) report.put("cancelled", true);
        main.out().println(Json.write(report));
        if (cancelled) return Main.CANCELLED;
        return counts.get("failed") > 0 ? Main.CHECK_FAILED : Main.OK;
    }

    private static Outcome outcome(Manifest.Job job, String status, String message, Integer exit, long start, Object result) {
        return new Outcome(job.line().index(), job.line().number(), job.input(), job.output(), status, message, exit, seconds(start), result);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static Object lastJsonLine(String text) {
        List<String> lines = text.lines().filter(l -> l.startsWith("{")).toList();
        if (lines.isEmpty()) return null;
        try {
            return Json.parse(lines.getLast());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Passes a job's stderr through and keeps its first error line ("inpainterz: ...", not a note) for the summary. */
    private static final class FirstError extends OutputStream {
        private static final String PREFIX = "inpainterz: ";
        private final OutputStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private String message;

        FirstError(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            target.write(b);
            if (b == '\n') endLine();
            else if (line.size() < 4096) line.write(b);
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        private void endLine() {
            String l = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (message == null && l.startsWith(PREFIX) && !l.startsWith(PREFIX + "note:")) message = l.substring(PREFIX.length()).strip();
        }

        String message() {
            return message;
        }
    }
}
