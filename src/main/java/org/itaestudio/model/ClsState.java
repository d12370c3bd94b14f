package org.itaestudio.model;

/**
 * What the last block needs to recompute the CLS token under any last-block, CLS-row ITAE setting, without the
 * other tokens: with ITAE acting only on the CLS query row of the last block, the CLS output depends on the block's
 * input CLS token, the CLS row of the pre-softmax logits, the values and (for artifact detection) the q/k/v norms.
 * Recomputing from it costs ~1.5 MFLOP per ViT-S image instead of ~12 GFLOP for a full forward.
 *
 * <p>Packed as one float array: {@code [xCls (D) | logits (H x N) | v (N x D) | qNorm (N) | kNorm (N) | vNorm (N)]}.
 *
 * @param xCls   the CLS token entering the last block [D]
 * @param logits pre-softmax, pre-ITAE CLS-row logits per head [H][N] (flattened), q already scaled by hd^-0.5
 * @param v      raw value projections of every token [N][D] (flattened, all heads)
 * @param norms  L2 norms of the raw q, k, v projections per token [3][N] (flattened)
 */
public record ClsState(float[] xCls, float[] logits, float[] v, float[] norms) {

    public static int packedLength(int dim, int heads, int tokens) {
        return dim + heads * tokens + tokens * dim + 3 * tokens;
    }

    public float[] pack() {
        float[] out = new float[xCls.length + logits.length + v.length + norms.length];
        int o = 0;
        for (float[] part : new float[][] {xCls, logits, v, norms}) {
            System.arraycopy(part, 0, out, o, part.length);
            o += part.length;
        }
        return out;
    }

    /** Tokens N of a packed state, from its length. */
    public static int tokens(int packedLength, int dim, int heads) {
        int rest = packedLength - dim;
        int per = heads + dim + 3;
        if (rest <= 0 || rest % per != 0) {
            throw new IllegalArgumentException("not a packed CLS state of dim " + dim + ": length " + packedLength);
        }
        return rest / per;
    }

    public static ClsState unpack(float[] packed, int dim, int heads) {
        int n = tokens(packed.length, dim, heads);
        int o = 0;
        float[] x = java.util.Arrays.copyOfRange(packed, o, o += dim);
        float[] l = java.util.Arrays.copyOfRange(packed, o, o += heads * n);
        float[] v = java.util.Arrays.copyOfRange(packed, o, o += n * dim);
        float[] norms = java.util.Arrays.copyOfRange(packed, o, o + 3 * n);
        return new ClsState(x, l, v, norms);
    }

    public int tokens() {
        return norms.length / 3;
    }

    /** Norms of component 0 (q), 1 (k) or 2 (v) for every token. */
    public float[] norms(int component) {
        int n = tokens();
        return java.util.Arrays.copyOfRange(norms, component * n, (component + 1) * n);
    }
}
