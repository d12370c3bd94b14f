package org.itaestudio.bench;

import org.itaestudio.cluster.AutoK;
import org.itaestudio.cluster.Clustering;
import org.itaestudio.cluster.KMeansClusterer;
import org.itaestudio.cluster.Map2D;
import org.itaestudio.cluster.Metrics;
import org.itaestudio.cluster.PcaMap;
import org.itaestudio.cluster.WardClusterer;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Timings of the clustering code on synthetic 384-D embeddings (not a unit test). Usage:
 * {@code ClusterBench [n=10000] [d=384]}. Prints wall and process CPU seconds and ACC against the
 * generating clusters.
 */
public final class ClusterBench {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 384;
        SyntheticEmbeddings data = new SyntheticEmbeddings(n, d, 20, 1.0, 3);
        System.out.printf(Locale.ROOT, "cluster bench: n=%d d=%d threads=%d maxHeap=%d MB%n", n, d,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        Clustering km = time("k-means k=20, 10 restarts", () -> new KMeansClusterer().cluster(data.x, 20));
        System.out.printf(Locale.ROOT, "    ACC %.4f NMI %.4f inertia %.4f%n", Metrics.accuracy(data.labels, km.labels()),
                Metrics.nmi(data.labels, km.labels()), km.inertia());
        AutoK.Result r = time("auto-k 2..20, 10 restarts each", () -> new AutoK().choose(data.x));
        System.out.printf(Locale.ROOT, "    chosen k=%d, ACC %.4f%n", r.bestK(), Metrics.accuracy(data.labels, r.best().labels()));
        AutoK.Result r3 = time("auto-k 2..20, 3 restarts each", () -> new AutoK()
                .withClusterer(new KMeansClusterer().withRestarts(3)).choose(data.x));
        System.out.printf(Locale.ROOT, "    chosen k=%d%n", r3.bestK());
        Clustering ward = time("ward k=20", () -> new WardClusterer().clusterByK(data.x, 20));
        System.out.printf(Locale.ROOT, "    ACC %.4f  (%s)%n", Metrics.accuracy(data.labels, ward.labels()), ward.method());
        Map2D pca = time("PCA map", () -> new PcaMap().compute(data.x));
        System.out.printf(Locale.ROOT, "    %d points%n", pca.size());
        System.out.printf(Locale.ROOT, "peak heap %d MB%n", TsneBench.peakHeapBytes() >> 20);
    }

    private static <T> T time(String what, Supplier<T> task) {
        double cpu0 = TsneBench.processCpuSeconds();
        long t0 = System.nanoTime();
        T result = task.get();
        System.out.printf(Locale.ROOT, "  %-34s %7.2f s wall %7.2f s CPU%n", what, (System.nanoTime() - t0) / 1e9,
                TsneBench.processCpuSeconds() - cpu0);
        return result;
    }
}
