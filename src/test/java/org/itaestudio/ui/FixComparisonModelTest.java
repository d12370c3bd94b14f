package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.progress.Progress;
import org.junit.jupiter.api.Test;

/** The comparison panel's flow without the toolkit: variants, progress, the table, the moved images, cancel. */
class FixComparisonModelTest {

    static final List<String> PATHS = List.of("cat/a.png", "cat/b.png", "dog/c.png", "dog/d.png");

    /** Clusters by fix: ITAE moves dog/c.png to the cats; the others cluster like no fix. */
    static final class FakeEngine extends ArtifactFixModelTest.CalibratingEngine {
        final List<AnalysisSettings> analysed = new ArrayList<>();
        boolean cancelDuringRun;

        @Override
        public FolderAnalysis analyze(Path f, AnalysisSettings s, org.itaestudio.progress.ProgressListener p,
                                      org.itaestudio.pipeline.Cancellation c) {
            analysed.add(s);
            p.onProgress(Progress.of("Embedding", 2, 4));
            if (cancelDuringRun) {
                c.cancel();
            }
            c.throwIfCancelled();
            boolean itaeOnly = s.itae() != null && s.ttr() == null;
            int[] labels = itaeOnly ? new int[] {1, 1, 1, 0} : new int[] {0, 0, 1, 1};
            float[][] x = {{1, 0}, {1, 0.1f}, {0.1f, 1}, {0, 1}};
            return new FolderAnalysis(f, PATHS, x, labels, 2, new double[4], null, List.of(), s);
        }
    }

    static TestTimeRegisters ttr() {
        return TestTimeRegisters.of(List.of(new TestTimeRegisters.Neuron(3, 12)));
    }

    @Test
    void variantsFollowTheNeuronsAndTheItaeControls() {
        assertEquals(List.of("No fix", "ITAE"),
                FixComparisonModel.variants(null, null).stream().map(v -> v.name()).toList());
        var four = FixComparisonModel.variants(ItaeConfig.paperDefault(2.0), ttr());
        assertEquals(List.of("No fix", "ITAE", "Test-time registers", "ITAE + test-time registers"),
                four.stream().map(v -> v.name()).toList());
        assertNull(four.get(0).itae());
        assertEquals(ItaeConfig.paperDefault(2.0), four.get(1).itae());
        assertNull(four.get(2).itae());
        assertEquals(ttr(), four.get(3).ttr());
        assertTrue(FixComparisonModel.variants(null, null).get(1).itae().autoThreshold(),
                "ITAE off in the panel: the paper's rule with an automatic threshold");
    }

    @Test
    void aComparisonFillsTheTableAndAClickListsTheMovedImages() {
        FakeEngine engine = new FakeEngine();
        List<Runnable> later = new ArrayList<>();
        FixComparisonModel m = new FixComparisonModel(engine, later::add, Runnable::run);
        AnalysisSettings s = AnalysisSettings.defaults("dinov2-small").withMapMethod(MapMethod.TSNE);
        m.run(Path.of("photos"), s, new ItaeSettings().snapshot(), ttr());
        assertTrue(m.runningProperty().get());
        m.run(Path.of("photos"), s, new ItaeSettings().snapshot(), ttr());
        assertEquals(1, later.size(), "a second click while one runs is ignored");
        List<String> seen = new ArrayList<>();
        m.statusProperty().addListener((o, a, b) -> seen.add(b));
        later.get(0).run();
        assertTrue(seen.contains("No fix (1/4): Embedding 2/4"), seen.toString());
        assertFalse(m.runningProperty().get());
        assertEquals(4, engine.analysed.size());
        assertTrue(engine.analysed.stream().allMatch(a -> a.mapMethod() == MapMethod.NONE), "no map for a comparison");
        assertEquals("4 images, 4 fixes, classes from the sub-folders", m.statusProperty().get());

        assertEquals(4, m.rows().size());
        FixComparisonModel.RowView itae = m.rows().get(1);
        assertEquals("ITAE", itae.fix());
        assertEquals(1, itae.changed());
        assertEquals("0.750", itae.acc());
        assertEquals(0, m.rows().get(2).changed());
        assertEquals("1.000", m.rows().get(0).ari());

        m.showMoved(itae);
        assertEquals(List.of(new FixComparisonModel.Moved("dog/c.png", 2, 1)), m.moved());
        assertEquals("1 image changed cluster with ITAE", m.movedTitleProperty().get());
        m.showMoved(m.rows().get(2));
        assertTrue(m.moved().isEmpty());
        assertEquals("No image changed cluster with Test-time registers", m.movedTitleProperty().get());
        m.showMoved(m.rows().get(0));
        assertEquals("No fix is the reference: nothing to compare", m.movedTitleProperty().get());
        m.clear();
        assertTrue(m.rows().isEmpty() && m.moved().isEmpty());
    }

    @Test
    void cancelStopsItAndSaysSo() {
        FakeEngine engine = new FakeEngine();
        engine.cancelDuringRun = true;
        FixComparisonModel m = new FixComparisonModel(engine, Runnable::run, Runnable::run);
        m.run(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"), new ItaeSettings().snapshot(), null);
        assertEquals("Comparison cancelled", m.statusProperty().get());
        assertFalse(m.runningProperty().get());
        assertTrue(m.rows().isEmpty());
    }
}
