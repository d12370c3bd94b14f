package org.itaestudio.cluster;

import java.util.Arrays;

/**
 * The symmetric t-SNE input affinities P as a sparse matrix (CSR), summing to 1.
 *
 * <p>Built as scikit-learn 1.2 does for Barnes-Hut t-SNE: per point, a Gaussian over its k nearest
 * neighbours' squared distances with the precision found by bisection to match the perplexity
 * (entropy tolerance 1e-5 nats, at most 100 steps); then P = (P + P^T) / sum.
 */
final class Affinities {
    static final double PERPLEXITY_TOLERANCE = 1e-5;
    static final int BISECTION_STEPS = 100;

    final int n;
    final int[] rowStart;
    final int[] cols;
    final double[] vals;

    Affinities(int n, int[] rowStart, int[] cols, double[] vals) {
        this.n = n;
        this.rowStart = rowStart;
        this.cols = cols;
        this.vals = vals;
    }

    int nnz() {
        return cols.length;
    }

    /**
     * Conditional probabilities p_{j|i} over each row's neighbours (scikit-learn's
     * {@code _binary_search_perplexity}, same steps and tolerances).
     */
    static double[][] conditional(double[][] sqDistances, double perplexity, BlockRunner runner) {
        int n = sqDistances.length;
        double desiredEntropy = Math.log(perplexity);
        double[][] p = new double[n][];
        runner.run(BlockRunner.blocks(n, 256), b -> {
            for (int i = b * 256, end = Math.min(n, i + 256); i < end; i++) {
                p[i] = rowConditional(sqDistances[i], desiredEntropy);
            }
        });
        return p;
    }

    private static double[] rowConditional(double[] d, double desiredEntropy) {
        int k = d.length;
        double[] p = new double[k];
        double beta = 1, betaMin = Double.NEGATIVE_INFINITY, betaMax = Double.POSITIVE_INFINITY;
        for (int step = 0; step < BISECTION_STEPS; step++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                p[j] = Math.exp(-d[j] * beta);
                sum += p[j];
            }
            if (sum == 0) sum = 1e-8;
            double weighted = 0;
            for (int j = 0; j < k; j++) {
                p[j] /= sum;
                weighted += d[j] * p[j];
            }
            double diff = Math.log(sum) + beta * weighted - desiredEntropy;
            if (Math.abs(diff) <= PERPLEXITY_TOLERANCE) break;
            if (diff > 0) {
                betaMin = beta;
                beta = betaMax == Double.POSITIVE_INFINITY ? beta * 2 : (beta + betaMax) / 2;
            } else {
                betaMax = beta;
                beta = betaMin == Double.NEGATIVE_INFINITY ? beta / 2 : (beta + betaMin) / 2;
            }
        }
        return p;
    }

    /** Symmetrises conditional kNN probabilities into a joint P that sums to 1. */
    static Affinities symmetric(int[][] neighbours, double[][] conditional) {
        int n = neighbours.length;
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            count[i] += neighbours[i].length;
            for (int j : neighbours[i]) count[j]++;
        }
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + count[i];
        int[] cols = new int[start[n]];
        double[] vals = new double[start[n]];
        int[] fill = Arrays.copyOf(start, n);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < neighbours[i].length; t++) {
                int j = neighbours[i][t];
                double v = conditional[i][t];
                cols[fill[i]] = j;
                vals[fill[i]++] = v;
                cols[fill[j]] = i;
                vals[fill[j]++] = v;
            }
        }
        // sort each row by column and merge duplicate (i, j) entries
        int[] outStart = new int[n + 1];
        int[] outCols = new int[cols.length];
        double[] outVals = new double[cols.length];
        int w = 0;
        double total = 0;
        long[] keys = new long[0];
        for (int i = 0; i < n; i++) {
            int len = start[i + 1] - start[i];
            if (keys.length < len) keys = new long[len];
            for (int t = 0; t < len; t++) keys[t] = ((long) cols[start[i] + t] << 32) | t;
            Arrays.sort(keys, 0, len);
            outStart[i] = w;
            for (int t = 0; t < len; t++) {
                int col = (int) (keys[t] >>> 32);
                double v = vals[start[i] + (int) (keys[t] & 0xFFFFFFFFL)];
                if (w > outStart[i] && outCols[w - 1] == col) {
                    outVals[w - 1] += v;
                } else {
                    outCols[w] = col;
                    outVals[w++] = v;
                }
            }
        }
        outStart[n] = w;
        for (int t = 0; t < w; t++) total += outVals[t];
        double norm = Math.max(total, Math.ulp(1.0));
        int[] c = Arrays.copyOf(outCols, w);
        double[] v = Arrays.copyOf(outVals, w);
        for (int t = 0; t < w; t++) v[t] /= norm;
        return new Affinities(n, outStart, c, v);
    }
}
