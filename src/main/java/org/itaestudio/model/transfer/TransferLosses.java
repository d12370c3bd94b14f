package org.itaestudio.model.transfer;

import ai.djl.ndarray.NDArray;

/** The two losses of attention transfer, on DJL arrays (differentiable). */
final class TransferLosses {

    private TransferLosses() {
    }

    /**
     * Mean cross-entropy of class logits.
     *
     * @param logits [B, C]
     * @param oneHot [B, C] 1 at each image's label
     */
    static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        return oneHot.mul(logits.logSoftmax(-1)).sum(new int[] {-1}).neg().mean();
    }

    /**
     * One layer's attention loss: mean over (b, h, i) of -sum_j P[b,h,i,j] log_softmax(S)[b,h,i,j].
     *
     * @param teacher softmax of the teacher's scores [B, H, N, N] (a constant)
     * @param student the student's pre-softmax scores [B, H, N, N]
     */
    static NDArray attentionCrossEntropy(NDArray teacher, NDArray student) {
        return teacher.mul(student.logSoftmax(-1)).sum(new int[] {-1}).neg().mean();
    }
}
