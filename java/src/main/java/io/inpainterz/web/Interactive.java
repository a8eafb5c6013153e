package io.inpainterz.web;

import io.inpainterz.CancelledException;
import io.inpainterz.InvalidInputException;
import io.inpainterz.engine.Frame;
import io.inpainterz.engine.Job;
import io.inpainterz.engine.Mask;
import io.inpainterz.pipeline.Segmenter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The interactive work: preparing frames (SAM's image embedding) and prompt masks, on one
 * thread of its own so that one user's clicks never wait for CPU behind another's. Each task
 * holds the {@link Priority} while queued or running, so a render gives way to it. Embeddings
 * are cached per session ({@link Session#CACHED_EMBEDDINGS}, least recently used out); a newer
 * embedding request of a session cancels the older one still running.
 */
final class Interactive implements AutoCloseable {
    /** One embedding request: its frame and engine, the job that cancels it, its result. */
    static final class Embedding {
        final String key;
        final long frame;
        final String engine;
        final Job job = Job.create();
        final CompletableFuture<Segmenter.FrameSegmenter> result = new CompletableFuture<>();

        Embedding(String key, long frame, String engine) {
            this.key = key;
            this.frame = frame;
            this.engine = engine;
        }
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "inpainterz-interactive");
        t.setDaemon(true);
        return t;
    });
    private final StageSource stages;
    private final Priority priority;

    Interactive(StageSource stages, Priority priority) {
        this.stages = stages;
        this.priority = priority;
    }

    static String key(String engine, long frame) {
        return engine + ":" + frame;
    }

    /** Runs {@code task} on the interactive thread, holding the priority until it ends. */
    private <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        priority.enter();
        try {
            thread.execute(() -> {
                try {
                    f.complete(task.call());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                } finally {
                    priority.exit();
                }
            });
        } catch (RuntimeException rejected) {
            priority.exit();
            throw rejected;
        }
        return f;
    }

    /** Whether frame {@code frame} is prepared for {@code engine}: "ready", "computing" or "none". */
    String state(Session s, String engine, long frame) {
        String key = key(engine, frame);
        if (s.ready.contains(key)) return "ready";
        synchronized (this) {
            Embedding e = s.currentEmbedding;
            if (e != null && e.key.equals(key) && !e.result.isDone()) return "computing";
        }
        return "none";
    }

    /**
     * Prepares {@code frame} for {@code engine} unless it is cached or being prepared; with
     * {@code supersede}, an older request of the session still running is cancelled.
     */
    Embedding embed(Session s, String engine, long frame, boolean supersede) {
        String key = key(engine, frame);
        Embedding e;
        synchronized (this) {
            Embedding cur = s.currentEmbedding;
            if (cur != null && cur.key.equals(key) && !cur.result.isCompletedExceptionally()) return cur;
            if (supersede && cur != null && !cur.result.isDone()) cur.job.cancel();
            e = new Embedding(key, frame, engine);
            s.currentEmbedding = e;
        }
        Embedding mine = e;
        submit(() -> {
            try {
                if (mine.job.isCancelled()) throw new CancelledException("preparing frame " + frame + " was superseded by a newer request");
                mine.result.complete(prepared(s, engine, frame, mine.job));
            } catch (Throwable t) {
                mine.result.completeExceptionally(t);
            }
            return null;
        });
        return mine;
    }

    /** On the interactive thread: the prepared frame from the cache, else prepared now and cached. */
    private Segmenter.FrameSegmenter prepared(Session s, String engine, long frame, Job job) {
        String key = key(engine, frame);
        Segmenter.FrameSegmenter fs = s.embeddings.get(key); // also marks it recently used
        if (fs != null) return fs;
        Session.Decoded d = s.decode(frame);
        Segmenter seg = stages.segmenter(engine, job);
        try (Frame f = Frame.allocate(s.width(), s.height())) {
            f.copyFrom(d.rgb());
            fs = seg.prepare(f, job);
        }
        s.embeddings.put(key, fs);
        s.ready.add(key);
        evict(s);
        return fs;
    }

    private static void evict(Session s) {
        for (Iterator<Map.Entry<String, Segmenter.FrameSegmenter>> it = s.embeddings.entrySet().iterator();
             s.embeddings.size() > Session.CACHED_EMBEDDINGS && it.hasNext(); ) {
            Map.Entry<String, Segmenter.FrameSegmenter> old = it.next();
            s.ready.remove(old.getKey());
            old.getValue().close();
            it.remove();
        }
    }

    /**
     * The mask of {@code prompt} on {@code frame} (255 = object), preparing the frame first when
     * needed. Blocks the calling (request) thread until done.
     */
    byte[] segment(Session s, String engine, long frame, Segmenter.FramePrompt prompt) {
        return await(submit(() -> {
            // FIFO on one thread: an embedding of this frame requested earlier is done (and cached) by now.
            Segmenter.FrameSegmenter fs = prepared(s, engine, frame, Job.create());
            try (Mask m = Mask.allocate(s.width(), s.height())) {
                fs.segment(prompt, m, null);
                byte[] out = new byte[s.width() * s.height()];
                m.copyTo(out);
                return out;
            }
        }), "segmenting on frame " + frame);
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new CancelledException(what + " interrupted");
        } catch (ExecutionException ee) {
            Throwable c = ee.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new InvalidInputException(what + ": " + c);
        }
    }

    /** Closes a session's prepared frames on the interactive thread (where they are used) and cancels its embedding. */
    void close(Session s) {
        synchronized (this) {
            if (s.currentEmbedding != null) s.currentEmbedding.job.cancel();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                List<Segmenter.FrameSegmenter> all = new ArrayList<>(s.embeddings.values());
                s.embeddings.clear();
                s.ready.clear();
                all.forEach(Segmenter.FrameSegmenter::close);
                done.complete(null);
            });
            done.get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // shutting down: the Cleaner frees what is left
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
