package org.itaestudio.ui;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the newest of a stream of requests in the background: requests are debounced (a burst of slider moves
 * becomes one run), at most one runs at a time, and while one runs only the newest request waits - everything
 * older is dropped, never queued. Results are handed to {@code publisher} (the FX thread in the app) in request
 * order; a result older than one already published is discarded.
 *
 * @param <Q> request
 * @param <R> result
 */
final class LatestWinsRunner<Q, R> implements AutoCloseable {

    /** The work; runs on the worker thread. */
    @FunctionalInterface
    public interface Work<Q, R> {
        R run(Q request) throws Exception;
    }

    /** What a published result carries: the request, its result or error, and how long from submit to publish. */
    public record Outcome<Q, R>(Q request, R result, Throwable error, long generation, long submitToPublishNanos,
                                long workNanos) {
        public boolean failed() {
            return error != null;
        }
    }

    /**
     * Where a debounced request waits for its delay: a daemon timer thread in the app. The debounce's only contact
     * with time, so tests pass one they advance by hand and bursts never race the wall clock.
     */
    public interface DelayTimer extends AutoCloseable {
        /** Runs {@code action} once {@code delay} has passed, unless the returned future is cancelled first. */
        Future<?> schedule(Duration delay, Runnable action);

        @Override
        void close();

        /** The real one: a single daemon thread named {@code name}. */
        static DelayTimer daemon(String name) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(LatestWinsRunner.daemon(name));
            return new DelayTimer() {
                @Override
                public Future<?> schedule(Duration delay, Runnable action) {
                    return timer.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
                }

                @Override
                public void close() {
                    timer.shutdownNow();
                }
            };
        }
    }

    private final Duration debounce;
    private final Work<Q, R> work;
    private final Consumer<Outcome<Q, R>> onOutcome;
    private final Executor publisher;
    private final ExecutorService worker;
    private final DelayTimer timer;

    private final Object lock = new Object();
    private Q pending;
    private long pendingGeneration;
    private long pendingSubmitNanos;
    private long generation;
    private boolean due; // the pending request's debounce has elapsed
    private boolean running;
    private Future<?> scheduled;
    private long lastPublished = -1; // touched only on the publisher
    private volatile boolean closed;

    public LatestWinsRunner(String name, Duration debounce, Work<Q, R> work, Executor publisher,
                            Consumer<Outcome<Q, R>> onOutcome) {
        this(name, debounce, DelayTimer.daemon(name + "-debounce"), work, publisher, onOutcome);
    }

    /** @param timer where debounced requests wait; closed with this runner */
    public LatestWinsRunner(String name, Duration debounce, DelayTimer timer, Work<Q, R> work, Executor publisher,
                            Consumer<Outcome<Q, R>> onOutcome) {
        this.debounce = debounce;
        this.work = work;
        this.publisher = publisher;
        this.onOutcome = onOutcome;
        this.worker = Executors.newSingleThreadExecutor(daemon(name + "-worker"));
        this.timer = timer;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Submits a request from any thread; supersedes any request not yet started. */
    public void submit(Q request) {
        submit(request, debounce);
    }

    /** Submits with no debounce (a click, not a drag). */
    public void submitNow(Q request) {
        submit(request, Duration.ZERO);
    }

    private void submit(Q request, Duration delay) {
        if (closed) {
            return;
        }
        synchronized (lock) {
            pending = request;
            pendingGeneration = ++generation;
            pendingSubmitNanos = System.nanoTime();
            due = false;
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
            long gen = pendingGeneration;
            if (delay.isZero()) {
                onDue(gen);
            } else {
                scheduled = timer.schedule(delay, () -> onDue(gen));
            }
        }
    }

    private void onDue(long gen) {
        synchronized (lock) {
            if (gen != pendingGeneration || pending == null) {
                return; // superseded
            }
            due = true;
            if (!running) {
                startLocked();
            }
        }
    }

    private void startLocked() {
        Q q = pending;
        long gen = pendingGeneration;
        long submitted = pendingSubmitNanos;
        pending = null;
        due = false;
        running = true;
        worker.execute(() -> runOne(q, gen, submitted));
    }

    private void runOne(Q q, long gen, long submitted) {
        R result = null;
        Throwable error = null;
        long t0 = System.nanoTime();
        try {
            result = work.run(q);
        } catch (Throwable t) {
            error = t;
        }
        long workNanos = System.nanoTime() - t0;
        // free the slot before publishing, so the publisher sees busy() == false when nothing else waits
        synchronized (lock) {
            running = false;
            if (pending != null && due) {
                startLocked();
            }
        }
        R r = result;
        Throwable e = error;
        if (!closed) {
            publisher.execute(() -> {
                if (gen > lastPublished) {
                    lastPublished = gen;
                    onOutcome.accept(new Outcome<>(q, r, e, gen, System.nanoTime() - submitted, workNanos));
                }
            });
        }
    }

    /** True while a request runs or waits. */
    public boolean busy() {
        synchronized (lock) {
            return running || pending != null;
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.close();
        worker.shutdownNow();
    }
}
