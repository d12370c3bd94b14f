package org.itaestudio.itae;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/**
 * A register-neuron calibration: the chosen MLP units of one model and how they were found; what
 * {@code calibrate-registers} writes and {@code --test-time-registers} reads (JSON, format below).
 *
 * <pre>{"format": "itae-studio/register-neurons", "version": 1,
 *  "model": {"spec", "fingerprint", "architecture"},
 *  "settings": {"images", "seed", "detect_layer", "norm_threshold": number|"auto", "highest_layer", "top_k",
 *               "sparsity_filter"},
 *  "threshold", "threshold_rule", "images_sampled", "images_with_outliers", "outlier_tokens",
 *  "neurons": [[block, unit, score], ...]}   (by score, descending)</pre>
 *
 * @param modelSpec          the model as the user named it (informational)
 * @param fingerprint        {@code DinoV2.fingerprint()} of the calibrated weights: files for another model are refused
 * @param architecture       a one-line description of the architecture (for error messages)
 * @param settings           how the calibration ran
 * @param threshold          the norm threshold used (the resolved number when the setting is auto)
 * @param thresholdRule      how the threshold was chosen, in words
 * @param imagesSampled      images that were run
 * @param imagesWithOutliers images with at least one outlier token (the average runs over these)
 * @param outlierTokens      outlier tokens over all images
 * @param neurons            the kept (block, unit, score), by score descending
 */
public record RegisterNeurons(String modelSpec, String fingerprint, String architecture, CalibrationSettings settings,
                              double threshold, String thresholdRule, int imagesSampled, int imagesWithOutliers,
                              long outlierTokens, List<Scored> neurons) {

    public static final String FORMAT = "itae-studio/register-neurons";

    /** One kept unit and its score (mean |activation| over outlier tokens, averaged over images with outliers). */
    public record Scored(int block, int unit, double score) {
        public TestTimeRegisters.Neuron neuron() {
            return new TestTimeRegisters.Neuron(block, unit);
        }
    }

    public RegisterNeurons {
        neurons = List.copyOf(neurons);
    }

    /** Test-time registers with these neurons. */
    public TestTimeRegisters registers(int count, TestTimeRegisters.PatchValues patchValues) {
        return new TestTimeRegisters(neurons.stream().map(Scored::neuron).toList(), count, patchValues, fingerprint);
    }

    /**
     * Refuses a file calibrated on other weights.
     *
     * @throws IllegalArgumentException naming both models
     */
    public void checkModel(String modelFingerprint, String modelArchitecture) {
        if (!fingerprint.equals(modelFingerprint)) {
            throw new IllegalArgumentException("the register neurons were calibrated for another model (" + modelSpec + ", "
                    + architecture + "; fingerprint " + shortPrint(fingerprint) + "), not this one (" + modelArchitecture
                    + "; fingerprint " + shortPrint(modelFingerprint) + ")");
        }
    }

    private static String shortPrint(String f) {
        return f.length() > 12 ? f.substring(0, 12) : f;
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", 1);
        JsonObject m = new JsonObject();
        m.addProperty("spec", modelSpec);
        m.addProperty("fingerprint", fingerprint);
        m.addProperty("architecture", architecture);
        o.add("model", m);
        o.add("settings", settings.toJson());
        o.addProperty("threshold", threshold);
        o.addProperty("threshold_rule", thresholdRule);
        o.addProperty("images_sampled", imagesSampled);
        o.addProperty("images_with_outliers", imagesWithOutliers);
        o.addProperty("outlier_tokens", outlierTokens);
        JsonArray list = new JsonArray();
        for (Scored s : neurons) {
            JsonArray e = new JsonArray();
            e.add(s.block());
            e.add(s.unit());
            e.add(s.score());
            list.add(e);
        }
        o.add("neurons", list);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    /**
     * Reads a neuron file.
     *
     * @param source for messages (the file name)
     * @throws IllegalArgumentException with a one-line reason when the text is not a neuron file
     */
    public static RegisterNeurons parse(String json, String source) {
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonObject() || !root.getAsJsonObject().has("format")
                    || !FORMAT.equals(root.getAsJsonObject().get("format").getAsString())) {
                throw new IllegalArgumentException(source + " is not a register-neuron file (no \"format\": \"" + FORMAT + "\")");
            }
            JsonObject o = root.getAsJsonObject();
            JsonObject m = o.getAsJsonObject("model");
            List<Scored> neurons = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("neurons")) {
                JsonArray a = e.getAsJsonArray();
                if (a.size() < 2) {
                    throw new IllegalArgumentException(source + ": a neuron must be [block, unit, score], got " + a);
                }
                double score = a.size() > 2 ? a.get(2).getAsDouble() : Double.NaN;
                int block = a.get(0).getAsInt();
                int unit = a.get(1).getAsInt();
                if (block < 0 || unit < 0) {
                    throw new IllegalArgumentException(source + ": neuron " + a + " has a negative index");
                }
                neurons.add(new Scored(block, unit, score));
            }
            if (neurons.isEmpty()) {
                throw new IllegalArgumentException(source + " lists no neurons");
            }
            return new RegisterNeurons(m.get("spec").getAsString(), m.get("fingerprint").getAsString(),
                    m.get("architecture").getAsString(), CalibrationSettings.fromJson(o.getAsJsonObject("settings")),
                    o.get("threshold").getAsDouble(), o.get("threshold_rule").getAsString(),
                    o.get("images_sampled").getAsInt(), o.get("images_with_outliers").getAsInt(),
                    o.get("outlier_tokens").getAsLong(), neurons);
        } catch (JsonParseException | IllegalStateException | NullPointerException | ClassCastException
                 | NumberFormatException | UnsupportedOperationException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException(source + " is not a valid register-neuron file: " + why);
        }
    }
}
