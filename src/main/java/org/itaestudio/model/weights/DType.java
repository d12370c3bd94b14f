package org.itaestudio.model.weights;

/** Element types a checkpoint may store; everything is converted to float32 when read. */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }
}
