package org.itaestudio.model.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face {@code Dinov2Model} / {@code Dinov2WithRegistersModel} tensor names to the official
 * facebookresearch/dinov2 names. Most are renames; each block's separate {@code query}, {@code key} and
 * {@code value} projections become one official {@code attn.qkv} tensor, concatenated in q, k, v order along
 * dimension 0.
 */
public final class HfWeightNames {

    private HfWeightNames() {
    }

    /**
     * The result of mapping a set of HF names.
     *
     * @param official official name to the HF names it is made of (one, or q/k/v in that order), in input order
     * @param unmapped HF names that have no official counterpart
     */
    public record Mapping(Map<String, List<String>> official, List<String> unmapped) {
    }

    private static final Map<String, String> TOP_LEVEL = Map.of(
            "embeddings.cls_token", "cls_token",
            "embeddings.mask_token", "mask_token",
            "embeddings.position_embeddings", "pos_embed",
            "embeddings.register_tokens", "register_tokens",
            "embeddings.patch_embeddings.projection.weight", "patch_embed.proj.weight",
            "embeddings.patch_embeddings.projection.bias", "patch_embed.proj.bias",
            "layernorm.weight", "norm.weight",
            "layernorm.bias", "norm.bias");

    /** Inside {@code encoder.layer.N.}: HF module path to official module path. */
    private static final Map<String, String> BLOCK_MODULES = Map.of(
            "norm1", "norm1",
            "norm2", "norm2",
            "attention.output.dense", "attn.proj",
            "mlp.fc1", "mlp.fc1",
            "mlp.fc2", "mlp.fc2",
            "mlp.weights_in", "mlp.w12",
            "mlp.weights_out", "mlp.w3");

    private static final Pattern BLOCK = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)\\.([^.]+)");
    private static final List<String> QKV = List.of("query", "key", "value");

    /** The official name of one HF name, or null when it has none or is one of q/k/v. */
    public static String officialName(String hfName) {
        String top = TOP_LEVEL.get(hfName);
        if (top != null) {
            return top;
        }
        Matcher m = BLOCK.matcher(hfName);
        if (!m.matches()) {
            return null;
        }
        String block = "blocks." + Integer.parseInt(m.group(1)) + ".";
        String module = m.group(2);
        String leaf = m.group(3);
        if (module.equals("layer_scale1") && leaf.equals("lambda1")) {
            return block + "ls1.gamma";
        }
        if (module.equals("layer_scale2") && leaf.equals("lambda1")) {
            return block + "ls2.gamma";
        }
        String official = BLOCK_MODULES.get(module);
        if (official != null && (leaf.equals("weight") || leaf.equals("bias"))) {
            return block + official + "." + leaf;
        }
        return null;
    }

    /**
     * Maps every name; q/k/v triples become one official qkv entry.
     *
     * @throws IllegalArgumentException when a block has only some of query/key/value (message names them)
     */
    public static Mapping map(Collection<String> hfNames) {
        Map<String, List<String>> official = new LinkedHashMap<>();
        Map<String, String[]> qkv = new LinkedHashMap<>();
        List<String> unmapped = new ArrayList<>();
        for (String name : hfNames) {
            Matcher m = BLOCK.matcher(name);
            if (m.matches() && m.group(2).startsWith("attention.attention.")
                    && QKV.contains(m.group(2).substring("attention.attention.".length()))
                    && (m.group(3).equals("weight") || m.group(3).equals("bias"))) {
                String target = "blocks." + Integer.parseInt(m.group(1)) + ".attn.qkv." + m.group(3);
                String[] parts = qkv.computeIfAbsent(target, k -> new String[3]);
                official.putIfAbsent(target, null); // keep the position of the first part
                parts[QKV.indexOf(m.group(2).substring("attention.attention.".length()))] = name;
                continue;
            }
            String target = officialName(name);
            if (target == null) {
                unmapped.add(name);
            } else if (official.putIfAbsent(target, List.of(name)) != null) {
                throw new IllegalArgumentException("two tensors map to " + target);
            }
        }
        for (Map.Entry<String, String[]> e : qkv.entrySet()) {
            String[] parts = e.getValue();
            if (Arrays.asList(parts).contains(null)) {
                List<String> missing = new ArrayList<>();
                String present = Arrays.stream(parts).filter(p -> p != null).findFirst().orElseThrow();
                String stem = present.substring(0, present.lastIndexOf("attention.attention.")
                        + "attention.attention.".length());
                String leaf = present.substring(present.lastIndexOf('.'));
                for (int i = 0; i < 3; i++) {
                    if (parts[i] == null) {
                        missing.add(stem + QKV.get(i) + leaf);
                    }
                }
                throw new IllegalArgumentException("cannot build " + e.getKey() + ": missing " + missing);
            }
            official.put(e.getKey(), List.of(parts));
        }
        return new Mapping(official, unmapped);
    }
}
