package org.itaestudio.transfer;

import java.util.SplittableRandom;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.transfer.TrainingBatch;

/**
 * A labelled folder augmented afresh each epoch. Image {@code i} of epoch {@code e} draws from a random stream seeded
 * by (seed, e, i) alone, so a batch is the same whatever ran before it (what a resumed run needs).
 */
public final class AugmentedImages implements TrainingImages {

    private final LabelledFolder data;
    private final Augmentation augmentation;
    private final Preprocessor eval;
    private final int side;
    private final long seed;

    public AugmentedImages(LabelledFolder data, Augmentation augmentation, Preprocessor eval, int side, long seed) {
        this.data = data;
        this.augmentation = augmentation;
        this.eval = eval;
        this.side = side;
        this.seed = seed;
    }

    /** The folder preprocessed once without augmentation (validation, prediction, {@code --augment none}). */
    public static LabelledImages evaluation(LabelledFolder data, Preprocessor eval, int side) {
        float[][] pixels = new float[data.count()][];
        for (int i = 0; i < data.count(); i++) {
            pixels[i] = eval.apply(data.images().get(i)).chw();
            if (pixels[i].length != 3 * side * side) {
                throw new IllegalArgumentException(data.paths().get(i) + " preprocesses to " + pixels[i].length / 3
                        + " pixels, the student needs " + side + "x" + side + " (set --crop to the student's size)");
            }
        }
        return new LabelledImages(pixels, data.labels().clone(), side);
    }

    @Override
    public int count() {
        return data.count();
    }

    @Override
    public TrainingBatch batch(int epoch, int[] order, int from, int to) {
        int per = 3 * side * side;
        float[] px = new float[(to - from) * per];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            int image = order[i];
            SplittableRandom random = new SplittableRandom((seed * 0x9E3779B97F4A7C15L + epoch) * 0xBF58476D1CE4E5B9L + image);
            float[] p = augmentation.apply(data.images().get(image), eval, side, random);
            System.arraycopy(p, 0, px, (i - from) * per, per);
            y[i - from] = data.labels()[image];
        }
        return new TrainingBatch(px, y, side);
    }
}
