package org.itaestudio.cluster;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Chooses the number of clusters for users who do not know it: k-means for each k in a range, scored by the mean
 * silhouette (cosine, on the L2-normalised embeddings) of a fixed subsample of at most 2,000 points; the best k wins
 * (the smaller on ties). Deterministic for a seed.
 */
public final class AutoK {

    /** The chosen k and the silhouette of every k tried (index 0 = minK). */
    public record Choice(int k, int minK, double[] silhouettes) {
    }

    public static final int DEFAULT_MAX_K = 20;
    static final int SAMPLE = 2_000;

    private AutoK() {
    }

    public static Choice choose(float[][] x, long seed, BooleanSupplier cancelled) {
        return choose(x, 2, DEFAULT_MAX_K, seed, cancelled);
    }

    public static Choice choose(float[][] x, int minK, int maxK, long seed, BooleanSupplier cancelled) {
        int n = x.length;
        if (n < 3) {
            return new Choice(1, 1, new double[] {0});
        }
        int hi = Math.min(maxK, n - 1);
        int lo = Math.max(2, Math.min(minK, hi));
        float[][] sample = x;
        if (n > SAMPLE) { // partial Fisher-Yates: a fixed, seeded subsample
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < SAMPLE; i++) {
                int j = i + rnd.nextInt(n - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            int[] chosen = Arrays.copyOf(idx, SAMPLE);
            Arrays.sort(chosen);
            sample = new float[SAMPLE][];
            for (int i = 0; i < SAMPLE; i++) {
                sample[i] = x[chosen[i]];
            }
        }
        KMeansClusterer km = new KMeansClusterer().withSeed(seed).withRestarts(4);
        double[] scores = new double[hi - lo + 1];
        int best = lo;
        for (int k = lo; k <= hi; k++) {
            if (cancelled.getAsBoolean()) {
                throw new java.util.concurrent.CancellationException("cancelled");
            }
            int[] labels = km.cluster(sample, k, cancelled).labels();
            scores[k - lo] = Metrics.silhouette(sample, labels, Metrics.Distance.COSINE);
            if (scores[k - lo] > scores[best - lo]) {
                best = k;
            }
        }
        return new Choice(best, lo, scores);
    }
}
