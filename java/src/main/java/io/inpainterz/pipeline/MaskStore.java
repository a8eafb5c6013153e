package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Label maps of a video kept on disk, compressed (deflate), one file per frame in a temporary
 * folder of its own that {@link #close()} removes: the backward pass's masks wait here for the
 * forward pass, so no pass holds a clip's masks in memory. Empty maps take no file. One thread
 * at a time.
 */
final class MaskStore implements AutoCloseable {
    private final Path dir;
    private final int size;
    private final BitSet present = new BitSet();
    private final Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    private final Inflater inflater = new Inflater();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[64 * 1024];
    private long bytes, files;

    private MaskStore(Path dir, int size) {
        this.dir = dir;
        this.size = size;
    }

    /** A new folder inside {@code root} (it must exist and be writable) for width x height maps. */
    static MaskStore create(Path root, int width, int height) {
        if (!Files.isDirectory(root)) throw new FileAccessException("temporary folder '" + root + "' (--temp) does not exist or is not a folder");
        try {
            return new MaskStore(Files.createTempDirectory(root, "inpainterz-masks-"), width * height);
        } catch (IOException | SecurityException e) {
            throw new FileAccessException("cannot create a temporary folder in '" + root + "' (--temp): " + e.getMessage());
        }
    }

    Path dir() {
        return dir;
    }

    /** Stores frame {@code index}'s map (empty maps are only remembered as such). */
    void put(long index, byte[] map) {
        int i = Math.toIntExact(index);
        if (LabelMaps.isEmpty(map)) {
            present.clear(i);
            return;
        }
        deflater.reset();
        deflater.setInput(map);
        deflater.finish();
        buffer.reset();
        while (!deflater.finished()) buffer.write(chunk, 0, deflater.deflate(chunk));
        try {
            Files.write(file(i), buffer.toByteArray());
        } catch (IOException e) {
            throw new FileAccessException("cannot write the temporary mask " + file(i) + " (--temp): " + e.getMessage());
        }
        if (!present.get(i)) files++;
        present.set(i);
        bytes += buffer.size();
    }

    /** Frame {@code index}'s map into {@code dst}; false (dst zeroed) when it was empty or never stored. */
    boolean get(long index, byte[] dst) {
        if (dst.length != size) throw new InvalidInputException("mask buffer of " + dst.length + " bytes, maps are " + size);
        int i = Math.toIntExact(index);
        if (!present.get(i)) {
            java.util.Arrays.fill(dst, (byte) 0);
            return false;
        }
        try {
            inflater.reset();
            inflater.setInput(Files.readAllBytes(file(i)));
            int n = 0;
            while (n < size && !inflater.finished()) {
                int got = inflater.inflate(dst, n, size - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                n += got;
            }
            if (n != size) throw new DataFormatException("holds " + n + " of " + size + " bytes");
            return true;
        } catch (IOException | DataFormatException e) {
            throw new FileAccessException("cannot read the temporary mask " + file(i) + ": " + e.getMessage());
        }
    }

    /** {@code map} deflated (for the few masks kept in memory: the prompts'). */
    static byte[] pack(byte[] map) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            d.setInput(map);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[16 * 1024];
            while (!d.finished()) out.write(chunk, 0, d.deflate(chunk));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /** Inflates {@link #pack}'s output into {@code dst} (its original size). */
    static void unpack(byte[] packed, byte[] dst) {
        Inflater i = new Inflater();
        try {
            i.setInput(packed);
            int n = 0;
            while (n < dst.length && !i.finished()) {
                int got = i.inflate(dst, n, dst.length - n);
                if (got == 0 && i.needsInput()) break;
                n += got;
            }
            if (n != dst.length) throw new IllegalStateException("a packed mask holds " + n + " of " + dst.length + " bytes");
        } catch (DataFormatException e) {
            throw new IllegalStateException("a packed mask is corrupt: " + e.getMessage(), e);
        } finally {
            i.end();
        }
    }

    /** Compressed bytes written so far. */
    long bytesWritten() {
        return bytes;
    }

    long files() {
        return files;
    }

    private Path file(int index) {
        return dir.resolve(String.format("%06d.z", index));
    }

    @Override
    public void close() {
        deflater.end();
        inflater.end();
        deleteTree(dir);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a leftover temporary folder is not worth failing a finished render
        }
    }
}
