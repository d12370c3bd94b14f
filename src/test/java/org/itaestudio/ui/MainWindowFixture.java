package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.itaestudio.pipeline.HubModelService;
import org.itaestudio.pipeline.StudioEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;

/**
 * Base of the UI tests that drive the main window: the window on a stage over an engine, throwaway preferences, an
 * offline and empty Hugging Face cache, a thumbnail cache; everything is closed after each test. TestFX only calls
 * {@code @Start} methods declared by the test class itself, so each test has a one-line one that calls
 * {@link #show}.
 *
 * @param <E> the engine type, so tests reach their test double's counters without casts
 */
@ExtendWith(ApplicationExtension.class)
abstract class MainWindowFixture<E extends StudioEngine> {

    @TempDir
    Path tmp;

    E engine;
    Stage stage;
    StudioPreferences prefs;
    MainViewModel vm;
    MainWindow window;
    ThumbnailCache thumbs;
    /** Where debounced inspections wait; null: the app's real timer. Set before {@link #show} to drive it by hand. */
    LatestWinsRunner.DelayTimer debounce;

    /** The offline, empty Hugging Face cache the model service (and a real engine's resolver) sees. */
    Map<String, String> hubEnv() throws Exception {
        return Map.of("HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", Files.createDirectories(tmp.resolve("hf")).toString());
    }

    /** Shows the window, with its shortcuts, over {@code engine} and a {@link #standInModel}. */
    void show(Stage stage, E engine) throws Exception {
        show(stage, engine, standInModel(), true);
    }

    /** A model file a test double never reads. */
    Path standInModel() throws Exception {
        return Files.writeString(tmp.resolve("model.safetensors"), "stand-in; the test engine ignores it");
    }

    /**
     * @param model     the model spec the view model starts with
     * @param shortcuts whether the window's keyboard shortcuts are installed
     */
    void show(Stage stage, E engine, Path model, boolean shortcuts) throws Exception {
        this.stage = stage;
        this.engine = engine;
        prefs = UiTestSupport.throwawayPrefs();
        vm = debounce == null ? new MainViewModel(engine, new HubModelService(hubEnv()), prefs)
                : new MainViewModel(engine, new HubModelService(hubEnv()), prefs, Platform::runLater, null, debounce);
        vm.modelProperty().set(model.toString());
        thumbs = new ThumbnailCache(500, 96, 2, ThumbnailLoaders.imageIo(), Platform::runLater);
        window = new MainWindow(vm, thumbs);
        Scene scene = new Scene(window, 1240, 780);
        StudioApp.installStyles(scene, vm);
        if (shortcuts) {
            window.installShortcuts(scene);
        }
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void closeWindow() {
        runFx(() -> {
            vm.close();
            thumbs.close();
        });
        engine.close();
        UiTestSupport.removePrefs(prefs);
    }

    /** Opens {@code folder} and waits until its analysis is shown. */
    Path openAndWait(Path folder) throws Exception {
        return openAndWait(folder, 20);
    }

    /** The same, waiting up to {@code seconds} (a real engine on a loaded machine needs more than a test double). */
    Path openAndWait(Path folder, long seconds) throws Exception {
        runFx(() -> vm.openFolder(folder));
        waitFor("analysis", seconds, () -> vm.analysis() != null && !vm.runningProperty().get());
        return folder;
    }

    /** Opens a folder of {@code n} generated images ({@link UiTestSupport#imageFolder}) and waits for its analysis. */
    Path openImages(int n) throws Exception {
        return openAndWait(UiTestSupport.imageFolder(tmp.resolve("imgs"), n));
    }

    /** Exports {@code kind} through the export controller (the save dialog answered with {@code file}); its lines. */
    List<String> export(ExportController.Kind kind, Path file) throws Exception {
        window.exportController().setChooser((Window w, ExportController.Kind k) -> file);
        runFx(() -> window.exportController().export(null, kind));
        waitFor("export", 10, () -> Files.exists(file));
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
