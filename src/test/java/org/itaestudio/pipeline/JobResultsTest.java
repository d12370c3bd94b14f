package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CsvExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Spark job's output folder opened as an analysis (the files the job writes, in the CLI's formats). */
class JobResultsTest {

    @TempDir
    Path dir;

    private void writeJob(Path out, String input) throws IOException {
        Files.createDirectories(out);
        List<String> paths = List.of("a/1.jpg", "a/2.jpg", "b/3.jpg", "b/4.jpg");
        float[][] x = {{1, 0, 0}, {0.9f, 0.1f, 0}, {0, 1, 0}, {0, 0.8f, 0.2f}};
        CsvExport.writeEmbeddings(out.resolve("embeddings.csv"), paths, x);
        // MLlib's cluster ids are arbitrary: the app renumbers them by size then first member
        CsvExport.writeLabels(out.resolve("labels.csv"), paths, new int[] {1, 1, 0, 0});
        CsvExport.write(out.resolve("skipped.csv"), CsvExport.LineEnding.LF, sink -> {
            sink.row("path", "reason");
            sink.row("a/bad.jpg", "not an image");
        });
        Files.writeString(out.resolve("job.json"), "{\"input\":\"" + input + "\",\"model\":\"m.safetensors\",\"k\":2}\n");
    }

    @Test
    void opensLabelsEmbeddingsSkippedAndTheInputFolder() throws IOException {
        Path out = dir.resolve("out");
        Path images = Files.createDirectories(dir.resolve("my photos"));
        writeJob(out, "file:" + images);
        assertTrue(JobResults.isJobOutput(out));
        AnalysisSettings base = AnalysisSettings.defaults("other").withMapMethod(MapMethod.PCA);
        FolderAnalysis a = JobResults.open(out, base, ProgressListener.NONE, Cancellation.none());
        assertEquals(images, a.folder());
        assertEquals(List.of("a/1.jpg", "a/2.jpg", "b/3.jpg", "b/4.jpg"), a.paths());
        assertArrayEquals(new int[] {0, 0, 1, 1}, a.labels());
        assertEquals(2, a.k());
        assertEquals(4, a.map().length);
        assertEquals("m.safetensors", a.settings().model());
        assertEquals(List.of(new SkippedFile("a/bad.jpg", "not an image")), a.skipped());
        assertTrue(a.distances()[0] > 0 && a.distances()[0] < 0.2, "distance to the cluster centre in cosine space");
    }

    @Test
    void aClusterInputPathIsKeptForPlaceholders() throws IOException {
        Path out = dir.resolve("out2");
        writeJob(out, "hdfs://namenode:8020/photos/2026");
        FolderAnalysis a = JobResults.open(out, AnalysisSettings.defaults("m"), ProgressListener.NONE, Cancellation.none());
        assertEquals(Path.of("/photos/2026"), a.folder());
    }

    @Test
    void refusesFoldersThatAreNotFinishedJobsWithOneLine() throws IOException {
        Path out = dir.resolve("out3");
        writeJob(out, "file:/x");
        Files.delete(out.resolve("job.json"));
        assertFalse(JobResults.isJobOutput(out));
        IOException e = assertThrows(IOException.class,
                () -> JobResults.open(out, AnalysisSettings.defaults("m"), ProgressListener.NONE, Cancellation.none()));
        assertTrue(e.getMessage().contains("no job.json"), e.getMessage());

        writeJob(out, "file:/x");
        CsvExport.writeLabels(out.resolve("labels.csv"), List.of("a/1.jpg"), new int[] {0});
        e = assertThrows(IOException.class,
                () -> JobResults.open(out, AnalysisSettings.defaults("m"), ProgressListener.NONE, Cancellation.none()));
        assertTrue(e.getMessage().contains("no cluster for a/2.jpg"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
