package io.inpainterz.web;

import io.inpainterz.FileAccessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code --media} folder: the only files the page may open by name. A name resolves to a
 * file only when it is relative, and the file, after every symlink is followed, lies inside
 * the folder (also after its own symlinks are followed); anything else is refused the same
 * way, without saying whether it exists.
 */
final class MediaRoot {
    static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts", "mts", "m2ts", "flv",
            "wmv", "ogv", "3gp", "gif");

    private final Path root; // real path

    MediaRoot(Path folder) {
        try {
            this.root = folder.toRealPath();
        } catch (IOException e) {
            throw new FileAccessException("--media '" + folder + "': " + e.getMessage());
        }
        if (!Files.isDirectory(root)) throw new FileAccessException("--media '" + folder + "' is not a folder");
    }

    Path root() {
        return root;
    }

    /** The real path of {@code name} (relative, '/'-separated) inside the folder, or a refusal. */
    Path resolve(String name) {
        FileAccessException refused = new FileAccessException("no video '" + name + "' in the media folder");
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) throw refused;
        Path rel;
        try {
            rel = Path.of(name);
        } catch (InvalidPathException e) {
            throw refused;
        }
        if (rel.isAbsolute()) throw refused;
        for (Path part : rel) if (part.toString().equals("..")) throw refused;
        Path real;
        try {
            real = root.resolve(rel).toRealPath(); // follows every symlink on the way
        } catch (IOException e) {
            throw refused;
        }
        if (!real.startsWith(root) || !Files.isRegularFile(real)) throw refused;
        return real;
    }

    /** Video files inside the folder (by extension), relative names with '/', sorted; links out of it left out, linked folders not entered. */
    List<String> list() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 8)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String file = p.getFileName() == null ? "" : p.getFileName().toString();
                int dot = file.lastIndexOf('.');
                if (dot < 0 || !VIDEO_EXTENSIONS.contains(file.substring(dot + 1).toLowerCase(Locale.ROOT))) continue;
                String rel = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                try {
                    resolve(rel);
                    out.add(rel);
                } catch (FileAccessException outside) {
                    // a link out of the folder: not offered
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new FileAccessException("cannot list the media folder '" + root + "': " + e.getMessage());
        }
        out.sort(null);
        return out;
    }
}
