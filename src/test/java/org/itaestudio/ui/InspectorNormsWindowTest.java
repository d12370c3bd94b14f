package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The inspector's "Norms & fixes" toggle in the whole window over the hand-made engine: hidden and idle by default,
 * shown with the no-fix and ITAE maps and the calibration placeholder once toggled, and it follows the block. The
 * fake engine reports no token norms: the strip says so instead of drawing an empty map.
 */
class InspectorNormsWindowTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    @Test
    void theToggleShowsTheFixesAndTheyFollowTheBlock(FxRobot robot) throws Exception {
        Path folder = UiTestSupport.imageFolder(tmp.resolve("photos"), 4);
        openAndWait(folder);
        robot.clickOn(window.gallery().tileFor(0).orElseThrow());
        waitFor("selected", 60, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
        UiTestSupport.runFx(() -> vm.viewProperty().set(MainViewModel.View.INSPECTOR));
        waitFor("the inspector", 10, () -> robot.lookup("#compare-toggle").tryQuery().isPresent());
        assertFalse(onFx(() -> robot.lookup("#side-by-side-pane").query().isVisible()), "hidden by default");
        int calls = engine.inspectCalls.get();

        robot.clickOn("#compare-toggle");
        waitFor("the side-by-side", 20, () -> robot.lookup("#fix-tile-itae").tryQuery().isPresent());
        assertTrue(onFx(() -> robot.lookup("#side-by-side-pane").query().isVisible()));
        assertEquals(2, engine.inspectCalls.get() - calls, "no fix and ITAE: one inspection each");
        assertEquals(SideBySideModel.CALIBRATE_HINT,
                onFx(() -> robot.lookup("#fix-tile-ttr .fix-placeholder").queryAs(Label.class).getText()));
        waitFor("the norm note", 10, () -> robot.lookup("#norm-summary").queryAs(Label.class).getText()
                .equals("The engine reported no token norms for this image."));

        UiTestSupport.runFx(() -> vm.inspector().layerProperty().set(1));
        waitFor("block 1", 20, () -> robot.lookup("#side-by-side-title").queryAs(Label.class).getText().startsWith("Block 1,"));
    }
}
