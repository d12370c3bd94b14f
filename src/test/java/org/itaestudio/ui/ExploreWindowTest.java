package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Labeled;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.itaestudio.cluster.OutlierScores;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/** The Explore menu end to end: more like this, the duplicates window with marks and export, merge + undo, order. */
class ExploreWindowTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    @Test
    void moreLikeThisShowsNeighboursAndAClickSelectsOne(FxRobot robot) throws Exception {
        openImages(9);
        runFx(() -> vm.selectedImageProperty().set(4));
        robot.clickOn("#explore-menu");
        robot.clickOn("More like this (selected image)");
        waitFor("neighbours", 10, () -> window.exploreMenu().similarDialog() != null
                && window.exploreMenu().similarDialog().isShowing()
                && window.exploreMenu().similarDialog().tiles().getChildren().size() == 8);
        Node first = onFx(() -> window.exploreMenu().similarDialog().tiles().getChildren().get(0));
        ExploreModel.Similar s = (ExploreModel.Similar) first.getUserData();
        assertEquals(vm.explore().similar().get(0), s, "most similar first");
        assertTrue(onFx(() -> first.lookupAll(".similar-score").stream()
                .anyMatch(n -> ((Labeled) n).getText().equals(String.format(java.util.Locale.ROOT, "%.3f", s.similarity())))));
        robot.clickOn(first);
        waitFor("selected", 5, () -> vm.selectedImageProperty().get() == s.image());
    }

    @Test
    void duplicatesAreFoundMarkedAndExported(FxRobot robot) throws Exception {
        openImages(12);
        robot.clickOn("#explore-menu");
        robot.clickOn("Near-duplicates\u2026");
        waitFor("window", 10, () -> window.exploreMenu().duplicatesDialog() != null
                && window.exploreMenu().duplicatesDialog().isShowing());
        robot.doubleClickOn("#duplicates-threshold .text-field");
        robot.press(KeyCode.CONTROL).type(KeyCode.A).release(KeyCode.CONTROL);
        robot.write("0.99");
        robot.type(KeyCode.ENTER); // commits the spinner and presses Find (the default button)
        robot.clickOn("#duplicates-find");
        waitFor("sets", 10, () -> vm.explore().duplicateGroupsProperty().get() > 0);
        assertEquals(0.99, vm.explore().thresholdProperty().get(), 1e-12, "the typed threshold reached the view model");
        int rows = vm.explore().duplicates().size();
        assertTrue(rows >= 2, "sets found: " + vm.explore().duplicates());
        // tick the keep box of the second row (a drop), then export
        CheckBox second = onFx(() -> window.exploreMenu().duplicatesDialog().table().lookupAll(".check-box").stream()
                .filter(n -> n instanceof CheckBox cb && !cb.isSelected() && n.isVisible()).map(n -> (CheckBox) n)
                .findFirst().orElseThrow());
        robot.clickOn(second);
        waitFor("marked", 5, () -> vm.explore().duplicates().stream().filter(d -> d.keep().get()).count()
                == vm.explore().duplicateGroupsProperty().get() + 1);
        Path csv = tmp.resolve("dups.csv");
        window.exportController().setChooser((w, k) -> csv);
        robot.clickOn("#duplicates-export");
        waitFor("export", 10, () -> java.nio.file.Files.exists(csv));
        List<String> lines = java.nio.file.Files.readAllLines(csv);
        assertEquals("group,path,similarity_to_first,mark", lines.get(0));
        assertEquals(rows + 1, lines.size());
        assertEquals(vm.explore().duplicates().stream().filter(d -> d.keep().get()).count(),
                lines.stream().filter(l -> l.endsWith(",keep")).count(), "the marks as the user left them");
    }

    @Test
    void mergeFromTheGalleryIsShownEverywhereAndUndone(FxRobot robot) throws Exception {
        openImages(9);
        int[] before = vm.clusters().labels();
        Node header = onFx(() -> window.gallery().lookupAll(".cluster-name").stream()
                .filter(n -> n.isVisible() && ((Labeled) n).getText().equals("Cluster 1")).findFirst().orElseThrow());
        robot.rightClickOn(header);
        robot.clickOn(inPopup(robot, "Merge into"));
        robot.clickOn(inPopup(robot, "Cluster 0"));
        waitFor("merged", 5, () -> vm.clusters().size(1) == 0);
        assertTrue(onFx(() -> window.gallery().lookupAll(".cluster-name").stream()
                .noneMatch(n -> n.isVisible() && ((Labeled) n).getText().equals("Cluster 1"))), "the gallery lost the group");
        Path csv = tmp.resolve("view.csv");
        assertTrue(!vm.clusters().hasOutlierScores(), "no scores before they are needed");
        List<String> lines = export(ExportController.Kind.VIEW, csv);
        assertEquals("path,cluster,x,y,outlier_score", lines.get(0));
        assertTrue(vm.clusters().hasOutlierScores(), "the export computed them, and they are kept");
        double[] want = OutlierScores.meanCosineDistance(vm.analysis().embeddings());
        assertEquals(want[0], Double.parseDouble(lines.get(1).split(",")[4]), 1e-5, "outlier_score of the first image");
        assertTrue(lines.stream().skip(1).noneMatch(l -> l.split(",")[1].equals("1")), "the export follows the edit");
        robot.clickOn("#explore-menu");
        robot.clickOn("Undo merge");
        waitFor("undone", 5, () -> vm.clusters().size(1) > 0);
        assertArrayEquals(before, vm.clusters().labels());
    }

    /** A labelled node with this text in a popup (a menu), not in the main window (where cluster names are too). */
    private Node inPopup(FxRobot robot, String text) throws Exception {
        waitFor(text, 5, () -> !robot.lookup((Node n) -> n instanceof Labeled l && text.equals(l.getText())
                && n.getScene() != null && n.getScene().getWindow() != stage && n.isVisible()).queryAll().isEmpty());
        return robot.lookup((Node n) -> n instanceof Labeled l && text.equals(l.getText())
                && n.getScene() != null && n.getScene().getWindow() != stage && n.isVisible()).query();
    }

    @Test
    void mostUnusualFirstReordersTheGallery(FxRobot robot) throws Exception {
        openImages(10);
        robot.clickOn("#explore-menu");
        robot.clickOn("Gallery: most unusual first");
        waitFor("scores", 10, () -> vm.explore().outliersReadyProperty().get()); // computed when asked
        double[] scores = OutlierScores.meanCosineDistance(vm.analysis().embeddings());
        int[] members = onFx(() -> vm.clusters().members(0));
        for (int t = 1; t < members.length; t++) {
            assertTrue(scores[members[t - 1]] >= scores[members[t]], "highest score first");
        }
        GalleryView.Row second = onFx(() -> window.gallery().rows().get(1));
        assertEquals(members[0], ((GalleryView.Thumbs) second).images()[0], "the gallery's first tile is the most unusual");
    }

    /** HDBSCAN's settings take k's place in the toolbar when HDBSCAN is picked, and go when k-means is back. */
    @Test
    void hdbscanSettingsShowInPlaceOfK(FxRobot robot) throws Exception {
        Node settings = robot.lookup("#hdbscan-settings").query();
        Node k = robot.lookup("#k-spinner").query();
        assertTrue(!settings.isVisible() && k.isVisible(), "k-means: k shown, HDBSCAN settings hidden");
        robot.clickOn("#cluster-method");
        robot.clickOn(inPopup(robot, "HDBSCAN"));
        waitFor("HDBSCAN settings", 5, () -> settings.isVisible() && !k.isVisible());
        assertEquals(org.itaestudio.cluster.ClusterMethod.HDBSCAN, vm.clusterMethodProperty().get());
        assertEquals("min 10 \u00b7 UMAP-10", ((Labeled) settings).getText());
        robot.clickOn(settings);
        robot.clickOn(inPopup(robot, "Run on the top 50 principal components"));
        waitFor("reduction", 5, () -> vm.reductionProperty().get() == org.itaestudio.cluster.Hdbscan.Reduction.PCA_50);
        runFx(() -> vm.minClusterSizeProperty().set(30));
        assertEquals("min 30 \u00b7 PCA-50", onFx(() -> ((Labeled) settings).getText()));
        assertEquals(30, vm.settings().density().minClusterSize());
        runFx(() -> vm.clusterMethodProperty().set(org.itaestudio.cluster.ClusterMethod.KMEANS));
        waitFor("k back", 5, () -> !settings.isVisible() && k.isVisible());
    }

    /** "More like this" from the map's toolbar (the last selected image) and from the inspector (the image shown). */
    @Test
    void moreLikeThisFromTheMapAndTheInspector(FxRobot robot) throws Exception {
        openImages(9);
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        Node mapButton = robot.lookup("#map-similar").query();
        runFx(() -> vm.selectionProperty().set(new int[0]));
        runFx(() -> vm.selectedImageProperty().set(-1));
        assertTrue(mapButton.isDisabled(), "nothing selected: nothing to ask about");
        runFx(() -> vm.selectionProperty().set(new int[] {2, 5}));
        robot.clickOn(mapButton);
        waitFor("map: neighbours of 5", 10, () -> vm.explore().similarSourceProperty().get() == 5
                && !vm.explore().similar().isEmpty());
        runFx(() -> {
            window.exploreMenu().similarDialog().close();
            vm.selectionProperty().set(new int[0]);
            vm.selectedImageProperty().set(4);
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
        });
        robot.clickOn("#inspector-similar");
        waitFor("inspector: neighbours of 4", 10, () -> vm.explore().similarSourceProperty().get() == 4
                && !vm.explore().similar().isEmpty() && window.exploreMenu().similarDialog().isShowing());
    }
}
