package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.itae.ItaeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Behaviour of the engine that does not need golden files: ITAE off, incremental forward, batching, errors. */
class DinoV2BehaviourTest {

    static DinoV2 model;
    static final DinoV2Config CONFIG = DinoV2Config.of(128, 3, 4, DinoV2Config.FfnType.MLP);

    @BeforeAll
    static void load() throws Exception {
        model = DinoV2.create(CONFIG, new SyntheticWeights(CONFIG, 7), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static float[] pixels(int batch, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] p = new float[batch * 3 * h * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    @Test
    void itaeWithZeroStrengthOrNoLayersMatchesPlainBitForBit() {
        float[] x = pixels(2, 224, 224, 1);
        ForwardResult plain = model.forward(x, 2, 224, 224, ForwardRequest.plain());
        ItaeConfig zero = ItaeConfig.paperDefault(1e9).withStrength(0.0);
        ForwardResult s0 = model.forward(x, 2, 224, 224, ForwardRequest.plain().withItae(zero));
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(plain.embeddings()[i], s0.embeddings()[i]);
        }
        ForwardResult s1 = model.forward(x, 2, 224, 224, ForwardRequest.plain().withItae(zero.withStrength(1.0)));
        assertNotEquals(plain.embeddings()[0][0], s1.embeddings()[0][0], "strength 1 with every token an artifact must change the output");
    }

    @Test
    void batchEqualsSingleImages() {
        float[] x = pixels(3, 224, 280, 2);
        ForwardResult batch = model.forward(x, 3, 224, 280, ForwardRequest.plain());
        int per = 3 * 224 * 280;
        for (int i = 0; i < 3; i++) {
            float[] one = java.util.Arrays.copyOfRange(x, i * per, (i + 1) * per);
            ForwardResult single = model.forward(one, 1, 224, 280, ForwardRequest.plain());
            for (int d = 0; d < CONFIG.embedDim(); d++) {
                assertEquals(single.embeddings()[0][d], batch.embeddings()[i][d], 1e-4);
            }
        }
        assertEquals(16, batch.gridH());
        assertEquals(20, batch.gridW());
    }

    @Test
    void forwardFromCapturedStatesEqualsFullForward() {
        float[] x = pixels(2, 224, 224, 3);
        ItaeConfig itae = new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW, 0.8,
                ItaeConfig.Blocks.of(Set.of(2)), ItaeConfig.Rows.ALL);
        ForwardRequest req = ForwardRequest.plain().withItae(itae).withProbes(Set.of(2), false).withCapture(2);
        ForwardResult full = model.forward(x, 2, 224, 224, req);
        ForwardResult inc = model.forwardFrom(2, full.captured(), 16, 16, req.withCapture(-1));
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(full.embeddings()[i], inc.embeddings()[i], 1e-6f);
            assertArrayEquals(full.probes().get(2).artifacts()[i], inc.probes().get(2).artifacts()[i]);
        }
        int flagged = full.probes().get(2).artifacts()[0].length;
        assertTrue(flagged > 0 && flagged < 256, "auto threshold flags some but not all patches: " + flagged);
    }

    @Test
    void clsFastPathEqualsFullForwardForLastBlockItae() {
        float[] x = pixels(3, 224, 224, 5);
        ForwardResult plain = model.forward(x, 3, 224, 224, ForwardRequest.plain().withClsStateCapture(true));
        assertEquals(3, plain.clsStates().length);
        // plain model from the states: no ITAE
        DinoV2.ClsReembedding none = model.embedFromClsStates(plain.clsStates(), null);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(plain.embeddings()[i], none.embeddings()[i], 1e-5f);
        }
        ItaeConfig[] settings = {
            new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW, 1.0, ItaeConfig.Blocks.LAST, ItaeConfig.Rows.CLS),
            new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW, 0.5, ItaeConfig.Blocks.of(Set.of(2)), ItaeConfig.Rows.CLS),
            new ItaeConfig(ItaeConfig.Component.K, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.ABOVE, 0.7, ItaeConfig.Blocks.LAST, ItaeConfig.Rows.CLS),
            new ItaeConfig(ItaeConfig.Component.Q, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW, 1.0, ItaeConfig.Blocks.LAST, ItaeConfig.Rows.CLS),
        };
        for (ItaeConfig c : settings) {
            ForwardResult full = model.forward(x, 3, 224, 224, ForwardRequest.plain().withItae(c).withProbes(Set.of(2), false));
            DinoV2.ClsReembedding fast = model.embedFromClsStates(plain.clsStates(), c);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(full.embeddings()[i], fast.embeddings()[i], 1e-5f, c.key());
                assertArrayEquals(full.probes().get(2).artifacts()[i], fast.artifacts()[i], c.key());
                assertTrue(fast.artifacts()[i].length > 0, "auto threshold flags some tokens");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> model.embedFromClsStates(plain.clsStates(),
                settings[0].withRows(ItaeConfig.Rows.ALL)));
    }

    @Test
    void probesHaveTheDocumentedShapes() {
        ForwardResult r = model.forward(pixels(1, 224, 224, 4), 1, 224, 224,
                ForwardRequest.plain().withProbes(Set.of(0, 2), true).withPatchTokens(true));
        LayerProbe p = r.probes().get(0);
        int n = 1 + 4 + 256;
        assertEquals(n, p.vNorm()[0].length);
        assertEquals(2, p.clsAttention()[0].length);
        assertEquals(256, p.clsAttention()[0][0].length);
        assertEquals(n, p.attention()[0][1][5].length);
        float rowSum = 0;
        for (float a : p.attention()[0][1][5]) {
            rowSum += a;
        }
        assertEquals(1f, rowSum, 1e-5f);
        assertEquals(256, r.patchTokens()[0].length);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> model.forward(new float[3 * 200 * 224], 1, 200, 224, ForwardRequest.plain()));
        assertThrows(IllegalArgumentException.class, () -> model.forward(pixels(1, 224, 224, 0), 1, 224, 224,
                ForwardRequest.plain().withProbes(Set.of(3), false)));
    }
}
