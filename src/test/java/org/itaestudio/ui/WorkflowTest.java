package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Labeled;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.itaestudio.itae.ItaeConfig;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/** Rename, apply-to-folder, cancel, re-cluster, layer and threshold-field controls, embeddings export, tooltips. */
class WorkflowTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    @Test
    void renameAClusterInPlace(FxRobot robot) throws Exception {
        openImages(9);
        Node name = onFx(() -> window.gallery().lookupAll(".cluster-name").stream()
                .filter(n -> n.isVisible() && ((Labeled) n).getText().equals("Cluster 1")).findFirst().orElseThrow());
        robot.doubleClickOn(name);
        waitFor("editor", 5, () -> window.gallery().lookupAll(".text-field").stream().anyMatch(Node::isFocused));
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL);
        robot.write("Dogs");
        robot.type(KeyCode.ENTER);
        assertEquals("Dogs", vm.clusters().name(1));
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        assertTrue(onFx(() -> robot.lookup("#legend-1 .label").queryAll().stream()
                .anyMatch(n -> ((Labeled) n).getText().equals("Dogs"))), "the legend shows the new name");
    }

    @Test
    void applyToFolderReportsWhatChangedAndOffersBeforeAfter(FxRobot robot) throws Exception {
        openImages(12);
        assertFalse(onFx(() -> robot.lookup("#map-before").query().getParent().isVisible()), "no before/after yet");
        robot.clickOn("#apply-to-folder");
        waitFor("applied", 20, () -> vm.changeProperty().get() != null && !vm.runningProperty().get());
        // the test engine moves images 0, 5 and 10 to the next cluster when ITAE is on
        var change = vm.changeProperty().get();
        assertEquals(3, change.changed());
        assertEquals(12, change.compared());
        assertNotNull(vm.appliedItaeProperty().get());
        assertTrue(onFx(() -> robot.lookup("#change-summary").queryLabeled().getText()).startsWith("3 of 12 images changed cluster"));
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        assertTrue(onFx(() -> robot.lookup("#map-before").query().getParent().isVisible()));
        robot.clickOn("#map-before");
        assertTrue(onFx(() -> robot.lookup("#map-info").queryLabeled().getText()).contains("3 changed cluster"));
    }

    @Test
    void escapeCancelsARunAndF5RunsAgain(FxRobot robot) throws Exception {
        engine.analysisGate = new CountDownLatch(1); // the run stops after its first image until cancelled
        Path folder = UiTestSupport.imageFolder(tmp.resolve("slow"), 40);
        runFx(() -> vm.openFolder(folder));
        waitFor("running with progress", 10, () -> vm.runningProperty().get() && vm.progressProperty().get() != null);
        assertTrue(window.statusBar().progressText().contains("/ 40"), window.statusBar().progressText());
        assertTrue(window.statusBar().progressText().contains("ETA"), window.statusBar().progressText());
        robot.type(KeyCode.ESCAPE);
        waitFor("cancelled", 10, () -> !vm.runningProperty().get());
        assertEquals("Cancelled", vm.statusProperty().get());
        assertEquals(null, vm.analysis());
        engine.analysisGate = null;
        robot.type(KeyCode.F5);
        waitFor("ran again", 20, () -> vm.analysis() != null && !vm.runningProperty().get());
        assertEquals(40, vm.analysis().size());
        // a new k only re-clusters: no new embedding
        int analyses = engine.analyzeCalls.get();
        runFx(() -> vm.kProperty().set(4));
        robot.type(KeyCode.F5);
        waitFor("re-clustered", 10, () -> vm.analysis().k() == 4 && !vm.runningProperty().get());
        assertEquals(analyses, engine.analyzeCalls.get());
    }

    @Test
    void layerChoiceAndTypedThresholdReachTheEngine(FxRobot robot) throws Exception {
        openImages(3);
        runFx(() -> {
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            vm.selectedImageProperty().set(1);
        });
        waitFor("inspection", 10, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
        assertEquals(FakeStudioEngine.DEPTH - 1, vm.inspector().resultProperty().get().inspection().layer());
        @SuppressWarnings("unchecked")
        ComboBox<Integer> layers = (ComboBox<Integer>) robot.lookup("#layer-box").query();
        assertEquals(FakeStudioEngine.DEPTH, layers.getItems().size());
        runFx(() -> layers.setValue(1));
        waitFor("layer 1", 10, () -> vm.inspector().resultProperty().get().inspection().layer() == 1);
        assertTrue(window.inspector().artifactText().contains("block 1 is not changed"), window.inspector().artifactText());
        runFx(() -> layers.setValue(FakeStudioEngine.DEPTH - 1));
        robot.clickOn("#itae-auto");
        TextField field = robot.lookup("#itae-threshold-field").queryAs(TextField.class);
        robot.doubleClickOn(field);
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL);
        robot.write("6.5");
        robot.type(KeyCode.ENTER);
        waitFor("typed threshold", 10, () -> {
            var r = vm.inspector().resultProperty().get();
            return !vm.inspector().busyProperty().get() && r.config() != null && r.config().threshold().equals(ItaeConfig.Threshold.fixed(6.5))
                    && r.inspection().layer() == FakeStudioEngine.DEPTH - 1;
        });
        assertTrue(window.inspector().artifactText().startsWith("6 of 16"), window.inspector().artifactText());
    }

    @Test
    void embeddingsExportHasTheCliLayout() throws Exception {
        openImages(5);
        Path csv = tmp.resolve("emb.csv");
        List<String> lines = export(ExportController.Kind.EMBEDDINGS, csv);
        assertEquals("path,e0,e1,e2,e3", lines.get(0));
        assertEquals(6, lines.size());
        for (int i = 0; i < 5; i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(vm.analysis().paths().get(i), f[0]);
            for (int d = 0; d < 4; d++) {
                assertEquals(vm.analysis().embeddings()[i][d], Float.parseFloat(f[d + 1]), 0f);
            }
        }
    }

    @Test
    void everyIconOnlyButtonHasATooltip() throws Exception {
        openImages(3);
        List<String> missing = new ArrayList<>();
        for (MainViewModel.View v : MainViewModel.View.values()) {
            runFx(() -> vm.viewProperty().set(v));
            onFx(() -> {
                collect(window, missing);
                return null;
            });
        }
        assertTrue(missing.isEmpty(), "icon buttons without a tooltip: " + missing);
    }

    private static void collect(Parent p, List<String> missing) {
        for (Node n : p.getChildrenUnmodifiable()) {
            if (n instanceof ButtonBase b && b.isVisible() && (b.getText() == null || b.getText().isBlank())
                    && b.getGraphic() != null && ((Control) b).getTooltip() == null) {
                missing.add(b.getId() + " " + b.getGraphic());
            }
            if (n instanceof Parent q) {
                collect(q, missing);
            }
        }
    }
}
