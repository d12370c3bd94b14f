package org.itaestudio.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stated synthetic background load for the timed rounds: {@code threads} busy threads in the suite's own process,
 * at normal priority, each spinning on arithmetic (no memory traffic) until closed, so that "under load" means the
 * same on every machine and in every run. Zero threads is a quiet round.
 */
final class BackgroundLoad implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    BackgroundLoad(int threads) {
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::spin, "bench-background-load-" + i);
            t.setDaemon(true);
            t.start();
            this.threads.add(t);
        }
    }

    private void spin() {
        double x = 1;
        while (running.get()) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 1.0000001 + 1e-9;
            }
        }
        if (x == 0) { // keeps the loop from being optimised away
            throw new AssertionError();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
    }
}
