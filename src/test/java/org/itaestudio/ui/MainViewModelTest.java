package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.ModelService;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main view model without the toolkit: folder work runs on a queue the test drains ({@link Jobs}) and results
 * come back at once, so every step between "Run" and the result can be looked at.
 */
class MainViewModelTest {

    @TempDir
    Path tmp;

    /** A worker or FX thread stand-in: runs nothing until drained. */
    static final class Jobs implements Executor {
        final Queue<Runnable> queue = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            queue.add(r);
        }

        void drain() {
            for (Runnable r; (r = queue.poll()) != null; ) {
                r.run();
            }
        }
    }

    final FakeStudioEngine engine = new FakeStudioEngine();
    final StudioPreferences prefs = new StudioPreferences(Preferences.userRoot().node("itae-studio-test/" + UUID.randomUUID()));
    final Jobs worker = new Jobs();
    ModelService models;
    MainViewModel vm;

    MainViewModel vm() {
        if (vm == null) {
            vm = new MainViewModel(engine, models, prefs, Runnable::run, worker);
        }
        return vm;
    }

    @AfterEach
    void close() throws BackingStoreException {
        if (vm != null) {
            vm.close();
        }
        prefs.node().removeNode();
    }

    Path images(int n) throws IOException {
        return UiTestSupport.imageFolder(tmp.resolve("imgs"), n);
    }

    /** Opens a folder and finishes its analysis. */
    MainViewModel analysed(int n) throws IOException {
        vm().openFolder(images(n));
        worker.drain();
        return vm;
    }

    @Test
    void aRunGoesFromRunningToResults() throws IOException {
        assertEquals(MainViewModel.Screen.EMPTY, vm().screenProperty().get());
        Path dir = images(5);
        vm.openFolder(dir);
        assertEquals(MainViewModel.Screen.RUNNING, vm.screenProperty().get());
        assertTrue(vm.runningProperty().get());
        assertEquals("Analysing imgs\u2026", vm.statusProperty().get());

        worker.drain();
        assertEquals(MainViewModel.Screen.RESULTS, vm.screenProperty().get());
        assertEquals(5, vm.analysis().size());
        assertEquals(5, vm.clusters().imageCount());
        assertEquals("5 images in 3 clusters", vm.statusProperty().get());
        assertEquals(dir.toAbsolutePath().normalize(), vm.prefs().recentFolders().get(0));
    }

    @Test
    void aFailedRunShowsTheErrorScreen() {
        vm().openFolder(tmp.resolve("gone"));
        worker.drain();
        assertEquals(MainViewModel.Screen.ERROR, vm.screenProperty().get());
        assertTrue(vm.errorProperty().get().endsWith("gone: not a folder"), vm.errorProperty().get());
        assertEquals("Failed: " + vm.errorProperty().get(), vm.statusProperty().get());

        // running again clears the error while it runs
        vm.run();
        assertNull(vm.errorProperty().get());
        assertEquals(MainViewModel.Screen.RUNNING, vm.screenProperty().get());
    }

    @Test
    void aFolderWithoutImagesShowsTheNoImagesScreen() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(dir.resolve("holiday.jpg"), "not a jpeg");
        vm().openFolder(dir);
        worker.drain();
        assertEquals(MainViewModel.Screen.NO_IMAGES, vm.screenProperty().get());
        assertEquals(1, vm.skipped().size());
        assertEquals("No readable images in broken", vm.statusProperty().get());
    }

    @Test
    void cancelFreesTheWindowAtOnceAndDropsTheLateResult() throws IOException {
        vm().openFolder(images(4));
        vm.cancel();
        assertEquals("Cancelled", vm.statusProperty().get());
        assertEquals(MainViewModel.Screen.EMPTY, vm.screenProperty().get());

        worker.drain(); // the worker finishes anyway (the fake engine does not check in time)
        assertNull(vm.analysis());
        assertEquals("Cancelled", vm.statusProperty().get());
        assertEquals(MainViewModel.Screen.EMPTY, vm.screenProperty().get());
    }

    @Test
    void progressReachesTheFxThreadOncePerPulse() throws IOException {
        Jobs fx = new Jobs();
        vm = new MainViewModel(engine, null, prefs, fx, Runnable::run);
        vm.openFolder(images(6));
        // six progress reports while the FX thread was busy: one progress update, then the result
        assertEquals(2, fx.queue.size());
        fx.queue.poll().run();
        assertEquals(6, vm.progressProperty().get().done());
        assertTrue(vm.runningProperty().get());
        fx.drain();
        assertEquals(MainViewModel.Screen.RESULTS, vm.screenProperty().get());
    }

    @Test
    void aMissingModelAsksForItInsteadOfFailing() throws IOException {
        models = new ModelService() {
            @Override
            public Status status(String modelSpec) {
                return new Status(false, "not in the cache", true);
            }

            @Override
            public Path download(String modelSpec, ProgressListener progress, Cancellation cancel) {
                throw new UnsupportedOperationException();
            }
        };
        vm().modelProperty().set("dinov2-base");
        vm.openFolder(images(3));
        worker.drain();
        assertEquals("Model not available", vm.statusProperty().get());
        assertEquals("dinov2-base", vm.modelMissingProperty().get().model());
        assertNull(vm.errorProperty().get());
        assertEquals(MainViewModel.Screen.EMPTY, vm.screenProperty().get());
        vm.clearModelMissing();
        assertNull(vm.modelMissingProperty().get());
    }

    @Test
    void anotherKOnlyReclustersAndReportsWhatMoved() throws IOException {
        analysed(12);
        vm.kProperty().set(4);
        vm.run();
        assertEquals("Re-clustering\u2026", vm.statusProperty().get());
        worker.drain();
        assertEquals(1, engine.analyzeCalls.get(), "no model run for a new k");
        assertEquals(4, vm.analysis().k());
        MainViewModel.ChangeSummary c = vm.changeProperty().get();
        assertNotNull(c);
        assertEquals(12, c.compared());
        assertEquals(String.format("%,d of %,d images changed cluster", c.changed(), c.compared()), vm.statusProperty().get());
    }

    /**
     * HDBSCAN's settings from the view model reach the engine as the same record the CLI builds from
     * {@code --min-cluster-size 25 --min-samples 4 --reduce pca50}; a change of them re-clusters without the model.
     */
    @Test
    void hdbscanSettingsReachTheAnalysis() throws IOException {
        vm().clusterMethodProperty().set(org.itaestudio.cluster.ClusterMethod.HDBSCAN);
        vm.minClusterSizeProperty().set(25);
        vm.minSamplesProperty().set(4);
        vm.reductionProperty().set(org.itaestudio.cluster.Hdbscan.Reduction.PCA_50);
        analysed(12);
        assertEquals(org.itaestudio.cluster.ClusterMethod.HDBSCAN, engine.lastSettings.clusterMethod());
        assertEquals(new org.itaestudio.cluster.Hdbscan.Settings(25, 4, org.itaestudio.cluster.Hdbscan.Reduction.PCA_50),
                engine.lastSettings.density());
        vm.minClusterSizeProperty().set(5);
        vm.minSamplesProperty().set(0); // "auto": the min cluster size, as without --min-samples
        vm.reductionProperty().set(org.itaestudio.cluster.Hdbscan.Reduction.NONE);
        vm.run();
        assertEquals("Re-clustering\u2026", vm.statusProperty().get());
        worker.drain();
        assertEquals(1, engine.analyzeCalls.get(), "no model run for other HDBSCAN settings");
        assertEquals(new org.itaestudio.cluster.Hdbscan.Settings(5, 0, org.itaestudio.cluster.Hdbscan.Reduction.NONE),
                engine.lastSettings.density());
        assertEquals(engine.lastSettings.density(), vm.analysis().settings().density());
        assertNotNull(vm.changeProperty().get(), "what moved is reported");
        vm.minClusterSizeProperty().set(1); // below HDBSCAN's smallest cluster: clamped, never an exception
        assertEquals(2, vm.settings().density().minClusterSize());
    }

    @Test
    void anotherMapMethodRecomputesTheMapAndKeepsTheUsersEdits() throws IOException {
        analysed(9);
        vm.renameCluster(1, "Dogs");
        vm.moveImages(new int[] {0}, 2);
        vm.mapMethodProperty().set(MapMethod.PCA); // runs by itself
        assertEquals("Computing the map\u2026", vm.statusProperty().get());
        worker.drain();
        assertEquals(1, engine.analyzeCalls.get());
        assertEquals(MapMethod.PCA, vm.analysis().settings().mapMethod());
        assertEquals("Dogs", vm.clusters().name(1));
        assertEquals(2, vm.clusters().label(0));
        assertNull(vm.changeProperty().get());
    }

    @Test
    void applyingItaeComparesWithTheClustersBefore() throws IOException {
        vm().kProperty().set(3);
        analysed(12);
        vm.applyItaeToFolder();
        assertEquals("Applying ITAE to imgs\u2026", vm.statusProperty().get());
        worker.drain();
        // the fake engine moves every 5th image to the next cluster when ITAE is on: images 0, 5 and 10
        MainViewModel.ChangeSummary c = vm.changeProperty().get();
        assertEquals(3, c.changed());
        assertEquals(12, c.compared());
        boolean[] expected = new boolean[12];
        expected[0] = expected[5] = expected[10] = true;
        assertArrayEquals(expected, c.changedMask());
        assertNotNull(vm.appliedItaeProperty().get());
        assertEquals("3 of 12 images changed cluster. See the Map's before/after.", vm.changeTextProperty().get());
        assertEquals("3 of 12 images changed cluster", vm.statusProperty().get());
    }

    @Test
    void openingAFolderStartsAfresh() throws IOException {
        analysed(6);
        vm.applyItaeToFolder();
        worker.drain();
        vm.selectionProperty().set(new int[] {1, 2});
        vm.openFolder(Files.createDirectories(tmp.resolve("other")));
        assertNull(vm.analysis());
        assertNull(vm.changeProperty().get());
        assertEquals("", vm.changeTextProperty().get());
        assertEquals(0, vm.selectionProperty().get().length);
        assertEquals(0, vm.clusters().imageCount());
        assertEquals(MainViewModel.Screen.RUNNING, vm.screenProperty().get());
    }

    @Test
    void movingImagesSaysWhere() throws IOException {
        analysed(6);
        vm.renameCluster(1, "Sunsets");
        vm.moveImages(new int[] {0, 2}, 1);
        assertEquals("2 images moved to Sunsets", vm.statusProperty().get());
        vm.selectCluster(1);
        assertEquals(vm.clusters().size(1), vm.selectionProperty().get().length);
    }

    @Test
    void runDoesNothingWithoutAFolderOrWhileRunning() throws IOException {
        vm().run();
        assertEquals(MainViewModel.Screen.EMPTY, vm.screenProperty().get());
        assertTrue(worker.queue.isEmpty());
        vm.openFolder(images(3));
        vm.run();
        assertEquals(1, worker.queue.size(), "a second run waits for nothing: it is ignored");
    }
}
