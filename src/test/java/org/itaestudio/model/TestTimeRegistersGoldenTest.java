package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.itaestudio.Fixtures;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Test-time registers against the independent PyTorch reference (tools/ttr_reference.py) on tiny S/14-shaped (GELU)
 * and g/14-shaped (SwiGLU, trained registers) models with planted register neurons, a batch of 4 images (each image
 * edited on its own): embeddings, mean-pooled patch tokens, every block's token norms and the CLS attention on the
 * appended registers, for zero / mean / only_outliers patch values, 1 and 2 registers, and with ITAE in the same
 * forward. Neurons are the reference's calibrated top-k (auto threshold).
 *
 * <p>Tolerances: embeddings and pooled tokens 1e-4 absolute; block norms 1e-4 relative (max(1, |x|)); attention
 * 1e-5 absolute.
 */
class TestTimeRegistersGoldenTest {

    static final int BATCH = 4;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : TtrFixtures.CASES) {
            for (String run : new String[] {"off", "zero_r1", "mean_r2", "only_outliers_r1", "zero_r1_itae", "itae"}) {
                out.add(Arguments.of(c, run));
            }
        }
        return out.stream();
    }

    static List<TestTimeRegisters.Neuron> calibrated(JsonObject golden) {
        List<TestTimeRegisters.Neuron> n = new ArrayList<>();
        for (JsonElement e : golden.getAsJsonObject("calibration").getAsJsonObject("auto").getAsJsonArray("neurons")) {
            JsonArray a = e.getAsJsonArray();
            n.add(new TestTimeRegisters.Neuron(a.get(0).getAsInt(), a.get(1).getAsInt()));
        }
        return n;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheReference(String name, String run) throws Exception {
        JsonObject golden = TtrFixtures.golden(name);
        JsonObject g = golden.getAsJsonObject("inference").getAsJsonObject(run);
        float[] all = TtrFixtures.images(name);
        float[] batch = Arrays.copyOf(all, BATCH * 3 * TtrFixtures.SIDE * TtrFixtures.SIDE);
        ForwardRequest request = ForwardRequest.plain().withBlockNorms(true);
        if (g.get("neurons").getAsBoolean()) {
            request = request.withTtr(new TestTimeRegisters(calibrated(golden), g.get("count").getAsInt(),
                    TestTimeRegisters.PatchValues.valueOf(g.get("patch_values").getAsString().toUpperCase())));
        }
        if (g.get("itae").getAsBoolean()) {
            request = request.withItae(new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO,
                    ItaeConfig.Direction.BELOW, 1.0, ItaeConfig.Blocks.LAST, ItaeConfig.Rows.ALL));
        }
        {
            DinoV2 model = TtrFixtures.model(name);
            int depth = model.config().depth();
            ForwardResult r = model.forward(batch, BATCH, TtrFixtures.SIDE, TtrFixtures.SIDE,
                    request.withProbes(Set.of(depth - 1), false));
            ForwardResult mean = model.forward(batch, BATCH, TtrFixtures.SIDE, TtrFixtures.SIDE,
                    ForwardRequest.embedding(request.itae(), Pooling.MEAN).withTtr(request.ttr()));
            JsonArray emb = g.getAsJsonArray("embedding");
            JsonArray pooled = g.getAsJsonArray("mean_pooled");
            for (int b = 0; b < BATCH; b++) {
                double e = Fixtures.maxAbsDiff(Fixtures.floats(emb.get(b)), r.embeddings()[b]);
                assertTrue(e < 1e-4, name + " " + run + " image " + b + " embedding error " + e);
                double p = Fixtures.maxAbsDiff(Fixtures.floats(pooled.get(b)), mean.embeddings()[b]);
                assertTrue(p < 1e-4, name + " " + run + " image " + b + " mean-pooled error " + p);
            }
            JsonArray norms = g.getAsJsonArray("block_norms");
            assertEquals(depth, norms.size());
            for (int l = 0; l < depth; l++) {
                for (int b = 0; b < BATCH; b++) {
                    double e = Fixtures.maxScaledDiff(Fixtures.floats(norms.get(l).getAsJsonArray().get(b)),
                            r.blockNorms()[l][b]);
                    assertTrue(e < 1e-4, name + " " + run + " block " + l + " image " + b + " norm error " + e);
                }
            }
            LayerProbe probe = r.probes().get(depth - 1);
            int patches = (TtrFixtures.SIDE / 14) * (TtrFixtures.SIDE / 14);
            assertEquals(patches, probe.clsAttention()[0][0].length, "CLS attention covers the patches only");
            assertEquals(model.config().prefixTokens() + patches, probe.vNorm()[0].length, "norms cover the original tokens");
            if (g.has("cls_register_attention")) {
                JsonArray att = g.getAsJsonArray("cls_register_attention");
                for (int b = 0; b < BATCH; b++) {
                    float[] expected = Fixtures.floats(att.get(b));
                    float[] actual = flatten(probe.registerAttention()[b]);
                    double e = Fixtures.maxAbsDiff(expected, actual);
                    assertTrue(e < 1e-5, name + " " + run + " register attention error " + e);
                }
            } else {
                assertNull(probe.registerAttention());
            }
        }
    }

    static float[] flatten(float[][] a) {
        int n = Arrays.stream(a).mapToInt(x -> x.length).sum();
        float[] out = new float[n];
        int i = 0;
        for (float[] row : a) {
            System.arraycopy(row, 0, out, i, row.length);
            i += row.length;
        }
        return out;
    }

    @Test
    void movesTheHighNormTokensOutOfTheImage() throws Exception {
        // the planted register neurons make patch norms of several hundred; with the fix the patches stay near the bulk
        for (String name : TtrFixtures.CASES) {
            JsonObject golden = TtrFixtures.golden(name);
            JsonObject max = golden.getAsJsonObject("max_patch_norm");
            assertTrue(max.get("off").getAsDouble() > 3 * max.get("zero_r1").getAsDouble(), name + ": " + max);
        }
    }

    @Test
    void aPlainRequestIsBitIdenticalToTheModelWithoutTheFeature() throws Exception {
        float[] all = TtrFixtures.images("s14_tiny");
        float[] batch = Arrays.copyOf(all, 2 * 3 * TtrFixtures.SIDE * TtrFixtures.SIDE);
        {
            DinoV2 model = TtrFixtures.model("s14_tiny");
            ForwardResult plain = model.forward(batch, 2, TtrFixtures.SIDE, TtrFixtures.SIDE, ForwardRequest.plain());
            ForwardResult norms = model.forward(batch, 2, TtrFixtures.SIDE, TtrFixtures.SIDE,
                    ForwardRequest.plain().withBlockNorms(true));
            assertNull(plain.blockNorms());
            assertNotNull(norms.blockNorms());
            for (int b = 0; b < 2; b++) {
                assertArrayEquals(plain.embeddings()[b], norms.embeddings()[b]);
            }
        }
    }

    @Test
    void refusesNeuronsTheModelDoesNotHave() throws Exception {
        float[] one = TtrFixtures.image(TtrFixtures.images("s14_tiny"), 0);
        {
            DinoV2 model = TtrFixtures.model("s14_tiny");
            int hidden = model.config().ffnHidden();
            TestTimeRegisters badUnit = TestTimeRegisters.of(List.of(new TestTimeRegisters.Neuron(1, hidden)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(one, 1,
                    TtrFixtures.SIDE, TtrFixtures.SIDE, ForwardRequest.plain().withTtr(badUnit)));
            assertTrue(e.getMessage().contains("unit index " + hidden + " is out of range"), e.getMessage());
            TestTimeRegisters badBlock = TestTimeRegisters.of(List.of(new TestTimeRegisters.Neuron(9, 0)));
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(one, 1,
                    TtrFixtures.SIDE, TtrFixtures.SIDE, ForwardRequest.plain().withTtr(badBlock)));
            assertTrue(e.getMessage().contains("block 9 does not exist"), e.getMessage());
        }
    }
}
