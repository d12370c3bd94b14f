package org.itaestudio.model;

import java.util.OptionalDouble;
import org.itaestudio.itae.ItaeConfig;

/**
 * What one block showed for one image (a row of a {@link LayerProbe}). Token order is CLS, registers, patches
 * (row-major over the grid).
 *
 * @param layer        block index
 * @param qNorm        [token] L2 norm of the raw query projection (after bias, before scaling), all heads
 * @param kNorm        likewise for keys
 * @param vNorm        likewise for values
 * @param clsAttention [head][patch] CLS-query attention over the patch tokens, after softmax (and ITAE)
 * @param artifacts    ascending patch indices ITAE flagged at this block (empty when ITAE is off here)
 * @param threshold    the threshold ITAE used at this block; empty when ITAE does not act on it
 * @param registerAttention [head][r] CLS-query attention on the appended test-time registers, or null without them
 */
public record ImageProbe(int layer, float[] qNorm, float[] kNorm, float[] vNorm, float[][] clsAttention, int[] artifacts,
                         OptionalDouble threshold, float[][] registerAttention) {

    public ImageProbe(int layer, float[] qNorm, float[] kNorm, float[] vNorm, float[][] clsAttention, int[] artifacts,
                      OptionalDouble threshold) {
        this(layer, qNorm, kNorm, vNorm, clsAttention, artifacts, threshold, null);
    }

    /** The norms of the given projection, one per token. */
    public float[] norms(ItaeConfig.Component component) {
        return switch (component) {
            case Q -> qNorm;
            case K -> kNorm;
            case V -> vNorm;
        };
    }
}
