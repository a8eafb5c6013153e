package io.inpainterz.pipeline;

import io.inpainterz.FileAccessException;
import io.inpainterz.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * {@code remove --masks-in DIR [--ids 3,5]}: ready-made per-frame PNG index masks
 * {@code DIR/%06d.png} (0 = background, k = object k, as {@code --masks-out} writes them) in place
 * of segmentation and tracking. A frame without a file has nothing to remove; {@code ids} (null
 * or empty: every nonzero id) picks the objects that go.
 */
public final class MasksIn {
    private static final Pattern NAME = Pattern.compile("\\d{6}\\.png");
    private final Path dir;
    private final boolean[] keep = new boolean[256];
    private final BitSet seen = new BitSet(256);

    public MasksIn(Path dir, Set<Integer> ids) {
        if (!Files.isDirectory(dir)) throw new FileAccessException("--masks-in '" + dir + "' does not exist or is not a folder");
        this.dir = dir;
        if (ids == null || ids.isEmpty()) {
            Arrays.fill(keep, 1, 256, true);
        } else {
            for (int id : ids) {
                if (id < 1 || id > 255) throw new InvalidInputException("--ids: " + id + " is not an object id (1..255)");
                keep[id] = true;
            }
        }
    }

    /** The mask file of {@code frame}. */
    public Path file(long frame) {
        return dir.resolve(MasksOut.name(frame));
    }

    /**
     * Reads frame {@code frame}'s label map into {@code map} (width x height), ids not picked
     * set to 0; all 0 when the frame has no file. Wrong size or unreadable: InvalidInputException.
     */
    public void read(long frame, int width, int height, byte[] map) {
        Path f = file(frame);
        if (!Files.exists(f)) {
            Arrays.fill(map, (byte) 0);
            return;
        }
        if (!Files.isRegularFile(f) || !Files.isReadable(f)) throw new InvalidInputException("--masks-in: mask file '" + f + "' cannot be read");
        byte[] v = MaskPng.readValues(f, width, height);
        boolean[] here = new boolean[256];
        for (int i = 0; i < v.length; i++) {
            int id = v[i] & 0xff;
            boolean k = id != 0 && keep[id];
            map[i] = k ? (byte) id : 0;
            if (k) here[id] = true;
        }
        synchronized (seen) {
            for (int id = 1; id < 256; id++) if (here[id]) seen.set(id);
        }
    }

    /**
     * Checks, before anything is written or loaded, that every mask file of frames
     * {@code first..last} ({@code last} -1: to the end) is an image ImageIO reads, of
     * {@code width x height}: reads the files' headers only.
     */
    public void check(int width, int height, long first, long last) {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> NAME.matcher(f.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new FileAccessException("cannot list --masks-in '" + dir + "': " + e.getMessage());
        }
        for (Path f : files) {
            long t = Long.parseLong(f.getFileName().toString().substring(0, 6));
            if (t < first || (last >= 0 && t > last)) continue;
            try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
                Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
                if (readers == null || !readers.hasNext()) throw new InvalidInputException("--masks-in: mask file '" + f + "' is not an image ImageIO reads (PNG)");
                ImageReader r = readers.next();
                try {
                    r.setInput(in);
                    int fw = r.getWidth(0), fh = r.getHeight(0);
                    if (fw != width || fh != height) {
                        throw new InvalidInputException("--masks-in: mask file '" + f + "' is " + fw + "x" + fh + " but the video is " + width + "x" + height);
                    }
                } finally {
                    r.dispose();
                }
            } catch (IOException e) {
                throw new InvalidInputException("--masks-in: mask file '" + f + "' cannot be read: " + e.getMessage());
            }
        }
    }

    /** Distinct object ids removed so far. */
    public int objects() {
        synchronized (seen) {
            return seen.cardinality();
        }
    }
}
