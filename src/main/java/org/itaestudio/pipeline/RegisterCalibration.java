package org.itaestudio.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.itaestudio.image.ModelInput;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeuronSelection;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.model.DinoV2;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * Register-neuron calibration on the plain model (Jiang et al., arXiv 2506.08010, as docs/product.md defines it).
 *
 * <p>Pass 1 runs every sampled image up to the detect layer and keeps its patch-token norms there (a few KB per
 * image); the threshold is then fixed (a number, or the sample-wide {@code auto} rule). Pass 2 runs only the images
 * with outliers, up to the highest scored block, and reduces each block's MLP activations on the device to one
 * score per unit. Images are decoded again in pass 2 rather than kept (a 200-image sample of ViT-S inputs is
 * ~120 MB; a 2,000-image one would not fit a default heap). Consecutive inputs of the same size run as one batch.
 */
public final class RegisterCalibration {

    /** Images per forward pass. */
    static final int BATCH = 8;

    private RegisterCalibration() {
    }

    /**
     * Thrown when no sampled image has a token above the threshold: nothing to calibrate on.
     */
    public static final class NoOutliersException extends IllegalArgumentException {
        public NoOutliersException(String message) {
            super(message);
        }
    }

    /**
     * Calibrates on {@code count} inputs.
     *
     * @param inputs    index -> preprocessed image, or null for an unreadable one (skipped); called twice for images
     *                  with outliers
     * @param modelSpec recorded in the result
     * @throws NoOutliersException when no image has an outlier token at the threshold
     */
    public static RegisterNeurons run(DinoV2 model, String modelSpec, int count, IntFunction<ModelInput> inputs,
                                      CalibrationSettings settings, ProgressListener progress, Cancellation cancel) {
        int depth = model.config().depth();
        int detect = settings.resolveDetectLayer(depth);
        int highest = settings.resolveHighestLayer(depth);
        int prefix = model.config().prefixTokens();

        // pass 1: norms at the detect layer
        List<Integer> readable = new ArrayList<>();
        List<float[]> norms = new ArrayList<>();
        forBatches(count, inputs, "Calibrating: token norms", progress, cancel, (idx, batch, in) -> {
            float[][] n = model.outputNorms(batch, idx.size(), in.height(), in.width(), detect);
            for (int i = 0; i < idx.size(); i++) {
                readable.add(idx.get(i));
                norms.add(n[i]);
            }
        });
        if (readable.isEmpty()) {
            throw new NoOutliersException("no image of the sample could be read");
        }
        double threshold;
        String rule;
        if (settings.threshold() instanceof ItaeConfig.Threshold.Fixed f) {
            threshold = f.value();
            rule = "fixed";
        } else {
            List<float[]> patchNorms = norms.stream().map(a -> java.util.Arrays.copyOfRange(a, prefix, a.length)).toList();
            threshold = RegisterNeuronSelection.autoThreshold(patchNorms);
            rule = RegisterNeuronSelection.AUTO_RULE;
        }
        List<Integer> withOutliers = new ArrayList<>();
        List<boolean[]> flags = new ArrayList<>();
        long outlierTokens = 0;
        float maxNorm = 0;
        for (int i = 0; i < readable.size(); i++) {
            boolean[] f = RegisterNeuronSelection.outliers(norms.get(i), prefix, threshold);
            int c = 0;
            for (int j = 0; j < f.length; j++) {
                c += f[j] ? 1 : 0;
                if (j >= prefix) {
                    maxNorm = Math.max(maxNorm, norms.get(i)[j]);
                }
            }
            if (c > 0) {
                withOutliers.add(readable.get(i));
                flags.add(f);
                outlierTokens += c;
            }
        }
        if (withOutliers.isEmpty()) {
            throw new NoOutliersException(String.format(java.util.Locale.ROOT,
                    "no image has an outlier token at norm threshold %.4g (block %d; the largest patch-token norm of the "
                            + "%d sampled images is %.4g): lower --norm-threshold or use auto", threshold, detect,
                    readable.size(), maxNorm));
        }

        // pass 2: unit scores over the outlier tokens, images with outliers only
        int hidden = model.config().ffnHidden();
        double[][] sum = new double[highest + 1][hidden];
        int[] at = {0};
        forBatches(withOutliers.size(), i -> inputs.apply(withOutliers.get(i)), "Calibrating: neuron scores", progress,
                cancel, (idx, batch, in) -> {
                    boolean[][] f = new boolean[idx.size()][];
                    for (int i = 0; i < idx.size(); i++) {
                        f[i] = flags.get(idx.get(i));
                    }
                    float[][][] s = model.outlierActivations(batch, idx.size(), in.height(), in.width(), f, highest,
                            settings.sparsityFilter());
                    for (float[][] image : s) {
                        for (int b = 0; b <= highest; b++) {
                            for (int u = 0; u < hidden; u++) {
                                sum[b][u] += image[b][u];
                            }
                        }
                    }
                    at[0] += idx.size();
                });
        int n = withOutliers.size();
        for (double[] row : sum) {
            for (int u = 0; u < row.length; u++) {
                row[u] /= n;
            }
        }
        return new RegisterNeurons(modelSpec, model.fingerprint(), model.describeArchitecture(), settings, threshold, rule,
                readable.size(), n, outlierTokens, RegisterNeuronSelection.top(sum, settings.topK()));
    }

    private interface BatchBody {
        void run(List<Integer> indices, float[] pixels, ModelInput first);
    }

    /** Groups consecutive readable inputs of one size into batches of up to {@link #BATCH}. */
    private static void forBatches(int count, IntFunction<ModelInput> inputs, String stage, ProgressListener progress,
                                   Cancellation cancel, BatchBody body) {
        List<Integer> idx = new ArrayList<>();
        List<ModelInput> batch = new ArrayList<>();
        int skipped = 0;
        for (int i = 0; i < count; i++) {
            cancel.throwIfCancelled();
            ModelInput in = inputs.apply(i);
            if (in == null) {
                skipped++;
                continue;
            }
            if (!batch.isEmpty() && (in.height() != batch.get(0).height() || in.width() != batch.get(0).width())) {
                flush(idx, batch, body);
            }
            idx.add(i);
            batch.add(in);
            if (batch.size() == BATCH) {
                flush(idx, batch, body);
            }
            progress.onProgress(new Progress(stage, i + 1, count, 0, null, skipped));
        }
        if (!batch.isEmpty()) {
            flush(idx, batch, body);
        }
    }

    private static void flush(List<Integer> idx, List<ModelInput> batch, BatchBody body) {
        int per = batch.get(0).chw().length;
        float[] pixels = new float[per * batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).chw(), 0, pixels, i * per, per);
        }
        body.run(List.copyOf(idx), pixels, batch.get(0));
        idx.clear();
        batch.clear();
    }
}
