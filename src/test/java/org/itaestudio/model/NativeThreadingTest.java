package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NativeThreadingTest {

    /** Field 19 of /proc/thread-self/stat: the thread's nice value. */
    private static int niceOfCurrentThread() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]); // fields after "(comm)" start at field 3
    }

    @Test
    void lowersOnlyTheCallingThread() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only: no /proc/thread-self here");
        int before = niceOfCurrentThread();
        AtomicReference<int[]> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int start = niceOfCurrentThread();
                boolean ok = NativeThreading.lowerCurrentThreadPriority(10);
                seen.set(new int[] {start, niceOfCurrentThread(), ok ? 1 : 0});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        t.join();
        int[] r = seen.get();
        assertEquals(1, r[2], "setpriority failed");
        assertEquals(Math.min(19, r[0] + 10), r[1], "the decode thread's nice value");
        assertEquals(before, niceOfCurrentThread(), "the calling thread is unchanged");
        assertTrue(!NativeThreading.lowerCurrentThreadPriority(0), "0 steps: nothing to do");
    }

    @Test
    void spinsBrieflyOnlyWhereTheOtherWorkLeavesTheCoresAndTheSpinIsBounded() {
        assertEquals(NativeThreading.WaitChoice.SHORT_SPIN, NativeThreading.choose(0, 2, true));
        assertEquals(NativeThreading.WaitChoice.SHORT_SPIN, NativeThreading.choose(2, 2, true), "two busy threads, two cores");
        assertEquals(NativeThreading.WaitChoice.PASSIVE, NativeThreading.choose(3, 2, true), "more work than cores");
        assertEquals(NativeThreading.WaitChoice.PASSIVE, NativeThreading.choose(15, 2, true));
        assertEquals(NativeThreading.WaitChoice.SHORT_SPIN, NativeThreading.choose(6, 16, true));
        assertEquals(NativeThreading.WaitChoice.PASSIVE, NativeThreading.choose(0, 2, false), "no bounded spin off libgomp");
        assertEquals(NativeThreading.WaitChoice.PASSIVE, NativeThreading.choose(Double.NaN, 2, true), "load unknown");
    }

    @Test
    void countsOtherProcessesRunnableThreadsNotItsOwn() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/stat")) && Files.exists(Path.of("/proc/self/task")), "Linux only");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        double idle;
        double withOwnBusyThreads;
        java.util.List<Thread> busy = new java.util.ArrayList<>();
        try {
            idle = NativeThreading.othersRunnable();
            for (int i = 0; i < 3; i++) { // this process's own busy threads must not count as other work
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (!stop.get()) {
                        x += System.nanoTime() & 1;
                    }
                    if (x == 42) {
                        System.out.print("");
                    }
                });
                t.setDaemon(true);
                t.start();
                busy.add(t);
            }
            withOwnBusyThreads = NativeThreading.othersRunnable();
        } finally {
            stop.set(true);
            for (Thread t : busy) {
                t.join();
            }
        }
        assertTrue(idle >= 0 && withOwnBusyThreads >= 0, idle + " / " + withOwnBusyThreads);
        // other processes' work is whatever the machine runs; ours added 3 runnable threads, which must be left out
        assertTrue(withOwnBusyThreads < idle + 3, "own threads counted: " + idle + " -> " + withOwnBusyThreads);
    }
}
