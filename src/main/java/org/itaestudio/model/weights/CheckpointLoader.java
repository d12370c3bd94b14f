package org.itaestudio.model.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.itaestudio.model.DinoV2Config;

/**
 * Opens a DINOv2 checkpoint in any supported layout and presents it under the official names:
 * <ul>
 *   <li>a Hugging Face model directory ({@code config.json} + {@code model.safetensors}): config from
 *       {@code config.json}, names mapped by {@link HfWeightNames} (q/k/v concatenated on read);</li>
 *   <li>a {@code .safetensors} file with HF or official names (detected), config inferred from shapes;</li>
 *   <li>a torch checkpoint ({@code .pth}, {@code .pt}) read by {@link TorchCheckpointReader}, config inferred
 *       from shapes; HF names are accepted there too.</li>
 * </ul>
 * Names are normalised before mapping: a prefix in front of {@code cls_token} is stripped and tensors outside it
 * dropped ({@code backbone.}, {@code teacher.backbone.}, {@code module.}, HF's {@code dinov2.}; when both a
 * student and a teacher are present the teacher wins), and chunked block names {@code blocks.<chunk>.<i>.x}
 * (dinov2 {@code block_chunks > 0}) become {@code blocks.<i>.x}. Then the tensors are validated against
 * {@link DinoV2Config#expectedTensors()}: missing ({@code mask_token} excepted), unexpected and mis-shaped
 * tensors are named in the error.
 *
 * <p>Config inference (no config file): dim from {@code cls_token}, depth from the {@code blocks.N} count,
 * registers from {@code register_tokens}, SwiGLU when {@code mlp.w12} exists, hidden width from
 * {@code fc1}/{@code w12}, patch size from {@code patch_embed.proj.weight}, position grid from {@code pos_embed};
 * heads = dim / 64 (every released model) or 1 for widths that are not a multiple of 64 (tiny test models);
 * LayerNorm eps 1e-6; interpolation as {@link DinoV2Config#of}: registers use antialias and offset 0, others
 * offset 0.1 without antialias.
 */
public final class CheckpointLoader {

    private static final int NAMES_SHOWN = 5;
    private static final Pattern CHUNKED_BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private static final Pattern BLOCK_INDEX = Pattern.compile("blocks\\.(\\d+)\\..+");
    private static final String HF_CLS = "embeddings.cls_token";

    private CheckpointLoader() {
    }

