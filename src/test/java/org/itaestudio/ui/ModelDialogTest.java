package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.ModelService;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The model dialog's download: progress shown while the FX thread stays free, cancel stops it, success returns. */
@ExtendWith(ApplicationExtension.class)
class ModelDialogTest {

    /**
     * A download that reports 10 steps of progress and honours cancel (test double of the hub client). With
     * {@code holdAtHalfway} it stops at step 5 until cancelled, so a test cancels a download that is surely running.
     */
    static final class SteppedDownload implements ModelService {
        final CountDownLatch halfway = new CountDownLatch(1);
        final AtomicBoolean sawCancel = new AtomicBoolean();
        final boolean holdAtHalfway;

        SteppedDownload(boolean holdAtHalfway) {
            this.holdAtHalfway = holdAtHalfway;
        }

        @Override
        public Status status(String spec) {
            return new Status(false, "The model " + spec + " is not on this computer.", true);
        }

        @Override
        public Path download(String spec, ProgressListener progress, Cancellation cancel) throws IOException {
            long total = 90_000_000;
            for (int i = 0; i <= 10; i++) {
                progress.onProgress(new Progress("Downloading", total * i / 10, total, 5e6, Duration.ofSeconds(10 - i), 0));
                if (i == 5) {
                    halfway.countDown();
                    while (holdAtHalfway && !cancel.isCancelled()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // polls the flag, as the hub client does
                    }
                }
                if (cancel.isCancelled()) {
                    sawCancel.set(true);
                    throw new CancellationException("cancelled");
                }
            }
            return Path.of("/models/" + spec);
        }
    }

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setScene(new Scene(new StackPane(new Label("owner")), 300, 200));
        stage.show();
    }

    @Test
    void downloadShowsProgressAndCancelStopsIt(FxRobot robot) throws Exception {
        SteppedDownload service = new SteppedDownload(true);
        ModelDialog d = onFx(() -> {
            ModelDialog m = new ModelDialog(stage, "dinov2-base", service.status("dinov2-base"), service);
            m.show();
            return m;
        });
        robot.clickOn("#model-download");
        assertTrue(service.halfway.await(10, TimeUnit.SECONDS));
        // the FX thread is free while downloading: a query on it answers at once
        ProgressBar bar = robot.lookup(".model-dialog .progress-bar").queryAs(ProgressBar.class);
        waitFor("progress", 5, () -> bar.getProgress() >= 0.4);
        robot.clickOn("Cancel download");
        waitFor("cancelled", 10, service.sawCancel::get);
        waitFor("message", 5, () -> robot.lookup(".model-dialog .label").queryAll().stream()
                .anyMatch(n -> ((Label) n).getText().startsWith("Download cancelled")));
        assertTrue(onFx(d::isShowing), "the dialog stays open after a cancel");
        runFx(d::close);
    }

    @Test
    void finishedDownloadClosesWithTheModel(FxRobot robot) throws Exception {
        SteppedDownload service = new SteppedDownload(false);
        ModelDialog d = onFx(() -> {
            ModelDialog m = new ModelDialog(stage, "dinov2-base", service.status("dinov2-base"), service);
            m.show();
            return m;
        });
        robot.clickOn("#model-download");
        waitFor("closed", 10, () -> !d.isShowing());
        assertEquals("dinov2-base", d.getResult());
        assertFalse(service.sawCancel.get());
    }
}
