package org.itaestudio.transfer;

/**
 * Learning rate per optimiser step, as MAE's fine-tuning schedule (which the attention-transfer code uses) computes
 * it: a linear warm-up from 0, then a half cosine down to {@code minLr} at the last step.
 *
 * @param baseLr      peak learning rate, reached when warm-up ends
 * @param minLr       learning rate the cosine ends at
 * @param warmupSteps steps of linear warm-up (0 for none)
 * @param totalSteps  steps of the whole run
 */
public record LearningRateSchedule(double baseLr, double minLr, int warmupSteps, int totalSteps) {

    public LearningRateSchedule {
        if (!(baseLr >= 0 && minLr >= 0 && minLr <= baseLr) || warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("invalid schedule: lr " + baseLr + ", min " + minLr + ", warm-up "
                    + warmupSteps + " of " + totalSteps + " steps");
        }
    }

    /** The learning rate of step {@code step} (0-based). */
    public double at(int step) {
        if (step < warmupSteps) {
            return baseLr * step / warmupSteps;
        }
        double t = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
}
