package org.itaestudio.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.model.weights.SafetensorsReader;

/**
 * The test-time-register goldens under src/test/resources/ttr (made by tools/ttr_reference.py): per case a tiny
 * model in official naming ({@code NAME.safetensors}), its calibration images ({@code NAME_inputs.safetensors},
 * [8, 3, 84, 84] normalised) and the reference's results ({@code NAME.json}).
 */
public final class TtrFixtures {

    /** S/14-shaped (GELU, no registers) and g/14-shaped (SwiGLU, 4 trained registers). */
    public static final String[] CASES = {"s14_tiny", "g14_tiny_reg4"};
    public static final int SIDE = 84;
    public static final int IMAGES = 8;

    private TtrFixtures() {
    }

    public static Path path(String name) {
        try {
            return Path.of(TtrFixtures.class.getResource("/ttr/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture ttr/" + name, e);
        }
    }

    public static JsonObject golden(String name) {
        try {
            return JsonParser.parseString(Files.readString(path(name + ".json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.util.Map<String, DinoV2> MODELS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The case's model, loaded once per test JVM and shared (models are thread-safe and never closed by tests). */
    public static synchronized DinoV2 model(String name) throws IOException {
        DinoV2 m = MODELS.get(name);
        if (m == null) {
            try (LoadedCheckpoint ckpt = CheckpointLoader.open(path(name + ".safetensors"))) {
                m = DinoV2.create(ckpt.config(), ckpt.weights(), TestDevice.get());
            }
            MODELS.put(name, m);
        }
        return m;
    }

    /** The calibration images, NCHW. */
    public static float[] images(String name) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(path(name + "_inputs.safetensors"))) {
            FloatBuffer fb = r.readFloats("calibration");
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    /** Image i of the NCHW array. */
    public static float[] image(float[] all, int i) {
        int per = 3 * SIDE * SIDE;
        return Arrays.copyOfRange(all, i * per, (i + 1) * per);
    }
}
