package org.itaestudio.itae;

import com.google.gson.JsonObject;

/**
 * How register neurons are calibrated (see {@link RegisterNeuronSelection}).
 *
 * @param images         how many images of the folder are sampled (all when the folder has fewer)
 * @param seed           seed of the sample
 * @param detectLayer    block whose output norms find outlier tokens; negative counts from the end (-2: second to last)
 * @param threshold      norm threshold, or {@link ItaeConfig.Threshold#AUTO} (see {@link RegisterNeuronSelection#autoThreshold})
 * @param highestLayer   last block whose units are scored (negative from the end), or null for the detect layer
 * @param topK           units kept
 * @param sparsityFilter keep only units sparse in an image (official find_register_neurons' filter)
 */
public record CalibrationSettings(int images, long seed, int detectLayer, ItaeConfig.Threshold threshold,
                                  Integer highestLayer, int topK, boolean sparsityFilter) {

    public CalibrationSettings {
        if (images < 1) {
            throw new IllegalArgumentException("calibration needs at least one image, got " + images);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be >= 1, got " + topK);
        }
        if (threshold == null) {
            throw new IllegalArgumentException("a norm threshold (or auto) must be given");
        }
    }

    /** 200 images, seed 42, the second-to-last block, auto threshold, units up to the detect layer, top 50. */
    public static CalibrationSettings defaults() {
        return new CalibrationSettings(200, 42L, -2, ItaeConfig.Threshold.AUTO, null, 50, false);
    }

    /** The detect layer as a block index of a model of this depth. */
    public int resolveDetectLayer(int depth) {
        return resolve(detectLayer, depth, "detect layer");
    }

    /** The last scored block of a model of this depth. */
    public int resolveHighestLayer(int depth) {
        return highestLayer == null ? resolveDetectLayer(depth) : resolve(highestLayer, depth, "highest layer");
    }

    private static int resolve(int layer, int depth, String what) {
        int l = layer < 0 ? depth + layer : layer;
        if (l < 0 || l >= depth) {
            throw new IllegalArgumentException("the " + what + " " + layer + " does not exist: the model has " + depth
                    + " blocks (0.." + (depth - 1) + ", or -1..-" + depth + " from the end)");
        }
        return l;
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("images", images);
        o.addProperty("seed", seed);
        o.addProperty("detect_layer", detectLayer);
        if (threshold instanceof ItaeConfig.Threshold.Fixed f) {
            o.addProperty("norm_threshold", f.value());
        } else {
            o.addProperty("norm_threshold", "auto");
        }
        if (highestLayer != null) {
            o.addProperty("highest_layer", highestLayer);
        }
        o.addProperty("top_k", topK);
        o.addProperty("sparsity_filter", sparsityFilter);
        return o;
    }

    static CalibrationSettings fromJson(JsonObject o) {
        String t = o.get("norm_threshold").getAsString();
        ItaeConfig.Threshold threshold = t.equals("auto") ? ItaeConfig.Threshold.AUTO
                : ItaeConfig.Threshold.fixed(Double.parseDouble(t));
        return new CalibrationSettings(o.get("images").getAsInt(), o.get("seed").getAsLong(),
                o.get("detect_layer").getAsInt(), threshold,
                o.has("highest_layer") ? o.get("highest_layer").getAsInt() : null, o.get("top_k").getAsInt(),
                o.get("sparsity_filter").getAsBoolean());
    }
}
