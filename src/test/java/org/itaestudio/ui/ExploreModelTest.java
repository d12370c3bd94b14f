package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import javafx.beans.property.SimpleObjectProperty;
import org.itaestudio.cluster.OutlierScores;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.store.ExploreExport;
import org.junit.jupiter.api.Test;

/** More like this, near-duplicates with marks, outlier scores handed to the cluster model; stale results dropped. */
class ExploreModelTest {

    final SimpleObjectProperty<FolderAnalysis> analysis = new SimpleObjectProperty<>();
    final ClusterModel clusters = new ClusterModel();
    /** Background work waits here until the test runs it. */
    final List<Runnable> queued = new ArrayList<>();
    final Executor worker = queued::add;

    ExploreModel model(Executor w) {
        return new ExploreModel(analysis, clusters, Runnable::run, w);
    }

    void open(FolderAnalysis a) {
        clusters.reset(a, null, false);
        analysis.set(a);
    }

    void runQueued() {
        while (!queued.isEmpty()) {
            queued.remove(0).run();
        }
    }

    @Test
    void moreLikeThisListsTheNearestOthersMostSimilarFirst() {
        ExploreModel x = model(Runnable::run);
        FolderAnalysis a = ClusterEditingTest.analysis();
        open(a);
        x.showSimilar(0);
        assertEquals(0, x.similarSourceProperty().get());
        assertEquals(7, x.similar().size(), "k = min(20, n - 1)");
        assertEquals(List.of(2, 1), x.similar().subList(0, 2).stream().map(ExploreModel.Similar::image).toList());
        assertEquals("img2.png", x.similar().get(0).path());
        for (int t = 1; t < x.similar().size(); t++) {
            assertTrue(x.similar().get(t - 1).similarity() >= x.similar().get(t).similarity());
        }
        assertTrue(x.similar().stream().noneMatch(s -> s.image() == 0), "not its own neighbour");
    }

    @Test
    void duplicatesAreGroupedAndMarksGoIntoTheExport() {
        ExploreModel x = model(Runnable::run);
        open(ClusterEditingTest.analysis());
        x.thresholdProperty().set(0.99);
        x.findDuplicates();
        assertEquals(3, x.duplicateGroupsProperty().get(), "the three tight blobs: " + x.duplicates());
        assertEquals(8, x.duplicates().size());
        assertEquals(0, x.duplicates().get(0).image());
        assertTrue(x.duplicates().get(0).keep().get(), "the first of a set starts as keep");
        assertEquals(1.0, x.duplicates().get(0).similarityToFirst());
        assertArrayEquals(new int[] {1, 2, 4, 6, 7}, x.dropped());
        x.mark(1, true);
        x.mark(0, false);
        List<ExploreExport.DuplicateRow> rows = x.duplicateRows();
        assertEquals(new ExploreExport.DuplicateRow(0, "img0.png", 1.0, false), rows.get(0));
        assertTrue(rows.get(1).keep());
        x.thresholdProperty().set(1.5);
        x.findDuplicates();
        assertTrue(x.messageProperty().get().contains("between -1 and 1"));
        assertEquals(8, x.duplicates().size(), "a bad threshold keeps what was found");
    }

    /** The search reports its progress to the dialog, monotone up to 1, and says when it runs. */
    @Test
    void duplicatesProgressRisesToOne() {
        ExploreModel x = model(worker);
        open(big(1200));
        List<Double> seen = new ArrayList<>();
        x.duplicatesProgressProperty().addListener((o, a, b) -> seen.add(b.doubleValue()));
        int before = queued.size();
        x.findDuplicates();
        assertTrue(x.findingDuplicatesProperty().get());
        x.findDuplicates(); // a second Find while one runs starts nothing
        assertEquals(before + 1, queued.size());
        runQueued();
        assertTrue(!x.findingDuplicatesProperty().get());
        assertTrue(seen.size() >= 3, "several steps: " + seen);
        for (int t = 1; t < seen.size(); t++) {
            assertTrue(seen.get(t) > seen.get(t - 1), "monotone: " + seen);
        }
        assertEquals(1.0, seen.get(seen.size() - 1));
        assertEquals(2, x.duplicateGroupsProperty().get(), x.messageProperty().get());
    }

