package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.itaestudio.Fixtures;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.ModelInput;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.HiddenStateStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine service on the tiny reference checkpoint: caching, incremental ITAE, inspection. */
class DefaultStudioEngineTest {

    @TempDir
    static Path tmp;
    static Path folder;
    static String model;

    @BeforeAll
    static void setUp() throws Exception {
        model = Fixtures.path("swiglu_reg4/hf").toString();
        folder = tmp.resolve("photos");
        Files.createDirectories(folder);
        Files.copy(Fixtures.path("img224.png"), folder.resolve("a.png"));
        Files.copy(Fixtures.path("img280x224.png"), folder.resolve("b.png"));
        for (String f : new String[] {"everyday/chelsea.png", "everyday/coffee.png", "space/rocket.jpg"}) {
            Path src = Path.of("sample-data").resolve(f);
            if (Files.exists(src)) {
                Files.copy(src, folder.resolve(src.getFileName()));
            }
        }
    }

    static AnalysisSettings settings(ItaeConfig itae) {
        return AnalysisSettings.defaults(model).withItae(itae);
    }

    /** Embeddings computed directly by the model, without any cache: the ground truth for the engine. */
    static float[][] direct(ItaeConfig itae, java.util.List<String> paths) throws Exception {
        return direct(itae, folder, paths, PreprocessConfig.DINOV2_EVAL);
    }

    static float[][] direct(ItaeConfig itae, Path dir, java.util.List<String> paths, PreprocessConfig preprocessing)
            throws Exception {
        try (LoadedCheckpoint c = CheckpointLoader.open(Path.of(model));
             DinoV2 m = DinoV2.create(c.config(), c.weights(), Device.cpu())) {
            Preprocessor pre = new Preprocessor(preprocessing);
            float[][] out = new float[paths.size()][];
            for (int i = 0; i < out.length; i++) {
                ModelInput in = pre.load(new ImageDecoder(), dir.resolve(paths.get(i)));
                out[i] = m.forward(in.chw(), 1, in.height(), in.width(), ForwardRequest.embedding(itae, org.itaestudio.model.Pooling.CLS))
                        .embeddings()[0];
            }
            return out;
        }
    }

