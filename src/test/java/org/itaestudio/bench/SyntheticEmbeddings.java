package org.itaestudio.bench;

import java.util.Random;

/**
 * Synthetic stand-ins for image embeddings: Gaussian clusters of unequal size and spread in d
 * dimensions, with a shared random offset (real embeddings are not centred). Deterministic per seed.
 */
public final class SyntheticEmbeddings {
    public final float[][] x;
    public final int[] labels;

    public SyntheticEmbeddings(int n, int d, int clusters, double spread, long seed) {
        Random r = new Random(seed);
        double[] offset = new double[d];
        for (int j = 0; j < d; j++) offset[j] = r.nextGaussian() * 0.5;
        double[][] centres = new double[clusters][d];
        double[] sigma = new double[clusters];
        double[] weight = new double[clusters];
        double wsum = 0;
        for (int c = 0; c < clusters; c++) {
            for (int j = 0; j < d; j++) centres[c][j] = offset[j] + r.nextGaussian() / Math.sqrt(d) * 4;
            sigma[c] = spread * (0.5 + r.nextDouble());
            weight[c] = 0.3 + r.nextDouble();
            wsum += weight[c];
        }
        x = new float[n][d];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble() * wsum;
            int c = 0;
            while (c < clusters - 1 && u > weight[c]) u -= weight[c++];
            labels[i] = c;
            for (int j = 0; j < d; j++) x[i][j] = (float) (centres[c][j] + r.nextGaussian() * sigma[c] / Math.sqrt(d));
        }
    }

    /** Leave-one-out k-NN classification accuracy of the labels in a 2-D map (brute force, O(n^2)). */
    public static double knnAccuracy(float[] mx, float[] my, int[] labels, int k) {
        int n = mx.length;
        int correct = 0;
        double[] d = new double[n];
        Integer[] idx = new Integer[n];
        int maxLabel = 0;
        for (int l : labels) maxLabel = Math.max(maxLabel, l);
        int[] votes = new int[maxLabel + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dx = mx[i] - mx[j], dy = my[i] - my[j];
                d[j] = j == i ? Double.POSITIVE_INFINITY : dx * dx + dy * dy;
                idx[j] = j;
            }
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(d[a], d[b]));
            java.util.Arrays.fill(votes, 0);
            for (int t = 0; t < k; t++) votes[labels[idx[t]]]++;
            int best = 0;
            for (int c = 1; c < votes.length; c++) if (votes[c] > votes[best]) best = c;
            if (best == labels[i]) correct++;
        }
        return (double) correct / n;
    }
}
