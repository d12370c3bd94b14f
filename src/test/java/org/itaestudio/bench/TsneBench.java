package org.itaestudio.bench;

import org.itaestudio.cluster.Map2D;
import org.itaestudio.cluster.TsneMap;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * t-SNE timing benchmark (not a unit test). Usage:
 * <pre>
 *   java -Xmx2g -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *       org.itaestudio.bench.TsneBench [n=10000] [d=384] [method=BARNES_HUT|EXACT|AUTO] [threads]
 * </pre>
 * Prints per-stage wall times, the final KL divergence, peak heap use and, for n <= 20,000,
 * the 10-NN accuracy of the true cluster labels in the map.
 */
public final class TsneBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 384;
        TsneMap.Method method = args.length > 2 ? TsneMap.Method.valueOf(args[2]) : TsneMap.Method.BARNES_HUT;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
        SyntheticEmbeddings data = new SyntheticEmbeddings(n, d, 20, 1.0, 1);
        System.out.printf(Locale.ROOT, "t-SNE bench: n=%d d=%d method=%s threads=%d maxHeap=%d MB%n",
                n, d, method, threads, Runtime.getRuntime().maxMemory() >> 20);
        long[] stageStart = new long[1];
        double[] cpuStart = {processCpuSeconds()};
        String[] stage = {""};
        long t0 = System.nanoTime();
        stageStart[0] = t0;
        Map2D map = new TsneMap().withMethod(method).withThreads(threads).compute(data.x, p -> {
            String s = p.stage();
            int done = (int) p.done();
            int total = (int) p.total();
            if (!s.equals(stage[0])) {
                long now = System.nanoTime();
                double cpu = processCpuSeconds();
                System.out.printf(Locale.ROOT, "  %-11s %7.2f s wall %7.2f s CPU%n", stage[0].isEmpty() ? "init(PCA)" : stage[0],
                        (now - stageStart[0]) / 1e9, cpu - cpuStart[0]);
                cpuStart[0] = cpu;
                stage[0] = s;
                stageStart[0] = now;
            }
        }, null);
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "  %-11s %7.2f s wall %7.2f s CPU%n", stage[0], (t1 - stageStart[0]) / 1e9,
                processCpuSeconds() - cpuStart[0]);
        System.out.printf(Locale.ROOT, "total %.2f s wall, %.2f s process CPU, KL %.4f, peak heap %d MB%n",
                (t1 - t0) / 1e9, processCpuSeconds(), map.klDivergence(), peakHeapBytes() >> 20);
        System.out.println("method: " + map.method());
        if (n <= 20_000) {
            System.out.printf(Locale.ROOT, "10-NN accuracy of true labels in the map: %.4f%n",
                    SyntheticEmbeddings.knnAccuracy(map.x(), map.y(), data.labels, 10));
        }
    }

    static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime() / 1e9;
        return Double.NaN;
    }

    static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }
}
