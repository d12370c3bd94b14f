package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.TableView;
import javafx.scene.image.ImageView;
import javafx.stage.Stage;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.transfer.RunFolder;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Transfer screen in the window, training for real on a tiny random teacher: Start a 2-epoch distillation, see
 * the first epoch's curves, Cancel (the worker is held after epoch 1 so the cancel lands mid-run), Resume, see the
 * run finish in the table, then compare the teacher's and the student's attention.
 */
class TransferViewTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    @SuppressWarnings("unchecked")
    private int points(FxRobot robot, String chart, int series) throws Exception {
        return onFx(() -> {
            LineChart<Number, Number> c = robot.lookup(chart).query();
            return c.getData().size() <= series ? 0 : c.getData().get(series).getData().size();
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void startSeeCurvesCancelResumeFinishAndCompare(FxRobot robot) throws Exception {
        Path teacher = TransferFixtures.teacher(tmp.resolve("teacher"));
        Path data = TransferFixtures.data(tmp.resolve("data"));
        Path runs = tmp.resolve("runs");
        TransferViewModel t = vm.transfer();
        runFx(() -> TransferFixtures.configure(t, teacher, data, runs, TransferMode.DISTILL));
        CountDownLatch firstEpoch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicBoolean onFxThread = new AtomicBoolean();
        t.afterEpoch = m -> {
            onFxThread.compareAndSet(false, Platform.isFxApplicationThread());
            if (m.epoch() == 1 && first.getAndSet(false)) {
                firstEpoch.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };

        robot.clickOn("#view-transfer");
        assertTrue(onFx(() -> robot.lookup("#transfer-view").query().isVisible()));
        robot.clickOn("#transfer-start");
        assertTrue(firstEpoch.await(120, TimeUnit.SECONDS), "the first epoch finished");
        waitFor("first epoch on the charts", 20, () -> {
            try {
                return points(robot, "#transfer-loss-chart", 0) == 1 && points(robot, "#transfer-top1-chart", 0) == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(1, (int) onFx(() -> robot.lookup("#transfer-loss-chart").queryAs(LineChart.class).getData().size()),
                "one series per run");
        robot.clickOn("#transfer-loss-attention");
        double attention = onFx(() -> ((XYChart.Series<Number, Number>) robot.lookup("#transfer-loss-chart")
                .queryAs(LineChart.class).getData().get(0)).getData().get(0).getYValue().doubleValue());
        assertEquals(t.curves().get(0).points().get(0).attentionLoss(), attention, 1e-12, "the attention loss is drawn");
        robot.clickOn("#transfer-loss-ce");
        assertTrue(onFx(() -> robot.lookup("#transfer-cancel").query().isDisabled()) == Boolean.FALSE);
        String bar = onFx(() -> {
            javafx.scene.control.ProgressBar b = robot.lookup("#transfer-progress").queryAs(javafx.scene.control.ProgressBar.class);
            return b.isVisible() + " " + b.getHeight() + " " + b.getWidth() + " " + b.getProgress();
        });
        assertTrue(bar.startsWith("true") && !bar.contains(" 0.0 "), "the progress bar shows: " + bar);
        waitFor("progress with ETA", 20, () -> robot.lookup("#transfer-progress-text").queryLabeled().getText().contains("left"));

        robot.clickOn("#transfer-cancel");
        release.countDown();
        waitFor("cancelled", 60, () -> t.stateProperty().get() == TransferViewModel.State.CANCELLED);
        RunFolder run = new RunFolder(runs.resolve("distill-01"));
        assertTrue(Files.isRegularFile(run.checkpoint()), "cancel keeps the last checkpoint");
        assertEquals(2, Files.readAllLines(run.metricsCsv()).size());
        assertTrue(onFx(() -> robot.lookup("#transfer-message").queryLabeled().getText()).contains("after epoch 1"));

        robot.clickOn("#transfer-resume");
        waitFor("finished", 120, () -> t.stateProperty().get() == TransferViewModel.State.FINISHED);
        assertFalse(onFxThread.get(), "training ran on a background worker");
        assertEquals(3, Files.readAllLines(run.metricsCsv()).size());
        waitFor("both epochs on the charts", 20, () -> {
            try {
                return points(robot, "#transfer-loss-chart", 0) == 2 && points(robot, "#transfer-top1-chart", 0) == 2;
            } catch (Exception e) {
                return false;
            }
        });
        TableView<TransferViewModel.RunSummary> table = robot.lookup("#transfer-runs").queryTableView();
        assertEquals(1, (int) onFx(() -> table.getItems().size()));
        assertTrue(onFx(() -> table.getItems().get(0).complete()));

        // attention of a validation image: select the run, compare
        runFx(() -> table.getSelectionModel().select(0));
        waitFor("validation images", 60, () -> t.valImages().size() == 3);
        robot.clickOn("#transfer-compare");
        waitFor("comparison", 60, () -> t.comparisonProperty().get() != null
                || !t.comparisonTextProperty().get().startsWith("Computing"));
        assertTrue(onFx(() -> t.comparisonProperty().get() != null), t.comparisonTextProperty().get());
        assertTrue(onFx(() -> ((ImageView) robot.lookup("#transfer-teacher-heatmap").query()).getImage() != null));
        assertTrue(onFx(() -> ((ImageView) robot.lookup("#transfer-student-heatmap").query()).getImage() != null));
        assertTrue(onFx(() -> robot.lookup("#transfer-kl").queryLabeled().getText()).contains("KL(teacher || student)"));
    }
}
