package io.inpainterz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.pipeline.Manifest;
import io.inpainterz.pipeline.MaskPng;
import io.inpainterz.pipeline.Prompt;
import io.inpainterz.testing.Clips;
import io.inpainterz.testing.Clips.Box;
import io.inpainterz.testing.Ffmpeg;
import io.inpainterz.testing.Fixtures;
import io.inpainterz.testing.Jvm;
import io.inpainterz.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code batch}: jobs become {@code remove} arguments; resume, bad lines, the summary and exit
 * codes; two concurrent shards. The jobs are {@code masks-in} jobs on 432x240 clips of 5 frames
 * with the parity E2FGVI (random weights: the checks are about which jobs ran, not the fill).
 */
class BatchCommandTest {
    static final int W = 432, H = 240, T = 5;
    static final Box START = new Box(100, 80, 60, 50);
    static final String E2FGVI = Fixtures.file("e2fgvi/e2fgvi_d2/weights.pth").toString();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void makeClipAndMasks() throws Exception {
        Clips.make(shared, "clip.mp4", W, H, T, START, 4);
        Files.createDirectory(shared.resolve("m"));
        for (int t = 0; t < T; t++) {
            byte[] m = Clips.movingBox(START, 4, t).mask(W, H);
            for (int i = 0; i < m.length; i++) m[i] = (byte) (m[i] != 0 ? 1 : 0);
            MaskPng.write(m, W, H, shared.resolve("m").resolve(String.format("%06d.png", t)));
        }
    }

