package org.itaestudio.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.itaestudio.Fixtures;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.ModelInput;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine against the independent PyTorch reference (tools/dinov2_reference.py): tiny DINOv2-architecture
 * checkpoints with non-trivial random weights, original / _reg / SwiGLU+_reg, each loaded from BOTH layouts
 * (Hugging Face safetensors and the official .pth), at 224x224 and 280x224, with ITAE off and four ITAE settings.
 *
 * <p>Tolerances: embeddings, pooled and patch tokens max abs error 1e-4 (observed ~1e-6); q/k/v norms 1e-4 scaled by
 * max(1, |x|); CLS attention 1e-5 abs; artifact sets exactly equal; auto thresholds 1e-5 relative.
 */
class DinoV2GoldenTest {

    static final String[] CHECKPOINTS = {"orig", "reg4", "swiglu_reg4"};
    static final String[] LAYOUTS = {"hf", "official.pth"};
    static final String[] IMAGES = {"img224", "img280x224"};
    static final String[] SETTINGS = {"off", "v_s1", "v_s05", "k_above_all", "v_auto"};

    static final Map<String, DinoV2> MODELS = new HashMap<>();
    /** Worst errors seen over all cases, printed at the end (quoted in notes). */
    static final Map<String, Double> WORST = new java.util.concurrent.ConcurrentHashMap<>();

