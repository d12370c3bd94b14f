package org.itaestudio.transfer;

import org.itaestudio.model.transfer.TrainingBatch;

/** Labelled images a run draws batches from; an epoch's batch may depend on the epoch (augmentation). */
public interface TrainingImages {

    int count();

    /** The images {@code order[from..to)} as they are seen in epoch {@code epoch} (0-based). */
    TrainingBatch batch(int epoch, int[] order, int from, int to);
}
