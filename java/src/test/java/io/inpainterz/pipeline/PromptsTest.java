package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prompts file format, the checks against a video, and ranges. */
class PromptsTest {
    @TempDir
    Path tmp;

    @Test
    void aPromptsFileGivesOneListPerObjectWithMaskPathsRelativeToIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("job"));
        Path file = Files.writeString(dir.resolve("p.json"), """
                {"objects": [
                  [{"frame": 3, "point": [10, 20.5]}, {"frame": 3, "neg": [1, 2]}, {"frame": 9, "box": [0, 1, 5, 6]}],
                  [{"frame": 0, "mask": "m/a.png"}, {"frame": 4, "mask": "/abs/b.png"}]
                ]}""");
        List<List<Prompt>> objects = Prompts.readJson(file);
        assertEquals(List.of(
                List.of(new Prompt.Point(3, 10, 20.5f, true), new Prompt.Point(3, 1, 2, false), new Prompt.Box(9, 0, 1, 5, 6)),
                List.of(new Prompt.MaskFile(0, dir.toAbsolutePath().resolve("m/a.png")), new Prompt.MaskFile(4, Path.of("/abs/b.png")))), objects);
        Prompts p = new Prompts(objects);
        assertEquals(2, p.count());
        assertEquals(3, p.firstFrame(1));
        assertEquals(0, p.firstFrame(2));
        assertEquals(List.of(0L, 3L, 4L, 9L), List.copyOf(p.frames()));
        assertEquals(List.of(1), List.copyOf(p.on(9).keySet()));
        assertTrue(p.needsSegmenter());
        assertTrue(!new Prompts(List.of(objects.get(1))).needsSegmenter(), "mask prompts need no segmenter");
    }

    @Test
    void badPromptFilesSayWhereTheyAreWrong() throws Exception {
        String[][] cases = {
                {"{\"objects\": [[{\"frame\": 1, \"point\": [1]}]]}", "object 1 prompt 1 \"point\" must be a list of 2 numbers"},
                {"{\"objects\": [[{\"frame\": \"x\", \"point\": [1, 2]}]]}", "\"frame\" must be an integer"},
                {"{\"objects\": [[{\"frame\": 1, \"point\": [1, 2], \"box\": [0, 0, 1, 1]}]]}", "exactly one of"},
                {"{\"objects\": [[{\"frame\": 1, \"poin\": [1, 2]}]]}", "unknown key \"poin\""},
                {"{\"objects\": [[{\"frame\": 1, \"box\": [5, 5, 1, 1]}]]}", "inverted"},
                {"{\"objects\": [[{\"frame\": -1, \"point\": [1, 2]}]]}", "negative"},
                {"{\"things\": []}", "expected {\"objects\""},
                {"{\"objects\": [[{\"frame\": 1,", "not valid JSON"}};
        for (String[] c : cases) {
            Path f = Files.writeString(tmp.resolve("bad.json"), c[0]);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Prompts.readJson(f), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("bad.json"), c[1] + " <- " + e.getMessage());
        }
        assertThrows(FileAccessException.class, () -> Prompts.readJson(tmp.resolve("none.json")));
        assertThrows(InvalidInputException.class, () -> new Prompts(List.of()));
        assertThrows(InvalidInputException.class, () -> new Prompts(List.of(List.of())));
    }

    @Test
    void validationChecksFramesCoordinatesRangesAndBoxes() {
        Prompts inside = new Prompts(List.of(List.of(new Prompt.Point(0, 0, 0, true), new Prompt.Box(9, 0, 0, 64, 48))));
        inside.validate(64, 48, 10, Range.all()); // the frame's edges are inside, as SAM takes them
        record Case(Prompts p, long frames, Range r, String message) {}
        List<Case> cases = List.of(
                new Case(new Prompts(List.of(List.of(new Prompt.Point(0, 64.5f, 3, true)))), 10, Range.all(), "outside the 64x48 frame"),
                new Case(new Prompts(List.of(List.of(new Prompt.Box(0, 0, 0, 10, 49)))), 10, Range.all(), "outside the 64x48 frame"),
                new Case(new Prompts(List.of(List.of(new Prompt.Point(10, 1, 1, true)))), 10, Range.all(), "past the last frame (the video has 10 frames"),
                new Case(new Prompts(List.of(List.of(new Prompt.Point(2, 1, 1, true)))), -1, Range.parse("3:5"), "outside --range 3:5"),
                new Case(new Prompts(List.of(List.of(new Prompt.Box(2, 1, 1, 3, 3), new Prompt.Box(2, 1, 1, 4, 4)))), 10, Range.all(), "two boxes on frame 2"));
        for (Case c : cases) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> c.p().validate(64, 48, c.frames(), c.r()));
            assertTrue(e.getMessage().contains(c.message()), c.message() + " <- " + e.getMessage());
        }
        new Prompts(List.of(List.of(new Prompt.Point(500, 1, 1, true)))).validate(64, 48, -1, Range.all()); // unknown length: checked when read
    }

    @Test
    void rangesParseAndContain() {
        assertEquals(new Range(3, 8), Range.parse("3:8"));
        assertEquals(new Range(3, -1), Range.parse("3:"));
        assertEquals(new Range(0, 8), Range.parse(":8"));
        assertTrue(Range.parse("3:8").contains(8) && !Range.parse("3:8").contains(9) && Range.parse("3:").contains(1 << 40));
        assertEquals(9, Range.parse("0:").lastIn(10));
        for (String bad : new String[] {"8:3", "x:3", "3", "-1:4"}) assertThrows(InvalidInputException.class, () -> Range.parse(bad), bad);
    }
}
