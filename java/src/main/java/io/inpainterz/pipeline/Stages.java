package io.inpainterz.pipeline;

import io.inpainterz.CancelledException;
import io.inpainterz.FileAccessException;
import io.inpainterz.engine.Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The threads of one pass: each stage runs on a thread of its own, joined to the next by a
 * bounded {@link Pipe}. The first failure wins: it cancels every model call of the pass (each
 * stage calls its models with a {@link #job()} of its own) and interrupts the threads blocked on
 * queues or pools. The caller's thread supervises ({@link #await}): it alone reports progress to
 * the caller's job and relays the caller's cancel, so listeners are called from one thread.
 */
final class Stages {
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private static final long REPORT_INTERVAL_MS = 100;

    private final List<Thread> threads = new ArrayList<>();
    private final List<Job> jobs = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final int threadsPerCall;
    private final String pass;

    Stages(String pass, int threadsPerCall) {
        this.pass = pass;
        this.threadsPerCall = threadsPerCall;
    }

    /** A job for one stage's model calls: the pipeline's thread count; cancelled with the pass. */
    Job job() {
        Job j = Job.create().threads(threadsPerCall);
        jobs.add(j);
        if (failure.get() != null) j.cancel();
        return j;
    }

    void start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                fail(e);
            }
        }, "inpainterz-" + pass + "-" + name);
        threads.add(t);
        t.start();
    }

    void fail(Throwable e) {
        if (failure.compareAndSet(null, e)) {
            jobs.forEach(Job::cancel);
            threads.forEach(Thread::interrupt);
        }
    }

    /**
     * Waits for every stage, reporting {@code stage} progress ({@code done} of {@code total}) to
     * {@code caller} every 0.1 s and cancelling the pass when the caller is cancelled; then
     * rethrows the first failure.
     */
    void await(Job caller, String stage, LongSupplier done, LongSupplier total) {
        await(caller, stage, done, total, true);
    }

    /** {@link #await}; {@code complete} false: a pass that does part of a stage, so the stage is not reported as done at the end. */
    void await(Job caller, String stage, LongSupplier done, LongSupplier total, boolean complete) {
        long lastDone = -1;
        for (Thread t : threads) {
            while (t.isAlive()) {
                long d = done.getAsLong();
                try {
                    if (failure.get() == null && (d != lastDone || caller.isCancelled())) {
                        caller.step(stage, d, Math.max(d, total.getAsLong())); // throws once the caller is cancelled
                        lastDone = d;
                    }
                } catch (CancelledException c) {
                    fail(c);
                } catch (RuntimeException listener) {
                    fail(listener);
                }
                try {
                    t.join(REPORT_INTERVAL_MS);
                } catch (InterruptedException e) {
                    fail(new CancelledException(pass + " interrupted"));
                }
            }
        }
        Throwable f = failure.get();
        if (f != null) throw rethrowable(f);
        long d = done.getAsLong();
        if (complete) caller.step(stage, d, d);
    }

    /** The failure as the exception the caller sees: engine exceptions as they are, interrupts as a cancel. */
    private RuntimeException rethrowable(Throwable f) {
        if (f instanceof InterruptedException) return new CancelledException(pass + " cancelled");
        if (f instanceof UncheckedIOException u) return new FileAccessException(u.getMessage());
        if (f instanceof IOException io) return new FileAccessException(io.getMessage());
        if (f instanceof RuntimeException r) return r;
        if (f instanceof Error e) throw e;
        return new IllegalStateException(pass + ": " + f, f);
    }

    /**
     * A bounded queue between two stages, ended by {@link #end()}: {@link #take()} returns null
     * once everything before the end was taken.
     */
    static final class Pipe<T> {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue;

        Pipe(int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        void put(T item) throws InterruptedException {
            queue.put(item);
        }

        void end() throws InterruptedException {
            queue.put(END);
        }

        @SuppressWarnings("unchecked")
        T take() throws InterruptedException {
            Object o = queue.take();
            if (o == END) {
                queue.put(END); // later takes see the end too
                return null;
            }
            return (T) o;
        }
    }
}
