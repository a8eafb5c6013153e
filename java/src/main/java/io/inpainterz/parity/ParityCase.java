package io.inpainterz.parity;

import io.inpainterz.FileAccessException;
import io.inpainterz.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** One fixture folder: {@code <root>/<model>/<case>/} with its case.json. */
public record ParityCase(String model, String name, Path dir, Map<String, Object> json) {

    /** "deaot/deaott". */
    public String id() {
        return model + "/" + name;
    }

    @SuppressWarnings("unchecked")
    public static ParityCase load(String model, Path dir) {
        Path file = dir.resolve("case.json");
        try {
            Object json = Json.parse(Files.readString(file));
            if (!(json instanceof Map<?, ?>)) throw new IllegalArgumentException("top level is not an object");
            return new ParityCase(model, dir.getFileName().toString(), dir, (Map<String, Object>) json);
        } catch (IOException e) {
            throw new FileAccessException("cannot read parity case '" + file + "': " + e);
        } catch (IllegalArgumentException e) {
            throw new FileAccessException("parity case '" + file + "' is not valid: " + e.getMessage());
        }
    }

    /** Every case of {@code model} under {@code root}, sorted by name; fails when there is none. */
    public static List<ParityCase> all(Path root, String model) {
        Path modelDir = root.resolve(model);
        if (!Files.isDirectory(modelDir)) {
            throw new FileAccessException("parity fixtures for '" + model + "' not found: " + modelDir + " is not a folder");
        }
        try (Stream<Path> dirs = Files.list(modelDir)) {
            List<ParityCase> cases = dirs.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted()
                    .map(d -> load(model, d)).toList();
            if (cases.isEmpty()) throw new FileAccessException("no parity case (a folder with case.json) under " + modelDir);
            return cases;
        } catch (IOException e) {
            throw new FileAccessException("cannot list " + modelDir + ": " + e);
        }
    }

    /** The checkpoint files of this case: every weights*.pth, sorted. */
    public List<Path> weightFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("weights.*\\.pth")).sorted().toList();
        } catch (IOException e) {
            throw new FileAccessException("cannot list " + dir + ": " + e);
        }
    }
}
