package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.itaestudio.image.ModelInput;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.TtrFixtures;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Register-neuron calibration against tools/ttr_reference.py on the 8 calibration images of each tiny model (planted
 * register neurons): the same threshold (auto: 1e-5 relative), the same images with outliers, the same neuron list
 * in the same order, scores within 1e-4 (relative to max(1, |score|)). Settings: auto threshold; a fixed threshold
 * with the sparsity filter.
 */
class RegisterCalibrationGoldenTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"s14_tiny,auto", "s14_tiny,fixed_sparse", "g14_tiny_reg4,auto", "g14_tiny_reg4,fixed_sparse"})
    void sameNeuronsAsTheReference(String name, String setting) throws Exception {
        JsonObject g = TtrFixtures.golden(name).getAsJsonObject("calibration").getAsJsonObject(setting);
        JsonElement t = g.get("threshold_setting");
        ItaeConfig.Threshold threshold = t.getAsJsonPrimitive().isString() ? ItaeConfig.Threshold.AUTO
                : ItaeConfig.Threshold.fixed(t.getAsDouble());
        CalibrationSettings settings = new CalibrationSettings(TtrFixtures.IMAGES, 1, g.get("detect_layer").getAsInt(),
                threshold, g.get("highest_layer").getAsInt(), g.get("top_k").getAsInt(),
                g.get("sparsity_filter").getAsBoolean());
        DinoV2 model = TtrFixtures.model(name);
        float[] all = TtrFixtures.images(name);
        AtomicInteger decoded = new AtomicInteger();
        RegisterNeurons r = RegisterCalibration.run(model, name, TtrFixtures.IMAGES, i -> {
            decoded.incrementAndGet();
            return new ModelInput(TtrFixtures.SIDE, TtrFixtures.SIDE, TtrFixtures.image(all, i));
        }, settings, ProgressListener.NONE, Cancellation.none());

        double expectedThreshold = g.get("threshold").getAsDouble();
        assertEquals(expectedThreshold, r.threshold(), 1e-5 * expectedThreshold, "threshold");
        JsonArray withOutliers = g.getAsJsonArray("images_with_outliers");
        assertEquals(withOutliers.size(), r.imagesWithOutliers());
        assertEquals(TtrFixtures.IMAGES + withOutliers.size(), decoded.get(), "pass 2 decodes only images with outliers");
        JsonArray expected = g.getAsJsonArray("neurons");
        assertEquals(expected.size(), r.neurons().size());
        List<String> mismatches = new ArrayList<>();
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            JsonArray e = expected.get(i).getAsJsonArray();
            RegisterNeurons.Scored a = r.neurons().get(i);
            if (e.get(0).getAsInt() != a.block() || e.get(1).getAsInt() != a.unit()) {
                mismatches.add(i + ": expected " + e + ", got " + a);
            }
            double s = e.get(2).getAsDouble();
            worst = Math.max(worst, Math.abs(s - a.score()) / Math.max(1, Math.abs(s)));
        }
        assertTrue(mismatches.isEmpty(), "neuron order differs: " + mismatches);
        assertTrue(worst < 1e-4, "score error " + worst);
        // the file round-trips
        RegisterNeurons back = RegisterNeurons.parse(r.toJson(), "neurons.json");
        assertEquals(r, back);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"s14_tiny", "g14_tiny_reg4"})
    void aThresholdAboveEveryNormIsOneClearError(String name) throws Exception {
        DinoV2 model = TtrFixtures.model(name);
        float[] all = TtrFixtures.images(name);
        CalibrationSettings settings = new CalibrationSettings(TtrFixtures.IMAGES, 1, -2, ItaeConfig.Threshold.fixed(1e6),
                null, 5, false);
        RegisterCalibration.NoOutliersException e = assertThrows(RegisterCalibration.NoOutliersException.class,
                () -> RegisterCalibration.run(model, name, TtrFixtures.IMAGES,
                        i -> new ModelInput(TtrFixtures.SIDE, TtrFixtures.SIDE, TtrFixtures.image(all, i)), settings,
                        ProgressListener.NONE, Cancellation.none()));
        assertTrue(e.getMessage().startsWith("no image has an outlier token at norm threshold 1.000e+06"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }
}
