package org.itaestudio.model.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.weights.SafetensorsReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded training is a function of its inputs: the same run twice in one JVM, or on a thread that did not load the
 * engine, ends with the same bits, while the garbage collector frees and malloc reuses native memory underneath.
 */
class TrainingReproducibilityTest {

    static final int STEPS = 6;
    static DinoV2 teacher;

    @BeforeAll
    static void loadTeacher() throws Exception {
        try (SafetensorsReader r = SafetensorsReader.open(TransferGoldens.path("teacher.safetensors"))) {
            teacher = DinoV2.create(TransferGoldens.TEACHER, r, Device.cpu());
        }
    }

    @AfterAll
    static void closeTeacher() {
        if (teacher != null) {
            teacher.close();
        }
    }

    record Finished(List<Float> losses, Map<String, float[]> weights, Map<String, float[]> first,
                    Map<String, float[]> second) {
    }

    static Finished train(TransferMode mode) {
        TransferSettings settings = new TransferSettings(mode, mode == TransferMode.SCRATCH ? new TreeSet<>()
                : TransferSettings.defaultLayers(5), 3.0, new AdamW.Settings(0.9, 0.999, 1e-8, 0.05, 1.0));
        List<Float> losses = new ArrayList<>();
        try (StudentVit student = StudentVit.initialise(TransferGoldens.student(StudentArch.NATIVE), 11, Device.cpu());
             TransferTrainer trainer = new TransferTrainer(mode == TransferMode.SCRATCH ? null
                     : new TeacherAttention(teacher, null), student, settings)) {
            for (int step = 0; step < STEPS; step++) {
                TrainingBatch batch = new TrainingBatch(TransferBehaviourTest.randomPixels(4, 100 + step % 3),
                        new int[] {0, 1, 2, step % 3}, TransferBehaviourTest.SIZE);
                losses.add((float) trainer.step(batch, 3e-3).total());
            }
            return new Finished(losses, student.weights(), trainer.optimizer().moments(true),
                    trainer.optimizer().moments(false));
        }
    }

    static void assertSameBits(Finished a, Finished b) {
        assertEquals(a.losses(), b.losses(), "losses step by step");
        a.weights().forEach((name, w) -> assertArrayEquals(w, b.weights().get(name), "weights " + name));
        a.first().forEach((name, m) -> assertArrayEquals(m, b.first().get(name), "first moment " + name));
        a.second().forEach((name, v) -> assertArrayEquals(v, b.second().get(name), "second moment " + name));
    }

    /** Distill covers both constants of the recorded graph (1/sqrt(hd) and lambda); copy runs the same code. */
    @ParameterizedTest
    @EnumSource(value = TransferMode.class, names = {"SCRATCH", "DISTILL"})
    void twoSeededRunsInOneJvmEndBitForBitTheSame(TransferMode mode) throws Exception {
        Finished first;
        Finished second;
        try (NativeMemoryChurn churn = NativeMemoryChurn.start()) {
            first = train(mode);
            second = train(mode);
        }
        assertSameBits(first, second);
        assertTrue(first.losses().stream().allMatch(Float::isFinite), first.losses().toString());
    }

    @org.junit.jupiter.api.Test
    void aRunOnAThreadThatDidNotLoadTheEngineEndsTheSame() throws Exception {
        TransferMode mode = TransferMode.DISTILL;
        Finished here = train(mode);
        AtomicReference<Object> there = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                there.set(train(mode));
            } catch (RuntimeException e) {
                there.set(e);
            }
        }, "training-worker");
        worker.start();
        worker.join();
        if (there.get() instanceof RuntimeException e) {
            throw new AssertionError("training on a new thread failed: " + e.getMessage(), e);
        }
        assertSameBits(here, (Finished) there.get());
    }
}
