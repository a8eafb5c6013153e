package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch manifest: one job per line, {@code {"input": ..., "output": ..., "objects": [...],
 * "options": {...}}} ({@code objects} as in a prompts file, {@code options} keyed by the
 * {@code remove} options' long names without the dashes). Blank lines are not jobs; job
 * {@code index} counts the other lines from 0, so shards ({@link Shard}) split the same list
 * whatever the lines say. Lines are parsed one at a time ({@link #job}), so a bad line fails
 * only its own job. Relative paths are relative to the manifest's folder.
 */
public final class Manifest {
    /** One non-blank line: its job index (0-based), its line number in the file (1-based), its text. */
    public record Line(int index, int number, String text) {}

    /**
     * A parsed job. {@code input}, {@code output} and the mask files of {@code objects} are
     * resolved against the manifest's folder; {@code options} are as written (the caller knows
     * which are paths: {@link #resolve}). {@code objects} is empty when the line has none (a
     * {@code masks-in} job).
     */
    public record Job(Line line, Path input, Path output, List<List<Prompt>> objects, Map<String, Object> options) {}

    private final Path file, base;
    private final List<Line> lines;

    private Manifest(Path file, List<Line> lines) {
        this.file = file;
        this.base = file.toAbsolutePath().getParent();
        this.lines = Collections.unmodifiableList(lines);
    }

    /** Reads the manifest's lines (not yet parsed: see {@link #job}). */
    public static Manifest read(Path file) {
        if (!Files.isRegularFile(file)) throw new FileAccessException("manifest '" + file + "' does not exist or is not a file");
        List<String> all;
        try {
            all = Files.readAllLines(file);
        } catch (IOException e) {
            throw new FileAccessException("cannot read manifest '" + file + "': " + e.getMessage());
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).isBlank()) lines.add(new Line(lines.size(), i + 1, all.get(i)));
        }
        return new Manifest(file, lines);
    }

    public Path file() {
        return file;
    }

    /** The folder relative paths are resolved against (absolute). */
    public Path base() {
        return base;
    }

    /** The jobs' lines, in order; {@code lines().get(i).index() == i}. */
    public List<Line> lines() {
        return lines;
    }

    /** A path of the manifest: relative ones are relative to its folder. */
    public Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : base.resolve(p);
    }

    /** Parses one line; {@link InvalidInputException} naming the line when it is not a valid job. */
    public Job job(Line line) {
        String where = "line " + line.number() + " of " + file.getFileName();
        Object root;
        try {
            root = Json.parse(line.text());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(where + " is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> m)) throw new InvalidInputException(where + ": expected a JSON object {\"input\": ..., \"output\": ...}");
        for (Object k : m.keySet()) {
            if (!List.of("input", "output", "objects", "options").contains(k)) {
                throw new InvalidInputException(where + ": unknown key \"" + k + "\" (a job has \"input\", \"output\", \"objects\" and \"options\")");
            }
        }
        Path input = resolve(string(m, "input", where)), output = resolve(string(m, "output", where));
        List<List<Prompt>> objects = m.containsKey("objects") ? Prompts.parse(m, base, where) : List.of();
        Object options = m.get("options");
        if (options != null && !(options instanceof Map<?, ?>)) throw new InvalidInputException(where + ": \"options\" must be an object {\"name\": value}");
        Map<String, Object> opts = new LinkedHashMap<>();
        if (options instanceof Map<?, ?> o) o.forEach((k, v) -> opts.put((String) k, v));
        return new Job(line, input, output, objects, Collections.unmodifiableMap(opts));
    }

    private static String string(Map<?, ?> m, String key, String where) {
        if (!(m.get(key) instanceof String s) || s.isBlank()) throw new InvalidInputException(where + ": \"" + key + "\" must be a file name");
        return s;
    }
}
