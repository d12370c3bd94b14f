package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Slider;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.matcher.control.LabeledMatchers;

/**
 * The whole window against a hand-made engine (test double): open a folder, see clusters, inspect an image, move
 * the ITAE threshold with the slider, watch the artifact count change, move an image, export and check the CSV;
 * plus the error paths (only broken files, missing model).
 */
class StudioFlowTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    @Test
    void fastJpegToggleReanalysesAtTheNextRun(FxRobot robot) throws Exception {
        openAndWait(UiTestSupport.imageFolder(tmp.resolve("photos"), 4));
        assertTrue(!vm.analysis().settings().jpegDraft(), "off by default");
        robot.clickOn("#jpeg-draft");
        assertTrue(vm.jpegDraftProperty().get());
        runFx(vm::run);
        waitFor("analysis with draft decoding", 20,
                () -> vm.analysis() != null && vm.analysis().settings().jpegDraft() && !vm.runningProperty().get());
    }

    @Test
    void openInspectThresholdMoveAndExport(FxRobot robot) throws Exception {
        Path folder = UiTestSupport.imageFolder(tmp.resolve("photos"), 12);
        assertTrue(onFx(() -> robot.lookup("#state-title").queryLabeled().getText()).contains("Open a folder"));
        openAndWait(folder);

        // clusters shown: one header per cluster, thumbnails for the first rows
        assertEquals(3, (int) onFx(() -> vm.clusters().nonEmptyClusters().length));
        waitFor("headers", 10, () -> window.gallery().visibleHeaders() == 3);
        waitFor("thumbnails", 10, () -> thumbs.size() >= 12);

        // double-click a thumbnail: the inspector shows the heads (6 heads + mean)
        // select first (this starts the model and the inspection), then double-click to open the inspector; a cold
        // first click can take longer than the double-click interval on a loaded 2-core machine
        robot.clickOn(window.gallery().tileFor(0).orElseThrow());
        waitFor("selected", 60, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
        robot.doubleClickOn(window.gallery().tileFor(0).orElseThrow());
        waitFor("inspection", 10, () -> vm.inspector().resultProperty().get() != null);
        assertEquals(MainViewModel.View.INSPECTOR, vm.viewProperty().get());
        assertEquals(FakeStudioEngine.HEADS + 1,
                (int) onFx(() -> robot.lookup("#head-multiples").queryAs(javafx.scene.layout.TilePane.class).getChildren().size()));
        // auto threshold 4.5 flags patches with V norm 1..4
        waitFor("auto artifacts", 10, () -> window.inspector().artifactText().startsWith("4 of 16"));

        // manual threshold: untick Auto and drag the slider's thumb to the right end
        robot.clickOn("#itae-auto");
        assertFalse(vm.itae().autoThresholdProperty().get());
        int callsBefore = engine.inspectCalls.get();
        int[] valueChanges = {0};
        runFx(() -> vm.itae().thresholdProperty().addListener(o -> valueChanges[0]++));
        Node thumb = robot.lookup("#itae-threshold-slider .thumb").query();
        robot.drag(thumb).moveBy(60, 0).moveBy(60, 0).moveBy(200, 0).release(javafx.scene.input.MouseButton.PRIMARY);
        Slider slider = window.itaePanel().thresholdSlider();
        assertEquals(slider.getMax(), slider.getValue(), 1e-9, "thumb dragged to the end");
        waitFor("artifacts after drag", 10, () -> window.inspector().artifactText().startsWith("16 of 16"));
        // the drag made many value changes, but debouncing ran far fewer inspections (the robot's drag is slow
        // enough that some 100 ms pauses happen mid-drag, so intermediate results are expected)
        int runs = engine.inspectCalls.get() - callsBefore;
        assertTrue(runs >= 1 && runs * 3 <= valueChanges[0], "inspections " + runs + " for " + valueChanges[0] + " value changes");
        assertEquals(16.0, engine.inspectConfigs.get(engine.inspectConfigs.size() - 1).fixedThreshold(), 1e-9);

        // move image 0 to cluster 2 through the gallery's context menu, then export with Ctrl+E
        robot.type(KeyCode.DIGIT1);
        assertEquals(MainViewModel.View.CLUSTERS, vm.viewProperty().get());
        int before = vm.clusters().label(0);
        robot.rightClickOn(window.gallery().tileFor(0).orElseThrow());
        robot.clickOn(menuLabel(robot, "Move to cluster"));
        // slide straight right into the submenu so the pointer never leaves it, then pick the cluster
        waitFor("submenu", 5, () -> robot.lookup(".context-menu .label").match(LabeledMatchers.hasText(ClusterModel.defaultName(2)))
                .tryQuery().isPresent());
        robot.moveBy(140, 0);
        robot.clickOn(menuLabel(robot, ClusterModel.defaultName(2)));
        waitFor("moved", 5, () -> vm.clusters().label(0) == 2);
        assertNotEquals(before, 2);
        runFx(() -> vm.renameCluster(2, "Sunsets, mostly"));

        Path csv = tmp.resolve("labels.csv");
        window.exportController().setChooser((Window w, ExportController.Kind k) -> csv);
        robot.press(KeyCode.CONTROL).press(KeyCode.E).release(KeyCode.E).release(KeyCode.CONTROL);
        waitFor("export", 10, () -> Files.exists(csv));
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertEquals("path,cluster,cluster_name", lines.get(0));
        assertEquals(13, lines.size());
        assertEquals("img_000.png,2,\"Sunsets, mostly\"", lines.get(1));
        assertEquals("img_001.png,1,Cluster 1", lines.get(2));
        assertEquals("img_011.png,2,\"Sunsets, mostly\"", lines.get(12));
    }

    private static Node menuLabel(FxRobot robot, String text) {
        return robot.lookup(".context-menu .label").match(LabeledMatchers.hasText(text))
                .match((Node n) -> n.getScene() != null && n.isVisible()).query();
    }

    @Test
    void folderWithOnlyBrokenFilesExplainsAndListsThem(FxRobot robot) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("broken"));
        for (String n : new String[] {"a.jpg", "b.png", "sub/c.jpg"}) {
            Files.createDirectories(folder.resolve(n).getParent());
            Files.writeString(folder.resolve(n), "this is not an image");
        }
        openAndWait(folder);
        assertEquals(0, vm.analysis().size());
        assertTrue(onFx(() -> robot.lookup("#state-title").queryLabeled().getText()).startsWith("No readable images"));
        assertEquals("3 skipped", onFx(() -> robot.lookup("#skipped-link").queryLabeled().getText()));
        robot.clickOn("#skipped-link");
        waitFor("dialog", 5, () -> robot.lookup("#skipped-table").tryQuery().isPresent());
        TableView<?> table = robot.lookup("#skipped-table").queryAs(TableView.class);
        assertEquals(3, table.getItems().size());
        robot.type(KeyCode.ESCAPE);
    }

    @Test
    void missingModelOpensTheModelDialogInsteadOfFailing(FxRobot robot) throws Exception {
        Path folder = UiTestSupport.imageFolder(tmp.resolve("few"), 3);
        runFx(() -> vm.modelProperty().set("dinov2-giant"));
        runFx(() -> vm.openFolder(folder));
        waitFor("model dialog", 10, () -> robot.lookup("#model-dialog").tryQuery().isPresent());
        String text = onFx(() -> robot.lookup("#model-explanation").queryLabeled().getText());
        assertTrue(text.contains("facebook/dinov2-giant") && text.contains(hubEnv().get("HF_HUB_CACHE")), text);
        assertEquals(0, engine.analyzeCalls.get(), "the engine was never asked to run a missing model");
        assertFalse(vm.runningProperty().get());
        robot.clickOn("Close");
    }
}
