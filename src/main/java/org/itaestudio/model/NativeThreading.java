package org.itaestudio.model;

import com.sun.jna.NativeLibrary;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses libtorch's OpenMP wait policy before libtorch is loaded, unless the user set one: a short spin on a machine
 * with idle cores, PASSIVE on a busy one.
 *
 * <p>Why: with the default (spin-then-sleep, long spin) policy, OpenMP threads spin at every barrier between the ~300
 * parallel regions of a DINOv2 forward. On a machine with other work running, the spinning threads burn the time
 * slices the working thread needs: measured on a shared 2-core machine (load average ~5), a ViT-S/14 batch-8
 * forward took 3.1-4.5 s with the default policy and 1.1-1.7 s with PASSIVE, using half the CPU time. On an idle
 * machine PASSIVE pays a futex wake per barrier instead, which at batch 1 is a large share of a forward: interleaved
 * against ONNX Runtime on the idle 2-core machine, a 3,000-iteration spin ({@code GOMP_SPINCOUNT=3000} with
 * {@code OMP_WAIT_POLICY=ACTIVE}) made ViT-S/14 batch 1 131 -> 107 ms and batch 8 654 -> 605 ms, and also won with
 * two busy threads beside it (two other runnable threads on two cores); at load averages of 15.5-21 on two cores it lost
 * 8-36 % to PASSIVE. So the choice is made once, at start, from how many threads of other processes are runnable
 * right now against the number of cores ({@link #choose}). Not the load average: it trails by a minute or more, so
 * right after a build or a benchmark it still reads busy on a machine that is idle now.
 * A bounded spin only exists in GNU libgomp (Linux); elsewhere PASSIVE is kept.
 *
 * <p>libgomp (Linux) and LLVM's libomp (macOS) read these variables from the C environment when they are loaded,
 * which happens when DJL loads libtorch, so this must run first; Java cannot change its own environment, hence the
 * call to C's {@code setenv} through JNA (which DJL already depends on). Has no effect once libtorch is loaded, and
 * does nothing on Windows or where either variable is set.
 */
public final class NativeThreading {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreading.class);
    private static final String VARIABLE = "OMP_WAIT_POLICY";
    private static final String SPIN_VARIABLE = "GOMP_SPINCOUNT";
    /** Iterations a libgomp thread spins at a barrier before it sleeps, when the machine has idle cores. */
    static final String SHORT_SPIN = "3000";

    /** The wait policy chosen at start. */
    enum WaitChoice {
        /** OMP_WAIT_POLICY=ACTIVE with GOMP_SPINCOUNT=3000: spin briefly, then sleep. */
        SHORT_SPIN,
        /** OMP_WAIT_POLICY=PASSIVE: sleep at once. */
        PASSIVE
    }

    /**
     * The policy for a machine with {@code cores} cores where {@code othersRunnable} threads of other processes are
     * runnable (NaN when unknown), on a Linux libgomp or not: a short spin only where it is bounded (libgomp) and the
     * other work does not exceed the cores (measured: a win with two busy threads on two cores, a loss at load averages
     * of 15.5-21).
     */
    static WaitChoice choose(double othersRunnable, int cores, boolean libgomp) {
        return libgomp && !Double.isNaN(othersRunnable) && othersRunnable <= cores ? WaitChoice.SHORT_SPIN
                : WaitChoice.PASSIVE;
    }

    /**
     * Runnable threads of other processes now: the median of 9 samples 15 ms apart of the kernel's count of runnable
     * threads ({@code procs_running} in /proc/stat) less this process's own (state R in /proc/self/task); NaN where
     * these files cannot be read.
     */
    static double othersRunnable() {
        try {
            double[] samples = new double[9];
            for (int i = 0; i < samples.length; i++) {
                if (i > 0) {
                    Thread.sleep(15);
                }
                samples[i] = Math.max(0, systemRunnable() - ownRunnable());
            }
            java.util.Arrays.sort(samples);
            return samples[samples.length / 2];
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static int systemRunnable() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))) {
            if (line.startsWith("procs_running ")) {
                return Integer.parseInt(line.substring("procs_running ".length()).trim());
            }
        }
        throw new java.io.IOException("no procs_running in /proc/stat");
    }

    private static int ownRunnable() throws java.io.IOException {
        int running = 0;
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');             // the command name may hold spaces and ')'
                    if (close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'R') {
                        running++;
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return running;
    }

    private static boolean done;

    private NativeThreading() {
    }

    /** OMP_WAIT_POLICY (and GOMP_SPINCOUNT when set) as the native libraries see them ("default" when unset), for reports. */
    public static String waitPolicy() {
        try {
            NativeLibrary c = NativeLibrary.getInstance("c");
            String v = c.getFunction("getenv").invokeString(new Object[] {VARIABLE}, false);
            String spin = c.getFunction("getenv").invokeString(new Object[] {SPIN_VARIABLE}, false);
            return (v == null ? "default" : v) + (spin == null ? "" : ", " + SPIN_VARIABLE + " " + spin);
        } catch (RuntimeException | LinkageError e) {
            String v = System.getenv(VARIABLE);
            return v == null ? "default" : v;
        }
    }

    /**
     * Lowers the calling thread's scheduling priority by {@code nice} steps (Linux: {@code setpriority} on the thread
     * id from {@code /proc/thread-self}; elsewhere nothing happens). Returns whether it took effect.
     *
     * <p>Why: image decoding runs beside inference. At equal priority a decode thread takes a core from one of
     * libtorch's OpenMP threads in the middle of a parallel region and every thread of the region then waits at the
     * barrier for the descheduled one; at a lower priority decoding fills the cores' idle time instead. Lowering a
     * priority needs no privileges, and a thread cannot starve: the kernel still gives it a share of the CPU.
     */
    public static boolean lowerCurrentThreadPriority(int nice) {
        if (nice <= 0 || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return false;
        }
        try {
            String self = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).toString();
            int tid = Integer.parseInt(self.substring(self.lastIndexOf('/') + 1));
            // PRIO_PROCESS (0) with a thread id reads/changes only that thread on Linux
            NativeLibrary c = NativeLibrary.getInstance("c");
            int current = c.getFunction("getpriority").invokeInt(new Object[] {0, tid});
            int target = Math.min(19, current + nice);
            return target > current && c.getFunction("setpriority").invokeInt(new Object[] {0, tid, target}) == 0;
        } catch (java.io.IOException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Idempotent; call before the first use of the PyTorch engine. */
    public static synchronized void configure() {
        if (done) {
            return;
        }
        done = true;
        MklDispatch.enable(); // also before libtorch loads
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (System.getenv(VARIABLE) != null || System.getenv(SPIN_VARIABLE) != null || os.startsWith("windows")) {
            return;
        }
        WaitChoice choice = choose(othersRunnable(), Runtime.getRuntime().availableProcessors(), os.startsWith("linux"));
        try {
            NativeLibrary c = NativeLibrary.getInstance("c");
            int rc = c.getFunction("setenv").invokeInt(new Object[] {VARIABLE,
                    choice == WaitChoice.SHORT_SPIN ? "ACTIVE" : "PASSIVE", 0});
            if (rc == 0 && choice == WaitChoice.SHORT_SPIN) {
                rc = c.getFunction("setenv").invokeInt(new Object[] {SPIN_VARIABLE, SHORT_SPIN, 0});
            }
            if (rc != 0) {
                LOG.warn("setenv({}) failed with {}", VARIABLE, rc);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not set {}: {}", VARIABLE, e.toString());
        }
    }
}
