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
 * @param appendedNorms [layer][image][r] L2 norms of the appended test-time registers at each block's output, when
 *                      block norms were requested with test-time registers; else null
 */
public record ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                            Map<Integer, LayerProbe> probes, float[][] captured, float[][] clsStates, float[][][] blockNorms,
                            float[][][] appendedNorms) {

    public ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                         Map<Integer, LayerProbe> probes, float[][] captured, float[][] clsStates, float[][][] blockNorms) {
        this(gridH, gridW, embeddings, patchTokens, probes, captured, clsStates, blockNorms, null);
    }

    public ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                         Map<Integer, LayerProbe> probes, float[][] captured, float[][] clsStates) {
        this(gridH, gridW, embeddings, patchTokens, probes, captured, clsStates, null);
    }

    public ForwardResult(int gridH, int gridW, float[][] embeddings, float[][][] patchTokens,
                         Map<Integer, LayerProbe> probes, float[][] captured) {
        this(gridH, gridW, embeddings, patchTokens, probes, captured, null);
    }
}
