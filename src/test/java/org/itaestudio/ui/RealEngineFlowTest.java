package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Slider;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.TilePane;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * End to end with the real {@link DefaultStudioEngine} and a small random-weight DINOv2 checkpoint written as
 * .safetensors: open a folder (with one broken file) -> clusters -> inspect -> drag the threshold slider -> the
 * artifact outline count follows the probe -> export CSV matches the clusters on screen.
 */
class RealEngineFlowTest extends MainWindowFixture<DefaultStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new DefaultStudioEngine(tmp.resolve("cache"), new ModelResolver(hubEnv())),
                SyntheticModelFiles.write(tmp.resolve("tiny.safetensors"), SyntheticModelFiles.TINY, 3), true);
        vm.deviceProperty().set(DeviceChoice.CPU);
    }

    /** 12 images in three families (stripes, checkers, gradients) plus one file that is not an image. */
    private Path folder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < 12; i++) {
            int family = i % 3;
            BufferedImage img = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 80; y++) {
                for (int x = 0; x < 96; x++) {
                    int v = switch (family) {
                        case 0 -> ((x / (4 + i)) % 2) * 200;
                        case 1 -> (((x / 12) + (y / 12)) % 2) * 180 + i * 3;
                        default -> (x * 255 / 96 + i * 5) & 0xFF;
                    };
                    img.setRGB(x, y, (v << 16) | ((v * (family + 1) / 3) << 8) | (255 - v));
                }
            }
            ImageIO.write(img, "png", dir.resolve(String.format("f%d_%02d.png", family, i)).toFile());
        }
        Files.writeString(dir.resolve("notes.jpg"), "not a jpeg");
        return dir;
    }

    @Test
    void folderToInspectorToThresholdToExport(FxRobot robot) throws Exception {
        Path dir = folder();
        runFx(() -> vm.kProperty().set(3));
        runFx(() -> vm.openFolder(dir));
        waitFor("analysis", 240, () -> !vm.runningProperty().get() && (vm.analysis() != null || vm.errorProperty().get() != null));
        assertEquals(null, vm.errorProperty().get());
        assertEquals(12, vm.analysis().size());
        assertEquals(1, vm.skipped().size());
        assertEquals("notes.jpg", vm.skipped().get(0).relativePath());
        assertEquals(3, vm.analysis().k());
        waitFor("headers", 10, () -> window.gallery().visibleHeaders() == 3);

        // inspect the first image: one small multiple per head (tiny model: 2) plus the mean
        // select first (this starts the model and the inspection), then double-click to open the inspector; a cold
        // first click can take longer than the double-click interval on a loaded 2-core machine
        robot.clickOn(window.gallery().tileFor(0).orElseThrow());
        waitFor("selected", 60, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
        robot.doubleClickOn(window.gallery().tileFor(0).orElseThrow());
        waitFor("inspection", 60, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
        var r = vm.inspector().resultProperty().get();
        assertEquals(SyntheticModelFiles.TINY.depth() - 1, r.inspection().layer());
        assertEquals(16, r.inspection().gridH());
        int heads = SyntheticModelFiles.TINY.numHeads();
        assertEquals(heads + 1, (int) onFx(() -> robot.lookup("#head-multiples").queryAs(TilePane.class).getChildren().size()));
        int autoCount = r.inspection().probe().artifacts().length;
        assertTrue(window.inspector().artifactText().startsWith(autoCount + " of 256"), window.inspector().artifactText());

        // manual threshold at the top of the slider: every patch with V norm <= max is an artifact
        robot.clickOn("#itae-auto");
        Node thumb = robot.lookup("#itae-threshold-slider .thumb").query();
        robot.drag(thumb).moveBy(400, 0).release(MouseButton.PRIMARY);
        Slider slider = window.itaePanel().thresholdSlider();
        assertEquals(slider.getMax(), slider.getValue(), 1e-9);
        waitFor("re-inspected", 60, () -> {
            var x = vm.inspector().resultProperty().get();
            return !vm.inspector().busyProperty().get() && x.config() != null && !x.config().autoThreshold()
                    && x.config().threshold().equals(ItaeConfig.Threshold.fixed(slider.getMax()));
        });
        r = vm.inspector().resultProperty().get();
        float[] v = r.inspection().probe().vNorm();
        int expected = 0;
        for (int p = 0; p < 256; p++) {
            expected += v[1 + p] <= slider.getMax() ? 1 : 0;
        }
        assertEquals(expected, r.inspection().probe().artifacts().length);
        assertNotEquals(autoCount, expected, "moving the threshold changed the artifacts");
        assertTrue(window.inspector().artifactText().startsWith(expected + " of 256"), window.inspector().artifactText());

        // export: the CSV holds every analysed image with the cluster shown in the app
        Path csv = tmp.resolve("out/labels.csv");
        Files.createDirectories(csv.getParent());
        List<String> lines = export(ExportController.Kind.LABELS, csv);
        assertEquals("path,cluster,cluster_name", lines.get(0));
        assertEquals(13, lines.size());
        for (int i = 0; i < 12; i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(vm.analysis().paths().get(i), f[0]);
            assertEquals(vm.clusters().label(i), Integer.parseInt(f[1]));
        }
    }
}
