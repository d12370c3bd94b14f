package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectWrapper;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.FolderAnalysis;
import org.junit.jupiter.api.Test;

/** The map's before/after state and what the view draws from it. */
class MapModelTest {

    final ReadOnlyObjectWrapper<FolderAnalysis> analysis = new ReadOnlyObjectWrapper<>();
    final ReadOnlyObjectWrapper<MainViewModel.ChangeSummary> change = new ReadOnlyObjectWrapper<>();
    final ClusterModel clusters = new ClusterModel();
    final MapModel model = new MapModel(analysis.getReadOnlyProperty(), change.getReadOnlyProperty(), clusters);

    static FolderAnalysis analysis(String folder, List<String> paths, int[] labels, double[][] map, MapMethod method) {
        AnalysisSettings s = AnalysisSettings.defaults("stand-in").withMapMethod(method);
        return new FolderAnalysis(Path.of(folder), paths, new float[paths.size()][1], labels, 2,
                new double[paths.size()], map, List.of(), s);
    }

    final FolderAnalysis before = analysis("/p", List.of("a", "b", "c"), new int[] {0, 0, 1},
            new double[][] {{0, 0}, {1, 1}, {2, 2}}, MapMethod.TSNE);
    final FolderAnalysis after = analysis("/p", List.of("a", "b", "c"), new int[] {0, 1, 1},
            new double[][] {{5, 5}, {6, 6}, {7, 7}}, MapMethod.TSNE);
    final boolean[] mask = {false, true, false};

    void applied() {
        analysis.set(before);
        clusters.reset(after, null, false);
        change.set(new MainViewModel.ChangeSummary(before, before.labels(), after, 1, 3, mask, ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO)));
        analysis.set(after);
    }

    @Test
    void nowShowsTheUsersClustersWithChangedPointsRinged() {
        applied();
        assertTrue(model.compareAvailableProperty().get());
        clusters.move(new int[] {0}, 1);
        MapModel.Frame f = model.frame();
        assertFalse(f.before());
        assertSame(after.map(), f.points());
        assertArrayEquals(new int[] {1, 1, 1}, f.labels(), "the user's move shows");
        assertSame(mask, f.highlight());
        assertEquals("Clusters", model.legendTitle());
        assertEquals("t-SNE \u00b7 3 points \u00b7 2 selected \u00b7 1 changed cluster (ringed)", model.infoText(3, 2));
        assertTrue(model.pointsActive());
    }

    @Test
    void beforeShowsTheOldMapAndPaths() {
        applied();
        model.showingBeforeProperty().set(true);
        MapModel.Frame f = model.frame();
        assertTrue(f.before());
        assertSame(before.map(), f.points());
        assertArrayEquals(before.labels(), f.labels());
        assertEquals("Clusters (before)", model.legendTitle());
        assertEquals("b", model.pointPath(1));
        assertFalse(model.pointsActive(), "history: points do not select or inspect");

        analysis.set(analysis("/q", List.of("x"), new int[] {0}, new double[][] {{0, 0}}, MapMethod.PCA));
        assertFalse(model.showingBeforeProperty().get(), "a new analysis is shown as it is now");
    }

    @Test
    void withoutAChangeThereIsNothingToCompare() {
        analysis.set(before);
        assertFalse(model.compareAvailableProperty().get());
        MapModel.Frame f = model.frame();
        assertNull(f.highlight());
        assertArrayEquals(before.labels(), f.labels(), "clusters not reset yet: the analysis' own labels");
        assertEquals("t-SNE \u00b7 3 points", model.infoText(3, 0));
        assertEquals("", model.infoText(0, 0));
    }

    @Test
    void anAnalysisWithoutAMapSaysHowToGetOne() {
        assertEquals("", model.noMapText());
        analysis.set(analysis("/p", List.of("a", "b"), new int[] {0, 1}, null, MapMethod.NONE));
        assertFalse(model.hasMap());
        assertEquals("This analysis has no map (none). Pick t-SNE, UMAP or PCA above.", model.noMapText());
        assertEquals(0, model.frame().points().length);
    }

    @Test
    void onlyANewMapIsFittedAgain() {
        FolderAnalysis recoloured = analysis("/p", before.paths(), new int[] {1, 1, 0}, before.map(), MapMethod.TSNE);
        FolderAnalysis sameNumbers = analysis("/p", before.paths(), new int[] {1, 1, 0},
                new double[][] {{0, 0}, {1, 1}, {2, 2}}, MapMethod.TSNE);
        assertFalse(MapModel.needsRefit(before, recoloured));
        assertFalse(MapModel.needsRefit(before, sameNumbers));
        assertTrue(MapModel.needsRefit(before, after));
        assertTrue(MapModel.needsRefit(null, before));
        assertTrue(MapModel.needsRefit(before, analysis("/other", before.paths(), before.labels(), before.map(), MapMethod.TSNE)));
    }

    @Test
    void theLegendListsClustersWithMembers() {
        assertEquals(List.of(new MapModel.LegendEntry(0, 2), new MapModel.LegendEntry(2, 1)),
                MapModel.legend(new int[] {0, 2, 0}));
        assertEquals(List.of(), MapModel.legend(new int[0]));
    }

    @Test
    void moreLikeThisAsksAboutTheLastSelectedElseTheClickedImage() {
        assertEquals(5, MapModel.similarTarget(new int[] {2, 5}, 7));
        assertEquals(7, MapModel.similarTarget(new int[0], 7));
        assertEquals(-1, MapModel.similarTarget(new int[0], -1));
        assertEquals(3, MapModel.similarTarget(new int[] {3}, -1));
    }
}
