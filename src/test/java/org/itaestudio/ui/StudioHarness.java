package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.runFx;

import java.nio.file.Path;
import java.util.Map;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.itaestudio.pipeline.StudioEngine;

/** The main window on a stage with throwaway preferences, as the UI tests start it; {@link #close()} tears it down. */
final class StudioHarness implements AutoCloseable {
    final StudioPreferences prefs;
    final MainViewModel vm;
    final MainWindow window;
    final ThumbnailCache thumbs;

    /**
     * @param hubEnv     environment of the model service (an offline, empty Hugging Face cache in tests)
     * @param model      the model spec the view model starts with
     * @param shortcuts  whether the window's keyboard shortcuts are installed
     */
    StudioHarness(Stage stage, StudioEngine engine, Map<String, String> hubEnv, Path model, int thumbCapacity,
                  int thumbSize, int thumbThreads, boolean shortcuts) {
        prefs = UiTestSupport.throwawayPrefs();
        vm = new MainViewModel(engine, new HubModelService(hubEnv), prefs);
        vm.modelProperty().set(model.toString());
        thumbs = new ThumbnailCache(thumbCapacity, thumbSize, thumbThreads, ThumbnailLoaders.imageIo(), Platform::runLater);
        window = new MainWindow(vm, thumbs);
        Scene scene = new Scene(window, 1240, 780);
        StudioApp.installStyles(scene, vm);
        if (shortcuts) {
            window.installShortcuts(scene);
        }
        stage.setScene(scene);
        stage.show();
    }

    @Override
    public void close() {
        runFx(() -> {
            vm.close();
            thumbs.close();
        });
        UiTestSupport.removePrefs(prefs);
    }
}
