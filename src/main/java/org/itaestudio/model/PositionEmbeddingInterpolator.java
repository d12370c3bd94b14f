package org.itaestudio.model;

/**
 * Resizes the learned 37x37 patch position table to the input's patch grid exactly as the official
 * {@code DinoVisionTransformer.interpolate_pos_encoding} does.
 *
 * <p>Original models ({@code interpolate_offset = 0.1}, no antialias) pass {@code scale_factor = (grid + 0.1) / 37}
 * to F.interpolate, so the sampling positions use 37 / 16.1 rather than 37 / 16; {@code _reg} models pass the target
 * size with antialias. A square input whose grid equals the table uses the table unchanged.
 */
public final class PositionEmbeddingInterpolator {

    private PositionEmbeddingInterpolator() {
    }

    /**
     * @param table  the patch part of pos_embed, row-major [posGrid * posGrid, dim] (CLS entry removed)
     * @param gridH  patch rows of the input (height / 14)
     * @param gridW  patch columns of the input (width / 14)
     * @return [gridH * gridW, dim], row-major
     */
    public static float[] interpolate(float[] table, int dim, DinoV2Config config, int gridH, int gridW) {
        int m = config.posGrid();
        if (table.length != m * m * dim) {
            throw new IllegalArgumentException("position table has " + table.length + " values, expected " + m * m * dim);
        }
        if (gridH == m && gridW == m) {
            return table.clone();
        }
        // [M*M, D] -> [D, M, M]
        float[] chw = new float[table.length];
        for (int p = 0; p < m * m; p++) {
            for (int d = 0; d < dim; d++) {
                chw[d * m * m + p] = table[p * dim + d];
            }
        }
        float[] resized;
        if (config.interpolateOffset() != 0) {
            double sh = (gridH + config.interpolateOffset()) / m;
            double sw = (gridW + config.interpolateOffset()) / m;
            // F.interpolate's output size for a scale factor: floor(in * scale), computed in double.
            int outH = (int) Math.floor(m * sh);
            int outW = (int) Math.floor(m * sw);
            if (outH != gridH || outW != gridW) {
                throw new IllegalStateException("position interpolation gives " + outH + "x" + outW
                        + " instead of " + gridH + "x" + gridW);
            }
            resized = BicubicInterpolation.resize(chw, dim, m, m, gridH, gridW, sh, sw, config.interpolateAntialias());
        } else {
            resized = BicubicInterpolation.resize(chw, dim, m, m, gridH, gridW, null, null, config.interpolateAntialias());
        }
        float[] out = new float[gridH * gridW * dim];
        int n = gridH * gridW;
        for (int p = 0; p < n; p++) {
            for (int d = 0; d < dim; d++) {
                out[p * dim + d] = resized[d * n + p];
            }
        }
        return out;
    }
}
