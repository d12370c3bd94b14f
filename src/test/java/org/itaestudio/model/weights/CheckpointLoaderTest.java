package org.itaestudio.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.DinoV2Config.FfnType;
import org.itaestudio.model.weights.WeightFixtures.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader on tiny DINOv2 checkpoints that tools/make_weight_fixtures.py wrote with identical values in several
 * layouts: every layout must yield the same config and bit-identical official tensors (tolerance 0), which checks
 * the HF renames and the q/k/v concatenation against torch's own qkv tensor.
 */
class CheckpointLoaderTest {

    @TempDir
    Path dir;

    /** 4 registers, GELU MLP; float16-exact values in .pth (F32), HF dir (F32) and official safetensors (F16). */
    private static final DinoV2Config TINY_REG =
            new DinoV2Config(16, 2, 1, 64, FfnType.MLP, 4, 2, 3, 1e-6, true, 0.0);

    @Test
    void tinyRegisterModelIsIdenticalInEveryLayout() throws IOException {
        List<Path> layouts = List.of(WeightFixtures.resource("tiny_reg.pth"), WeightFixtures.resource("tiny_reg_hf"),
                WeightFixtures.resource("tiny_reg_hf/model.safetensors"),
                WeightFixtures.resource("tiny_reg_official_f16.safetensors"));
        try (LoadedCheckpoint reference = CheckpointLoader.open(layouts.get(0))) {
            assertEquals(TINY_REG, reference.config());
            assertEquals(List.copyOf(TINY_REG.expectedTensors().keySet()),
                    List.copyOf(reference.weights().tensors().keySet()), "exactly the official names, in order");
            for (Path layout : layouts.subList(1, layouts.size())) {
                try (LoadedCheckpoint other = CheckpointLoader.open(layout)) {
                    assertEquals(TINY_REG, other.config(), layout.toString());
                    assertSameWeights(reference.weights(), other.weights(), layout);
                }
            }
        }
    }

    /** The official qkv tensor is query, key, value stacked along dimension 0. */
    @Test
    void qkvIsConcatenatedInQueryKeyValueOrder() throws IOException {
        try (LoadedCheckpoint hf = CheckpointLoader.open(WeightFixtures.resource("tiny_reg_hf"));
                SafetensorsReader raw = SafetensorsReader.open(WeightFixtures.resource("tiny_reg_hf/model.safetensors"))) {
            int d = hf.config().embedDim();
            for (String leaf : List.of("weight", "bias")) {
                float[] qkv = floats(hf.weights().readFloats("blocks.1.attn.qkv." + leaf));
                int part = qkv.length / 3;
                assertEquals(leaf.equals("weight") ? d * d : d, part);
                String[] names = {"query", "key", "value"};
                for (int i = 0; i < 3; i++) {
                    float[] expected = floats(raw.readFloats("encoder.layer.1.attention.attention." + names[i] + "." + leaf));
                    float[] actual = java.util.Arrays.copyOfRange(qkv, i * part, (i + 1) * part);
                    assertArrayEquals(expected, actual, names[i] + "." + leaf);
                }
            }
            assertArrayEquals(new long[] {3 * d, d}, hf.weights().tensors().get("blocks.0.attn.qkv.weight").shape());
            assertTrue(hf.description().contains("Hugging Face"), hf.description());
        }
    }

    @Test
    void swigluTeacherCheckpointMatchesHfDirectory() throws IOException {
        try (LoadedCheckpoint hf = CheckpointLoader.open(WeightFixtures.resource("tiny_swiglu_hf"));
                LoadedCheckpoint teacher = CheckpointLoader.open(WeightFixtures.resource("tiny_swiglu_teacher.pth"))) {
            DinoV2Config expectedHf = new DinoV2Config(16, 2, 2, 48, FfnType.SWIGLU, 0, 2, 4, 1e-6, false, 0.1);
            assertEquals(expectedHf, hf.config(), "heads from config.json");
            assertEquals(48, DinoV2Config.swigluHidden(16));
            // a .pth carries no head count: 16 is not a multiple of 64, so 1 head; everything else agrees
            assertEquals(new DinoV2Config(16, 2, 1, 48, FfnType.SWIGLU, 0, 2, 4, 1e-6, false, 0.1), teacher.config());
            assertTrue(hf.weights().tensors().containsKey("blocks.1.mlp.w12.weight"));
            assertSameWeights(hf.weights(), teacher.weights(), Path.of("tiny_swiglu_teacher.pth"));
            String d = teacher.description();
            assertTrue(d.contains("under 'teacher'") && d.contains("prefix 'backbone.' stripped")
                    && d.contains("1 other tensors ignored") && d.contains("chunked block names flattened")
                    && d.contains("[BF16]"), d);
        }
    }

