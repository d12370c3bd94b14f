package org.itaestudio.itae;

import java.util.Arrays;

/**
 * Decides which patch tokens are artifacts from their scores (the L2 norms of one raw Q/K/V projection).
 *
 * <p>The {@code auto} threshold is Otsu's split of the image's own patch scores, computed exactly (no histogram):
 * sort the scores ascending x_1..x_n; for each split k in 1..n-1 (class A = first k) take the between-class variance
 * w_A w_B (mean_A - mean_B)^2; the largest wins (the first on ties) and the threshold is (x_k + x_{k+1}) / 2. On a
 * bimodal score distribution (artifact tokens have norms far from the rest) it falls in the gap between the modes.
 */
public final class ArtifactDetector {

    private ArtifactDetector() {
    }

    /** Otsu threshold of the given scores; NaN when fewer than two distinct values exist. */
    public static double otsuThreshold(float[] scores) {
        int n = scores.length;
        if (n < 2) {
            return Double.NaN;
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = scores[i];
        }
        Arrays.sort(x);
        if (x[0] == x[n - 1]) {
            return Double.NaN;
        }
        double total = 0;
        for (double v : x) {
            total += v;
        }
        double best = -1;
        int bestK = 1;
        double prefix = 0;
        for (int k = 1; k < n; k++) {
            prefix += x[k - 1];
            double wA = (double) k / n;
            double wB = 1 - wA;
            double meanA = prefix / k;
            double meanB = (total - prefix) / (n - k);
            double d = meanA - meanB;
            double between = wA * wB * d * d;
            if (between > best) {
                best = between;
                bestK = k;
            }
        }
        return (x[bestK - 1] + x[bestK]) / 2;
    }

    /** The threshold actually used for one image: the configured number, or Otsu on its scores. */
    public static double resolveThreshold(ItaeConfig config, float[] patchScores) {
        return config.autoThreshold() ? otsuThreshold(patchScores) : config.fixedThreshold();
    }

    /**
     * Artifact flags for the patch tokens of one image.
     *
     * @param patchScores one score per patch token (CLS and registers excluded: they are never artifacts)
     * @param threshold   a resolved threshold; NaN flags nothing
     */
    public static boolean[] detect(float[] patchScores, double threshold, ItaeConfig.Direction direction) {
        boolean[] flags = new boolean[patchScores.length];
        if (Double.isNaN(threshold)) {
            return flags;
        }
        // Compared in float32, as PyTorch compares a float32 tensor with a Python scalar.
        float t = (float) threshold;
        for (int i = 0; i < flags.length; i++) {
            flags[i] = direction == ItaeConfig.Direction.BELOW ? patchScores[i] <= t : patchScores[i] >= t;
        }
        return flags;
    }

    /** Indices of the flagged patch tokens, ascending. */
    public static int[] indices(boolean[] flags) {
        int count = 0;
        for (boolean f : flags) {
            count += f ? 1 : 0;
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < flags.length; i++) {
            if (flags[i]) {
                out[j++] = i;
            }
        }
        return out;
    }
}
