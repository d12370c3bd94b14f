package org.itaestudio.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs a loop body over numbered blocks on a small fixed set of threads.
 *
 * <p>Results stay deterministic (bit for bit, whatever the thread count) as long as each block
 * writes only its own outputs and any cross-block reduction is done afterwards in block order:
 * callers therefore split work into blocks of a fixed size, never "one block per thread".
 */
final class BlockRunner implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    BlockRunner(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.threads = threads;
        if (threads == 1) {
            this.pool = null;
        } else {
            AtomicInteger count = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "itae-cluster-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    int threads() {
        return threads;
    }

    /** Number of blocks of {@code blockSize} needed to cover {@code n} items. */
    static int blocks(int n, int blockSize) {
        return (n + blockSize - 1) / blockSize;
    }

    /** Calls {@code body.accept(b)} once for every b in [0, nBlocks), in parallel; returns when all are done. */
    void run(int nBlocks, IntConsumer body) {
        if (nBlocks <= 0) return;
        if (pool == null || nBlocks == 1) {
            for (int b = 0; b < nBlocks; b++) body.accept(b);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int b = next.getAndIncrement(); b < nBlocks; b = next.getAndIncrement()) body.accept(b);
        };
        int helpers = Math.min(threads - 1, nBlocks - 1);
        List<Future<?>> futures = new ArrayList<>(helpers);
        for (int i = 0; i < helpers; i++) futures.add(pool.submit(worker));
        Throwable failure = null;
        try {
            worker.run();
        } catch (Throwable t) {
            failure = t;
            next.set(nBlocks); // stop the helpers early
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
