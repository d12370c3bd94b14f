package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.application.Platform;
import javafx.beans.property.SimpleObjectProperty;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.TtrFixtures;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The norm map and the side-by-side strip on screen, over the real engine and the tiny S/14-shaped checkpoint: the
 * panels appear with their titles (the test-time-register one as a placeholder before a calibration), and a change of
 * the inspector's block or of the norm block redraws them. Waits on conditions only.
 */
@ExtendWith(ApplicationExtension.class)
class SideBySidePaneTest {

    private DefaultStudioEngine engine;
    private InspectorModel inspector;
    private SideBySideModel model;
    private SideBySidePane pane;

    @Start
    void start(Stage stage) {
        engine = new DefaultStudioEngine(null, new ModelResolver());
        AnalysisSettings settings = AnalysisSettings.defaults(TtrFixtures.path("s14_tiny.safetensors").toString())
                .with(b -> b.device = DeviceChoice.CPU);
        ItaeSettings itae = new ItaeSettings();
        inspector = new InspectorModel(engine, itae, () -> settings, Platform::runLater);
        model = new SideBySideModel(engine, inspector.imageProperty(), inspector.layerProperty(), itae,
                new SimpleObjectProperty<RegisterNeurons>(), n -> n.registers(1, TestTimeRegisters.PatchValues.ZERO),
                () -> settings, Platform::runLater, LatestWinsRunner.DelayTimer.daemon("test-debounce"));
        model.activeProperty().set(true);
        pane = new SideBySidePane(model, inspector);
        stage.setScene(new Scene(pane, 1000, 300));
        stage.show();
    }

    @AfterEach
    void stop() {
        runFx(pane::dispose);
        model.close();
        inspector.close();
        engine.close();
    }

    private static String text(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    private static List<String> tileTitles(FxRobot robot) throws Exception {
        return onFx(() -> robot.lookup("#side-by-side").queryAs(HBox.class).getChildren().stream()
                .map(t -> ((Label) ((VBox) t).getChildren().get(0)).getText()).toList());
    }

    private static Image tileImage(FxRobot robot, String id) throws Exception {
        return onFx(() -> {
            Node map = ((VBox) robot.lookup(id).query()).getChildren().get(1);
            return ((ImageView) ((javafx.scene.layout.StackPane) map).getChildren().get(0)).getImage();
        });
    }

    @Test
    void thePanelsAppearAndFollowTheBlocks(FxRobot robot) throws Exception {
        runFx(() -> inspector.inspect(Path.of("sample-data", "everyday", "coffee.png")));
        waitFor("the side-by-side", 60, () -> robot.lookup("#fix-tile-itae").tryQuery().isPresent()
                && robot.lookup("#side-by-side-title").queryAs(Label.class).getText().startsWith("Block 3,"));
        assertEquals(List.of("No fix", "ITAE", "Test-time registers"), tileTitles(robot));
        String placeholder = onFx(() -> robot.lookup("#fix-tile-ttr .fix-placeholder").queryAs(Label.class).getText());
        assertEquals(SideBySideModel.CALIBRATE_HINT, placeholder, "a placeholder, not an empty box");
        assertTrue(text(robot, "#norm-summary").matches("\\d+ of 256 patch tokens above .*"), text(robot, "#norm-summary"));
        assertEquals(2, (int) onFx(() -> robot.lookup("#norm-layer-spinner").queryAs(Spinner.class).getValue()));
        Image before = tileImage(robot, "#fix-tile-none");
        String shot = System.getProperty("itae.sideBySideShot");
        if (shot != null) {
            var image = onFx(() -> pane.getScene().snapshot(null));
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", Path.of(shot).toFile());
        }

        // the inspector's block moves: every fix runs again there
        runFx(() -> inspector.layerProperty().set(1));
        waitFor("block 1", 60, () -> robot.lookup("#side-by-side-title").queryAs(Label.class).getText().startsWith("Block 1,"));
        assertTrue(tileTitles(robot).get(1).contains("not at block 1"), tileTitles(robot).toString());
        assertNotSame(before, tileImage(robot, "#fix-tile-none"), "the no-fix map is redrawn for block 1");

        // the norm block is its own control
        Image normBefore = onFx(() -> robot.lookup("#norm-map").queryAs(ImageView.class).getImage());
        robot.clickOn("#norm-layer-spinner .increment-arrow-button");
        waitFor("norm block 3", 20, () -> model.normMapProperty().get().layer() == 3);
        waitFor("the norm map redrawn", 20, () -> robot.lookup("#norm-map").queryAs(ImageView.class).getImage() != normBefore);
        assertEquals(3, (int) onFx(() -> robot.lookup("#norm-layer-spinner").queryAs(Spinner.class).getValue()));
    }
}
