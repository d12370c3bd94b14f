package org.itaestudio.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.transfer.AdamW;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.StudentConfig;
import org.itaestudio.model.transfer.StudentVit;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSettings;
import org.itaestudio.model.transfer.TransferTrainer;
import org.itaestudio.progress.Progress;
import org.junit.jupiter.api.Test;

class TransferTrainingTest {

    static final int SIZE = 16;
    static final DinoV2Config TINY = new DinoV2Config(16, 2, 2, 64, DinoV2Config.FfnType.MLP, 0, 8, 2, 1e-6, false, 0.0);

    /** Class 0: red; class 1: blue; plus noise. (Content a ViT sees without positions: left/right halves it does not.) */
    static LabelledImages redOrBlue(int count, long seed) {
        Random r = new Random(seed);
        float[][] px = new float[count][3 * SIZE * SIZE];
        int[] y = new int[count];
        for (int i = 0; i < count; i++) {
            y[i] = i % 2;
            for (int c = 0; c < 3; c++) {
                for (int row = 0; row < SIZE; row++) {
                    for (int col = 0; col < SIZE; col++) {
                        boolean bright = c == (y[i] == 0 ? 0 : 2);
                        px[i][(c * SIZE + row) * SIZE + col] = (bright ? 1f : -1f) + 0.5f * (float) r.nextGaussian();
                    }
                }
            }
        }
        return new LabelledImages(px, y, SIZE);
    }

    static List<EpochMetrics> train(TransferTraining.Plan plan, List<Progress> progress, int cancelAfterSteps) {
        StudentConfig config = StudentConfig.like(TINY, StudentArch.STANDARD, 2, 2);
        TransferSettings settings = new TransferSettings(TransferMode.SCRATCH, new java.util.TreeSet<>(), 3,
                AdamW.Settings.defaults(0.05));
        AtomicInteger steps = new AtomicInteger();
        try (StudentVit student = StudentVit.initialise(config, 3, Device.cpu());
             TransferTrainer trainer = new TransferTrainer(null, student, settings)) {
            List<EpochMetrics> m = TransferTraining.run(trainer, redOrBlue(24, 1), redOrBlue(12, 2), plan, p -> {
                progress.add(p);
                steps.incrementAndGet();
            }, () -> steps.get() >= cancelAfterSteps);
            return m;
        }
    }

    @Test
    void epochsFollowThePlanLearnAndRepeatExactly() {
        TransferTraining.Plan plan = new TransferTraining.Plan(10, 8, 99, true, 1e-2, 1e-5, 1);
        List<Progress> progress = new ArrayList<>();
        List<EpochMetrics> first = train(plan, progress, Integer.MAX_VALUE);
        List<EpochMetrics> again = train(plan, new ArrayList<>(), Integer.MAX_VALUE);
        assertEquals(10, first.size());
        assertEquals(30, first.get(9).step(), "3 batches of 8 per epoch");
        assertEquals(30, progress.size());
        assertEquals(30, progress.get(29).total());
        assertEquals(first.stream().map(EpochMetrics::classificationLoss).toList(),
                again.stream().map(EpochMetrics::classificationLoss).toList(), "same seed, same run");
        assertEquals(1e-5, first.get(9).lr(), 1e-4, "the last step is near the end of the cosine");
        assertTrue(first.get(9).classificationLoss() < first.get(0).classificationLoss(), first.toString());
        assertTrue(first.get(9).valTop1() >= 0.9, "red against blue is easy: " + first);
    }

    @Test
    void cancellingStopsBetweenStepsKeepingFinishedEpochs() {
        TransferTraining.Plan plan = new TransferTraining.Plan(3, 8, 99, true, 1e-3, 0, 0);
        List<EpochMetrics> metrics = train(plan, new ArrayList<>(), 4);
        assertEquals(1, metrics.size(), "one whole epoch (3 steps) before the cancel at step 4");
    }

    @Test
    void batchOrderIsASeededPermutationPerEpoch() {
        int[] a = BatchOrder.epoch(5, 0, 50, true);
        assertArrayEquals(a, BatchOrder.epoch(5, 0, 50, true));
        assertNotEquals(Arrays.toString(a), Arrays.toString(BatchOrder.epoch(5, 1, 50, true)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertArrayEquals(BatchOrder.epoch(5, 0, 50, false), sorted);
    }
}
