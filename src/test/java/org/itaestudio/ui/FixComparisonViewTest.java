package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.itaestudio.pipeline.HubModelService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The comparison window: Compare fills the table, clicking a changed count lists the moved images. */
@ExtendWith(ApplicationExtension.class)
class FixComparisonViewTest {

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
    void compareThenClickTheChangedCount(FxRobot robot) throws Exception {
        StudioPreferences prefs = UiTestSupport.throwawayPrefs();
        try {
            MainViewModel vm = new MainViewModel(new FixComparisonModelTest.FakeEngine(), new HubModelService(), prefs);
            ThumbnailCache thumbs = new ThumbnailCache(10, 48, 1, ThumbnailLoaders.imageIo(), Platform::runLater);
            Platform.runLater(() -> {
                vm.folderProperty().set(tmp);
                new FixComparisonView(stage, vm, thumbs).show();
            });
            UiTestSupport.waitFor("the window", 20, () -> robot.lookup("#comparison-run").tryQuery().isPresent());
            robot.clickOn("#comparison-run");
            UiTestSupport.waitFor("the table", 20, () -> vm.comparison().rows().size() == 2
                    && !vm.comparison().runningProperty().get());
            robot.clickOn("1 image");
            UiTestSupport.waitFor("the moved images", 20, () -> vm.comparison().moved().size() == 1);
            assertEquals("dog/c.png", UiTestSupport.onFx(() -> robot.lookup("#comparison-moved")
                    .queryAs(javafx.scene.control.TableView.class).getItems().size() == 1
                    ? vm.comparison().moved().get(0).path() : "none"));
        } finally {
            UiTestSupport.removePrefs(prefs);
        }
    }
}
