package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifest lines: job indices among non-blank lines, paths relative to the manifest's folder, bad lines failing alone. */
class ManifestTest {
    @TempDir
    Path tmp;

    @Test
    void jobsAreNumberedAmongNonBlankLinesAndPathsAreRelativeToTheManifest() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("batch"));
        Path file = Files.writeString(dir.resolve("jobs.jsonl"), """
                {"input": "in/a.mp4", "output": "out/a.mp4", "objects": [[{"frame": 2, "point": [10, 20]}], [{"frame": 0, "mask": "m/car.png"}]]}

                {"input": "/abs/b.mp4", "output": "/abs/out/b.mp4", "options": {"masks-in": "masks/b", "range": "0:8", "dilate": 4}}
                   \t
                this is not JSON
                """);
        Manifest m = Manifest.read(file);
        assertEquals(dir.toAbsolutePath(), m.base());
        assertEquals(List.of(new Manifest.Line(0, 1, m.lines().get(0).text()), new Manifest.Line(1, 3, m.lines().get(1).text()),
                new Manifest.Line(2, 5, "this is not JSON")), m.lines());

        Manifest.Job a = m.job(m.lines().get(0));
        assertEquals(dir.toAbsolutePath().resolve("in/a.mp4"), a.input());
        assertEquals(dir.toAbsolutePath().resolve("out/a.mp4"), a.output());
        assertEquals(List.of(List.of(new Prompt.Point(2, 10, 20, true)), List.of(new Prompt.MaskFile(0, dir.toAbsolutePath().resolve("m/car.png")))),
                a.objects());
        assertEquals(Map.of(), a.options());

        Manifest.Job b = m.job(m.lines().get(1));
        assertEquals(Path.of("/abs/b.mp4"), b.input());
        assertEquals(Path.of("/abs/out/b.mp4"), b.output());
        assertEquals(List.of(), b.objects());
        assertEquals(List.of("masks-in", "range", "dilate"), List.copyOf(b.options().keySet()), "options keep their order");
        assertEquals(4L, b.options().get("dilate"));
        assertEquals(dir.toAbsolutePath().resolve("masks/b"), m.resolve((String) b.options().get("masks-in")));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> m.job(m.lines().get(2)));
        assertTrue(e.getMessage().contains("line 5 of jobs.jsonl is not valid JSON"), e.getMessage());
    }

    @Test
    void badJobsSayWhichLineAndWhatIsWrong() throws Exception {
        String[][] cases = {
                {"[1, 2]", "expected a JSON object"},
                {"{\"output\": \"o.mp4\"}", "\"input\" must be a file name"},
                {"{\"input\": \"a.mp4\"}", "\"output\" must be a file name"},
                {"{\"input\": \"a.mp4\", \"output\": \"o.mp4\", \"opts\": {}}", "unknown key \"opts\""},
                {"{\"input\": \"a.mp4\", \"output\": \"o.mp4\", \"options\": [1]}", "\"options\" must be an object"},
                {"{\"input\": \"a.mp4\", \"output\": \"o.mp4\", \"objects\": [[{\"frame\": 1, \"poin\": [1, 2]}]]}", "unknown key \"poin\""},
                {"{\"input\": \"a.mp4\", \"output\": \"o.mp4\", \"input\": \"b.mp4\"}", "not valid JSON"}};
        for (String[] c : cases) {
            Path f = Files.writeString(tmp.resolve("m.jsonl"), "\n" + c[0] + "\n");
            Manifest m = Manifest.read(f);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> m.job(m.lines().get(0)), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("line 2 of m.jsonl"), c[1] + " <- " + e.getMessage());
        }
        assertThrows(FileAccessException.class, () -> Manifest.read(tmp.resolve("none.jsonl")));
        assertThrows(FileAccessException.class, () -> Manifest.read(tmp));
    }
}
