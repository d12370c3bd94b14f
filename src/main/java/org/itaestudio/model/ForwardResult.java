package org.itaestudio.model;

import java.util.Map;

/**
 * Output of one forward pass over a batch.
 *
 * @param gridH        patch rows
 * @param gridW        patch columns
 * @param embeddings   [image][dim] pooled embedding
 * @param patchTokens  [image][patch][dim] normed patch tokens, or null unless requested
 * @param probes       per probed block
 * @param captured     [image][tokens * dim] hidden states entering the capture block, or null
 * @param clsStates    [image] packed {@link ClsState} of the last block, or null
 * @param blockNorms   [layer][image][token] L2 norms of each block's output (original tokens), or null unless requested
 */
public record ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                            Map<Integer, LayerProbe> probes, float[][] captured, float[][] clsStates, float[][][] blockNorms) {

    public ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                         Map<Integer, LayerProbe> probes, float[][] captured, float[][] clsStates) {
        this(gridH, gridW, embeddings, patchTokens, probes, captured, clsStates, null);
    }

    public ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                         Map<Integer, LayerProbe> probes, float[][] captured) {
        this(gridH, gridW, embeddings, patchTokens, probes, captured, null);
    }
}
