package org.itaestudio.model.transfer;

/**
 * Preprocessed images and their class indices.
 *
 * @param pixels NCHW normalised, {@code labels.length * 3 * size * size} values
 * @param labels class index of each image
 * @param size   side of the square images in pixels
 */
public record TrainingBatch(float[] pixels, int[] labels, int size) {
    public TrainingBatch {
        if (labels.length == 0 || pixels.length != (long) labels.length * 3 * size * size) {
            throw new IllegalArgumentException("batch of " + labels.length + " images of " + size + " px needs "
                    + (long) labels.length * 3 * size * size + " values, got " + pixels.length);
        }
    }

    public int count() {
        return labels.length;
    }
}