    static void track(String what, double err) {
        WORST.merge(what, err, Math::max);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : CHECKPOINTS) {
            for (String l : LAYOUTS) {
                for (String i : IMAGES) {
                    for (String s : SETTINGS) {
                        out.add(Arguments.of(c, l, i, s));
                    }
                }
            }
        }
        return out.stream();
    }

    static synchronized DinoV2 model(String checkpoint, String layout) throws Exception {
        String key = checkpoint + "/" + layout;
        DinoV2 m = MODELS.get(key);
        if (m == null) {
            try (LoadedCheckpoint ckpt = CheckpointLoader.open(Fixtures.path(checkpoint + "/" + layout))) {
                m = DinoV2.create(ckpt.config(), ckpt.weights(), TestDevice.get());
            }
            MODELS.put(key, m);
        }
        return m;
    }

    @AfterAll
    static void closeModels() {
        System.out.println("DinoV2GoldenTest worst errors: " + new java.util.TreeMap<>(WORST));
        MODELS.values().forEach(DinoV2::close);
        MODELS.clear();
    }

    static ItaeConfig itae(JsonObject j) {
        if (j == null || j.isJsonNull()) {
            return null;
        }
        String t = j.get("threshold").getAsString();
        ItaeConfig.Threshold threshold = t.equals("auto") ? ItaeConfig.Threshold.AUTO
                : ItaeConfig.Threshold.fixed(j.get("threshold").getAsDouble());
        TreeSet<Integer> layers = new TreeSet<>();
        for (JsonElement e : j.getAsJsonArray("layers")) {
            layers.add(e.getAsInt());
        }
        return new ItaeConfig(ItaeConfig.Component.valueOf(j.get("component").getAsString().toUpperCase(Locale.ROOT)),
                threshold, ItaeConfig.Direction.valueOf(j.get("direction").getAsString().toUpperCase(Locale.ROOT)),
                j.get("strength").getAsDouble(), ItaeConfig.Blocks.of(layers),
                ItaeConfig.Rows.valueOf(j.get("rows").getAsString().toUpperCase(Locale.ROOT)));
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("cases")
    void matchesReference(String checkpoint, String layout, String image, String setting) throws Exception {
        JsonObject g = Fixtures.json("golden/" + checkpoint + "__" + image + "__" + setting + ".json");
        DinoV2 model = model(checkpoint, layout);
        Path png = Fixtures.path(image + ".png");
        // Preprocessing at these sizes is a pass-through (resize = shorter side, crop none/224).
        int h = g.getAsJsonArray("grid").get(0).getAsInt() * 14;
        int w = g.getAsJsonArray("grid").get(1).getAsInt() * 14;
        Preprocessor pre = new Preprocessor(w == h ? PreprocessConfig.of(224, 224) : PreprocessConfig.noCrop(224));
        ModelInput input = pre.apply(new ImageDecoder().decode(png));
        assertEquals(h, input.height());
        assertEquals(w, input.width());

        ItaeConfig itae = itae(g.get("itae").isJsonNull() ? null : g.getAsJsonObject("itae"));
        ForwardRequest req = ForwardRequest.embedding(itae, Pooling.CLS).withProbes(Set.of(0, 1), false)
                .withPatchTokens(setting.equals("off"));
        ForwardResult r = model.forward(input.chw(), 1, h, w, req);

        double embErr = Fixtures.maxAbsDiff(Fixtures.floats(g.get("embedding")), r.embeddings()[0]);
        track("embedding", embErr);
        assertTrue(embErr <= 1e-4, "embedding max abs error " + embErr);
        if (g.has("patch_tokens")) {
            float[] flat = new float[r.patchTokens()[0].length * model.config().embedDim()];
            for (int p = 0; p < r.patchTokens()[0].length; p++) {
                System.arraycopy(r.patchTokens()[0][p], 0, flat, p * model.config().embedDim(), model.config().embedDim());
            }
            double tokErr = Fixtures.maxAbsDiff(Fixtures.floats(g.get("patch_tokens")), flat);
            track("patch_tokens", tokErr);
            assertTrue(tokErr <= 1e-4, "patch tokens max abs error " + tokErr);
        }
        ForwardResult mean = model.forward(input.chw(), 1, h, w, ForwardRequest.embedding(itae, Pooling.MEAN));
        double meanErr = Fixtures.maxAbsDiff(Fixtures.floats(g.get("mean_pooled")), mean.embeddings()[0]);
        track("mean_pooled", meanErr);
        assertTrue(meanErr <= 1e-4, "mean-pooled max abs error " + meanErr);

        JsonObject layers = g.getAsJsonObject("layers");
        for (String layer : layers.keySet()) {
            JsonObject lg = layers.getAsJsonObject(layer);
            LayerProbe p = r.probes().get(Integer.parseInt(layer));
            JsonObject norms = lg.getAsJsonObject("norms");
            assertNorms("q", layer, norms, p.qNorm()[0]);
            assertNorms("k", layer, norms, p.kNorm()[0]);
            assertNorms("v", layer, norms, p.vNorm()[0]);
            float[] cls = new float[p.clsAttention()[0].length * p.clsAttention()[0][0].length];
            for (int hh = 0; hh < p.clsAttention()[0].length; hh++) {
                System.arraycopy(p.clsAttention()[0][hh], 0, cls, hh * p.clsAttention()[0][0].length, p.clsAttention()[0][0].length);
            }
            double attErr = Fixtures.maxAbsDiff(Fixtures.floats(lg.get("cls_attention")), cls);
            track("cls_attention", attErr);
            assertTrue(attErr <= 1e-5, "layer " + layer + " CLS attention max abs error " + attErr);
            assertArrayEquals(Fixtures.ints(lg.get("artifacts")), p.artifacts()[0], "layer " + layer + " artifacts");
        }
        if (itae != null && g.getAsJsonObject("itae").has("resolved_thresholds")) {
            JsonObject rt = g.getAsJsonObject("itae").getAsJsonObject("resolved_thresholds");
            for (String layer : rt.keySet()) {
                double expected = rt.get(layer).getAsDouble();
                double actual = r.probes().get(Integer.parseInt(layer)).thresholds()[0];
                assertEquals(expected, actual, 1e-5 * Math.abs(expected), "layer " + layer + " threshold");
            }
        }
    }

    private static void assertNorms(String c, String layer, JsonObject norms, float[] actual) {
        double err = Fixtures.maxScaledDiff(Fixtures.floats(norms.get(c)), actual);
        track("norms(scaled)", err);
        assertTrue(err <= 1e-4, "layer " + layer + " " + c + "-norm scaled error " + err);
    }
}
