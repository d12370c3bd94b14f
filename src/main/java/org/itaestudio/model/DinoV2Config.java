package org.itaestudio.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Architecture of one DINOv2 ViT (official facebookresearch/dinov2 semantics).
 *
 * @param embedDim             token width D (384 S, 768 B, 1024 L, 1536 g)
 * @param depth                number of transformer blocks
 * @param numHeads             attention heads (D / 64 for every released model)
 * @param ffnHidden            hidden width of the MLP (4 D), or of each SwiGLU half (g: 4096)
 * @param ffn                  MLP (GELU) or SWIGLU (ViT-g)
 * @param numRegisters         register tokens (0 or 4); registers get no position embedding
 * @param patchSize            14
 * @param posGrid              side of the learned position table (37 for 518 px)
 * @param layerNormEps         1e-6
 * @param interpolateAntialias true for the _reg models
 * @param interpolateOffset    0.1 for the original models, 0 for _reg (then the target size is used)
 */
public record DinoV2Config(
        int embedDim,
        int depth,
        int numHeads,
        int ffnHidden,
        FfnType ffn,
        int numRegisters,
        int patchSize,
        int posGrid,
        double layerNormEps,
        boolean interpolateAntialias,
        double interpolateOffset) {

    public enum FfnType { MLP, SWIGLU }

    public DinoV2Config {
        if (embedDim <= 0 || depth <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException(
                    "invalid architecture: dim " + embedDim + ", depth " + depth + ", heads " + numHeads);
        }
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    /** Tokens before the patch tokens: CLS plus registers. */
    public int prefixTokens() {
        return 1 + numRegisters;
    }

    /** SwiGLU hidden width as dinov2's SwiGLUFFNFused computes it from mlp_ratio 4. */
    public static int swigluHidden(int embedDim) {
        int hidden = 4 * embedDim;
        return ((hidden * 2 / 3) + 7) / 8 * 8;
    }

    /**
     * Interpolation defaults follow the released checkpoints: originals use offset 0.1 without antialias,
     * register models use the target size with antialias.
     */
    public static DinoV2Config of(int embedDim, int depth, int numRegisters, FfnType ffn) {
        int hidden = ffn == FfnType.SWIGLU ? swigluHidden(embedDim) : 4 * embedDim;
        boolean reg = numRegisters > 0;
        return new DinoV2Config(embedDim, depth, embedDim / 64, hidden, ffn, numRegisters, 14, 37, 1e-6,
                reg, reg ? 0.0 : 0.1);
    }

    /**
     * Every tensor the official state dict holds for this architecture, in official naming, with its shape.
     * {@code mask_token} is listed too (checkpoints carry it) but inference never uses it.
     */
    public Map<String, long[]> expectedTensors() {
        long d = embedDim;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("cls_token", new long[] {1, 1, d});
        m.put("pos_embed", new long[] {1, 1 + (long) posGrid * posGrid, d});
        if (numRegisters > 0) {
            m.put("register_tokens", new long[] {1, numRegisters, d});
        }
        m.put("mask_token", new long[] {1, d});
        m.put("patch_embed.proj.weight", new long[] {d, 3, patchSize, patchSize});
        m.put("patch_embed.proj.bias", new long[] {d});
        for (int i = 0; i < depth; i++) {
            String b = "blocks." + i + ".";
            m.put(b + "norm1.weight", new long[] {d});
            m.put(b + "norm1.bias", new long[] {d});
            m.put(b + "attn.qkv.weight", new long[] {3 * d, d});
            m.put(b + "attn.qkv.bias", new long[] {3 * d});
            m.put(b + "attn.proj.weight", new long[] {d, d});
            m.put(b + "attn.proj.bias", new long[] {d});
            m.put(b + "ls1.gamma", new long[] {d});
            m.put(b + "norm2.weight", new long[] {d});
            m.put(b + "norm2.bias", new long[] {d});
            if (ffn == FfnType.SWIGLU) {
                m.put(b + "mlp.w12.weight", new long[] {2L * ffnHidden, d});
                m.put(b + "mlp.w12.bias", new long[] {2L * ffnHidden});
                m.put(b + "mlp.w3.weight", new long[] {d, ffnHidden});
                m.put(b + "mlp.w3.bias", new long[] {d});
            } else {
                m.put(b + "mlp.fc1.weight", new long[] {ffnHidden, d});
                m.put(b + "mlp.fc1.bias", new long[] {ffnHidden});
                m.put(b + "mlp.fc2.weight", new long[] {d, ffnHidden});
                m.put(b + "mlp.fc2.bias", new long[] {d});
            }
            m.put(b + "ls2.gamma", new long[] {d});
        }
        m.put("norm.weight", new long[] {d});
        m.put("norm.bias", new long[] {d});
        return m;
    }
}
