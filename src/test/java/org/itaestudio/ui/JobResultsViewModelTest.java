package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import org.itaestudio.store.CsvExport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app opens a Spark job's output folder: its clusters, with no model run. */
class JobResultsViewModelTest {

    @TempDir
    Path tmp;

    final FakeStudioEngine engine = new FakeStudioEngine();
    final StudioPreferences prefs = new StudioPreferences(Preferences.userRoot().node("itae-studio-test/" + UUID.randomUUID()));
    final MainViewModelTest.Jobs worker = new MainViewModelTest.Jobs();
    final MainViewModel vm = new MainViewModel(engine, null, prefs, Runnable::run, worker);

    @AfterEach
    void close() throws BackingStoreException {
        vm.close();
        prefs.node().removeNode();
    }

    @Test
    void opensAJobsResultsWithoutTheEngine() throws IOException {
        Path images = UiTestSupport.imageFolder(tmp.resolve("imgs"), 3);
        Path out = Files.createDirectories(tmp.resolve("spark-out"));
        List<String> paths;
        try (var list = Files.list(images)) {
            paths = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        CsvExport.writeEmbeddings(out.resolve("embeddings.csv"), paths,
                new float[][] {{1, 0}, {0, 1}, {0.9f, 0.1f}});
        CsvExport.writeLabels(out.resolve("labels.csv"), paths, new int[] {3, 5, 3});
        Files.writeString(out.resolve("job.json"), "{\"input\":\"file:" + images + "\",\"model\":\"m\"}");

        vm.openResults(out);
        worker.drain();
        assertEquals(MainViewModel.Screen.RESULTS, vm.screenProperty().get());
        assertEquals(3, vm.analysis().size());
        assertEquals(2, vm.analysis().k());
        assertEquals(images, vm.analysis().folder());
        assertEquals(0, engine.analyzeCalls.get(), "no model runs for a job's results");

        // a new k re-clusters the job's embeddings instead of reopening its labels
        vm.kProperty().set(3);
        vm.run();
        worker.drain();
        assertEquals(3, vm.analysis().k());
        assertEquals(images, vm.analysis().folder());
        assertEquals(0, engine.analyzeCalls.get());
    }

    @Test
    void aFolderThatIsNotAJobGetsOneLine() {
        vm.openResults(tmp);
        assertTrue(vm.errorProperty().get().startsWith("Not a finished Spark job's output"), vm.errorProperty().get());
        assertEquals(MainViewModel.Screen.ERROR, vm.screenProperty().get());
    }
}
