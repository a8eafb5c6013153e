package io.inpainterz.web;

import io.inpainterz.CancelledException;
import io.inpainterz.engine.Job;
import io.inpainterz.util.Json;
import io.inpainterz.util.ProgressEvents;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Track and remove jobs: at most {@code renderJobs} run at once, the others wait in the order
 * they came (told by a notice with their place). A job's events are the {@code --progress json}
 * objects ({@link ProgressEvents}); subscribers (server-sent events) get the notices, the latest
 * progress of each stage so far, then everything new, and the outcome last.
 */
final class Jobs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Jobs.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    enum State { queued, running, done, failed, cancelled }

    /** What a job runs: it gets the engine job (progress, cancel) and returns its report. */
    @FunctionalInterface
    interface Body {
        Map<String, Object> run(Job job, Consumer<String> notice) throws Exception;
    }

    static final class WebJob {
        final String id;
        final String kind;
        final Session session;
        final Path dir;
        final Job job;
        private final ProgressEvents events;
        private State state = State.queued;                                   // guarded by this
        private final List<String> notices = new ArrayList<>();               // guarded by this
        private final Map<String, String> latest = new LinkedHashMap<>();    // stage -> last progress line, guarded by this
        private String outcome;                                               // guarded by this
        private final List<Consumer<String>> subscribers = new ArrayList<>(); // guarded by this
        private Map<String, Object> result;                                   // guarded by this
        private String error;                                                 // guarded by this
        private final List<Runnable> onEnd = new ArrayList<>();                // guarded by this
        private Future<?> future;

        WebJob(String id, String kind, Session session, Path dir, String firstStage) {
            this.id = id;
            this.kind = kind;
            this.session = session;
            this.dir = dir;
            this.events = new ProgressEvents(firstStage);
            this.job = Job.create().onProgress(this::progress);
        }

        private void progress(String stage, long done, long total) {
            Map<String, Object> o;
            synchronized (this) {
                o = events.progress(stage, done, total);
                if (o == null) return;
                String line = Json.write(o);
                latest.put(stage, line);
                send(line);
            }
        }

        synchronized void notice(String message) {
            String line = Json.write(ProgressEvents.notice(message));
            notices.add(line);
            send(line);
        }

        private synchronized void finish(State s, String message, Map<String, Object> r) {
            state = s;
            error = s == State.done ? null : message;
            result = r;
            outcome = Json.write(events.end(s == State.done ? "done" : s == State.cancelled ? "cancelled" : "failed", message));
            send(outcome);
            subscribers.clear();
            onEnd.forEach(Runnable::run);
            onEnd.clear();
        }

        /** Runs {@code r} once the job has ended (at once if it has). */
        synchronized void onEnd(Runnable r) {
            if (outcome != null) r.run();
            else onEnd.add(r);
        }

        private void send(String line) {
            for (Consumer<String> c : List.copyOf(subscribers)) {
                try {
                    c.accept(line);
                } catch (RuntimeException gone) {
                    subscribers.remove(c);
                }
            }
        }

        /** Replays what happened so far to {@code c}, then sends it every new event; returns whether the job has ended (nothing more comes). */
        synchronized boolean subscribe(Consumer<String> c) {
            notices.forEach(c);
            latest.values().forEach(c);
            if (outcome != null) {
                c.accept(outcome);
                return true;
            }
            subscribers.add(c);
            return false;
        }

        synchronized void unsubscribe(Consumer<String> c) {
            subscribers.remove(c);
        }

        synchronized State state() {
            return state;
        }

        synchronized boolean active() {
            return state == State.queued || state == State.running;
        }

        /** The job as JSON: id, kind, session, state, result or error. */
        synchronized Map<String, Object> describe() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", id);
            o.put("kind", kind);
            o.put("session", session.id);
            o.put("state", state.name());
            if (result != null) o.put("result", result);
            if (error != null) o.put("error", error);
            return o;
        }
    }

    private final ExecutorService workers;
    private final Map<String, WebJob> jobs = new ConcurrentHashMap<>();
    private final List<WebJob> waiting = new ArrayList<>(); // guarded by this
    private final int slots;
    private int running;                                     // guarded by this

    Jobs(int renderJobs) {
        this.slots = renderJobs;
        this.workers = Executors.newFixedThreadPool(renderJobs, r -> {
            Thread t = new Thread(r, "inpainterz-render");
            t.setDaemon(true);
            return t;
        });
    }

    WebJob get(String id) {
        WebJob j = jobs.get(id);
        if (j == null) throw new Session.NotFound("no job " + id);
        return j;
    }

    /** Queues {@code body} as a job of {@code session}; its files go under {@code dir}. */
    WebJob submit(String kind, Session session, Path dir, String firstStage, Body body) {
        String id = HexFormat.of().formatHex(randomBytes());
        WebJob j = new WebJob(id, kind, session, dir, firstStage);
        jobs.put(id, j);
        synchronized (session) {
            session.jobs.add(id);
        }
        synchronized (this) {
            waiting.add(j);
            if (running >= slots) j.notice(queued(running + waiting.size() - 1));
        }
        j.future = workers.submit(() -> run(j, body));
        return j;
    }

    private String queued(int ahead) {
        return "queued: " + ahead + " job" + (ahead == 1 ? "" : "s") + " ahead (" + slots + " at a time)";
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private void run(WebJob j, Body body) {
        synchronized (this) {
            waiting.remove(j);
            running++;
            for (int i = 0; i < waiting.size(); i++) waiting.get(i).notice(queued(running + i));
        }
        try {
            synchronized (j) {
                if (j.state != State.queued) return; // cancelled while it waited
                j.state = State.running;
            }
            if (j.job.isCancelled()) throw new CancelledException(j.kind + " cancelled before it started");
            Map<String, Object> r = body.run(j.job, j::notice);
            j.finish(State.done, null, r);
        } catch (CancelledException e) {
            j.finish(State.cancelled, e.getMessage(), null);
        } catch (Throwable e) {
            if (!(e instanceof io.inpainterz.InpainterzException)) LOG.log(Level.WARNING, j.kind + " job " + j.id + " failed", e);
            j.finish(State.failed, e.getMessage() == null ? e.toString() : e.getMessage(), null);
        } finally {
            synchronized (this) {
                running--;
            }
            j.session.touch();
        }
    }

    /** Cancels a queued job at once, a running one at its next check. */
    void cancel(WebJob j) {
        j.job.cancel();
        boolean wasQueued;
        synchronized (this) {
            wasQueued = waiting.remove(j);
        }
        if (wasQueued) {
            synchronized (j) {
                if (j.state != State.queued) return;
            }
            j.finish(State.cancelled, j.kind + " cancelled before it started", null);
        }
    }

    /** Forgets a closed session's jobs, cancelling those still queued or running. */
    void forget(Session s) {
        List<String> ids;
        synchronized (s) {
            ids = List.copyOf(s.jobs);
        }
        for (String id : ids) {
            WebJob j = jobs.remove(id);
            if (j != null && j.active()) cancel(j);
        }
    }

    boolean hasActive(Session s) {
        synchronized (s) {
            for (String id : s.jobs) {
                WebJob j = jobs.get(id);
                if (j != null && j.active()) return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        jobs.values().forEach(this::cancel);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) workers.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