    /** Opens, maps and validates; the caller closes the result. */
    public static LoadedCheckpoint open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new WeightFormatException(path, "checkpoint not found");
        }
        if (Files.isDirectory(path)) {
            return openHfDirectory(path);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            SafetensorsReader reader = SafetensorsReader.open(path);
            return finish(path, reader, null, "safetensors file " + path);
        }
        if (name.endsWith(".pth") || name.endsWith(".pt")) {
            TorchCheckpointReader reader = TorchCheckpointReader.open(path);
            String what = "torch checkpoint " + path;
            if (reader.wrapperKey() != null) {
                what += ", state dict under '" + reader.wrapperKey() + "'";
            }
            return finish(path, reader, null, what);
        }
        int dot = name.lastIndexOf('.');
        throw new WeightFormatException(path, "unknown checkpoint type"
                + (dot < 0 ? " (no extension)" : " '" + name.substring(dot) + "'")
                + "; expected a Hugging Face model directory, a .safetensors file or a .pth file");
    }

    private static LoadedCheckpoint openHfDirectory(Path dir) throws IOException {
        Path configJson = dir.resolve("config.json");
        Path weights = dir.resolve("model.safetensors");
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(configJson)) {
            missing.add("config.json");
        }
        if (!Files.isRegularFile(weights)) {
            missing.add("model.safetensors");
        }
        if (!missing.isEmpty()) {
            String hint = "";
            if (Files.exists(dir.resolve("model.safetensors.index.json"))) {
                hint = "; sharded checkpoints (model.safetensors.index.json) are not supported";
            } else if (Files.exists(dir.resolve("pytorch_model.bin"))) {
                hint = "; pytorch_model.bin is not supported, only model.safetensors";
            }
            throw new WeightFormatException(dir, "not a Hugging Face model directory: missing "
                    + String.join(" and ", missing) + hint);
        }
        DinoV2Config config = readHfConfig(configJson);
        SafetensorsReader reader = SafetensorsReader.open(weights);
        return finish(weights, reader, config, "Hugging Face model directory " + dir);
    }

    /** Normalises names, infers the config when none is given, validates; closes the reader on failure. */
    private static LoadedCheckpoint finish(Path file, WeightSource reader, DinoV2Config given, String what)
            throws IOException {
        try {
            NameMapping mapping = mapToOfficial(file, reader.tensors().keySet());
            MappedWeightSource mapped;
            try {
                mapped = new MappedWeightSource(reader, mapping.official());
            } catch (IllegalArgumentException e) {
                throw new WeightFormatException(file, e.getMessage());
            }
            DinoV2Config config = given != null ? given : inferConfig(mapped.tensors(), file);
            validate(config, mapped.tensors(), mapping.unmapped(), file);
            Map<String, List<String>> ordered = new LinkedHashMap<>();
            for (String name : config.expectedTensors().keySet()) {
                if (mapping.official().containsKey(name)) {
                    ordered.put(name, mapping.official().get(name));
                }
            }
            WeightSource weights = new MappedWeightSource(reader, ordered);
            Set<DType> dtypes = EnumSet.noneOf(DType.class);
            weights.tensors().values().forEach(t -> dtypes.add(t.dtype()));
            String description = what + " (" + mapping.note() + ", " + dtypes + "): " + summary(config);
            return new LoadedCheckpoint(config, weights, description);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------- names

    /** Official name to source names; source names without a counterpart; what was done, for the description. */
    private record NameMapping(Map<String, List<String>> official, List<String> unmapped, String note) {
    }

    private static NameMapping mapToOfficial(Path file, Collection<String> names) throws WeightFormatException {
        List<String> clsNames = new ArrayList<>();
        for (String n : names) {
            if (n.equals("cls_token") || n.endsWith(".cls_token")) {
                clsNames.add(n);
            }
        }
        String cls = chooseModel(file, clsNames, names);
        boolean hf = cls.equals(HF_CLS) || cls.endsWith("." + HF_CLS);
        String prefix = cls.substring(0, cls.length() - (hf ? HF_CLS : "cls_token").length());
        List<String> kept = new ArrayList<>();
        for (String n : names) {
            if (n.startsWith(prefix)) {
                kept.add(n.substring(prefix.length()));
            }
        }
        int dropped = names.size() - kept.size();
        StringBuilder note = new StringBuilder(hf ? "Hugging Face names" : "official names");
        if (!prefix.isEmpty()) {
            note.append(", prefix '").append(prefix).append("' stripped");
        }
        if (dropped > 0) {
            note.append(", ").append(dropped).append(" other tensors ignored");
        }
        Map<String, List<String>> official = new LinkedHashMap<>();
        List<String> unmapped = new ArrayList<>();
        if (hf) {
            HfWeightNames.Mapping m;
            try {
                m = HfWeightNames.map(kept);
            } catch (IllegalArgumentException e) {
                throw new WeightFormatException(file, e.getMessage());
            }
            m.official().forEach((k, v) -> official.put(k, v.stream().map(s -> prefix + s).toList()));
            m.unmapped().forEach(s -> unmapped.add(prefix + s));
        } else {
            boolean chunked = false;
            for (String n : kept) {
                String target = n;
                Matcher c = CHUNKED_BLOCK.matcher(n);
                if (c.matches()) {
                    target = "blocks." + c.group(2) + "." + c.group(3);
                    chunked = true;
                }
                if (official.put(target, List.of(prefix + n)) != null) {
                    throw new WeightFormatException(file, "two tensors map to " + target);
                }
            }
            if (chunked) {
                note.append(", chunked block names flattened");
            }
        }
        return new NameMapping(official, unmapped, note.toString());
    }

    /** The cls_token that identifies the model: unprefixed, else the only one, else the only teacher one. */
    private static String chooseModel(Path file, List<String> clsNames, Collection<String> names)
            throws WeightFormatException {
        if (clsNames.isEmpty()) {
            throw new WeightFormatException(file, "no cls_token tensor: not a DINOv2 checkpoint (first tensors: "
                    + firstFew(names) + ")");
        }
        if (clsNames.size() == 1) {
            return clsNames.get(0);
        }
        for (String c : clsNames) {
            if (c.equals("cls_token") || c.equals(HF_CLS)) {
                return c;
            }
        }
        List<String> teacher = clsNames.stream().filter(c -> c.startsWith("teacher.")).toList();
        if (teacher.size() == 1) {
            return teacher.get(0);
        }
        throw new WeightFormatException(file, "several models in one checkpoint (" + firstFew(clsNames)
                + "); cannot tell which to load");
    }

    // ------------------------------------------------------------------------------------------- config

    /** Architecture from a Hugging Face {@code config.json} ({@code dinov2} or {@code dinov2_with_registers}). */
    public static DinoV2Config readHfConfig(Path configJson) throws IOException {
        JsonObject json;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(configJson, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new WeightFormatException(configJson, "config.json is not a JSON object");
            }
            json = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new WeightFormatException(configJson, "config.json is not valid JSON: "
                    + firstLine(e.getMessage()), e);
        }
        try {
            String modelType = json.has("model_type") ? json.get("model_type").getAsString() : "dinov2";
            if (!modelType.equals("dinov2") && !modelType.equals("dinov2_with_registers")) {
                throw new WeightFormatException(configJson, "model_type '" + modelType
                        + "' is not DINOv2 (expected dinov2 or dinov2_with_registers)");
            }
            int dim = requiredInt(configJson, json, "hidden_size");
            int depth = requiredInt(configJson, json, "num_hidden_layers");
            int heads = requiredInt(configJson, json, "num_attention_heads");
            double mlpRatio = json.has("mlp_ratio") ? json.get("mlp_ratio").getAsDouble() : 4.0;
            boolean swiglu = json.has("use_swiglu_ffn") && json.get("use_swiglu_ffn").getAsBoolean();
            int registers = json.has("num_register_tokens") ? json.get("num_register_tokens").getAsInt()
                    : modelType.equals("dinov2_with_registers") ? 4 : 0;
            double eps = json.has("layer_norm_eps") ? json.get("layer_norm_eps").getAsDouble() : 1e-6;
            int patch = json.has("patch_size") ? json.get("patch_size").getAsInt() : 14;
            int imageSize = 224; // the transformers default
            if (json.has("image_size")) {
                JsonElement e = json.get("image_size");
                if (e.isJsonArray()) {
                    int h = e.getAsJsonArray().get(0).getAsInt();
                    int w = e.getAsJsonArray().get(1).getAsInt();
                    if (h != w) {
                        throw new WeightFormatException(configJson, "non-square image_size " + e + " is not supported");
                    }
                    imageSize = h;
                } else {
                    imageSize = e.getAsInt();
                }
            }
            if (!swiglu && json.has("hidden_act") && !json.get("hidden_act").getAsString().equals("gelu")) {
                throw new WeightFormatException(configJson, "hidden_act '" + json.get("hidden_act").getAsString()
                        + "' is not supported (DINOv2 uses exact GELU, 'gelu')");
            }
            if (patch <= 0 || imageSize < patch || registers < 0) {
                throw new WeightFormatException(configJson, "invalid patch_size " + patch + ", image_size "
                        + imageSize + " or num_register_tokens " + registers);
            }
            // same arithmetic as transformers' Dinov2MLP / Dinov2SwiGLUFFN
            int hidden = (int) (dim * mlpRatio);
            if (swiglu) {
                hidden = ((int) (hidden * 2.0 / 3.0) + 7) / 8 * 8;
            }
            boolean reg = registers > 0;
            return new DinoV2Config(dim, depth, heads, hidden,
                    swiglu ? DinoV2Config.FfnType.SWIGLU : DinoV2Config.FfnType.MLP, registers, patch,
                    imageSize / patch, eps, reg, reg ? 0.0 : 0.1);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new WeightFormatException(configJson, "invalid DINOv2 config.json: " + firstLine(e.getMessage()));
        }
    }

    private static int requiredInt(Path file, JsonObject json, String key) throws WeightFormatException {
        if (!json.has(key) || !json.get(key).isJsonPrimitive() || !json.get(key).getAsJsonPrimitive().isNumber()) {
            throw new WeightFormatException(file, "config.json lacks a numeric " + key);
        }
        return json.get(key).getAsInt();
    }

    /** Architecture inferred from official-named tensor shapes (see the class comment). */
    public static DinoV2Config inferConfig(Map<String, TensorInfo> tensors, Path source)
            throws WeightFormatException {
        long[] cls = shapeOf(tensors, "cls_token", 3, source);
        int dim = (int) cls[2];
        long[] pos = shapeOf(tensors, "pos_embed", 3, source);
        long[] patchWeight = shapeOf(tensors, "patch_embed.proj.weight", 4, source);
        if (patchWeight[2] != patchWeight[3]) {
            throw new WeightFormatException(source, "patch_embed.proj.weight " + Arrays.toString(patchWeight)
                    + " has a non-square kernel");
        }
        int patch = (int) patchWeight[2];
        long positions = pos[1] - 1;
        int grid = (int) Math.round(Math.sqrt(positions));
        if (positions < 1 || (long) grid * grid != positions) {
            throw new WeightFormatException(source, "pos_embed " + Arrays.toString(pos)
                    + " does not hold 1 + a square number of positions");
        }
        Set<Integer> blocks = new TreeSet<>();
        for (String name : tensors.keySet()) {
            Matcher m = BLOCK_INDEX.matcher(name);
            if (m.matches()) {
                blocks.add(Integer.parseInt(m.group(1)));
            }
        }
        int depth = blocks.size();
        if (depth == 0) {
            throw new WeightFormatException(source, "no blocks.N tensors");
        }
        int registers = tensors.containsKey("register_tokens")
                ? (int) shapeOf(tensors, "register_tokens", 3, source)[1] : 0;
        boolean swiglu = tensors.containsKey("blocks.0.mlp.w12.weight");
        int hidden = swiglu ? (int) (shapeOf(tensors, "blocks.0.mlp.w12.weight", 2, source)[0] / 2)
                : (int) shapeOf(tensors, "blocks.0.mlp.fc1.weight", 2, source)[0];
        int heads = dim % 64 == 0 ? dim / 64 : 1;
        boolean reg = registers > 0;
        return new DinoV2Config(dim, depth, heads, hidden,
                swiglu ? DinoV2Config.FfnType.SWIGLU : DinoV2Config.FfnType.MLP, registers, patch, grid, 1e-6,
                reg, reg ? 0.0 : 0.1);
    }

    private static long[] shapeOf(Map<String, TensorInfo> tensors, String name, int rank, Path source)
            throws WeightFormatException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new WeightFormatException(source, "tensor " + name + " is missing; cannot infer the architecture");
        }
        if (t.shape().length != rank) {
            throw new WeightFormatException(source, "tensor " + name + " has shape " + t.shapeString()
                    + ", expected rank " + rank);
        }
        return t.shape();
    }

    // ------------------------------------------------------------------------------------------- validation

    /**
     * Checks that the tensors are exactly {@code config.expectedTensors()} ({@code mask_token} may be absent).
     *
     * @throws WeightFormatException naming the first few missing, unexpected and mis-shaped tensors with counts
     */
    public static void validate(DinoV2Config config, Map<String, TensorInfo> tensors, Path source)
            throws WeightFormatException {
        validate(config, tensors, List.of(), source);
    }

    private static void validate(DinoV2Config config, Map<String, TensorInfo> tensors, List<String> unmapped,
            Path source) throws WeightFormatException {
        Map<String, long[]> expected = config.expectedTensors();
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorInfo t = tensors.get(e.getKey());
            if (t == null) {
                if (!e.getKey().equals("mask_token")) {
                    missing.add(e.getKey());
                }
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                wrongShape.add(e.getKey() + " is " + t.shapeString() + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        List<String> unexpected = new ArrayList<>(unmapped);
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                unexpected.add(name);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("missing " + counted(missing, "tensor"));
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected " + counted(unexpected, "tensor"));
        }
        if (!wrongShape.isEmpty()) {
            problems.add(counted(wrongShape, "wrong shape"));
        }
        if (!problems.isEmpty()) {
            throw new WeightFormatException(source, "tensors do not match " + summary(config) + ": "
                    + String.join("; ", problems));
        }
    }

    private static String counted(List<String> items, String noun) {
        String shown = String.join(", ", items.subList(0, Math.min(NAMES_SHOWN, items.size())));
        String more = items.size() > NAMES_SHOWN ? ", ... (" + (items.size() - NAMES_SHOWN) + " more)" : "";
        return items.size() + " " + noun + (items.size() == 1 ? "" : "s") + " (" + shown + more + ")";
    }

    /** e.g. {@code DINOv2 ViT dim=384 depth=12 heads=6 ffn=MLP(1536) registers=0 patch=14 grid=37}. */
    static String summary(DinoV2Config c) {
        return "DINOv2 ViT dim=" + c.embedDim() + " depth=" + c.depth() + " heads=" + c.numHeads() + " ffn="
                + c.ffn() + "(" + c.ffnHidden() + ") registers=" + c.numRegisters() + " patch=" + c.patchSize()
                + " grid=" + c.posGrid();
    }

    private static String firstFew(Collection<String> names) {
        List<String> list = new ArrayList<>(names);
        String shown = String.join(", ", list.subList(0, Math.min(NAMES_SHOWN, list.size())));
        return list.size() > NAMES_SHOWN ? shown + ", ... (" + list.size() + " in all)" : shown;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int newline = s.indexOf('\n');
        return newline < 0 ? s : s.substring(0, newline);
    }
}
