package org.itaestudio.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.itaestudio.cluster.CosineIndex;
import org.itaestudio.cluster.NearDuplicates;
import org.itaestudio.cluster.OutlierScores;

/**
 * "More like this" query time (exact cosine top-k over the whole set, one thread), and optionally the all-pairs
 * passes behind near-duplicates and outlier scores, on synthetic Gaussian-cluster embeddings. Numbers only; no
 * assertions. Wall time, so a busy machine shows up in the numbers (quote {@code uptime} next to them), and the
 * query's thread CPU time, which a busy machine inflates less (not at all only when caches and memory bandwidth are
 * not shared).
 *
 * <pre>
 *   java -cp target/classes:$(cat target/classpath.txt) org.itaestudio.bench.SimilarityBenchmark [n] [d] [queries] [all-pairs] [cancel-ms]
 * </pre>
 * Defaults: n = 50,000, d = 384, 200 timed queries (after 50 warm-up queries), all-pairs = false. With cancel-ms > 0,
 * a near-duplicates search (2 threads) is cancelled after that many milliseconds: how far it got, and how long it
 * took to stop after the cancel (what the app's Cancel button waits for).
 */
public final class SimilarityBenchmark {
    private SimilarityBenchmark() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 384;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        boolean allPairs = args.length > 3 && Boolean.parseBoolean(args[3]);
        long cancelMs = args.length > 4 ? Long.parseLong(args[4]) : 0;
        float[][] x = clusters(n, d, 50, 7);
        long t0 = System.nanoTime();
        CosineIndex index = new CosineIndex(x);
        System.out.printf(Locale.ROOT, "similarity: index of %d x %d built in %.0f ms%n", n, d, (System.nanoTime() - t0) / 1e6);
        Random r = new Random(1);
        int warmup = Math.min(50, queries);
        for (int q = 0; q < warmup; q++) index.nearestTo(r.nextInt(n), 20);
        double[] ms = new double[queries];
        double[] cpu = new double[queries];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int q = 0; q < queries; q++) {
            long c = threads.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            List<CosineIndex.Neighbor> nb = index.nearestTo(r.nextInt(n), 20);
            ms[q] = (System.nanoTime() - s) / 1e6;
            cpu[q] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
            sink += nb.get(0).index();
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "similarity: top-20 query over %d x %d: median %.2f ms, p95 %.2f ms, max %.2f ms wall; "
                        + "median %.2f ms thread CPU (%d queries, 1 thread)%s%n",
                n, d, ms[queries / 2], ms[Math.min(queries - 1, (int) (queries * 0.95))], ms[queries - 1], cpu[queries / 2],
                queries, sink < 0 ? "!" : "");
        if (cancelMs > 0) {
            cancelLatency(x, cancelMs);
        }
        if (allPairs) {
            long s = System.nanoTime();
            List<NearDuplicates.Group> groups = NearDuplicates.find(x, 0.95);
            System.out.printf(Locale.ROOT, "near-duplicates: all pairs of %d x %d at 0.95 in %.1f s (%d groups)%n", n, d,
                    (System.nanoTime() - s) / 1e9, groups.size());
            s = System.nanoTime();
            double[] scores = OutlierScores.meanCosineDistance(x);
            System.out.printf(Locale.ROOT, "outliers: mean cosine distance to 10 nearest of %d x %d in %.1f s (max %.3f)%n", n, d,
                    (System.nanoTime() - s) / 1e9, Arrays.stream(scores).max().orElse(0));
        }
    }

    /** Starts a near-duplicates search, cancels it after {@code cancelMs}, and says how soon it stopped. */
    private static void cancelLatency(float[][] x, long cancelMs) {
        java.util.concurrent.atomic.AtomicBoolean cancel = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<org.itaestudio.progress.Progress> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        long[] stoppedAt = {0};
        long t0 = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                NearDuplicates.find(x, 0.95, 2, last::set, cancel::get);
            } catch (java.util.concurrent.CancellationException e) {
                stoppedAt[0] = System.nanoTime();
            }
        });
        t.start();
        try {
            Thread.sleep(cancelMs);
            long cancelledAt = System.nanoTime();
            cancel.set(true);
            t.join();
            double fraction = last.get() == null ? 0 : last.get().fraction();
            if (stoppedAt[0] == 0) {
                System.out.printf(Locale.ROOT, "near-duplicates: finished before the cancel at %d ms%n", cancelMs);
            } else {
                System.out.printf(Locale.ROOT, "near-duplicates: cancelled after %.0f ms at %.1f %% of the block pairs "
                                + "(a full run about %.0f s at that rate); stopped %.0f ms after the cancel%n",
                        (cancelledAt - t0) / 1e6, 100 * fraction, (cancelledAt - t0) / 1e9 / Math.max(1e-9, fraction),
                        (stoppedAt[0] - cancelledAt) / 1e6);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Gaussian clusters around random centres with a shared offset (real embeddings are not centred). */
    static float[][] clusters(int n, int d, int k, long seed) {
        Random r = new Random(seed);
        double[] offset = new double[d];
        for (int j = 0; j < d; j++) offset[j] = r.nextGaussian() * 0.5;
        double[][] centres = new double[k][d];
        for (double[] c : centres) for (int j = 0; j < d; j++) c[j] = offset[j] + r.nextGaussian() * 4 / Math.sqrt(d);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            double[] c = centres[r.nextInt(k)];
            for (int j = 0; j < d; j++) x[i][j] = (float) (c[j] + r.nextGaussian() / Math.sqrt(d));
        }
        return x;
    }
}
