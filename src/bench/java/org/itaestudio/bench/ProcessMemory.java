package org.itaestudio.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident set size (Linux /proc) and peak JVM heap of the current process, resettable per measurement, and
 * the process's CPU time (all threads, native ones included).
 */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /**
     * Starts a new peak window: the JVM heap pools' peaks and (Linux 4.0+) the kernel's VmHWM are reset to the
     * current usage. Returns false where the RSS peak cannot be reset (then it is the peak since the process began).
     */
    static boolean resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Sum of the heap pools' peaks since the last reset (an upper bound of the heap in use, garbage included). */
    static long peakHeapMb() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes >> 20;
    }

    /** CPU time of the whole process in nanoseconds (the OS may count it in 10 ms ticks), or -1. */
    static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** VmHWM: the most resident memory (heap, native tensors, libraries) since the last reset; -1 off Linux. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) >> 10;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
