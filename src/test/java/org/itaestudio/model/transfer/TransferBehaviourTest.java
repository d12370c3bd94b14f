package org.itaestudio.model.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.SafetensorsReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the training core promises beyond matching the reference numbers. */
class TransferBehaviourTest {

    static DinoV2 teacher;
    static final int SIZE = 32;

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

    static float[] randomPixels(int count, long seed) {
        Random r = new Random(seed);
        float[] px = new float[count * 3 * SIZE * SIZE];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return px;
    }

    static TransferSettings settings(TransferMode mode) {
        return new TransferSettings(mode, TransferSettings.defaultLayers(5), 3.0, AdamW.Settings.defaults(0.05));
    }

    @Test
    void copyingTheStudentsOwnAttentionGivesItsPlainForward() {
        StudentConfig config = TransferGoldens.student(StudentArch.NATIVE);
        try (StudentVit student = StudentVit.initialise(config, 7, Device.cpu());
             NDManager m = student.manager().newSubManager()) {
            NDArray pixels = m.create(randomPixels(3, 1), new Shape(3, 3, SIZE, SIZE));
            Set<Integer> layers = Set.of(0, 1, 2, 3, 4);
            StudentVit.Output plain = student.forward(pixels, Map.of(), layers);
            Map<Integer, NDArray> own = new java.util.HashMap<>();
            plain.scores().forEach((l, s) -> own.put(l, s.softmax(-1)));
            StudentVit.Output copied = student.forward(pixels, own, Set.of());
            float[] a = plain.logits().toFloatArray();
            float[] b = copied.logits().toFloatArray();
            assertArrayEquals(a, b, 0f, "copying softmax of its own scores is the plain forward, bit for bit");
            assertTrue(copied.scores().isEmpty(), "blocks attending with given weights have no scores of their own");
        }
    }