    /** Cancel stops the search: the worker gives up at its next check and nothing it found is published. */
    @Test
    void cancellingDuplicatesStopsAndPublishesNothing() {
        ExploreModel x = model(worker);
        open(big(1200));
        x.findDuplicates();
        x.cancelDuplicates();
        assertTrue(!x.findingDuplicatesProperty().get());
        assertEquals("Near-duplicates cancelled", x.messageProperty().get());
        runQueued();
        assertEquals(0, x.duplicates().size(), "a cancelled search publishes nothing");
        assertEquals(0, x.duplicateGroupsProperty().get());
        assertTrue(x.duplicatesProgressProperty().get() < 1, "it stopped before the end");
        x.findDuplicates(); // and a new search runs to the end
        runQueued();
        assertEquals(2, x.duplicateGroupsProperty().get());
    }

    /** {@code n} random images of 16 dimensions with two planted copies (images 0 ~ n-1, 1 ~ n-2). */
    static FolderAnalysis big(int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[][] e = new float[n][16];
        for (float[] row : e) {
            for (int d = 0; d < row.length; d++) row[d] = (float) r.nextGaussian();
        }
        e[n - 1] = e[0].clone();
        e[n - 2] = e[1].clone();
        List<String> paths = java.util.stream.IntStream.range(0, n).mapToObj(i -> String.format("img%05d.png", i)).toList();
        return new FolderAnalysis(java.nio.file.Path.of("/nowhere"), paths, e, new int[n], 1, new double[n], null,
                List.of(), org.itaestudio.pipeline.AnalysisSettings.defaults("stand-in"));
    }

    /** The same images with other labels (a re-cluster) or other embeddings (ITAE applied, another model). */
    static FolderAnalysis with(FolderAnalysis a, float[][] embeddings, int[] labels) {
        return new FolderAnalysis(a.folder(), a.paths(), embeddings, labels, a.k(), a.distances(), a.map(), a.skipped(),
                a.settings());
    }

    static float[][] shifted(float[][] e) {
        float[][] out = new float[e.length][];
        for (int i = 0; i < e.length; i++) {
            out[i] = e[i].clone();
            out[i][0] += i % 3;
        }
        return out;
    }

