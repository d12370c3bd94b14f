package org.itaestudio.ui;

import static org.itaestudio.ui.UiTestSupport.onFx;
import static org.itaestudio.ui.UiTestSupport.runFx;
import static org.itaestudio.ui.UiTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/** One palette everywhere (gallery swatch, legend, map pixels), the map's hover card, click-to-inspect, legend selection. */
class PaletteAndMapViewTest extends MainWindowFixture<FakeStudioEngine> {

    @Start
    void start(Stage stage) throws Exception {
        show(stage, new FakeStudioEngine());
    }

    @Test
    void galleryLegendAndMapUseTheSameColourPerCluster(FxRobot robot) throws Exception {
        openImages(12);
        for (int c = 0; c < 3; c++) {
            int cluster = c;
            Color expected = ClusterPalette.color(c);
            Rectangle header = onFx(() -> window.gallery().headerSwatch(cluster).orElseThrow());
            assertEquals(expected, header.getFill(), "gallery swatch of cluster " + c);
        }
        robot.type(javafx.scene.input.KeyCode.DIGIT2);
        assertEquals(MainViewModel.View.MAP, vm.viewProperty().get());
        MapCanvas canvas = window.map().canvas();
        runFx(canvas::renderNow);
        for (int c = 0; c < 3; c++) {
            int cluster = c;
            Rectangle legend = onFx(() -> (Rectangle) robot.lookup("#legend-" + cluster + " .cluster-swatch").query());
            assertEquals(ClusterPalette.color(c), legend.getFill(), "legend swatch of cluster " + c);
            // a point of this cluster: the pixel at its centre has the palette hue
            int i = vm.clusters().members(c)[0];
            WritableImage snap = onFx(() -> canvas.snapshot(null, null));
            int px = (int) Math.floor(onFx(() -> canvas.toScreenX(vm.analysis().map()[i][0])));
            int py = (int) Math.floor(onFx(() -> canvas.toScreenY(vm.analysis().map()[i][1])));
            Color got = snap.getPixelReader().getColor(px, py);
            assertEquals(ClusterPalette.color(c).getHue(), got.getHue(), 4.0, "map point of cluster " + c + ": " + got);
        }
    }

    /**
     * HDBSCAN's noise group ("Unclustered", the last cluster number) is grey in the gallery header, the move-to menu,
     * the map legend and the map's points, while the real clusters keep their palette colours.
     */
    @Test
    void unclusteredIsGreyEverywhere(FxRobot robot) throws Exception {
        runFx(() -> vm.clusterMethodProperty().set(org.itaestudio.cluster.ClusterMethod.HDBSCAN));
        openImages(12);
        int noise = vm.clusters().noiseCluster();
        assertEquals(2, noise);
        assertEquals("Unclustered", vm.clusters().name(noise));
        Color grey = ClusterPalette.color(-1);
        assertTrue(!grey.equals(ClusterPalette.color(noise)), "the palette colour of that number is not grey");
        Rectangle header = onFx(() -> window.gallery().headerSwatch(noise).orElseThrow());
        assertEquals(grey, header.getFill(), "gallery header");
        assertEquals(ClusterPalette.color(1), onFx(() -> window.gallery().headerSwatch(1).orElseThrow()).getFill());
        javafx.scene.control.Menu move = onFx(() -> GalleryView.moveMenu(vm, new int[] {0}));
        assertEquals(grey, ((Rectangle) move.getItems().get(noise).getGraphic()).getFill(), "move-to menu");
        assertEquals(ClusterPalette.color(0), ((Rectangle) move.getItems().get(0).getGraphic()).getFill());
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        MapCanvas canvas = window.map().canvas();
        runFx(canvas::renderNow);
        Rectangle legend = onFx(() -> (Rectangle) robot.lookup("#legend-" + noise + " .cluster-swatch").query());
        assertEquals(grey, legend.getFill(), "legend");
        for (int c : new int[] {0, noise}) {
            int i = vm.clusters().members(c)[0];
            WritableImage snap = onFx(() -> canvas.snapshot(null, null));
            int px = (int) Math.floor(onFx(() -> canvas.toScreenX(vm.analysis().map()[i][0])));
            int py = (int) Math.floor(onFx(() -> canvas.toScreenY(vm.analysis().map()[i][1])));
            Color got = snap.getPixelReader().getColor(px, py);
            if (c == noise) {
                assertTrue(got.getSaturation() < 0.15, "unclustered point is grey: " + got);
            } else {
                assertEquals(ClusterPalette.color(c).getHue(), got.getHue(), 4.0, "point of cluster " + c + ": " + got);
                assertTrue(got.getSaturation() > 0.3, "cluster point is coloured: " + got);
            }
        }
    }

