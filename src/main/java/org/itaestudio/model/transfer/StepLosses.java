package org.itaestudio.model.transfer;

/**
 * The losses of one batch.
 *
 * @param classification     mean cross-entropy of the head
 * @param attention          sum over transferred layers of their attention loss (0 unless distilling)
 * @param total              classification + weight * attention
 * @param attentionPerLayer  each transferred layer's attention loss, in layer order (empty unless distilling)
 * @param correct            images whose highest logit is their label
 */
public record StepLosses(double classification, double attention, double total, double[] attentionPerLayer,
                         int correct) {
}
