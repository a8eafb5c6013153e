package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * {@code --masks-out DIR}: per-frame PNG index masks {@code DIR/%06d.png}, written into a hidden
 * folder beside DIR and moved there only by {@link #commit()}, so a failed or cancelled run
 * leaves DIR as it was.
 */
final class MasksOut implements AutoCloseable {
    private final Path dir;
    private final Path staging;
    private final int width, height;
    private boolean committed;
    private long written;

    private MasksOut(Path dir, Path staging, int width, int height) {
        this.dir = dir;
        this.staging = staging;
        this.width = width;
        this.height = height;
    }

    static MasksOut create(Path dir, int width, int height) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) throw new FileAccessException("--masks-out '" + dir + "' exists and is not a folder");
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new FileAccessException("--masks-out '" + dir + "': folder '" + parent + "' does not exist");
        try {
            // Not Files.createTempDirectory: its owner-only permissions would stay on DIR.
            Path staging = parent.resolve("." + abs.getFileName() + ".part-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
            return new MasksOut(abs, Files.createDirectory(staging), width, height);
        } catch (IOException | SecurityException e) {
            throw new FileAccessException("cannot write --masks-out '" + dir + "': " + e.getMessage());
        }
    }

    void write(long frame, byte[] labels) {
        MaskPng.write(labels, width, height, staging.resolve(name(frame)));
        written++;
    }

    static String name(long frame) {
        return String.format("%06d.png", frame);
    }

    long written() {
        return written;
    }

    /** Moves the masks into place: the whole folder when DIR does not exist yet, else file by file. */
    void commit() {
        try {
            if (!Files.exists(dir)) {
                try {
                    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                    committed = true;
                    return;
                } catch (AtomicMoveNotSupportedException e) {
                    Files.createDirectories(dir);
                }
            }
            try (Stream<Path> files = Files.list(staging)) {
                for (Path f : files.toList()) Files.move(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
            MaskStore.deleteTree(staging);
        } catch (IOException e) {
            throw new FileAccessException("cannot move the masks into --masks-out '" + dir + "': " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (!committed) MaskStore.deleteTree(staging);
    }
}