    /**
     * No scores after an analysis; asked for, they are computed once on the worker with progress, reach the cluster
     * model, and are kept through a re-cluster (same embeddings) but dropped when the embeddings change.
     */
    @Test
    void outlierScoresAreComputedOnDemandAndKeptUntilTheEmbeddingsChange() {
        ExploreModel x = model(worker);
        FolderAnalysis a = ClusterEditingTest.analysis();
        open(a);
        assertTrue(queued.isEmpty(), "nothing computed after an analysis");
        assertTrue(!clusters.hasOutlierScores() && !x.outliersReadyProperty().get());
        List<Double> progress = new ArrayList<>();
        x.outlierProgressProperty().addListener((o, p0, p1) -> progress.add(p1.doubleValue()));
        int[] called = {0};
        x.requestOutlierScores(() -> called[0]++);
        x.requestOutlierScores(() -> called[0]++); // asked twice while computing: one job, both callbacks
        assertTrue(x.computingOutliersProperty().get());
        assertEquals(1, queued.size());
        assertEquals(0, called[0]);
        runQueued();
        assertEquals(2, called[0]);
        assertTrue(x.outliersReadyProperty().get() && !x.computingOutliersProperty().get());
        assertEquals(1.0, progress.get(progress.size() - 1));
        for (int t = 1; t < progress.size(); t++) {
            assertTrue(progress.get(t) >= progress.get(t - 1), "monotone: " + progress);
        }
        double[] want = OutlierScores.meanCosineDistance(a.embeddings());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], clusters.outlierScore(i), 0);
        }
        x.requestOutlierScores(() -> called[0]++); // known: at once, no work
        assertEquals(3, called[0]);
        assertTrue(queued.isEmpty());

        open(with(a, a.embeddings(), new int[] {1, 1, 1, 0, 0, 0, 0, 0})); // re-clustered: same embeddings
        assertTrue(clusters.hasOutlierScores() && x.outliersReadyProperty().get(), "kept through a re-cluster");
        assertEquals(want[4], clusters.outlierScore(4), 0);
        assertTrue(queued.isEmpty());

        open(with(a, shifted(a.embeddings()), a.labels())); // new embeddings
        assertTrue(!clusters.hasOutlierScores() && !x.outliersReadyProperty().get(), "dropped with the embeddings");
        assertTrue(queued.isEmpty(), "and not recomputed until asked");

        clusters.setOrder(ClusterModel.Order.MOST_UNUSUAL_FIRST);
        open(a); // the gallery is sorted by the scores: new embeddings get new scores at once
        assertEquals(1, queued.size());
        runQueued();
        assertTrue(clusters.hasOutlierScores());
    }

    @Test
    void resultsForAReplacedAnalysisAreDropped() {
        ExploreModel x = model(worker);
        FolderAnalysis a = ClusterEditingTest.analysis();
        open(a);
        x.showSimilar(3);
        x.findDuplicates();
        int[] called = {0};
        x.requestOutlierScores(() -> called[0]++);
        open(with(a, shifted(a.embeddings()), a.labels())); // a new run of the folder, with ITAE applied
        runQueued();
        assertTrue(x.similar().isEmpty());
        assertTrue(x.duplicates().isEmpty());
        assertEquals(-1, x.similarSourceProperty().get());
        assertTrue(!clusters.hasOutlierScores() && !x.computingOutliersProperty().get(), "old scores dropped");
        assertEquals(0, called[0], "the old request's callback is dropped too");
    }

    @Test
    void splitUsesTheAnalysisEmbeddingsAndCanBeUndone() {
        ExploreModel x = model(Runnable::run);
        open(ClusterEditingTest.analysis());
        int fresh = x.split(0);
        assertArrayEquals(new int[] {3, 4}, java.util.Arrays.stream(clusters.members(fresh)).sorted().toArray());
        assertTrue(clusters.undo());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, clusters.labels());
    }

    /** The split's k-means runs on the worker with the views disabled; the edit lands on the FX thread after it. */
    @Test
    void splitRunsOnTheWorkerAndThenEdits() {
        ExploreModel x = model(worker);
        open(ClusterEditingTest.analysis());
        List<String> reports = new ArrayList<>();
        x.splitInBackground(0, reports::add);
        assertTrue(x.splittingProperty().get(), "views disabled");
        x.splitInBackground(1, reports::add); // one split at a time
        assertEquals(1, queued.size());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, clusters.labels(), "nothing changed before the k-means");
        runQueued();
        assertTrue(!x.splittingProperty().get());
        assertArrayEquals(new int[] {0, 0, 0, 2, 2, 1, 1, 1}, clusters.labels());
        assertEquals(List.of("Split Cluster 0: 2 images moved to Cluster 2"), reports);
        assertTrue(clusters.undo());
        assertTrue(clusters.redo());
        assertArrayEquals(new int[] {0, 0, 0, 2, 2, 1, 1, 1}, clusters.labels());
        // a cluster of one image says why, edits nothing
        clusters.move(new int[] {3}, 1);
        x.splitInBackground(2, reports::add);
        runQueued();
        assertTrue(reports.get(1).contains("nothing to split"), reports.get(1));
        // a new analysis while the k-means runs: the plan is dropped
        x.splitInBackground(0, reports::add);
        open(ClusterEditingTest.analysis());
        runQueued();
        assertTrue(!x.splittingProperty().get());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, clusters.labels());
        assertEquals(2, reports.size());
    }
}
