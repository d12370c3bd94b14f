package org.itaestudio.model.transfer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.itaestudio.model.DinoV2Config;

/**
 * One student learning from one teacher: the losses of a batch, its gradients, and AdamW updates. The teacher runs
 * first, outside the gradient collector, and its attention enters the student's graph as a constant.
 *
 * <p>Owns the optimiser; the student and teacher stay the caller's.
 */
public final class TransferTrainer implements AutoCloseable {

    private static final Object COLLECTING = new Object();

    private final TeacherAttention teacher;
    private final StudentVit student;
    private final TransferSettings settings;
    private final AdamW optimizer;

    /**
     * @param teacher the teacher, or null for scratch
     * @throws IllegalArgumentException when copy or distill pair a student and teacher that differ in patch size,
     *                                  token layout or heads, or a transferred layer is missing from either
     */
    public TransferTrainer(TeacherAttention teacher, StudentVit student, TransferSettings settings) {
        if (settings.mode() != TransferMode.SCRATCH) {
            if (teacher == null) {
                throw new IllegalArgumentException(settings.mode().name().toLowerCase(java.util.Locale.ROOT) + " needs a teacher");
            }
            checkCompatible(teacher.config(), student.config().backbone(), settings);
        }
        this.teacher = teacher;
        this.student = student;
        this.settings = settings;
        this.optimizer = new AdamW(student, settings.optimizer());
    }

    /** Copy and distill need the same patch size, tokens and heads; every transferred block must exist in both. */
    static void checkCompatible(DinoV2Config t, DinoV2Config s, TransferSettings settings) {
        String why = null;
        if (t.patchSize() != s.patchSize()) {
            why = "patch size " + s.patchSize() + " differs from the teacher's " + t.patchSize();
        } else if (t.numRegisters() != s.numRegisters()) {
            why = s.numRegisters() + " registers differ from the teacher's " + t.numRegisters() + " (token layout)";
        } else if (t.numHeads() != s.numHeads()) {
            why = s.numHeads() + " heads differ from the teacher's " + t.numHeads();
        } else if (settings.layers().last() >= Math.min(t.depth(), s.depth())) {
            why = "transferred layer " + settings.layers().last() + " does not exist in a "
                    + Math.min(t.depth(), s.depth()) + "-block model";
        }
        if (why != null) {
            throw new IllegalArgumentException("student cannot " + settings.mode().name().toLowerCase(java.util.Locale.ROOT)
                    + " from this teacher: " + why);
        }
    }

    public StudentVit student() {
        return student;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The losses of a batch, changing nothing (no gradients). */
    public StepLosses losses(TrainingBatch batch) {
        return run(batch, false);
    }

    /** The losses of a batch, leaving their gradients on the student's parameters (see {@link StudentVit#gradients()}). */
    public StepLosses backward(TrainingBatch batch) {
        return run(batch, true);
    }

    /** One AdamW update from the gradients left by {@link #backward}; returns the gradient norm before clipping. */
    public double update(double lr) {
        return optimizer.step(lr);
    }

    /** backward, then update. */
    public StepLosses step(TrainingBatch batch, double lr) {
        StepLosses losses = backward(batch);
        update(lr);
        return losses;
    }

    private StepLosses run(TrainingBatch batch, boolean withGradients) {
        int size = student.config().imageSize();
        if (batch.size() != size) {
            throw new IllegalArgumentException("batch images are " + batch.size() + " px, the student trains on " + size);
        }
        // every array the recorded graph reads (inputs, constants) belongs to m, which closes after the backward pass
        try (NoGrad noGrad = NoGrad.enter(); NDManager m = student.manager().newSubManager()) {
            NDArray pixels = m.create(batch.pixels(), new Shape(batch.count(), 3, size, size));
            Map<Integer, NDArray> teacherAttention = teacherAttention(m, batch);
            NDArray oneHot = oneHot(m, batch.labels(), student.config().numClasses());
            NDArray atdWeight = m.create((float) settings.atdWeight());
            if (!withGradients) {
                return compute(pixels, oneHot, teacherAttention, atdWeight).losses();
            }
            // DJL allows one collector at a time in the whole process: concurrent trainers take turns here
            synchronized (COLLECTING) {
                try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    Computed c = compute(pixels, oneHot, teacherAttention, atdWeight);
                    collector.backward(c.total());
                    return c.losses();
                }
            }
        }
    }


