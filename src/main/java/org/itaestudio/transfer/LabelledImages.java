package org.itaestudio.transfer;

import org.itaestudio.model.transfer.TrainingBatch;

/**
 * Preprocessed square images with their class indices, held in memory for the epochs of a run.
 *
 * @param pixels [image] NCHW-normalised values, {@code 3 * size * size} each
 * @param labels class index of each image
 * @param size   side of every image in pixels
 */
public record LabelledImages(float[][] pixels, int[] labels, int size) {

    public LabelledImages {
        if (pixels.length != labels.length) {
            throw new IllegalArgumentException(pixels.length + " images but " + labels.length + " labels");
        }
        for (float[] p : pixels) {
            if (p.length != 3 * size * size) {
                throw new IllegalArgumentException("an image has " + p.length + " values, expected 3x" + size + "x" + size);
            }
        }
    }

    public int count() {
        return labels.length;
    }

    /** The images {@code order[from..to)} as one batch. */
    public TrainingBatch batch(int[] order, int from, int to) {
        int per = 3 * size * size;
        float[] px = new float[(to - from) * per];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels[order[i]], 0, px, (i - from) * per, per);
            y[i - from] = labels[order[i]];
        }
        return new TrainingBatch(px, y, size);
    }
}
