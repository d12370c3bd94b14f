package org.itaestudio.model.transfer;

/** Which blocks the student is built from. */
public enum StudentArch {
    /** The teacher's components: LayerScale, its registers, SwiGLU where the teacher has it. */
    NATIVE,
    /** A plain pre-norm ViT block (no LayerScale, no registers, GELU MLP), as in the official attention-transfer code. */
    STANDARD
}
