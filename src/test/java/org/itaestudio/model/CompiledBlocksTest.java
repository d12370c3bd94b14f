package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.Set;
import org.itaestudio.Fixtures;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiled blocks (one TorchScript call) against the Java blocks, which DinoV2GoldenTest holds to the official
 * code: on every fixture architecture (plain MLP, 4 registers, SwiGLU with registers), at the checkpoint's own size and
 * at an interpolated one, pooled by CLS and by mean, with the patch tokens: bit for bit the same (the same kernels in
 * the same order), which is also what lets the plain forward stay bit-identical to ITAE at strength 0.
 */
class CompiledBlocksTest {

    private static float[] pixels(int batch, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] px = new float[batch * 3 * h * w];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return px;
    }

    @ParameterizedTest
    @ValueSource(strings = {"orig", "reg4", "swiglu_reg4"})
    void compiledAndJavaBlocksAgree(String checkpoint) throws Exception {
        try (LoadedCheckpoint ckpt = CheckpointLoader.open(Fixtures.path(checkpoint + "/hf"));
             DinoV2 model = DinoV2.create(ckpt.config(), ckpt.weights(), TestDevice.get())) {
            int p = model.config().patchSize();
            for (int[] size : new int[][] {{16 * p, 16 * p}, {20 * p, 16 * p}}) {
                float[] px = pixels(2, size[0], size[1], 11);
                for (Pooling pooling : Pooling.values()) {
                    ForwardRequest request = ForwardRequest.embedding(null, pooling).withPatchTokens(true);
                    ForwardResult java = model.forward(px, 2, size[0], size[1], request, false);
                    ForwardResult compiled = model.forward(px, 2, size[0], size[1], request, true);
                    assertTrue(model.compiledBlocksLoaded(), "the compiled blocks did not load");
                    for (int b = 0; b < 2; b++) {
                        assertArrayEquals(java.embeddings()[b], compiled.embeddings()[b], checkpoint + " " + pooling);
                        assertEquals(java.patchTokens()[b].length, compiled.patchTokens()[b].length);
                        for (int t = 0; t < java.patchTokens()[b].length; t++) {
                            assertArrayEquals(java.patchTokens()[b][t], compiled.patchTokens()[b][t],
                                    checkpoint + " patch token " + t);
                        }
                    }
                }
            }
        }
    }

    @Test
    void onlyRequestsThatAskNothingOfTheBlocksRunCompiled() {
        ForwardRequest plain = ForwardRequest.plain();
        assertTrue(plain.blocksOnly());
        assertTrue(plain.withPatchTokens(true).blocksOnly(), "pooling and patch tokens come after the blocks");
        assertFalse(plain.withItae(ItaeConfig.paperDefault(0.5)).blocksOnly());
        assertFalse(plain.withProbes(Set.of(0), false).blocksOnly());
        assertFalse(plain.withCapture(1).blocksOnly());
        assertFalse(plain.withClsStateCapture(true).blocksOnly());
        assertFalse(plain.withBlockNorms(true).blocksOnly());
    }

    @Test
    void runsRepeatedlyAndIsReleasedWithTheModel() throws Exception {
        DinoV2Config small = DinoV2Config.of(128, 2, 4, DinoV2Config.FfnType.MLP);
        DinoV2 model = DinoV2.create(small, new SyntheticWeights(small, 3), TestDevice.get());
        try {
            int s = 4 * small.patchSize();             // a 4 x 4 grid
            float[] px = pixels(1, s, s, 5);
            float[] first = model.forward(px, 1, s, s, ForwardRequest.plain()).embeddings()[0];
            for (int i = 0; i < 3; i++) { // the input is updated in place inside: each call must start afresh
                float[] again = model.forward(px, 1, s, s, ForwardRequest.plain()).embeddings()[0];
                assertEquals(0.0, Fixtures.maxAbsDiff(first, again), "call " + i);
            }
            assertTrue(model.compiledBlocksLoaded());
        } finally {
            model.close();
        }
        assertFalse(model.compiledBlocksLoaded(), "closed with the model");
    }
}
