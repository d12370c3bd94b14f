package org.itaestudio.transfer;

/**
 * What one epoch of a run measured.
 *
 * @param epoch              1-based
 * @param step               optimiser steps taken by the end of the epoch
 * @param lr                 learning rate of the epoch's last step
 * @param classificationLoss mean over the epoch's batches
 * @param attentionLoss      mean over the epoch's batches (0 unless distilling)
 * @param trainTop1          fraction of training images classified right while training
 * @param valTop1            fraction of validation images classified right after the epoch (NaN without any)
 * @param imagesPerSecond    training images per second of the epoch's steps
 */
public record EpochMetrics(int epoch, long step, double lr, double classificationLoss, double attentionLoss,
                           double trainTop1, double valTop1, double imagesPerSecond) {
}
