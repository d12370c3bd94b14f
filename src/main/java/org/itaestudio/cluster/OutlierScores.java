package org.itaestudio.cluster;

import java.util.function.BooleanSupplier;
import org.itaestudio.progress.ProgressListener;

/**
 * How unusual each image is: the mean cosine distance (1 - cosine similarity) to its k nearest neighbours, in
 * [0, 2]. An image in a dense region of near neighbours scores near 0; one unlike anything else scores high.
 *
 * <p>Why this and not LOF: it needs one exact kNN pass ({@link NearestNeighbors}, on unit vectors, where the
 * squared Euclidean distance is 2 - 2 cos), has no second-order density ratio that explodes on exact duplicates, and
 * its value means something on its own ("on average 0.4 away from its closest images").
 */
public final class OutlierScores {
    /** Default neighbourhood size. */
    public static final int DEFAULT_K = 10;

    private OutlierScores() {
    }

    /** Scores with k = min({@link #DEFAULT_K}, n - 1); all zeros for a single row. */
    public static double[] meanCosineDistance(float[][] x) {
        int n = x.length;
        return n < 2 ? new double[n] : meanCosineDistance(x, Math.min(DEFAULT_K, n - 1), BlockRunner.defaultThreads(),
                null, null);
    }

    /**
     * @throws IllegalArgumentException if k is not in [1, n - 1] or x is malformed
     */
    public static double[] meanCosineDistance(float[][] x, int k, int threads, ProgressListener progress,
                                              BooleanSupplier cancelled) {
        Embeddings.checkMatrix(x, "outlier scores");
        int n = x.length;
        if (k < 1 || k > n - 1) throw new IllegalArgumentException("outlier scores: k must be in [1, " + (n - 1) + "], got " + k);
        float[][] unit = Embeddings.l2Normalized(x);
        double[] score = new double[n];
        try (BlockRunner runner = new BlockRunner(Math.max(1, threads))) {
            NearestNeighbors nn = NearestNeighbors.exact(unit, k, runner, progress, cancelled);
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += nn.squaredDistances[i][t] / 2;
                score[i] = s / k;
            }
        }
        return score;
    }

    /** Row indices ordered by score, highest first (ties: lower index first): "most unusual first". */
    public static int[] mostUnusualFirst(double[] scores) {
        return java.util.stream.IntStream.range(0, scores.length).boxed()
                .sorted((a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }
}
