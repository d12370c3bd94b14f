package org.itaestudio.model;

import com.sun.jna.NativeLibrary;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets libtorch's OpenMP wait policy to PASSIVE before libtorch is loaded, unless the user set one.
 *
 * <p>Why: with the default (ACTIVE-then-sleep) policy, OpenMP threads spin at every barrier between the ~300
 * parallel regions of a DINOv2 forward. On a machine with other work running, the spinning threads burn the time
 * slices the working thread needs: measured on a shared 2-core machine (load average ~5), a ViT-S/14 batch-8
 * forward took 3.1-4.5 s with the default policy and 1.1-1.7 s with PASSIVE, using half the CPU time. When the
 * machine is idle, PASSIVE costs one futex wake per barrier (tens of microseconds; under 2% of a forward).
 *
 * <p>libgomp (Linux) and LLVM's libomp (macOS) read {@code OMP_WAIT_POLICY} from the C environment when they are
 * loaded, which happens when DJL loads libtorch, so this must run first; Java cannot change its own environment,
 * hence the call to C's {@code setenv} through JNA (which DJL already depends on). Has no effect once libtorch is
 * loaded, and does nothing on Windows or where the variable is set.
 */
public final class NativeThreading {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreading.class);
    private static final String VARIABLE = "OMP_WAIT_POLICY";
    private static boolean done;

    private NativeThreading() {
    }

    /** OMP_WAIT_POLICY as the native libraries see it ("default" when unset), for reports. */
    public static String waitPolicy() {
        try {
            String v = NativeLibrary.getInstance("c").getFunction("getenv").invokeString(new Object[] {VARIABLE}, false);
            return v == null ? "default" : v;
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
        if (System.getenv(VARIABLE) != null || System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            return;
        }
        try {
            int rc = NativeLibrary.getInstance("c").getFunction("setenv")
                    .invokeInt(new Object[] {VARIABLE, "PASSIVE", 0});
            if (rc != 0) {
                LOG.warn("setenv({}) failed with {}", VARIABLE, rc);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not set {}: {}", VARIABLE, e.toString());
        }
    }
}
