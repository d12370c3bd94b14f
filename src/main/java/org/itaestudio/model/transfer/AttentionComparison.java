package org.itaestudio.model.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.ComputeDevice;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.model.weights.SafetensorsReader;

/**
 * A run's teacher and its trained student looking at one image: softmax(A_l) of the teacher (with the run's ITAE)
 * and softmax(S_l) of the student in one block, and how far apart they are.
 *
 * <p>The student's map is always its own softmax(q k^T / sqrt(hd)). In copy mode the blocks before the chosen one
 * attend with the teacher's weights, as the student runs; in a transferred block a copy student does not use its own
 * map at all ({@link Result#studentUsesTeacher()}).
 */
public final class AttentionComparison {

    /**
     * One block of one image.
     *
     * @param layer              the block
     * @param head               the head of the two CLS-row maps
     * @param heads              heads of the block
     * @param grid               side of the patch grid
     * @param teacherCls         teacher's CLS row over the patch tokens, {@code grid * grid} values (chosen head)
     * @param studentCls         student's CLS row over the patch tokens (chosen head)
     * @param headClsKl          KL(teacher || student) of the chosen head's CLS row over all tokens, in nats
     * @param meanKl             KL(teacher || student) averaged over every head and query row of the block
     * @param teacherEntropy     the teacher's row entropy averaged the same way (meanKl + teacherEntropy is
     *                           distillation's attention loss of this block on this image)
     * @param studentUsesTeacher a copy student attends with the teacher's map in this block
     */
    public record Result(int layer, int head, int heads, int grid, float[] teacherCls, float[] studentCls,
                         double headClsKl, double meanKl, double teacherEntropy, boolean studentUsesTeacher) {
    }

    private AttentionComparison() {
    }

    /**
     * Opens the teacher and the student of a run's checkpoint and compares their attention on one image.
     *
     * @param teacherFile the run's resolved teacher
     * @param itae        ITAE on the teacher as the run had it, or null
     * @param shape       the run's student shape (nulls take the teacher's)
     * @param side        the square side the student trains on
     * @param studentInit the model the run's student started from (it gave the shape), or null
     * @param classes     the run's classes
     * @param settings    the run's mode and transferred layers
     * @param checkpoint  the run's checkpoint
     * @param pixels      one preprocessed image, {@code 3 * side * side}
     * @throws IllegalArgumentException when the two cannot be compared (patch size, token layout or heads differ,
     *                                  or the block or head does not exist)
     */
    public static Result compare(Path teacherFile, ItaeConfig itae, TransferSession.StudentShape shape,
                                 Path studentInit, int side, int classes, TransferSettings settings, Path checkpoint,
                                 float[] pixels, int layer, int head, DeviceChoice deviceChoice) throws IOException {
        ComputeDevice device = ComputeDevice.resolve(deviceChoice);
        try (LoadedCheckpoint ckpt = CheckpointLoader.open(teacherFile)) {
            DinoV2Config tc = ckpt.config();
            StudentConfig config = TransferSession.studentConfig(tc, shape,
                    studentInit == null ? null : TransferSession.readConfig(studentInit), side, classes);
            DinoV2Config sc = config.backbone();
            if (tc.patchSize() != sc.patchSize() || tc.numRegisters() != sc.numRegisters() || tc.numHeads() != sc.numHeads()) {
                throw new IllegalArgumentException("the student's patch size, registers or heads differ from the "
                        + "teacher's: their attention maps cannot be compared");
            }
            if (layer < 0 || layer >= Math.min(tc.depth(), sc.depth()) || head < 0 || head >= sc.numHeads()) {
                throw new IllegalArgumentException("no block " + layer + " / head " + head + " in both models");
            }
            try (DinoV2 teacherModel = DinoV2.create(tc, ckpt.weights(), device.device());
                 SafetensorsReader reader = SafetensorsReader.open(checkpoint);
                 StudentVit student = StudentVit.load(config, reader, device.device())) {
                TeacherAttention teacher = new TeacherAttention(teacherModel, itae);
                return compare(teacher, student, settings, pixels, layer, head);
            }
        }
    }

    /** Compares a loaded teacher and student (which stay the caller's). */
    static Result compare(TeacherAttention teacher, StudentVit student, TransferSettings settings, float[] pixels,
                          int layer, int head) {
        StudentConfig config = student.config();
        int side = config.imageSize();
        int n = config.tokens();
        int heads = config.backbone().numHeads();
        boolean copy = settings.mode() == TransferMode.COPY;
        TreeSet<Integer> wanted = new TreeSet<>();
        wanted.add(layer);
        if (copy) {
            wanted.addAll(settings.layers());
        }
        Map<Integer, float[]> teacherMaps = teacher.attention(pixels, 1, side, wanted);      // [1, H, N, N] each
        float[] studentScores;
        try (NoGrad off = NoGrad.enter(); NDManager m = student.manager().newSubManager()) { // no graph: a look only
            NDArray x = m.create(pixels, new Shape(1, 3, side, side));
            Map<Integer, NDArray> given = new HashMap<>();
            if (copy) {
                for (int l : settings.layers()) {
                    if (l != layer) {
                        given.put(l, m.create(teacherMaps.get(l), new Shape(1, heads, n, n)));
                    }
                }
            }
            studentScores = student.forward(x, given, Set.of(layer)).scores().get(layer).toFloatArray(); // [1, H, N, N]
        }
        float[] p = teacherMaps.get(layer);
        int prefix = config.backbone().prefixTokens();
        int grid = config.backbone().posGrid();
        double sum = 0;
        double entropy = 0;
        double headCls = 0;
        float[] teacherCls = new float[n - prefix];
        float[] studentCls = new float[n - prefix];
        double[] logQ = new double[n];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                int row = (h * n + i) * n;
                logSoftmax(studentScores, row, n, logQ);
                double kl = 0;
                for (int j = 0; j < n; j++) {
                    double pj = p[row + j];
                    kl += pj > 0 ? pj * (Math.log(pj) - logQ[j]) : 0;
                    entropy -= pj > 0 ? pj * Math.log(pj) : 0;
                }
                sum += kl;
                if (h == head && i == 0) {
                    headCls = kl;
                    for (int j = prefix; j < n; j++) {
                        teacherCls[j - prefix] = p[row + j];
                        studentCls[j - prefix] = (float) Math.exp(logQ[j]);
                    }
                }
            }
        }
        return new Result(layer, head, heads, grid, teacherCls, studentCls, headCls, sum / ((double) heads * n),
                entropy / ((double) heads * n), copy && settings.layers().contains(layer));
    }

    private static void logSoftmax(float[] scores, int from, int n, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, scores[from + j]);
        }
        double z = 0;
        for (int j = 0; j < n; j++) {
            z += Math.exp(scores[from + j] - max);
        }
        double log = max + Math.log(z);
        for (int j = 0; j < n; j++) {
            out[j] = scores[from + j] - log;
        }
    }
}
