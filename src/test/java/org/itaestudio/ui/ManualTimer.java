package org.itaestudio.ui;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A {@link LatestWinsRunner.DelayTimer} whose time moves only when the test calls {@link #advance}: a debounce then
 * elapses exactly where the test says, however slow the machine, and never in the middle of a burst.
 */
final class ManualTimer implements LatestWinsRunner.DelayTimer {

    private record Entry(long dueNanos, long order, Runnable action, CompletableFuture<Void> handle) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private long nowNanos;
    private long scheduledSoFar;

    @Override
    public synchronized Future<?> schedule(Duration delay, Runnable action) {
        CompletableFuture<Void> handle = new CompletableFuture<>();
        entries.add(new Entry(nowNanos + delay.toNanos(), scheduledSoFar++, action, handle));
        return handle;
    }

    /** Moves time forward by {@code d} and runs, on the calling thread and in due order, every action now due. */
    void advance(Duration d) {
        List<Entry> due = new ArrayList<>();
        synchronized (this) {
            nowNanos += d.toNanos();
            for (Entry e : entries) {
                if (e.dueNanos() <= nowNanos) {
                    due.add(e);
                }
            }
            entries.removeAll(due);
        }
        due.sort(Comparator.comparingLong(Entry::dueNanos).thenComparingLong(Entry::order));
        for (Entry e : due) {
            if (e.handle().complete(null)) { // false when cancelled first
                e.action().run();
            }
        }
    }

    /** Actions scheduled and neither run nor cancelled. */
    synchronized int waiting() {
        return (int) entries.stream().filter(e -> !e.handle().isCancelled()).count();
    }

    @Override
    public void close() {
    }
}
