package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.beans.Observable;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.framework.junit5.Start;

/**
 * No listener outlives its view: many runs (each one a running screen with progress, then a result screen) leave
 * the view model with as many listeners as after the first, and disposing the window removes them all.
 */
class ListenerLifetimeTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    /** Listeners on the view-model properties the state screens and the status bar follow. */
    int listeners() throws Exception {
        return onFx(() -> {
            int n = 0;
            for (Observable o : new Observable[] {vm.progressProperty(), vm.runningProperty(), vm.screenProperty(),
                    vm.folderProperty(), vm.analysisProperty(), vm.statusProperty()}) {
                n += ListenerCount.of(o);
            }
            return n;
        });
    }

    @Test
    void manyRunsAndStateRebuildsDoNotAddListeners() throws Exception {
        // only broken files: every run shows the running screen with progress, then the no-images screen
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        for (int i = 0; i < 5; i++) {
            Files.writeString(broken.resolve("scan" + i + ".jpg"), "not a jpeg");
        }
        int[] progressUpdates = {0};
        runFx(() -> vm.progressProperty().addListener((o, a, b) -> progressUpdates[0]++));
        runRun(broken);
        int afterOne = listeners();
        int windowSubscriptions = onFx(window::subscriptionCount);
        for (int i = 0; i < 30; i++) {
            runRun(broken);
        }
        assertTrue(progressUpdates[0] >= 31, "every run reported progress: " + progressUpdates[0]);
        assertEquals(afterOne, listeners(), "31 runs, same listeners");
        assertEquals(windowSubscriptions, (int) onFx(window::subscriptionCount));

        runFx(window::dispose);
        assertEquals(1, ListenerCount.of(vm.progressProperty()), "only this test's own listener is left");
        assertEquals(0, (int) onFx(window::subscriptionCount));
    }

    private void runRun(Path folder) throws Exception {
        runFx(() -> vm.openFolder(folder));
        waitFor("no images", 10, () -> vm.screenProperty().get() == MainViewModel.Screen.NO_IMAGES);
    }
}
