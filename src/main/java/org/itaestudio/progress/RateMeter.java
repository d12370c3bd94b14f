package org.itaestudio.progress;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Rate over a sliding window (a few seconds), so that the ETA follows the current speed, not the average. The one rate
 * meter of the project: downloads (bytes/s) and the embedding pipeline (images/s) both use it.
 */
public final class RateMeter {

    private static final long WINDOW_NANOS = 5_000_000_000L;
    private static final long MIN_SPAN_NANOS = 200_000_000L;

    private final Deque<long[]> samples = new ArrayDeque<>();
    private long firstNanos = Long.MIN_VALUE;
    private long firstValue;

    /** Records value at time now and returns the rate in units per second (0 for the first 0.2 s). */
    public double record(long nanos, long value) {
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = nanos;
            firstValue = value;
        }
        samples.addLast(new long[] {nanos, value});
        // keep one sample older than the window so the span always covers the whole window
        while (samples.size() > 2) {
            long[] second = secondOldest();
            if (nanos - second[0] < WINDOW_NANOS) {
                break;
            }
            samples.removeFirst();
        }
        long[] oldest = samples.peekFirst();
        long span = nanos - oldest[0];
        if (span >= MIN_SPAN_NANOS) {
            return (value - oldest[1]) * 1e9 / span;
        }
        return 0; // too early for a meaningful rate
    }

    /** Average rate since the first sample. */
    public double average(long nanos, long value) {
        if (firstNanos == Long.MIN_VALUE || nanos <= firstNanos) {
            return 0;
        }
        return (value - firstValue) * 1e9 / (nanos - firstNanos);
    }

    private long[] secondOldest() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }
}
