package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.itaestudio.image.FolderScanner.ImageFile;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.ForwardResult;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline mechanics with a stand-in forward function (the model itself is tested against PyTorch elsewhere):
 * order, size buckets, skipped files, per-batch saving, cancellation, out-of-memory back-off.
 */
class EmbeddingPipelineTest {

    @TempDir
    static Path dir;
    static List<ImageFile> files;

    /** Image i is a flat grey of level 10 * i; odd sizes go to a second size bucket with crop none. */
    @BeforeAll
    static void images() throws Exception {
        for (int i = 0; i < 11; i++) {
            int w = i % 3 == 0 ? 42 : 28;
            BufferedImage img = new BufferedImage(w, 28, BufferedImage.TYPE_INT_RGB);
            int g = 10 * i;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, g << 16 | g << 8 | g);
                }
            }
            ImageIO.write(img, "png", dir.resolve(String.format("img%02d.png", i)).toFile());
        }
        Files.writeString(dir.resolve("img05x.png"), "broken");
        files = new FolderScanner().scan(dir).images();
        assertEquals(12, files.size());
    }

    /** Embedding = [mean pixel value of the image, batch size it ran in]. */
    static ForwardResult fakeForward(float[] px, int n, int h, int w) {
        float[][] e = new float[n][];
        int per = px.length / n;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < per; j++) {
                s += px[i * per + j];
            }
            e[i] = new float[] {(float) (s / per), n};
        }
        return new ForwardResult(h / 14, w / 14, e, null, Map.of(), null);
    }

    static final class RecordingStore implements EmbeddingPipeline.Store {
        final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        final Map<String, float[]> saved = Collections.synchronizedMap(new LinkedHashMap<>());
        final Map<String, float[]> known;

        RecordingStore(Map<String, float[]> known) {
            this.known = known;
        }

        @Override
        public Map<String, float[]> lookup(List<ImageFile> fs) {
            return known;
        }

        @Override
        public void save(Map<ImageFile, float[]> batch, Map<ImageFile, float[]> captured) {
            batches.add(batch.size());
            batch.forEach((f, v) -> saved.put(f.relativePath(), v));
        }
    }

    static EmbeddingPipeline pipeline(EmbeddingPipeline.BatchForward f, int batch) {
        return new EmbeddingPipeline(f, new Preprocessor(PreprocessConfig.noCrop(28)), new ImageDecoder(), batch, 2);
    }

    @Test
    void keepsInputOrderSkipsBrokenFilesAndBatchesBySize() {
        RecordingStore store = new RecordingStore(Map.of());
        EmbeddingPipeline.Result r = pipeline(EmbeddingPipelineTest::fakeForward, 3).run(files, store, ProgressListener.NONE,
                Cancellation.none());
        assertEquals(11, r.paths().size());
        assertEquals(List.of("img05x.png"), r.skipped().stream().map(SkippedFile::relativePath).toList());
        for (int i = 1; i < r.paths().size(); i++) {
            assertTrue(r.paths().get(i - 1).compareTo(r.paths().get(i)) < 0, "sorted order kept");
        }
        // grey level 10*i survives preprocessing as the mean of the normalised channels: strictly increasing
        for (int i = 1; i < 11; i++) {
            assertTrue(r.embeddings()[i][0] > r.embeddings()[i - 1][0], "row " + i + " belongs to image " + i);
        }
        assertEquals(11, store.saved.size());
        assertTrue(store.batches.stream().allMatch(b -> b <= 3));
    }

    @Test
    void cachedRowsAreNotRecomputed() {
        AtomicInteger forwarded = new AtomicInteger();
        Map<String, float[]> known = Map.of("img00.png", new float[] {-1, -1}, "img01.png", new float[] {-2, -2});
        RecordingStore store = new RecordingStore(known);
        EmbeddingPipeline.Result r = pipeline((px, n, h, w) -> {
            forwarded.addAndGet(n);
            return fakeForward(px, n, h, w);
        }, 4).run(files, store, ProgressListener.NONE, Cancellation.none());
        assertEquals(9, forwarded.get());
        assertEquals(2, r.fromCache());
        assertEquals(-1f, r.embeddings()[0][0]);
        assertEquals(-2f, r.embeddings()[1][0]);
    }

    @Test
    void cancellationKeepsOnlyFinishedBatches() {
        Cancellation cancel = new Cancellation();
        RecordingStore store = new RecordingStore(Map.of());
        AtomicInteger calls = new AtomicInteger();
        assertThrows(CancellationException.class, () -> pipeline((px, n, h, w) -> {
            if (calls.incrementAndGet() == 2) {
                cancel.cancel(); // the user presses cancel while the second batch runs
            }
            return fakeForward(px, n, h, w);
        }, 2).run(files, store, ProgressListener.NONE, cancel));
        assertEquals(2, store.batches.size(), "both started batches finished and were saved, nothing after");
        assertEquals(4, store.saved.size());
    }

    @Test
    void outOfMemoryHalvesTheBatchInsteadOfFailing() {
        RecordingStore store = new RecordingStore(Map.of());
        EmbeddingPipeline p = pipeline((px, n, h, w) -> {
            if (n > 2) {
                throw new OutOfMemoryError("simulated: DefaultCPUAllocator: can't allocate memory");
            }
            return fakeForward(px, n, h, w);
        }, 8);
        EmbeddingPipeline.Result r = p.run(files, store, ProgressListener.NONE, Cancellation.none());
        assertEquals(11, r.paths().size());
        assertEquals(2, p.batchSize());
        for (float[] e : r.embeddings()) {
            assertTrue(e[1] <= 2, "every image ran in a batch of at most 2");
        }
    }

    @Test
    void otherErrorsAreNotSwallowed() {
        EmbeddingPipeline p = pipeline((px, n, h, w) -> {
            throw new IllegalStateException("boom");
        }, 4);
        assertThrows(IllegalStateException.class, () -> p.run(files, new RecordingStore(Map.of()), ProgressListener.NONE,
                Cancellation.none()));
    }

    @Test
    void progressReachesTheTotalWithAnEta() {
        List<Progress> seen = Collections.synchronizedList(new ArrayList<>());
        pipeline(EmbeddingPipelineTest::fakeForward, 3).run(files, new RecordingStore(Map.of()), seen::add, Cancellation.none());
        Progress last = seen.get(seen.size() - 1);
        assertEquals(12, last.total());
        assertEquals(12, last.done());
        assertEquals(1, last.skipped());
        assertTrue(seen.stream().anyMatch(p -> p.eta() != null && p.done() < p.total()), "an ETA while running");
    }
}