    /** A batch folder holding the clip and its masks, so that the manifest's relative paths find them. */
    private Path batchDir() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("batch"));
        Files.copy(shared.resolve("clip.mp4"), dir.resolve("clip.mp4"));
        Path m = Files.createDirectory(dir.resolve("m"));
        try (Stream<Path> s = Files.list(shared.resolve("m"))) {
            for (Path p : s.toList()) Files.copy(p, m.resolve(p.getFileName()));
        }
        return dir;
    }

    private static String job(String input, String output, String options) {
        return "{\"input\": \"" + input + "\", \"output\": \"" + output + "\", \"options\": {" + options + "}}";
    }

    private static String renderJob(String output) {
        return job("clip.mp4", output, "\"masks-in\": \"m\", \"e2fgvi\": \"" + E2FGVI + "\", \"range\": \"1:2\", \"threads\": 1");
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Main(new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> jobs(String stdout) {
        Object summary = Json.parse(stdout.strip().lines().reduce((a, b) -> b).orElseThrow());
        return (List<Map<String, Object>>) Json.at(summary, "jobs");
    }

    private static long frames(Path video) throws Exception {
        return Long.parseLong(Ffmpeg.probe(video, "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"));
    }

    @Test
    void objectsAndOptionsBecomeRemoveArgumentsWithPathsRelativeToTheManifest() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b")).toAbsolutePath();
        Path file = Files.writeString(dir.resolve("jobs.jsonl"), "{\"input\": \"clip.mp4\", \"output\": \"out/x.mp4\", "
                + "\"objects\": [[{\"frame\": 2, \"point\": [10, 20.5]}, {\"frame\": 2, \"neg\": [1, 2]}], [{\"frame\": 0, \"box\": [1, 2, 30, 40]}, "
                + "{\"frame\": 3, \"mask\": \"car.png\"}]], \"options\": {\"masks-in\": \"m\", \"ids\": [3, 5], \"dilate\": 4.0, \"temp\": \"/abs/t\", "
                + "\"crf\": 20, \"range\": \"0:8\", \"progress\": \"json\"}}\n");
        CommandLine cl = new CommandLine(new Main());
        BatchCommand batch = cl.getSubcommands().get("batch").getCommand();
        Manifest m = Manifest.read(file);
        Manifest.Job job = m.job(m.lines().get(0));
        List<String> args = batch.removeArgs(m, job);
        assertEquals(List.of("remove", dir.resolve("clip.mp4").toString(), "--output=" + dir.resolve("out/x.mp4"), "--point=2:10.0,20.5", "--neg=2:1.0,2.0",
                "--object", "--box=0:1.0,2.0,30.0,40.0", "--mask=3:" + dir.resolve("car.png"), "--masks-in=" + dir.resolve("m"), "--ids=3", "--ids=5",
                "--dilate=4", "--temp=/abs/t", "--crf=20", "--range=0:8", "--progress=json"), args);

        // remove's own parser reads them back as the manifest meant them.
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        RemoveCommand remove = parsed.subcommand().commandSpec().commandLine().getCommand();
        for (int id = 1; id <= 2; id++) assertEquals(job.objects().get(id - 1), remove.prompts.prompts().of(id));
        assertEquals(List.<Prompt>of(new Prompt.Box(0, 1, 2, 30, 40), new Prompt.MaskFile(3, dir.resolve("car.png"))), remove.prompts.prompts().of(2));
        assertEquals(dir.resolve("m"), remove.masksIn);
        assertEquals(List.of(3, 5), remove.ids);
        assertEquals(4, remove.dilate);
        assertEquals("0:8", remove.range);
        assertEquals(ProgressOptions.Mode.json, remove.progress.mode);
        assertEquals(dir.resolve("out/x.mp4"), remove.output);
    }

    @Test
    void badLinesFailAloneExistingOutputsAreSkippedAndABatchResumes() throws Exception {
        Path dir = batchDir();
        Files.writeString(dir.resolve("done.mp4"), "an earlier run's output");
        Path manifest = Files.writeString(dir.resolve("jobs.jsonl"), String.join("\n",
                renderJob("out/a.mp4"),
                "{\"input\": \"clip.mp4\", \"output\": ",
                "",
                job("clip.mp4", "done.mp4", "\"masks-in\": \"m\""),
                job("clip.mp4", "out/d.mp4", "\"masks-in\": \"m\", \"colour\": \"red\""),
                job("nope.mp4", "out/e.mp4", "\"masks-in\": \"m\", \"e2fgvi\": \"" + E2FGVI + "\"")) + "\n");
        assertEquals(Main.CHECK_FAILED, run("batch", manifest.toString(), "--progress", "none"), err.toString());
        List<Map<String, Object>> jobs = jobs(out.toString());
        assertEquals(List.of("ok", "failed", "skipped", "failed", "failed"), jobs.stream().map(j -> j.get("status")).toList(), out.toString());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), jobs.stream().map(j -> j.get("index")).toList());
        assertEquals(List.of(1L, 2L, 4L, 5L, 6L), jobs.stream().map(j -> j.get("line")).toList(), "line numbers count blank lines");
        assertEquals(dir.resolve("out/a.mp4").toString(), jobs.get(0).get("output"));
        assertEquals(2L, Json.at(jobs.get(0), "result", "tracked_frames"), "--range 1:2 reached remove: " + jobs.get(0));
        assertEquals(5L, Json.at(jobs.get(0), "result", "frames"));
        assertTrue(((String) jobs.get(1).get("message")).contains("line 2 of jobs.jsonl is not valid JSON"), jobs.get(1).toString());
        assertTrue(((String) jobs.get(3).get("message")).contains("unknown option \"colour\""), jobs.get(3).toString());
        assertTrue(((String) jobs.get(4).get("message")).contains("nope.mp4"), jobs.get(4).toString());
        assertEquals(3L, jobs.get(4).get("exit"), "remove's exit code: bad input");
        assertTrue(err.toString().contains("1 ok, 1 skipped, 3 failed"), err.toString());

        assertEquals(T, frames(dir.resolve("out/a.mp4")));
        assertEquals("an earlier run's output", Files.readString(dir.resolve("done.mp4")), "a skipped output is not touched");
        assertFalse(Files.exists(dir.resolve("out/d.mp4")));
        assertFalse(Files.exists(dir.resolve("out/e.mp4")));
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            assertEquals(List.of(dir.resolve("out/a.mp4")), s.toList(), "no partial files");
        }

        // Again: the rendered job is skipped now, untouched; the bad lines still fail.
        FileTime written = Files.getLastModifiedTime(dir.resolve("out/a.mp4"));
        assertEquals(Main.CHECK_FAILED, run("batch", manifest.toString(), "--progress", "none"), err.toString());
        assertEquals(List.of("skipped", "failed", "skipped", "failed", "failed"), jobs(out.toString()).stream().map(j -> j.get("status")).toList());
        assertEquals(written, Files.getLastModifiedTime(dir.resolve("out/a.mp4")));

        Path good = Files.writeString(dir.resolve("good.jsonl"), renderJob("out/a.mp4") + "\n" + job("clip.mp4", "done.mp4", "") + "\n");
        assertEquals(Main.OK, run("batch", good.toString()), err.toString());
        assertEquals(List.of("skipped", "skipped"), jobs(out.toString()).stream().map(j -> j.get("status")).toList());
    }

    @Test
    void usageErrorsExit2() throws Exception {
        Path manifest = Files.writeString(tmp.resolve("jobs.jsonl"), job("a.mp4", "b.mp4", "") + "\n");
        assertEquals(Main.USAGE, run("batch", tmp.resolve("none.jsonl").toString()));
        assertTrue(err.toString().contains("none.jsonl"), err.toString());
        assertEquals(Main.USAGE, run("batch", manifest.toString(), "--shard", "2/2"));
        assertTrue(err.toString().contains("0 <= i < n"), err.toString());
        assertEquals(Main.USAGE, run("batch", manifest.toString(), "--shards", "2"));
        if (System.getenv("SLURM_ARRAY_TASK_ID") == null && System.getenv("JOB_COMPLETION_INDEX") == null) {
            assertEquals(Main.USAGE, run("batch", manifest.toString(), "--shard", "auto"));
            assertTrue(err.toString().contains("neither a Slurm job array"), err.toString());
        }
        assertEquals("", out.toString(), "no summary for a batch that did not start");
    }

    @Test
    void twoConcurrentShardsRunEveryJobExactlyOnce() throws Exception {
        Path dir = batchDir();
        int jobs = 4;
        List<String> lines = new ArrayList<>();
        for (int j = 0; j < jobs; j++) lines.add(renderJob("out/j" + j + ".mp4"));
        Path manifest = Files.writeString(dir.resolve("jobs.jsonl"), String.join("\n", lines) + "\n");
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ps.add(new ProcessBuilder(Jvm.cli(List.of("-Dinpainterz.library.path=" + System.getProperty("inpainterz.library.path")),
                    "batch", manifest.toString(), "--shard", i + "/2", "--progress", "none"))
                    .redirectOutput(tmp.resolve("out" + i + ".json").toFile()).redirectError(tmp.resolve("err" + i + ".txt").toFile()).start());
        }
        Map<Long, Integer> ran = new TreeMap<>();
        for (int i = 0; i < 2; i++) {
            Process p = ps.get(i);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "shard " + i + " finished");
            assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("err" + i + ".txt")));
            for (Map<String, Object> j : jobs(Files.readString(tmp.resolve("out" + i + ".json")))) {
                assertEquals("ok", j.get("status"), j.toString());
                assertEquals(i, (long) j.get("index") % 2, "shard " + i + " ran only its jobs");
                ran.merge((Long) j.get("index"), 1, Integer::sum);
            }
        }
        assertEquals(Map.of(0L, 1, 1L, 1, 2L, 1, 3L, 1), ran, "every job exactly once");
        List<Path> want = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            Path o = dir.resolve("out/j" + j + ".mp4");
            want.add(o);
            assertEquals(T, frames(o), o.toString());
        }
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            assertEquals(want, s.sorted().toList(), "the outputs and nothing else");
        }
        assertEquals(Main.OK, run("batch", manifest.toString(), "--shard", "1/2"), err.toString());
        assertEquals(List.of("skipped", "skipped"), jobs(out.toString()).stream().map(j -> j.get("status")).toList());
    }
}
