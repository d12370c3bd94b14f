package org.itaestudio.model.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A student whose backbone starts from a model the app loads attends exactly as that model does. */
class StudentInitTest {

    /** Random DINOv2 weights with LayerScale gains far from 1 and a 4 x 4 position table (32 px, patch 8). */
    static final DinoV2Config SOURCE = TransferGoldens.TEACHER;

    /**
     * Every block's attention of the student (softmax of its scores) against the inference model's probes: equal
     * up to float rounding, at the source's own grid and at a larger one (position table resized).
     */
    @ParameterizedTest
    @CsvSource({"NATIVE, 32", "NATIVE, 48", "STANDARD, 32", "STANDARD, 48"})
    void theStudentStartsAsTheModel(StudentArch arch, int side) throws Exception {
        SyntheticWeights source = new SyntheticWeights(SOURCE, 17);
        int grid = side / SOURCE.patchSize();
        StudentConfig config = StudentConfig.like(SOURCE, arch, grid, 3);
        SortedSet<Integer> all = new TreeSet<>(Set.of(0, 1, 2, 3, 4));
        float[] px = TransferBehaviourTest.randomPixels(2, 5); // 2 x 3 x 32 x 32 values
        float[] pixels = side == 32 ? px : resizedNoise(2, side);
        try (DinoV2 model = DinoV2.create(SOURCE, source, Device.cpu());
             StudentVit student = StudentVit.initialiseFrom(config, 1, Device.cpu(), SOURCE, source);
             NDManager m = student.manager().newSubManager()) {
            Map<Integer, float[]> expected = new TeacherAttention(model, null).attention(pixels, 2, side, all);
            StudentVit.Output out = student.forward(m.create(pixels, new Shape(2, 3, side, side)), Map.of(), all);
            for (int layer : all) {
                float[] actual = out.scores().get(layer).softmax(-1).toFloatArray();
                float[] want = expected.get(layer);
                assertEquals(want.length, actual.length);
                double worst = 0;
                for (int i = 0; i < want.length; i++) {
                    worst = Math.max(worst, Math.abs(want[i] - actual[i]));
                }
                assertTrue(worst < 2e-5, arch + " at " + side + " px, block " + layer + ": attention differs by " + worst);
            }
        }
    }

    static float[] resizedNoise(int count, int side) {
        java.util.Random r = new java.util.Random(6);
        float[] px = new float[count * 3 * side * side];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return px;
    }

    @Test
    void theHeadStartsFromTheSeedAndTheBackboneFromTheModel() throws Exception {
        SyntheticWeights source = new SyntheticWeights(SOURCE, 17);
        StudentConfig config = StudentConfig.like(SOURCE, StudentArch.NATIVE, SOURCE.posGrid(), 3);
        try (StudentVit fromModel = StudentVit.initialiseFrom(config, 9, Device.cpu(), SOURCE, source);
             StudentVit random = StudentVit.initialise(config, 9, Device.cpu())) {
            Map<String, float[]> w = fromModel.weights();
            assertTrue(java.util.Arrays.equals(random.weights().get("head.weight"), w.get("head.weight")),
                    "the head is what the seed draws");
            float[] gamma = new float[32];
            source.readFloats("blocks.2.ls1.gamma").get(gamma);
            assertTrue(java.util.Arrays.equals(gamma, w.get("blocks.2.ls1.gamma")));
            assertFalse(java.util.Arrays.equals(random.weights().get("blocks.0.attn.qkv.weight"),
                    w.get("blocks.0.attn.qkv.weight")));
        }
    }

    @Test
    void aModelOfAnotherShapeIsRefusedInOneLine() {
        SyntheticWeights source = new SyntheticWeights(SOURCE, 17);
        DinoV2Config fourHeads = new DinoV2Config(32, 5, 4, 128, DinoV2Config.FfnType.MLP, 0, 8, 4, 1e-6, false, 0.0);
        StudentConfig config = StudentConfig.like(fourHeads, StudentArch.NATIVE, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StudentVit.initialiseFrom(config, 1, Device.cpu(), SOURCE, source));
        assertTrue(e.getMessage().contains("2 heads") && e.getMessage().contains("4 heads"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
