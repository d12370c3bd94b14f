package org.itaestudio.model.transfer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.store.AtomicFiles;

/**
 * A student as a model the rest of the app loads: a Hugging Face style folder with {@code config.json} and
 * {@code model.safetensors} (the backbone, official tensor names) plus {@code head.safetensors} (the classifier).
 * The backbone gets what the inference model expects and training has no use for: a zero {@code mask_token}, and
 * LayerScale gains of 1 for a standard student (the identity, so the forward is unchanged).
 */
public final class StudentExport {

    public static final String HEAD_FILE = "head.safetensors";

    private StudentExport() {
    }

    public static void write(Path dir, StudentVit student) throws IOException {
        Files.createDirectories(dir);
        StudentConfig config = student.config();
        DinoV2Config b = config.backbone();
        Map<String, float[]> weights = student.weights();
        List<SafetensorsWriter.Tensor> backbone = new ArrayList<>();
        for (Map.Entry<String, long[]> e : b.expectedTensors().entrySet()) {
            String name = e.getKey();
            float[] values = weights.get(name);
            if (values == null) {
                values = new float[(int) numel(e.getValue())];
                if (name.endsWith(".gamma")) {
                    java.util.Arrays.fill(values, 1f);
                }
            }
            backbone.add(new SafetensorsWriter.Tensor(name, e.getValue(), values));
        }
        AtomicFiles.writeString(dir.resolve(ModelResolver.CONFIG_FILE), hfConfig(b) + "\n");
        SafetensorsWriter.write(dir.resolve(ModelResolver.WEIGHTS_FILE), backbone, Map.of());
        Map<String, long[]> shapes = config.parameterShapes();
        SafetensorsWriter.write(dir.resolve(HEAD_FILE), List.of(
                new SafetensorsWriter.Tensor("head.weight", shapes.get("head.weight"), weights.get("head.weight")),
                new SafetensorsWriter.Tensor("head.bias", shapes.get("head.bias"), weights.get("head.bias"))), Map.of());
    }

    /** transformers' Dinov2Config keys; the MLP ratio is the one that gives back the backbone's hidden width. */
    static String hfConfig(DinoV2Config b) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "dinov2");
        o.addProperty("hidden_size", b.embedDim());
        o.addProperty("num_hidden_layers", b.depth());
        o.addProperty("num_attention_heads", b.numHeads());
        boolean swiglu = b.ffn() == DinoV2Config.FfnType.SWIGLU;
        o.addProperty("mlp_ratio", swiglu ? 4.0 : (double) b.ffnHidden() / b.embedDim());
        o.addProperty("use_swiglu_ffn", swiglu);
        o.addProperty("num_register_tokens", b.numRegisters());
        o.addProperty("layer_norm_eps", b.layerNormEps());
        o.addProperty("image_size", b.posGrid() * b.patchSize());
        o.addProperty("patch_size", b.patchSize());
        o.addProperty("num_channels", 3);
        o.addProperty("hidden_act", "gelu");
        o.addProperty("qkv_bias", true);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
