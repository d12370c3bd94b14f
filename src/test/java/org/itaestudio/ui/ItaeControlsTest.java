package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.geometry.Point2D;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.itaestudio.itae.ItaeConfig;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * ITAE panel -> debounced, latest-wins inspections; histogram drag -> threshold. The debounce waits on a
 * {@link ManualTimer}: a burst is one burst and "past the debounce" is a step of the test, not a sleep.
 */
class ItaeControlsTest extends MainWindowFixture<FakeStudioEngine> {

    private final ManualTimer timer = new ManualTimer();

    @Start
    void start(Stage stage) throws Exception {
        debounce = timer;
        show(stage, new FakeStudioEngine(), standInModel(), false);
    }

    private void inspectFirstImage() throws Exception {
        openImages(4);
        runFx(() -> {
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            vm.selectedImageProperty().set(0);
        });
        waitFor("inspection", 10, () -> vm.inspector().resultProperty().get() != null && !vm.inspector().busyProperty().get());
    }

    /** Switches to a manual threshold and waits until the inspection with it is shown and nothing else waits. */
    private void manualThreshold() throws Exception {
        runFx(() -> vm.itae().autoThresholdProperty().set(false));
        timer.advance(MainViewModel.CONTROL_DEBOUNCE);
        waitFor("manual threshold shown", 10, () -> !vm.inspector().busyProperty().get()
                && !vm.inspector().resultProperty().get().config().autoThreshold());
        assertEquals(0, timer.waiting());
    }

    @Test
    void aBurstOfControlChangesRunsOneInspectionWithTheLastValue() throws Exception {
        inspectFirstImage();
        manualThreshold();
        int before = engine.inspectCalls.get();
        // 40 slider moves, as a fast drag produces
        runFx(() -> {
            for (int i = 1; i <= 40; i++) {
                window.itaePanel().thresholdSlider().setValue(1 + i * 0.25);
            }
        });
        assertEquals(before, engine.inspectCalls.get(), "nothing runs within the debounce");
        assertEquals(1, timer.waiting(), "each move replaced the one before");
        timer.advance(MainViewModel.CONTROL_DEBOUNCE);
        waitFor("result", 10, () -> !vm.inspector().busyProperty().get()
                && vm.inspector().resultProperty().get().config() != null
                && vm.inspector().resultProperty().get().config().threshold().equals(ItaeConfig.Threshold.fixed(11.0)));
        assertEquals(0, timer.waiting(), "nothing left to run");
        assertEquals(1, engine.inspectCalls.get() - before, "one inspection for the whole burst");
        assertTrue(window.inspector().artifactText().startsWith("11 of 16"), window.inspector().artifactText());
    }

    @Test
    void whileAnInspectionRunsOnlyTheNewestRequestWaits() throws Exception {
        inspectFirstImage();
        manualThreshold();
        engine.gate = new java.util.concurrent.CountDownLatch(1);
        engine.gateThreshold = 3;
        int before = engine.inspectCalls.get();
        runFx(() -> vm.itae().thresholdProperty().set(3));
        timer.advance(MainViewModel.CONTROL_DEBOUNCE);
        waitFor("slow run started", 10, () -> engine.inspectCalls.get() == before + 1); // blocked inside the engine
        for (double t : new double[] {5, 6, 7, 8}) {
            runFx(() -> vm.itae().thresholdProperty().set(t));
            timer.advance(MainViewModel.CONTROL_DEBOUNCE); // each one is due while the first still runs
        }
        assertEquals(before + 1, engine.inspectCalls.get(), "nothing else started while one runs");
        engine.gate.countDown();
        waitFor("final", 10, () -> !vm.inspector().busyProperty().get()
                && vm.inspector().resultProperty().get().config().threshold().equals(ItaeConfig.Threshold.fixed(8.0)));
        assertEquals(0, timer.waiting(), "nothing left to run");
        var configs = engine.inspectConfigs.subList(engine.inspectConfigs.size() - (engine.inspectCalls.get() - before),
                engine.inspectConfigs.size());
        assertEquals(2, configs.size(), "the running one and the newest; 5, 6, 7 were dropped: " + configs);
        assertEquals(3.0, configs.get(0).fixedThreshold());
        assertEquals(8.0, configs.get(1).fixedThreshold());
        assertTrue(window.inspector().artifactText().startsWith("8 of 16"), window.inspector().artifactText());
    }

    @Test
    void draggingTheHistogramLineMovesTheThreshold(FxRobot robot) throws Exception {
        inspectFirstImage();
        assertTrue(vm.itae().autoThresholdProperty().get());
        NormHistogram h = window.inspector().histogram();
        // the line starts at the automatic threshold (4.5 in the test engine)
        assertEquals(FakeStudioEngine.AUTO_THRESHOLD, h.thresholdProperty().get(), 1e-9);
        double targetValue = 12.3;
        Point2D from = onFx(() -> h.localToScreen(h.valueToX(h.thresholdProperty().get()), h.getHeight() / 2));
        Point2D to = onFx(() -> h.localToScreen(h.valueToX(targetValue), h.getHeight() / 2));
        robot.drag(from, MouseButton.PRIMARY).moveTo(to).release(MouseButton.PRIMARY);
        assertFalse(vm.itae().autoThresholdProperty().get(), "dragging switches to a manual threshold");
        double onePixel = onFx(() -> h.xToValue(1) - h.xToValue(0));
        assertEquals(targetValue, vm.itae().thresholdProperty().get(), 1.5 * onePixel);
        timer.advance(MainViewModel.CONTROL_DEBOUNCE);
        waitFor("re-run", 10, () -> !vm.inspector().busyProperty().get()
                && vm.inspector().resultProperty().get().config() != null
                && !vm.inspector().resultProperty().get().config().autoThreshold());
        ItaeConfig c = vm.inspector().resultProperty().get().config();
        int expected = (int) Math.floor(c.fixedThreshold()); // patches with V norm 1..floor(t)
        assertTrue(window.inspector().artifactText().startsWith(expected + " of 16"), window.inspector().artifactText());
    }

    @Test
    void hoveringAPatchShowsItsNorms(FxRobot robot) throws Exception {
        inspectFirstImage();
        int patch = 6; // row 1, col 2: V norm 7, Q norm 14, K norm 94
        robot.moveTo(onFx(() -> window.inspector().patchCentreOnScreen(patch)));
        String text = window.inspector().patchInfoText();
        assertTrue(text.startsWith("row 1, col 2 (patch 6)"), text);
        assertTrue(text.contains("|q| 14.0") && text.contains("|k| 94.0") && text.contains("|v| 7.00"), text);
    }
}
