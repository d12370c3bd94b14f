package org.itaestudio.model.transfer;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.SafetensorsReader;

/** The goldens tools/attention_transfer_reference.py writes under src/test/resources/transfer. */
final class TransferGoldens {

    /** The reference's tiny teacher: 32 px, patch 8 (4 x 4 grid), dim 32, 5 blocks, 2 heads, no registers. */
    static final DinoV2Config TEACHER = new DinoV2Config(32, 5, 2, 128, DinoV2Config.FfnType.MLP, 0, 8, 4, 1e-6,
            false, 0.0);
    /** The same with 4 register tokens. */
    static final DinoV2Config TEACHER_REG4 = new DinoV2Config(32, 5, 2, 128, DinoV2Config.FfnType.MLP, 4, 8, 4, 1e-6,
            true, 0.0);
    /** The same with DINOv2-g's SwiGLU MLP (hidden 88 per half). */
    static final DinoV2Config TEACHER_SWIGLU = new DinoV2Config(32, 5, 2, DinoV2Config.swigluHidden(32),
            DinoV2Config.FfnType.SWIGLU, 0, 8, 4, 1e-6, false, 0.0);
    static final int CLASSES = 3;

    private TransferGoldens() {
    }

    static Path path(String name) {
        URL url = TransferGoldens.class.getResource("/transfer/" + name);
        if (url == null) {
            throw new IllegalStateException("missing golden transfer/" + name + " (run tools/attention_transfer_reference.py)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject golden() {
        try {
            return JsonParser.parseString(Files.readString(path("golden.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every tensor of a golden safetensors file, as floats. */
    static Map<String, float[]> tensors(String name) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(path(name))) {
            for (String t : r.tensors().keySet()) {
                FloatBuffer fb = r.readFloats(t);
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(t, v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static StudentConfig student(StudentArch arch) {
        return StudentConfig.like(TEACHER, arch, TEACHER.posGrid(), CLASSES);
    }
}