    @Test
    void hoverShowsTheThumbnailCardAndClickInspects(FxRobot robot) throws Exception {
        openImages(12);
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        MapCanvas canvas = window.map().canvas();
        int i = 7;
        Point2D p = onFx(() -> canvas.localToScreen(canvas.toScreenX(vm.analysis().map()[i][0]),
                canvas.toScreenY(vm.analysis().map()[i][1])));
        robot.moveTo(p);
        assertEquals(i, canvas.hoveredProperty().get());
        Node card = window.map().hoverCard();
        assertTrue(card.isVisible(), "hover card shown");
        assertEquals(vm.analysis().paths().get(i), window.map().hoverText());
        waitFor("thumbnail in card", 5, () -> ((javafx.scene.image.ImageView) ((javafx.scene.layout.VBox) card)
                .getChildren().get(0)).getImage() != null);
        robot.clickOn(p);
        assertEquals(i, vm.selectedImageProperty().get());
        waitFor("inspection", 10, () -> vm.inspector().resultProperty().get() != null
                && vm.inspector().resultProperty().get().inspection().image().equals(vm.imagePath(i)));
    }

    @Test
    void clickingALegendEntrySelectsItsCluster(FxRobot robot) throws Exception {
        openImages(12);
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        robot.clickOn("#legend-1");
        int[] sel = vm.selectionProperty().get();
        assertEquals(4, sel.length);
        for (int s : sel) {
            assertEquals(1, vm.clusters().label(s));
        }
        assertTrue(onFx(() -> robot.lookup("#map-info").queryLabeled().getText()).contains("4 selected"));
    }

    @Test
    void theMapsMenuMovesTheSelectionToAnotherCluster(FxRobot robot) throws Exception {
        openImages(12);
        runFx(() -> vm.viewProperty().set(MainViewModel.View.MAP));
        robot.clickOn("#legend-1");
        int[] sel = vm.selectionProperty().get().clone();
        assertEquals(4, sel.length);
        MapCanvas canvas = window.map().canvas();
        Point2D empty = onFx(() -> canvas.localToScreen(8, canvas.getHeight() - 8));
        robot.rightClickOn(empty);
        robot.clickOn(robot.lookup(".context-menu .label").match(org.testfx.matcher.control.LabeledMatchers.hasText("Move 4 images to cluster"))
                .match((Node n) -> n.getScene() != null && n.isVisible()).<Node>query());
        waitFor("submenu", 5, () -> robot.lookup(".context-menu .label").match(org.testfx.matcher.control.LabeledMatchers.hasText("Cluster 2"))
                .tryQuery().isPresent());
        robot.moveBy(140, 0);
        robot.clickOn(robot.lookup(".context-menu .label").match(org.testfx.matcher.control.LabeledMatchers.hasText("Cluster 2"))
                .match((Node n) -> n.getScene() != null && n.isVisible()).<Node>query());
        waitFor("moved", 5, () -> vm.clusters().label(sel[0]) == 2);
        for (int i : sel) {
            assertEquals(2, vm.clusters().label(i));
        }
        assertEquals(0, vm.clusters().size(1));
        assertEquals(8, vm.clusters().size(2));
        // the gallery had the map's selection too
        assertEquals(4, window.gallery().selectedImages().length);
    }
}
