package org.itaestudio.itae;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The arithmetic of register-neuron calibration, without the model: the outlier threshold and the ranking.
 *
 * <p>Outlier tokens are patch tokens whose L2 norm at the output of the detect layer is above the threshold (CLS and
 * trained registers are global tokens by design, never outliers). {@code auto} is Otsu's split
 * ({@link ArtifactDetector#otsuThreshold}) of the natural log of every sampled patch token's norm, mapped back with
 * exp: high-norm outliers are a few times the typical norm, so the log scale keeps the bulk from dominating the split.
 */
public final class RegisterNeuronSelection {

    /** Describes {@link #autoThreshold} in neuron files. */
    public static final String AUTO_RULE = "auto: exp(Otsu split of ln(norm) over every sampled patch token)";

    private RegisterNeuronSelection() {
    }

    /**
     * The auto threshold over all sampled images' patch-token norms; NaN when the norms do not split (fewer than
     * two distinct values).
     */
    public static double autoThreshold(List<float[]> patchNorms) {
        int n = patchNorms.stream().mapToInt(a -> a.length).sum();
        float[] logs = new float[n];
        int i = 0;
        for (float[] a : patchNorms) {
            for (float v : a) {
                logs[i++] = (float) Math.log(Math.max(v, Float.MIN_NORMAL));
            }
        }
        return Math.exp(ArtifactDetector.otsuThreshold(logs));
    }

    /**
     * Outlier flags over an image's N tokens (CLS, registers, patches): patches with norm above the threshold,
     * compared in float32.
     */
    public static boolean[] outliers(float[] tokenNorms, int prefixTokens, double threshold) {
        boolean[] flags = new boolean[tokenNorms.length];
        float t = (float) threshold;
        for (int j = prefixTokens; j < tokenNorms.length; j++) {
            flags[j] = tokenNorms[j] > t;
        }
        return flags;
    }

    /**
     * The top-k (block, unit) pairs of the mean scores, by score descending (ties: lower block, then lower unit).
     *
     * @param meanScores [block][unit] average over images with outliers
     */
    public static List<RegisterNeurons.Scored> top(double[][] meanScores, int topK) {
        List<RegisterNeurons.Scored> all = new ArrayList<>();
        for (int b = 0; b < meanScores.length; b++) {
            for (int u = 0; u < meanScores[b].length; u++) {
                all.add(new RegisterNeurons.Scored(b, u, meanScores[b][u]));
            }
        }
        all.sort(Comparator.comparingDouble(RegisterNeurons.Scored::score).reversed()
                .thenComparingInt(RegisterNeurons.Scored::block).thenComparingInt(RegisterNeurons.Scored::unit));
        return List.copyOf(all.subList(0, Math.min(topK, all.size())));
    }
}
