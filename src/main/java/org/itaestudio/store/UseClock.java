package org.itaestudio.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Timestamps of last use for least-recently-used eviction: wall-clock milliseconds, made strictly increasing within
 * the process so two uses in the same millisecond are still ordered.
 */
final class UseClock {

    private static final AtomicLong LAST = new AtomicLong();

    private UseClock() {
    }

    static long next() {
        long now = System.currentTimeMillis();
        return LAST.updateAndGet(prev -> Math.max(prev + 1, now));
    }
}
