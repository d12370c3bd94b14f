package org.itaestudio.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.HubModelService;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.store.CacheDirs;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.HiddenStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktop application, the package's only public type. Start it with {@link #launch(Path, String)} from a
 * launcher class that does not extend {@code Application} (see {@code ItaeStudioCommand}).
 */
public final class StudioApp extends Application {

    private static final Logger LOG = LoggerFactory.getLogger(StudioApp.class);

    private static volatile Path initialFolder;
    private static volatile String initialModel;
    private static volatile StartAction startAction = StudioApp::openInitialFolder;

    private StudioEngine engine;
    private MainViewModel vm;
    private ThumbnailCache thumbs;
    private MainWindow window;

    /** What happens once the window shows. */
    @FunctionalInterface
    interface StartAction {
        /** @param folder the folder given at launch, or null */
        void start(Stage stage, MainWindow window, MainViewModel vm, Path folder);
    }

    /**
     * Opens the window, opens the folder, and blocks until the window closes.
     *
     * @param folder folder to open at start, or null for the empty state
     * @param model  model spec, or null for the last one used
     */
    public static void launch(Path folder, String model) {
        launch(folder, model, StudioApp::openInitialFolder);
    }

    /**
     * Opens the window, runs {@code action} once it shows, and blocks until the window closes.
     *
     * @param folder folder given at start, or null for the empty state
     * @param model  model spec, or null for the last one used
     */
    static void launch(Path folder, String model, StartAction action) {
        initialFolder = folder;
        initialModel = model;
        startAction = Objects.requireNonNull(action);
        Application.launch(StudioApp.class);
    }

    @Override
    public void start(Stage stage) {
        StudioPreferences prefs = StudioPreferences.user();
        // cache faults never stop a run: the status bar shows the latest one, the log has its cause
        java.util.concurrent.atomic.AtomicReference<MainViewModel> shown = new java.util.concurrent.atomic.AtomicReference<>();
        engine = new DefaultStudioEngine(CacheDirs.resolve().cache(), new ModelResolver(), HiddenStateStore.Precision.FP16,
                new CacheGuard(w -> Platform.runLater(() -> {
                    MainViewModel m = shown.get();
                    if (m != null) {
                        m.cacheWarningProperty().set(w);
                    }
                })), prefs.node().get(CacheDialog.MAX_SIZE_PREFERENCE, null));
        thumbs = new ThumbnailCache(2_000, 192, 2, ThumbnailLoaders.imageIo(), Platform::runLater);
        vm = new MainViewModel(engine, new HubModelService(), prefs);
        shown.set(vm);
        if (initialModel != null && !initialModel.isBlank()) {
            vm.modelProperty().set(initialModel);
        }
        window = new MainWindow(vm, thumbs);
        Scene scene = new Scene(window, prefs.getDouble("window.width"), prefs.getDouble("window.height"));
        installStyles(scene, vm);
        window.installShortcuts(scene);
        stage.setScene(scene);
        stage.setTitle("ITAE Studio");
        stage.getIcons().add(new Image(Objects.requireNonNull(StudioApp.class.getResourceAsStream("icon.png"))));
        stage.setMinWidth(960);
        stage.setMinHeight(600);
        if (prefs.getBoolean("window.maximized")) {
            stage.setMaximized(true);
        }
        stage.titleProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> {
            Path f = vm.folderProperty().get();
            return f == null ? "ITAE Studio" : f.getFileName() + " \u2014 ITAE Studio";
        }, vm.folderProperty()));
        stage.setOnCloseRequest(e -> {
            prefs.putDouble("window.width", scene.getWidth());
            prefs.putDouble("window.height", scene.getHeight());
            prefs.putBoolean("window.maximized", stage.isMaximized());
            vm.savePreferences();
        });
        stage.show();

        startAction.start(stage, window, vm, initialFolder);
    }

    private static void openInitialFolder(Stage stage, MainWindow window, MainViewModel vm, Path folder) {
        if (folder != null) {
            if (Files.isDirectory(folder)) {
                vm.openFolder(folder);
            } else {
                vm.statusProperty().set(folder + ": not a folder");
            }
        }
    }

    /** AtlantaFX Primer light/dark as the user-agent stylesheet plus the app's own sheet, following the theme property. */
    static void installStyles(Scene scene, MainViewModel vm) {
        scene.getStylesheets().add(Objects.requireNonNull(StudioApp.class.getResource("studio.css")).toExternalForm());
        Runnable apply = () -> {
            boolean dark = vm.darkThemeProperty().get();
            Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet()
                    : new PrimerLight().getUserAgentStylesheet());
            scene.getRoot().getStyleClass().removeAll("theme-dark", "theme-light");
            scene.getRoot().getStyleClass().add(dark ? "theme-dark" : "theme-light");
        };
        vm.darkThemeProperty().addListener(o -> apply.run());
        apply.run();
    }

    @Override
    public void stop() {
        LOG.info("closing");
        if (window != null) {
            window.dispose();
        }
        if (vm != null) {
            vm.close();
        }
        if (thumbs != null) {
            thumbs.close();
        }
        if (engine != null) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                LOG.warn("engine close failed", e);
            }
        }
    }
}
