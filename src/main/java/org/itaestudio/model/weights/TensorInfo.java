package org.itaestudio.model.weights;

import java.util.Arrays;

/** Name, element type and shape of one stored tensor. */
public record TensorInfo(String name, DType dtype, long[] shape) {

    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
