package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Inspection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ITAE panel's state: configuration, and the threshold control's range, automatic value and text. */
class ItaeSettingsTest {

    @TempDir
    Path tmp;

    final ItaeSettings s = new ItaeSettings();

    /** A result of the fake engine: V norms 1..16, Q norms 2..32, automatic threshold 4.5. */
    InspectorModel.Result result() throws IOException {
        Path img = Files.writeString(tmp.resolve("a.png"), "x");
        AnalysisSettings settings = AnalysisSettings.defaults("stand-in");
        ItaeConfig cfg = s.toConfig(FakeStudioEngine.DEPTH);
        Inspection ins = new FakeStudioEngine().inspect(img, settings, FakeStudioEngine.DEPTH - 1, cfg);
        return new InspectorModel.Result(new InspectorModel.Request(img, -1, s.snapshot(), false, settings), ins,
                FakeStudioEngine.DEPTH, cfg, 0);
    }

    @Test
    void underAutoTheFieldIsEmptyUntilAnImageGivesTheValue() throws IOException {
        assertTrue(s.autoThresholdProperty().get());
        assertEquals("", s.thresholdTextProperty().get());
        assertTrue(Double.isNaN(s.autoValueProperty().get()));

        s.adaptTo(result());
        assertEquals(4.5, s.autoValueProperty().get());
        assertEquals(4.5, s.thresholdProperty().get(), "unticking Auto starts from the automatic value");
        assertEquals("4.50", s.thresholdTextProperty().get());
        assertEquals(0, s.sliderMinProperty().get(), "the norms start at 1; the range also holds the threshold it had");
        assertEquals(16, s.sliderMaxProperty().get());
    }

    @Test
    void theRangeFollowsTheChosenComponentAndKeepsAManualThreshold() throws IOException {
        s.autoThresholdProperty().set(false);
        s.thresholdProperty().set(40);
        s.componentProperty().set(ItaeConfig.Component.Q);
        s.adaptTo(result());
        assertEquals(2, s.sliderMinProperty().get());
        assertEquals(40, s.sliderMaxProperty().get(), "the threshold stays inside the range");
        assertEquals(40, s.thresholdProperty().get());
        assertTrue(Double.isNaN(s.autoValueProperty().get()), "no automatic value taken with Auto off");
    }

    @Test
    void aTypedThresholdWidensTheRangeAndBadTextIsRefused() {
        s.autoThresholdProperty().set(false);
        s.commitThresholdText(" 7.5 ");
        assertEquals(7.5, s.thresholdProperty().get());
        assertEquals(7.5, s.sliderMaxProperty().get());
        assertEquals("7.50", s.thresholdTextProperty().get());
        s.commitThresholdText("-3");
        assertEquals(-3, s.sliderMinProperty().get());
        s.commitThresholdText("lots");
        s.commitThresholdText("NaN");
        assertEquals(-3, s.thresholdProperty().get());
        assertEquals("-3.00", s.thresholdTextProperty().get());
        s.commitThresholdText("123.4");
        assertEquals("123", s.thresholdTextProperty().get());
    }

    /** A bound slider clamps its value into its range: the range must hold a new threshold before the slider sees it. */
    @Test
    void aBoundValueNeverSeesAThresholdOutsideTheRange() {
        DoubleProperty slider = new SimpleDoubleProperty(s.thresholdProperty().get());
        List<Double> outside = new ArrayList<>();
        slider.addListener(o -> {
            double v = slider.get();
            if (v < s.sliderMinProperty().get() || v > s.sliderMaxProperty().get()) {
                outside.add(v);
            }
        });
        slider.bindBidirectional(s.thresholdProperty());
        s.thresholdProperty().set(50);
        s.thresholdProperty().set(-8);
        assertEquals(List.of(), outside);
        assertEquals(-8, slider.get());
    }

    @Test
    void snapshotsIgnoreWhatCannotChangeTheResult() {
        s.thresholdProperty().set(3);
        s.layerFromProperty().set(2);
        ItaeSettings.Snapshot auto = s.snapshot();
        s.thresholdProperty().set(9);
        s.layerFromProperty().set(5);
        assertEquals(auto, s.snapshot(), "Auto on and last block only: threshold and range do not matter");

        ItaeConfig c = s.toConfig(12);
        assertTrue(c.autoThreshold());
        assertEquals(ItaeConfig.Blocks.LAST, c.layers());

        s.lastLayerOnlyProperty().set(false);
        s.layerFromProperty().set(14);
        s.layerToProperty().set(9);
        assertEquals(ItaeConfig.Blocks.of(List.of(9, 10, 11)), s.toConfig(12).layers(), "a range clamped to the model");

        s.enabledProperty().set(false);
        assertNull(s.toConfig(12));
    }

    @Test
    void describeIsShort() {
        assertEquals("off", ItaeSettings.describe(null));
        assertEquals("V \u2264 auto, strength 1.00, last block, CLS row", ItaeSettings.describe(s.toConfig(12)));
        assertEquals("0.12", ItaeSettings.formatNorm(0.1234));
        assertEquals("12.3", ItaeSettings.formatNorm(12.34));
        assertEquals("123", ItaeSettings.formatNorm(123.4));
    }
}
