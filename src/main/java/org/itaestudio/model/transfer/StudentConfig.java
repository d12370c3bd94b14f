package org.itaestudio.model.transfer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.itaestudio.model.DinoV2Config;

/**
 * Shape of a student: a DINOv2-architecture backbone plus a linear head on the normed CLS token.
 *
 * <p>The student trains at one input size, {@code posGrid * patchSize} pixels square, so its position table is used
 * as it is (no interpolation).
 *
 * @param backbone       blocks, width, heads, patch size, registers, MLP kind; {@code posGrid} is the training grid
 * @param arch           native (LayerScale present) or standard (no LayerScale; no registers, GELU MLP)
 * @param numClasses     outputs of the head
 * @param layerScaleInit initial LayerScale value of a randomly initialised native student
 */
public record StudentConfig(DinoV2Config backbone, StudentArch arch, int numClasses, double layerScaleInit) {

    /** CaiT's initial LayerScale for networks up to 18 blocks deep. */
    public static final double DEFAULT_LAYER_SCALE = 0.1;

    public StudentConfig {
        if (numClasses < 1) {
            throw new IllegalArgumentException("a student needs at least one class, got " + numClasses);
        }
        if (arch == StudentArch.STANDARD
                && (backbone.numRegisters() != 0 || backbone.ffn() != DinoV2Config.FfnType.MLP)) {
            throw new IllegalArgumentException("a standard student has no registers and a GELU MLP");
        }
    }

    /**
     * A student with the teacher's shape, training on {@code grid x grid} patches: native keeps the teacher's
     * components, standard drops registers and SwiGLU (a 4 D GELU MLP).
     */
    public static StudentConfig like(DinoV2Config teacher, StudentArch arch, int grid, int numClasses) {
        boolean standard = arch == StudentArch.STANDARD;
        int d = teacher.embedDim();
        DinoV2Config backbone = new DinoV2Config(d, teacher.depth(), teacher.numHeads(),
                standard ? 4 * d : teacher.ffnHidden(), standard ? DinoV2Config.FfnType.MLP : teacher.ffn(),
                standard ? 0 : teacher.numRegisters(), teacher.patchSize(), grid, teacher.layerNormEps(), false, 0.0);
        return new StudentConfig(backbone, arch, numClasses, DEFAULT_LAYER_SCALE);
    }

    public boolean layerScale() {
        return arch == StudentArch.NATIVE;
    }

    /** Side of the square training input in pixels. */
    public int imageSize() {
        return backbone.posGrid() * backbone.patchSize();
    }

    /** Tokens per image: CLS, registers, patches. */
    public int tokens() {
        return backbone.prefixTokens() + backbone.posGrid() * backbone.posGrid();
    }

    /** Every trainable tensor in DINOv2's official naming (no {@code mask_token}), then {@code head.*}. */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>(backbone.expectedTensors());
        shapes.remove("mask_token");
        if (!layerScale()) {
            shapes.keySet().removeIf(name -> name.endsWith(".gamma"));
        }
        shapes.put("head.weight", new long[] {numClasses, backbone.embedDim()});
        shapes.put("head.bias", new long[] {numClasses});
        return shapes;
    }

    /**
     * Whether AdamW's weight decay applies: not to 1-D tensors (norms, biases, LayerScale), biases, the CLS and
     * register tokens or the position table (timm's and MAE's rule).
     */
    public static boolean decays(String name, long[] shape) {
        return shape.length > 1 && !name.endsWith(".bias")
                && !name.equals("cls_token") && !name.equals("register_tokens") && !name.equals("pos_embed");
    }
}
