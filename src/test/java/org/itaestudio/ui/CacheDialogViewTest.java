package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javafx.stage.Window;
import javax.imageio.ImageIO;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.HubModelService;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.Caches;
import org.itaestudio.store.HiddenStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The Caches dialog on a real engine: sizes per kind, then Clear cache after the confirmation. */
@ExtendWith(ApplicationExtension.class)
class CacheDialogViewTest {

    @TempDir
    Path tmp;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setScene(new javafx.scene.Scene(new javafx.scene.layout.StackPane(new Label("owner")), 300, 200));
        stage.show();
    }

    @Test
    void showsSizesPerKindAndClearsAfterConfirming(FxRobot robot) throws Exception {
        Path cache = tmp.resolve("cache");
        try (Caches c = Caches.open(cache, HiddenStateStore.Precision.FP16, CacheGuard.logOnly(), null)) {
            c.putStates("s", 100, 100, Map.of("h", new float[10_000]));
        }
        StudioPreferences prefs = UiTestSupport.throwawayPrefs();
        try (DefaultStudioEngine engine = new DefaultStudioEngine(cache, new ModelResolver())) {
            MainViewModel vm = new MainViewModel(engine, new HubModelService(), prefs);
            Platform.runLater(() -> CacheDialog.show(stage, vm)); // blocks in showAndWait, as from the button
            UiTestSupport.waitFor("the dialog", 20, () -> robot.lookup("#cache-text").tryQuery().isPresent());
            String text = UiTestSupport.onFx(() -> robot.lookup("#cache-text").queryAs(Label.class).getText());
            assertTrue(text.contains("Hidden states") && text.contains("Budget:"), text);
            String shot = System.getProperty("itae.cacheDialogShot");
            if (shot != null) {
                var image = UiTestSupport.onFx(() -> robot.lookup("#cache-text").query().getScene().snapshot(null));
                ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", Path.of(shot).toFile());
            }
            robot.clickOn("Clear cache\u2026");
            UiTestSupport.waitFor("the confirmation", 20, () -> Window.getWindows().stream().anyMatch(w ->
                    w.getScene() != null && w.getScene().getRoot().lookup(".dialog-pane") != null
                            && String.valueOf(((javafx.scene.control.DialogPane) w.getScene().getRoot()
                            .lookup(".dialog-pane")).getContentText()).startsWith("Clearing frees about")));
            robot.clickOn("OK");
            UiTestSupport.waitFor("cleared", 20, () -> vm.statusProperty().get().startsWith("Cache cleared: freed"));
            assertTrue(Files.list(cache.resolve(HiddenStateStore.DIR_NAME))
                    .noneMatch(p -> p.getFileName().toString().endsWith(".f16")), "state files deleted");
        } finally {
            UiTestSupport.removePrefs(prefs);
        }
    }
}
