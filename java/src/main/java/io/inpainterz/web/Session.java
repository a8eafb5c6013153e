package io.inpainterz.web;

import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.VideoInfo;
import io.inpainterz.engine.VideoReader;
import io.inpainterz.pipeline.Segmenter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One opened video and what the user did with it: objects (ids 1..255, each with its prompts
 * and their masks per frame), the label maps of the last tracking, prepared frames (embeddings)
 * and a folder of its own for uploads, prompt masks and results, removed with the session.
 */
final class Session implements AutoCloseable {
    static final int MAX_OBJECTS = 255;
    static final int CACHED_EMBEDDINGS = 4;
    static final String[] COLORS = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4", "#469990"};

    /** The prompts of one object on one frame and the mask they gave (deflated; 255 = object). */
    record FramePrompts(List<float[]> points, float[] box, byte[] packedMask, long area, int[] bbox) {}

    static final class WebObject {
        final int id;
        final TreeMap<Long, FramePrompts> prompts = new TreeMap<>();

        WebObject(int id) {
            this.id = id;
        }

        String color() {
            return COLORS[(id - 1) % COLORS.length];
        }
    }

    final String id;
    final Path dir;
    final Path input;
    final String name;
    final VideoInfo info;
    private final VideoReader reader;
    private final Frame frame;
    private long nextIndex;          // the frame the reader returns next (guarded by reader)
    private volatile long lastUsed;
    private final TreeMap<Integer, WebObject> objects = new TreeMap<>(); // guarded by this
    private long version;                                                  // prompts' version, guarded by this
    private long trackedVersion = -1;                                      // guarded by this
    private final Map<Long, byte[]> tracked = new ConcurrentHashMap<>();   // frame -> packed label map (object ids)
    final Map<String, Segmenter.FrameSegmenter> embeddings = new LinkedHashMap<>(16, 0.75f, true); // LRU, interactive thread only
    final java.util.Set<String> ready = ConcurrentHashMap.newKeySet(); // keys of `embeddings`, readable from any thread
    Interactive.Embedding currentEmbedding; // interactive bookkeeping, guarded by the Interactive
    final List<String> jobs = new ArrayList<>(); // guarded by this
    private boolean closed;

    /** Opens {@code input} (in {@code dir} for an upload): fails with a clear message when it is not a readable video. */
    Session(String id, Path dir, Path input, String name) {
        this.id = id;
        this.dir = dir;
        this.input = input;
        this.name = name;
        VideoReader r = VideoReader.open(input);
        try {
            this.info = r.info();
            this.frame = r.allocateFrame();
            if (!r.read(frame)) throw new InvalidInputException("'" + name + "' has no frame that decodes");
            nextIndex = 1;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        this.reader = r;
        touch();
    }

    void touch() {
        lastUsed = System.nanoTime();
    }

    long idleNanos(long now) {
        return now - lastUsed;
    }

    int width() {
        return info.width();
    }

    int height() {
        return info.height();
    }

    /** Frame {@code n} as RGB24 bytes and its presentation time (microseconds, -1 unknown). */
    record Decoded(byte[] rgb, long ptsMicros) {}

    Decoded decode(long n) {
        if (n < 0 || (info.frameCountExact() && n >= info.frameCount())) {
            throw new InvalidInputException("frame " + n + " is outside '" + name + "' (" + info.frameCount() + " frames, 0.." + (info.frameCount() - 1) + ")");
        }
        synchronized (reader) {
            if (closed) throw new IllegalStateException("session " + id + " is closed");
            if (n != nextIndex) reader.seek(n);
            if (!reader.read(frame)) {
                nextIndex = -1;
                throw new InvalidInputException("frame " + n + " is past the last frame of '" + name + "'");
            }
            nextIndex = n + 1;
            byte[] rgb = new byte[(int) frame.packedSize()];
            frame.copyTo(rgb);
            return new Decoded(rgb, reader.lastPtsMicros());
        }
    }

    // --- objects and prompts -------------------------------------------------------------

    synchronized WebObject addObject() {
        for (int id = 1; id <= MAX_OBJECTS; id++) {
            if (!objects.containsKey(id)) {
                WebObject o = new WebObject(id);
                objects.put(id, o);
                version++;
                return o;
            }
        }
        throw new InvalidInputException("a session holds at most " + MAX_OBJECTS + " objects");
    }

    synchronized void removeObject(int id) {
        if (objects.remove(id) == null) throw new NotFound("no object " + id + " in session " + this.id);
        version++;
    }

    synchronized WebObject object(int id) {
        WebObject o = objects.get(id);
        if (o == null) throw new NotFound("no object " + id + " in session " + this.id);
        return o;
    }

    synchronized List<WebObject> objects() {
        return new ArrayList<>(objects.values());
    }

    synchronized void setPrompts(int objectId, long frame, FramePrompts p) {
        WebObject o = object(objectId);
        if (p == null) o.prompts.remove(frame);
        else o.prompts.put(frame, p);
        version++;
    }

    synchronized long version() {
        return version;
    }

    /** The prompt masks on {@code frame} as a label map (object ids; a later object wins a shared pixel), or null when none. */
    synchronized byte[] promptMap(long frame) {
        byte[] map = null;
        int size = width() * height();
        for (WebObject o : objects.values()) {
            FramePrompts p = o.prompts.get(frame);
            if (p == null || p.area() == 0) continue;
            if (map == null) map = new byte[size];
            byte[] m = Images.unpack(p.packedMask(), size);
            for (int i = 0; i < size; i++) if (m[i] != 0) map[i] = (byte) o.id;
        }
        return map;
    }

    // --- tracked label maps ------------------------------------------------------------------

    /** Starts a new set of tracked maps for prompts of {@code version}; the old ones go. */
    synchronized void resetTracked(long forVersion) {
        tracked.clear();
        trackedVersion = forVersion;
    }

    /** Stores a tracked map (object ids) for frame {@code t}, if it belongs to the current set. */
    void putTracked(long forVersion, long t, byte[] map) {
        synchronized (this) {
            if (forVersion != trackedVersion) return;
        }
        tracked.put(t, Images.pack(map));
    }

    /** The tracked map of {@code frame} when it is of the current prompts, else null. */
    byte[] trackedMap(long frame) {
        synchronized (this) {
            if (trackedVersion != version) return null;
        }
        byte[] p = tracked.get(frame);
        return p == null ? null : Images.unpack(p, width() * height());
    }

    synchronized int trackedFrames() {
        return trackedVersion == version ? tracked.size() : 0;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Frees the reader; the embeddings are closed by the interactive thread ({@link Interactive#close(Session)}), the folder by the store. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        synchronized (reader) {
            frame.close();
            reader.close();
        }
    }

    /** Removes a folder and everything in it; quietly, as cleanup. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Iterator<Path> it = s.sorted(Comparator.reverseOrder()).iterator(); it.hasNext(); ) {
                try {
                    Files.deleteIfExists(it.next());
                } catch (IOException ignored) {
                    // best effort
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** A request for something that does not exist (404). */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
