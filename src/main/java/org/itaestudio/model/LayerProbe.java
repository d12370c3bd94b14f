package org.itaestudio.model;

/**
 * What one block showed for a batch of images. Token order is CLS, registers, patches (row-major over the grid).
 *
 * @param layer         block index
 * @param qNorm         [image][token] L2 norm of the raw query projection (after bias, before scaling), all heads
 * @param kNorm         likewise for keys
 * @param vNorm         likewise for values
 * @param clsAttention  [image][head][patch] CLS-query attention over the patch tokens, after softmax (and ITAE)
 * @param attention     [image][head][query][key] full attention, or null unless requested
 * @param artifacts     [image] ascending patch indices ITAE flagged at this block (empty when ITAE is off here)
 * @param thresholds    [image] threshold used at this block (NaN when ITAE is off here)
 * @param registerAttention [image][head][r] CLS-query attention on the appended test-time registers, or null
 */
public record LayerProbe(int layer, float[][] qNorm, float[][] kNorm, float[][] vNorm, float[][][] clsAttention,
                         float[][][][] attention, int[][] artifacts, double[] thresholds, float[][][] registerAttention) {

    public LayerProbe(int layer, float[][] qNorm, float[][] kNorm, float[][] vNorm, float[][][] clsAttention,
                      float[][][][] attention, int[][] artifacts, double[] thresholds) {
        this(layer, qNorm, kNorm, vNorm, clsAttention, attention, artifacts, thresholds, null);
    }

    /** The probe of image {@code b} of the batch. */
    public ImageProbe image(int b) {
        double t = thresholds[b];
        return new ImageProbe(layer, qNorm[b], kNorm[b], vNorm[b], clsAttention[b], artifacts[b],
                Double.isNaN(t) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(t),
                registerAttention == null ? null : registerAttention[b]);
    }
}