    /**
     * The teacher's weights on the device (its forward stopped after the last requested block) are the full
     * inference forward's full-attention probes bit for bit, ITAE included, and belong to the caller's manager.
     */
    @Test
    void theTeachersAttentionOnTheDeviceIsTheForwardsProbe() {
        ItaeConfig itae = ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO).withLayers(ItaeConfig.Blocks.of(Set.of(1)));
        int b = 3;
        float[] px = randomPixels(b, 5);
        for (ItaeConfig c : java.util.Arrays.asList(null, itae)) {
            SortedSet<Integer> layers = new TreeSet<>(Set.of(0, 1));
            org.itaestudio.model.ForwardResult full = teacher.forward(px, b, SIZE, SIZE,
                    org.itaestudio.model.ForwardRequest.plain().withItae(c).withProbes(layers, true));
            Map<Integer, float[]> kept = new TeacherAttention(teacher, c).attention(px, b, SIZE, layers);
            assertEquals(layers, kept.keySet());
            for (int layer : layers) {
                float[][][][] probe = full.probes().get(layer).attention();          // [B][H][N][N]
                float[] flat = kept.get(layer);
                int n = probe[0][0].length;
                int at = 0;
                for (float[][][] image : probe) {
                    for (float[][] head : image) {
                        for (float[] row : head) {
                            assertArrayEquals(row, Arrays.copyOfRange(flat, at, at + n), 0f,
                                    "block " + layer + (c == null ? "" : " with ITAE"));
                            at += n;
                        }
                    }
                }
                assertEquals(flat.length, at);
            }
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<Integer, NDArray> onDevice = new TeacherAttention(teacher, null).attention(px, b, SIZE,
                    new TreeSet<>(Set.of(1)), m);
            assertEquals(new Shape(b, 2, 17, 17), onDevice.get(1).getShape());
            assertEquals(m, onDevice.get(1).getManager(), "the caller's array, alive after the teacher's forward");
        }
    }

    @Test
    void itaeOnTheTeacherChangesExactlyTheEngineeredRows() {
        SortedSet<Integer> layers = new TreeSet<>(Set.of(0, 1));
        ItaeConfig itae = ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO).withLayers(ItaeConfig.Blocks.of(Set.of(1)));
        int b = 4;
        float[] px = randomPixels(b, 2);
        Map<Integer, float[]> plain = new TeacherAttention(teacher, null).attention(px, b, SIZE, layers);
        Map<Integer, float[]> engineered = new TeacherAttention(teacher, itae).attention(px, b, SIZE, layers);
        assertArrayEquals(plain.get(0), engineered.get(0), 0f, "a block before the ITAE block is untouched");
        int n = 17;
        int heads = 2;
        int changedClsRows = 0;
        float[] p = plain.get(1);
        float[] e = engineered.get(1);
        for (int img = 0; img < b; img++) {
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < n; q++) {
                    int at = ((img * heads + h) * n + q) * n;
                    float[] rowP = Arrays.copyOfRange(p, at, at + n);
                    float[] rowE = Arrays.copyOfRange(e, at, at + n);
                    if (q == 0) {
                        changedClsRows += Arrays.equals(rowP, rowE) ? 0 : 1;
                    } else {
                        assertArrayEquals(rowP, rowE, 0f, "row " + q + " of image " + img + " head " + h + " is not engineered");
                    }
                }
            }
        }
        assertEquals(b * heads, changedClsRows, "the auto threshold flags artifacts in every image: every CLS row changes");
    }

    @Test
    void lossesChangeNothingAndStepsLearn() {
        StudentConfig config = TransferGoldens.student(StudentArch.NATIVE);
        TrainingBatch batch = new TrainingBatch(randomPixels(4, 3), new int[] {0, 1, 2, 0}, SIZE);
        try (StudentVit student = StudentVit.initialise(config, 11, Device.cpu());
             TransferTrainer trainer = new TransferTrainer(new TeacherAttention(teacher, null), student,
                     settings(TransferMode.DISTILL))) {
            Map<String, float[]> before = student.weights();
            StepLosses first = trainer.losses(batch);
            StepLosses again = trainer.losses(batch);
            assertEquals(first.total(), again.total(), 0.0);
            student.weights().forEach((name, w) -> assertArrayEquals(before.get(name), w, 0f, name));
            assertEquals(2, first.attentionPerLayer().length);
            assertEquals(first.classification() + 3 * first.attention(), first.total(), 1e-4);
            StepLosses last = first;
            for (int i = 0; i < 20; i++) {
                last = trainer.step(batch, 3e-3);
            }
            // observed 18.1 -> 13.5: the student's attention moves towards the teacher's
            assertTrue(last.total() < 0.9 * first.total(), "20 steps on one batch: " + first.total() + " -> " + last.total());
            assertTrue(last.attention() < first.attention(), first.attention() + " -> " + last.attention());
        }
    }

    @Test
    void scratchNeedsNoTeacherAndHasNoAttentionLoss() {
        StudentConfig config = TransferGoldens.student(StudentArch.STANDARD);
        TrainingBatch batch = new TrainingBatch(randomPixels(2, 4), new int[] {2, 1}, SIZE);
        try (StudentVit student = StudentVit.initialise(config, 5, Device.cpu());
             TransferTrainer trainer = new TransferTrainer(null, student, settings(TransferMode.SCRATCH))) {
            StepLosses l = trainer.step(batch, 1e-3);
            assertEquals(0.0, l.attention());
            assertEquals(l.classification(), l.total(), 0.0);
            assertTrue(Math.abs(l.classification() - Math.log(3)) < 0.1, "a fresh head guesses uniformly: " + l.classification());
        }
    }

    @Test
    void seededInitialisationIsReproducibleAndFollowsTheRule() {
        StudentConfig config = TransferGoldens.student(StudentArch.NATIVE);
        try (StudentVit a = StudentVit.initialise(config, 42, Device.cpu());
             StudentVit b = StudentVit.initialise(config, 42, Device.cpu());
             StudentVit c = StudentVit.initialise(config, 43, Device.cpu())) {
            Map<String, float[]> wa = a.weights();
            wa.forEach((name, w) -> assertArrayEquals(w, b.weights().get(name), 0f, name));
            assertFalse(Arrays.equals(wa.get("blocks.0.attn.qkv.weight"), c.weights().get("blocks.0.attn.qkv.weight")));
            assertEquals(config.parameterShapes().keySet(), wa.keySet());
            assertTrue(allEqual(wa.get("blocks.3.ls1.gamma"), 0.1f));
            assertTrue(allEqual(wa.get("blocks.3.norm2.weight"), 1f));
            assertTrue(allEqual(wa.get("head.bias"), 0f));
            float[] qkv = wa.get("blocks.0.attn.qkv.weight");
            double max = 0;
            for (float v : qkv) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max <= 0.04 && max > 0.02, "normal std 0.02 truncated at 2 std: max " + max);
        }
    }

    static boolean allEqual(float[] values, float v) {
        for (float x : values) {
            if (x != v) {
                return false;
            }
        }
        return true;
    }

    @Test
    void copyAndDistillRefuseAMismatchedStudent() {
        DinoV2Config t = TransferGoldens.TEACHER;
        DinoV2Config fourHeads = new DinoV2Config(32, 5, 4, 128, DinoV2Config.FfnType.MLP, 0, 8, 4, 1e-6, false, 0.0);
        DinoV2Config registers = new DinoV2Config(32, 5, 2, 128, DinoV2Config.FfnType.MLP, 1, 8, 4, 1e-6, false, 0.0);
        DinoV2Config patch4 = new DinoV2Config(32, 5, 2, 128, DinoV2Config.FfnType.MLP, 0, 4, 8, 1e-6, false, 0.0);
        DinoV2Config shallow = new DinoV2Config(32, 1, 2, 128, DinoV2Config.FfnType.MLP, 0, 8, 4, 1e-6, false, 0.0);
        TransferSettings distill = settings(TransferMode.DISTILL);
        assertRefused("2 heads", () -> TransferTrainer.checkCompatible(t, fourHeads, distill), "4 heads differ from the teacher's 2");
        assertRefused("registers", () -> TransferTrainer.checkCompatible(t, registers, distill), "token layout");
        assertRefused("patch", () -> TransferTrainer.checkCompatible(t, patch4, distill), "patch size 4 differs");
        assertRefused("depth", () -> TransferTrainer.checkCompatible(t, shallow, distill), "transferred layer 1 does not exist");
        TransferTrainer.checkCompatible(t, t, distill);
        assertThrows(IllegalArgumentException.class, () -> new TransferSettings(TransferMode.COPY, new TreeSet<>(), 3,
                AdamW.Settings.defaults(0)), "copy with no transferred layer");
    }

    static void assertRefused(String what, org.junit.jupiter.api.function.Executable check, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, check, what);
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void nativeStudentKeepsTheTeachersRegistersAndSwiGlu() {
        DinoV2Config giantLike = new DinoV2Config(32, 2, 2, DinoV2Config.swigluHidden(32), DinoV2Config.FfnType.SWIGLU,
                4, 8, 4, 1e-6, true, 0.0);
        StudentConfig nativeStudent = StudentConfig.like(giantLike, StudentArch.NATIVE, 4, 3);
        StudentConfig standardStudent = StudentConfig.like(giantLike, StudentArch.STANDARD, 4, 3);
        assertEquals(21, nativeStudent.tokens());
        assertEquals(17, standardStudent.tokens());
        assertTrue(nativeStudent.parameterShapes().containsKey("blocks.1.mlp.w12.weight"));
        assertTrue(nativeStudent.parameterShapes().containsKey("register_tokens"));
        assertFalse(standardStudent.parameterShapes().containsKey("blocks.1.ls1.gamma"));
        assertTrue(standardStudent.parameterShapes().containsKey("blocks.1.mlp.fc1.weight"));
        try (StudentVit student = StudentVit.initialise(nativeStudent, 1, Device.cpu());
             NDManager m = student.manager().newSubManager()) {
            NDArray pixels = m.create(randomPixels(2, 9), new Shape(2, 3, SIZE, SIZE));
            StudentVit.Output out = student.forward(pixels, Map.of(), Set.of(0));
            assertEquals(new Shape(2, 3), out.logits().getShape());
            assertEquals(new Shape(2, 2, 21, 21), out.scores().get(0).getShape());
        }
    }
}
