package org.itaestudio.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.itaestudio.model.transfer.StepLosses;
import org.itaestudio.model.transfer.TrainingBatch;
import org.itaestudio.model.transfer.TransferTrainer;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * The epochs of a run: seeded batch order, the learning-rate schedule per step, validation after each epoch.
 * Every epoch visits all training images; the last batch of an epoch may be smaller.
 */
public final class TransferTraining {

    /**
     * @param epochs       passes over the training images
     * @param batchSize    images per optimiser step
     * @param seed         batch order seed
     * @param shuffle      false visits the images in the given order every epoch
     * @param baseLr       peak learning rate
     * @param minLr        learning rate at the end of the cosine
     * @param warmupEpochs epochs of linear warm-up
     */
    public record Plan(int epochs, int batchSize, long seed, boolean shuffle, double baseLr, double minLr, int warmupEpochs) {
        public Plan {
            if (epochs < 1 || batchSize < 1 || warmupEpochs < 0 || warmupEpochs >= epochs) {
                throw new IllegalArgumentException("invalid plan: " + epochs + " epochs of batch " + batchSize
                        + ", " + warmupEpochs + " warm-up epochs");
            }
        }

        int stepsPerEpoch(int images) {
            return (images + batchSize - 1) / batchSize;
        }

        LearningRateSchedule schedule(int images) {
            int per = stepsPerEpoch(images);
            return new LearningRateSchedule(baseLr, minLr, warmupEpochs * per, epochs * per);
        }
    }

    private TransferTraining() {
    }

    /**
     * Trains until the plan ends or {@code cancelled} answers true (checked between steps).
     *
     * @param val validation images, or null for none
     * @return the metrics of every finished epoch
     */
    public static List<EpochMetrics> run(TransferTrainer trainer, LabelledImages train, LabelledImages val, Plan plan,
                                         ProgressListener listener, BooleanSupplier cancelled) {
        LearningRateSchedule schedule = plan.schedule(train.count());
        int perEpoch = plan.stepsPerEpoch(train.count());
        long totalSteps = (long) perEpoch * plan.epochs();
        List<EpochMetrics> out = new ArrayList<>();
        int step = 0;
        for (int epoch = 0; epoch < plan.epochs(); epoch++) {
            int[] order = BatchOrder.epoch(plan.seed(), epoch, train.count(), plan.shuffle());
            double ce = 0;
            double atd = 0;
            int correct = 0;
            long started = System.nanoTime();
            for (int b = 0; b < perEpoch; b++) {
                if (cancelled.getAsBoolean()) {
                    return out;
                }
                TrainingBatch batch = train.batch(order, b * plan.batchSize(),
                        Math.min(train.count(), (b + 1) * plan.batchSize()));
                StepLosses losses = trainer.step(batch, schedule.at(step));
                step++;
                ce += losses.classification();
                atd += losses.attention();
                correct += losses.correct();
                listener.onProgress(Progress.of("Training epoch " + (epoch + 1), step, totalSteps));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            out.add(new EpochMetrics(epoch + 1, step, schedule.at(step - 1), ce / perEpoch, atd / perEpoch,
                    (double) correct / train.count(), val == null ? Double.NaN : top1(trainer, val, plan.batchSize()),
                    train.count() / seconds));
        }
        return out;
    }

    /** Fraction of images the student classifies right, as it runs at inference. */
    public static double top1(TransferTrainer trainer, LabelledImages images, int batchSize) {
        int[] order = BatchOrder.epoch(0, 0, images.count(), false);
        int correct = 0;
        for (int from = 0; from < images.count(); from += batchSize) {
            int to = Math.min(images.count(), from + batchSize);
            TrainingBatch batch = images.batch(order, from, to);
            int[] predicted = trainer.predict(batch.pixels(), batch.count());
            for (int i = 0; i < predicted.length; i++) {
                correct += predicted[i] == batch.labels()[i] ? 1 : 0;
            }
        }
        return (double) correct / images.count();
    }
}
