package org.itaestudio.bench;

import org.itaestudio.model.DinoV2Config;

/**
 * Analytic floating-point operations of one DINOv2 forward per image, counting a multiply-add as 2 FLOPs and only
 * the matrix products (LayerNorm, softmax, GELU, residual adds are a few FLOPs per element, under 1% here).
 *
 * <p>With N = 1 + R + Np tokens, D width, F MLP hidden width, per block: qkv 2·N·D·3D, attention logits
 * 2·N·N·D (all heads together), attention·V 2·N·N·D, projection 2·N·D·D, MLP 2·N·D·F·2 (SwiGLU: 2·N·D·2F + 2·N·F·D);
 * the patch embedding is a 14x14 convolution, 2·Np·D·(3·14·14).
 */
public record ModelFlops(double patchEmbed, double qkv, double attention, double projection, double mlp, int depth) {

    public static ModelFlops of(DinoV2Config c, int height, int width) {
        double p = c.patchSize();
        double np = (double) (height / c.patchSize()) * (width / c.patchSize());
        double n = c.prefixTokens() + np;
        double d = c.embedDim();
        double f = c.ffnHidden();
        double mlp = c.ffn() == DinoV2Config.FfnType.SWIGLU
                ? 2 * n * d * (2 * f) + 2 * n * f * d
                : 2 * n * d * f * 2;
        return new ModelFlops(2 * np * d * (3 * p * p), 2 * n * d * 3 * d, 2 * (2 * n * n * d), 2 * n * d * d, mlp,
                c.depth());
    }

    public double perBlock() {
        return qkv + attention + projection + mlp;
    }

    /** FLOPs of one image. */
    public double total() {
        return patchEmbed + depth * perBlock();
    }
}