    @Test
    void missingUnexpectedAndMisshapedTensorsAreNamed() throws IOException {
        Map<String, Tensor> tensors;
        try (SafetensorsReader r = SafetensorsReader.open(WeightFixtures.resource("tiny_reg_official_f16.safetensors"))) {
            tensors = WeightFixtures.readAll(r);
        }
        Map<String, Tensor> broken = new LinkedHashMap<>(tensors);
        broken.remove("blocks.1.norm1.weight");
        broken.remove("norm.bias");
        broken.put("head.weight", new Tensor(DType.F32, new long[] {2}, new float[] {1, 2}));
        Path file = WeightFixtures.writeSafetensors(dir.resolve("broken.safetensors"), broken);
        assertLoadError(file, "missing 2 tensors (blocks.1.norm1.weight, norm.bias); unexpected 1 tensor (head.weight)");

        Map<String, Tensor> manyMissing = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (!k.startsWith("blocks.1.")) {
                manyMissing.put(k, v);
            }
        });
        manyMissing.put("blocks.1.ls2.gamma", tensors.get("blocks.1.ls2.gamma"));
        assertLoadError(WeightFixtures.writeSafetensors(dir.resolve("many.safetensors"), manyMissing),
                "missing 13 tensors (blocks.1.norm1.weight, blocks.1.norm1.bias, blocks.1.attn.qkv.weight, "
                        + "blocks.1.attn.qkv.bias, blocks.1.attn.proj.weight, ... (8 more))");

        Map<String, Tensor> misshaped = new LinkedHashMap<>(tensors);
        Tensor gamma = tensors.get("blocks.0.ls1.gamma");
        misshaped.put("blocks.0.ls1.gamma", new Tensor(DType.F32, new long[] {1, 16}, gamma.values()));
        assertLoadError(WeightFixtures.writeSafetensors(dir.resolve("shape.safetensors"), misshaped),
                "1 wrong shape (blocks.0.ls1.gamma is [1, 16], expected [16])");

        // mask_token may be absent
        Map<String, Tensor> noMask = new LinkedHashMap<>(tensors);
        noMask.remove("mask_token");
        try (LoadedCheckpoint c = CheckpointLoader.open(
                WeightFixtures.writeSafetensors(dir.resolve("nomask.safetensors"), noMask))) {
            assertEquals(TINY_REG, c.config());
            assertFalse(c.weights().tensors().containsKey("mask_token"));
        }
    }

    @Test
    void hfConfigThatDisagreesWithTheWeightsIsReported() throws IOException {
        Path hf = copyHfDir("tiny_reg_hf", "mismatch");
        String config = Files.readString(hf.resolve("config.json")).replace("\"image_size\": 6", "\"image_size\": 8");
        assertNotEquals(Files.readString(hf.resolve("config.json")), config, "fixture layout changed");
        Files.writeString(hf.resolve("config.json"), config);
        assertLoadError(hf.resolve("model.safetensors"), hf,
                "1 wrong shape (pos_embed is [1, 10, 16], expected [1, 17, 16])");
    }

    @Test
    void badConfigJson() throws IOException {
        Path hf = copyHfDir("tiny_reg_hf", "badjson");
        Files.writeString(hf.resolve("config.json"), "{\"hidden_size\": 16,");
        assertLoadError(hf.resolve("config.json"), hf, "config.json is not valid JSON");
        Files.writeString(hf.resolve("config.json"), "{\"hidden_size\": 16}");
        assertLoadError(hf.resolve("config.json"), hf, "config.json lacks a numeric num_hidden_layers");
        Files.writeString(hf.resolve("config.json"), "{\"model_type\": \"vit\", \"hidden_size\": 16}");
        assertLoadError(hf.resolve("config.json"), hf, "model_type 'vit' is not DINOv2");
        Files.writeString(hf.resolve("config.json"), "{\"hidden_size\": 16, \"num_hidden_layers\": 2, "
                + "\"num_attention_heads\": 1, \"hidden_act\": \"relu\"}");
        assertLoadError(hf.resolve("config.json"), hf, "hidden_act 'relu' is not supported");
    }

    @Test
    void pathProblemsAreClear() throws IOException {
        assertLoadError(dir.resolve("nothing-here.pth"), "checkpoint not found");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertLoadError(empty, "not a Hugging Face model directory: missing config.json and model.safetensors");
        Path onlyConfig = copyHfDir("tiny_reg_hf", "onlyconfig");
        Files.delete(onlyConfig.resolve("model.safetensors"));
        Files.writeString(onlyConfig.resolve("model.safetensors.index.json"), "{}");
        assertLoadError(onlyConfig, "missing model.safetensors; sharded checkpoints");
        Path onnx = Files.writeString(dir.resolve("model.onnx"), "x");
        assertLoadError(onnx, "unknown checkpoint type '.onnx'");
        Path text = Files.writeString(dir.resolve("model.pth"), "not a zip");
        assertLoadError(text, "not a zip archive");
        byte[] whole = Files.readAllBytes(WeightFixtures.resource("tiny_reg.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 100));
        assertLoadError(cut, "truncated zip archive");
        Path notDino = WeightFixtures.writeSafetensors(dir.resolve("other.safetensors"),
                Map.of("fc.weight", new Tensor(DType.F32, new long[] {1}, new float[] {1})));
        assertLoadError(notDino, "no cls_token tensor: not a DINOv2 checkpoint (first tensors: fc.weight)");
    }

    @Test
    void closingReleasesTheFile() throws IOException {
        LoadedCheckpoint c = CheckpointLoader.open(WeightFixtures.resource("tiny_reg.pth"));
        FloatBuffer before = c.weights().readFloats("cls_token");
        c.close();
        assertThrows(IOException.class, () -> c.weights().readFloats("cls_token"));
        assertEquals(16, before.remaining());
    }

    @Test
    void hfNameMapping() {
        assertEquals("pos_embed", HfWeightNames.officialName("embeddings.position_embeddings"));
        assertEquals("blocks.11.ls2.gamma", HfWeightNames.officialName("encoder.layer.11.layer_scale2.lambda1"));
        assertEquals("blocks.3.mlp.w3.bias", HfWeightNames.officialName("encoder.layer.3.mlp.weights_out.bias"));
        assertEquals("blocks.0.attn.proj.weight",
                HfWeightNames.officialName("encoder.layer.0.attention.output.dense.weight"));
        assertEquals(null, HfWeightNames.officialName("encoder.layer.0.attention.attention.query.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfWeightNames.map(List.of(
                "encoder.layer.0.attention.attention.query.weight",
                "encoder.layer.0.attention.attention.value.weight")));
        assertTrue(e.getMessage().contains("blocks.0.attn.qkv.weight: missing "
                + "[encoder.layer.0.attention.attention.key.weight]"), e.getMessage());
        HfWeightNames.Mapping m = HfWeightNames.map(List.of("classifier.weight", "layernorm.bias"));
        assertEquals(List.of("classifier.weight"), m.unmapped());
        assertEquals(Map.of("norm.bias", List.of("layernorm.bias")), m.official());
    }

    // ------------------------------------------------------------------ helpers

    private static void assertSameWeights(WeightSource expected, WeightSource actual, Path what) throws IOException {
        assertEquals(List.copyOf(expected.tensors().keySet()), List.copyOf(actual.tensors().keySet()), what.toString());
        for (TensorInfo info : expected.tensors().values()) {
            assertArrayEquals(info.shape(), actual.tensors().get(info.name()).shape(), info.name());
            assertArrayEquals(WeightFixtures.bits(expected.readFloats(info.name())),
                    WeightFixtures.bits(actual.readFloats(info.name())), what + " " + info.name());
        }
    }

    private Path copyHfDir(String fixture, String name) throws IOException {
        Path target = Files.createDirectory(dir.resolve(name));
        for (String file : List.of("config.json", "model.safetensors")) {
            Files.copy(WeightFixtures.resource(fixture + "/" + file), target.resolve(file),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static float[] floats(FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void assertLoadError(Path path, String phrase) {
        assertLoadError(path, path, phrase);
    }

    /** Loading {@code opened} fails with a one-line message that names {@code named} and holds the phrase. */
    private static void assertLoadError(Path named, Path opened, String phrase) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> {
            try (LoadedCheckpoint c = CheckpointLoader.open(opened)) {
                c.config();
            }
        });
        assertTrue(e.getMessage().startsWith(named + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
