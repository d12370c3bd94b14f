package org.itaestudio.ui;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.itaestudio.pipeline.HubModelService;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.StudioEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktop application. Start it with {@link #launchApp(Path, String)} from a launcher class that does not
 * extend {@code Application} (see {@code ItaeStudioCommand}).
 */
public final class StudioApp extends Application {

    private static final Logger LOG = LoggerFactory.getLogger(StudioApp.class);

    private static volatile Path initialFolder;
    private static volatile String initialModel;

    private StudioEngine engine;
    private MainViewModel vm;
    private ThumbnailCache thumbs;
    private MainWindow window;

    /** Why the window did not open: one line for the user, and the exception behind it (null when none). */
    public record LaunchFailure(String message, Throwable cause) {
    }

    /**
     * Entry point for {@code itae-studio [--model M] [FOLDER]}: opens the window on the folder (on sample-data/ when
     * none is given) and blocks until it closes. Returns why it could not open, if it could not (the caller, the
     * command line, tells the user): a machine without a display gets one line instead of a stack trace.
     */
    public static Optional<LaunchFailure> launchApp(Path folder, String model) {
        if (folder != null && !Files.isDirectory(folder)) {
            return Optional.of(new LaunchFailure("not a folder: " + folder, null));
        }
        initialFolder = folder != null ? folder : sampleData();
        initialModel = model;
        try {
            Application.launch(StudioApp.class);
            return Optional.empty();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            String msg = MainViewModel.oneLine(e);
            return Optional.of(new LaunchFailure("cannot open the desktop app: " + msg
                    + (msg.toLowerCase(Locale.ROOT).contains("display")
                    ? " (no display; run it on a desktop, under xvfb-run, or use a subcommand such as 'embed')" : ""), e));
        }
    }

    /** sample-data/ of the installation ({@code itae.home}) or of the working directory, if present. */
    static Path sampleData() {
        String home = System.getProperty("itae.home");
        for (Path p : new Path[] {home == null ? null : Path.of(home, "sample-data"), Path.of("sample-data")}) {
            if (p != null && Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    @Override
    public void start(Stage stage) {
        StudioPreferences prefs = StudioPreferences.user();
        engine = new DefaultStudioEngine();
        thumbs = new ThumbnailCache(2_000, 192, 2, ThumbnailLoaders.imageIo(), Platform::runLater);
        vm = new MainViewModel(engine, new HubModelService(), prefs);
        if (initialModel != null && !initialModel.isBlank()) {
            vm.modelProperty().set(initialModel);
        }
        window = new MainWindow(vm, thumbs);
        Scene scene = new Scene(window, prefs.getDouble("window.width", 1440), prefs.getDouble("window.height", 900));
        installStyles(scene, vm);
        window.installShortcuts(scene);
        stage.setScene(scene);
        stage.setTitle("ITAE Studio");
        stage.getIcons().add(new Image(Objects.requireNonNull(StudioApp.class.getResourceAsStream("icon.png"))));
        stage.setMinWidth(960);
        stage.setMinHeight(600);
        if (prefs.getBoolean("window.maximized", false)) {
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

        Path folder = initialFolder;
        ScreenshotDirector shots = ScreenshotDirector.fromSystemProperties(stage, window, vm);
        if (shots != null) {
            shots.start(folder);
        } else if (folder != null) {
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