    static double maxDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Fixtures.maxAbsDiff(a[i], b[i]));
        }
        return m;
    }

    static ItaeConfig itae(ItaeConfig.Threshold threshold, double strength, Integer... layers) {
        return new ItaeConfig(ItaeConfig.Component.V, threshold, ItaeConfig.Direction.BELOW, strength,
                ItaeConfig.Blocks.of(Set.of(layers)), ItaeConfig.Rows.CLS);
    }

    @Test
    void secondRunComesFromTheCacheAndNewFilesAloneAreEmbedded() throws Exception {
        Path cache = tmp.resolve("cache1");
        Path f2 = tmp.resolve("photos2");
        Files.createDirectories(f2);
        Files.copy(Fixtures.path("img224.png"), f2.resolve("a.png"));
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) {
            FolderEmbeddings first = e.embed(f2, settings(null), ProgressListener.NONE, Cancellation.none());
            assertEquals(0, first.fromCache());
            Files.copy(Fixtures.path("img280x224.png"), f2.resolve("b.png"));
            FolderEmbeddings second = e.embed(f2, settings(null), ProgressListener.NONE, Cancellation.none());
            assertEquals(2, second.paths().size());
            assertEquals(1, second.fromCache(), "only the new file is embedded");
            assertEquals(0.0, Fixtures.maxAbsDiff(first.embeddings()[0], second.embeddings()[0]));
        }
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) { // a new session
            assertEquals(2, e.embed(f2, settings(null), ProgressListener.NONE, Cancellation.none()).fromCache());
        }
    }

    /**
     * Incremental ITAE (from cached fp32 hidden states) equals a full forward within 1e-4, for several
     * parameter changes, including a layer set that invalidates the cached layer.
     */
    @Test
    void jpegDraftDecodesAtReducedSizeWithItsOwnCacheEntries() throws Exception {
        Path dir = tmp.resolve("jpegs");
        Files.createDirectories(dir);
        for (String f : new String[] {"pil_420_q75_200x150.jpg", "pil_422_q90_200x150.jpg"}) {
            Files.copy(Path.of(getClass().getResource("/jpeg-fixtures/" + f).toURI()), dir.resolve(f));
        }
        AnalysisSettings full = AnalysisSettings.defaults(model).with(b -> {
            b.device = DeviceChoice.CPU;
            b.resize = 56;
            b.crop = 56;
            b.mapMethod = MapMethod.NONE;
        });
        AnalysisSettings draft = full.withJpegDraft(true);
        // 200x150 for Resize(56): Pillow's draft picks 1/2 (min(200 // 74, 150 // 56) = 2), so this takes the fast path
        assertEquals(100, new ImageDecoder().decodeForResize(dir.resolve("pil_420_q75_200x150.jpg"), 56).width());
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache-draft"), new ModelResolver())) {
            FolderEmbeddings a = e.embed(dir, full, ProgressListener.NONE, Cancellation.none());
            FolderEmbeddings b = e.embed(dir, draft, ProgressListener.NONE, Cancellation.none());
            assertEquals(0, b.fromCache(), "draft decoding is a different preprocessing: its own cache entries");
            assertEquals(2, e.embed(dir, draft, ProgressListener.NONE, Cancellation.none()).fromCache());
            assertEquals(2, e.embed(dir, full, ProgressListener.NONE, Cancellation.none()).fromCache());
            assertTrue(maxDiff(direct(null, dir, a.paths(), new PreprocessConfig(56, 56, false)), a.embeddings()) <= 1e-5);
            assertTrue(maxDiff(direct(null, dir, b.paths(), new PreprocessConfig(56, 56, true)), b.embeddings()) <= 1e-5);
            double between = maxDiff(a.embeddings(), b.embeddings());
            assertTrue(between > 1e-4, "draft and full decoding give different inputs, so different embeddings: " + between);
        }
    }

    @Test
    void reclusteringWithAnotherKKeepsTheMap() throws Exception {
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache-recluster"), new ModelResolver())) {
            FolderAnalysis a = e.analyze(folder, settings(null).withK(2).withMapMethod(MapMethod.PCA), ProgressListener.NONE,
                    Cancellation.none());
            FolderAnalysis b = e.recluster(a, a.settings().withK(3), ProgressListener.NONE, Cancellation.none());
            assertEquals(3, b.k());
            assertTrue(a.map() == b.map(), "same embeddings, method and seed: the map is reused, not recomputed");
            FolderAnalysis c = e.recluster(a, a.settings().withMapMethod(MapMethod.TSNE), ProgressListener.NONE, Cancellation.none());
            assertTrue(c.map() != a.map() && !java.util.Arrays.deepEquals(a.map(), c.map()), "another method: a new map");
        }
    }

    @Test
    void incrementalItaeEqualsFullForward() throws Exception {
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache2"), new ModelResolver(),
                HiddenStateStore.Precision.FP32)) {
            FolderEmbeddings plain = e.embed(folder, settings(null), ProgressListener.NONE, Cancellation.none());
            assertEquals(0, plain.fromCache());
            assertEquals(maxDiff(direct(null, plain.paths()), plain.embeddings()), 0.0, 1e-6);
            // The paper's family (last block, CLS row): from the CLS states the plain run kept.
            ItaeConfig[] changes = {itae(ItaeConfig.Threshold.AUTO, 1.0), itae(ItaeConfig.Threshold.AUTO, 0.5), itae(ItaeConfig.Threshold.fixed(9.0), 1.0),
                    new ItaeConfig(ItaeConfig.Component.K, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.ABOVE, 0.7,
                            ItaeConfig.Blocks.of(Set.of(1)), ItaeConfig.Rows.CLS)};
            for (ItaeConfig c : changes) {
                FolderEmbeddings inc = e.embed(folder, settings(c), ProgressListener.NONE, Cancellation.none());
                assertEquals(plain.paths().size(), inc.fromCache(), "every image came from cached states: " + c.key());
                double err = maxDiff(direct(c, inc.paths()), inc.embeddings());
                assertTrue(err <= 1e-4, c.key() + ": incremental vs full max abs error " + err);
            }
            // All query rows: the first such run is a full forward that keeps the states entering block 1,
            // the next change of that family re-runs block 1 only.
            ItaeConfig all = new ItaeConfig(ItaeConfig.Component.K, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.ABOVE, 0.7,
                    ItaeConfig.Blocks.of(Set.of(1)), ItaeConfig.Rows.ALL);
            assertEquals(0, e.embed(folder, settings(all), ProgressListener.NONE, Cancellation.none()).fromCache());
            ItaeConfig all2 = all.withStrength(0.3);
            FolderEmbeddings inc = e.embed(folder, settings(all2), ProgressListener.NONE, Cancellation.none());
            assertEquals(plain.paths().size(), inc.fromCache(), "from hidden states: " + all2.key());
            assertTrue(maxDiff(direct(all2, inc.paths()), inc.embeddings()) <= 1e-4);
            // ITAE on block 0 as well: the states entering block 1 no longer apply; a full forward runs.
            ItaeConfig both = itae(ItaeConfig.Threshold.AUTO, 1.0, 0, 1);
            FolderEmbeddings full = e.embed(folder, settings(both), ProgressListener.NONE, Cancellation.none());
            assertEquals(0, full.fromCache());
            assertTrue(maxDiff(direct(both, full.paths()), full.embeddings()) <= 1e-5);
        }
    }

    @Test
    void livePreviewRecomputesFromStatesAndKeepsTheMap() throws Exception {
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache4"), new ModelResolver(),
                HiddenStateStore.Precision.FP32)) {
            AnalysisSettings s = settings(null).withK(2).withMapMethod(MapMethod.PCA);
            FolderAnalysis base = e.analyze(folder, s, ProgressListener.NONE, Cancellation.none());
            ItaeConfig c = itae(ItaeConfig.Threshold.AUTO, 0.7);
            FolderAnalysis p = e.previewItae(base, c, ProgressListener.NONE, Cancellation.none());
            assertEquals(base.paths(), p.paths());
            assertEquals(2, p.k());
            assertTrue(base.map() == p.map(), "the map is kept");
            assertTrue(maxDiff(direct(c, p.paths()), p.embeddings()) <= 1e-4);
            assertEquals(c, p.settings().itae());
            // settings outside the CLS fast path have no preview
            assertEquals(null, e.previewItae(base, c.withRows(ItaeConfig.Rows.ALL), ProgressListener.NONE, Cancellation.none()));
        }
    }

    @Test
    void fp16StatesStayCloseToTheFullForward() throws Exception {
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache3"), new ModelResolver(),
                HiddenStateStore.Precision.FP16)) {
            e.embed(folder, settings(null), ProgressListener.NONE, Cancellation.none());
            ItaeConfig c = itae(ItaeConfig.Threshold.AUTO, 1.0);
            FolderEmbeddings inc = e.embed(folder, settings(c), ProgressListener.NONE, Cancellation.none());
            assertEquals(inc.paths().size(), inc.fromCache());
            double err = maxDiff(direct(c, inc.paths()), inc.embeddings());
            System.out.println("fp16 CLS states: incremental vs full max abs error " + err);
            // fp16 keeps 11 significant bits (relative 2^-11 ~ 4.9e-4 per value); after one block and the final
            // LayerNorm the embedding error stays below 1e-2 (unit-variance outputs).
            assertTrue(err <= 1e-2, "fp16 incremental vs full max abs error " + err);
        }
    }

    @Test
    void inspectionAfterASliderMoveEqualsAFreshInspection() throws Exception {
        Path img = folder.resolve("a.png");
        ItaeConfig c = itae(ItaeConfig.Threshold.AUTO, 0.8);
        Inspection fresh;
        try (DefaultStudioEngine e = new DefaultStudioEngine(null, new ModelResolver())) {
            fresh = e.inspect(img, settings(null), 1, c);
        }
        try (DefaultStudioEngine e = new DefaultStudioEngine(null, new ModelResolver())) {
            Inspection before = e.inspect(img, settings(null), 1, null);
            assertEquals(0, before.probe().artifacts().length, "ITAE off: nothing flagged");
            Inspection after = e.inspect(img, settings(null), 1, c); // resumes from the states kept for block 1
            assertTrue(Fixtures.maxAbsDiff(fresh.embedding(), after.embedding()) <= 1e-6);
            org.junit.jupiter.api.Assertions.assertArrayEquals(fresh.probe().artifacts(), after.probe().artifacts());
            assertTrue(after.probe().artifacts().length > 0);
            assertEquals(224 * 224, after.rgb().length);
            Inspection layer0 = e.inspect(img, settings(null), 0, c); // needs block 0: a full forward again
            assertEquals(0, layer0.layer());
        }
    }
}