    private record Computed(NDArray total, StepLosses losses) {
    }

    private Computed compute(NDArray pixels, NDArray oneHot, Map<Integer, NDArray> teacherAttention, NDArray atdWeight) {
        TransferMode mode = settings.mode();
        Map<Integer, NDArray> given = mode == TransferMode.COPY ? teacherAttention : Map.of();
        Set<Integer> scoreLayers = mode == TransferMode.DISTILL ? settings.layers() : Set.of();
        StudentVit.Output out = student.forward(pixels, given, scoreLayers);
        NDArray ce = TransferLosses.crossEntropy(out.logits(), oneHot);
        NDArray total = ce;
        double[] perLayer = new double[0];
        double attention = 0;
        if (mode == TransferMode.DISTILL) {
            perLayer = new double[settings.layers().size()];
            NDArray sum = null;
            int i = 0;
            for (int layer : settings.layers()) {
                NDArray l = TransferLosses.attentionCrossEntropy(teacherAttention.get(layer), out.scores().get(layer));
                perLayer[i++] = l.getFloat();
                sum = sum == null ? l : sum.add(l);
            }
            attention = sum.getFloat();
            total = ce.add(sum.mul(atdWeight));
        }
        int correct = 0;
        long[] predicted = out.logits().argMax(1).toLongArray();
        float[] hot = oneHot.toFloatArray();
        int classes = student.config().numClasses();
        for (int i = 0; i < predicted.length; i++) {
            correct += hot[i * classes + (int) predicted[i]] == 1f ? 1 : 0;
        }
        return new Computed(total, new StepLosses(ce.getFloat(), attention, total.getFloat(), perLayer, correct));
    }

    /**
     * The student's class for each image, as it runs at inference: with the teacher's attention when copying
     * (the teacher runs at inference too), alone otherwise.
     */
    public int[] predict(float[] pixels, int count) {
        float[][] p = probabilities(pixels, count);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            for (int c = 1; c < p[i].length; c++) {
                out[i] = p[i][c] > p[i][out[i]] ? c : out[i];
            }
        }
        return out;
    }

    /** Softmax of the student's logits per image [count][classes], run as {@link #predict} runs it. */
    public float[][] probabilities(float[] pixels, int count) {
        int size = student.config().imageSize();
        int classes = student.config().numClasses();
        try (NoGrad noGrad = NoGrad.enter(); NDManager m = student.manager().newSubManager()) {
            NDArray x = m.create(pixels, new Shape(count, 3, size, size));
            TrainingBatch asBatch = new TrainingBatch(pixels, new int[count], size);
            Map<Integer, NDArray> given = settings.mode() == TransferMode.COPY ? teacherAttention(m, asBatch) : Map.of();
            float[] flat = student.forward(x, given, Set.of()).logits().softmax(1).toFloatArray();
            float[][] out = new float[count][classes];
            for (int i = 0; i < count; i++) {
                System.arraycopy(flat, i * classes, out[i], 0, classes);
            }
            return out;
        }
    }

    private Map<Integer, NDArray> teacherAttention(NDManager m, TrainingBatch batch) {
        Map<Integer, NDArray> out = new LinkedHashMap<>();
        if (settings.mode() == TransferMode.SCRATCH) {
            return out;
        }
        out.putAll(teacher.attention(batch.pixels(), batch.count(), batch.size(), settings.layers(), m));
        return out;
    }

    private static NDArray oneHot(NDManager m, int[] labels, int classes) {
        float[] v = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " outside 0.." + (classes - 1));
            }
            v[i * classes + labels[i]] = 1f;
        }
        return m.create(v, new Shape(labels.length, classes));
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
