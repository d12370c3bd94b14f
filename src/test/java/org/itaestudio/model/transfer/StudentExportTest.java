package org.itaestudio.model.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.ForwardResult;
import org.itaestudio.model.Pooling;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.model.weights.SafetensorsReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The exported student/ is the trained student: the app's loader + the head give the student's own logits. */
class StudentExportTest {

    static final DinoV2Config TEACHER = new DinoV2Config(16, 2, 2, 64, DinoV2Config.FfnType.MLP, 0, 4, 2, 1e-6, false, 0.0);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(StudentArch.class)
    void theAppsLoaderAndTheHeadReproduceTheStudentsLogits(StudentArch arch) throws Exception {
        StudentConfig config = StudentConfig.like(TEACHER, arch, 2, 3);
        float[] pixels = new float[2 * 3 * 8 * 8];
        Random r = new Random(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        float[] expected;
        try (StudentVit student = StudentVit.initialise(config, 9, Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            expected = student.forward(m.create(pixels, new Shape(2, 3, 8, 8)), Map.of(), Set.of()).logits().toFloatArray();
            StudentExport.write(tmp.resolve("student"), student);
        }
        float[][] embeddings;
        try (LoadedCheckpoint ckpt = CheckpointLoader.open(tmp.resolve("student"));
             DinoV2 model = DinoV2.create(ckpt.config(), ckpt.weights(), Device.cpu())) {
            assertEquals(2, ckpt.config().posGrid());
            ForwardResult result = model.forward(pixels, 2, 8, 8, ForwardRequest.embedding(null, Pooling.CLS));
            embeddings = result.embeddings();
        }
        float[] w;
        float[] b;
        try (SafetensorsReader head = SafetensorsReader.open(tmp.resolve("student").resolve(StudentExport.HEAD_FILE))) {
            w = read(head.readFloats("head.weight"));
            b = read(head.readFloats("head.bias"));
        }
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                double logit = b[c];
                for (int d = 0; d < 16; d++) {
                    logit += w[c * 16 + d] * embeddings[i][d];
                }
                assertEquals(expected[i * 3 + c], logit, 1e-4, "image " + i + " class " + c);
            }
        }
        assertTrue(Math.abs(expected[0] - expected[1]) > 0, "the logits are not all equal");
    }

    private static float[] read(FloatBuffer fb) {
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
