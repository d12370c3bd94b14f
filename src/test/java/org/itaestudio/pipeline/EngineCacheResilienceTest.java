package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.itaestudio.Fixtures;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.progress.Progress;
import org.itaestudio.store.CacheFaults;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.HiddenStateStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with failing caches computes exactly what it computes without caches, with one warning. */
class EngineCacheResilienceTest {

    @TempDir
    static Path tmp;
    static Path folder;
    static String model;

    @BeforeAll
    static void setUp() throws Exception {
        model = Fixtures.path("reg4/official.pth").toString();
        folder = tmp.resolve("photos");
        Files.createDirectories(folder);
        Files.copy(Fixtures.path("img224.png"), folder.resolve("a.png"));
        Files.copy(Fixtures.path("img280x224.png"), folder.resolve("b.png"));
    }

    static AnalysisSettings settings() {
        ItaeConfig itae = new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO, ItaeConfig.Direction.BELOW,
                1.0, ItaeConfig.Blocks.of(java.util.Set.of(0)), ItaeConfig.Rows.ALL);
        return AnalysisSettings.defaults(model).withItae(itae).with(b -> {
            b.resize = 28;
            b.crop = 28;
        });
    }

    @Test
    void failingCachesGiveTheSameEmbeddingsAndOneWarning() throws Exception {
        FolderEmbeddings plain;
        try (DefaultStudioEngine e = new DefaultStudioEngine(null, new ModelResolver())) {
            plain = e.embed(folder, settings(), p -> { }, new Cancellation());
        }
        Path cache = tmp.resolve("cache");
        List<String> warnings = new ArrayList<>();
        List<Progress> seen = new ArrayList<>();
        FolderEmbeddings faulty;
        try (AutoCloseable fault = CacheFaults.inject(cache.resolve(HiddenStateStore.DIR_NAME), CacheFaults.Op.WRITE,
                () -> new IOException("Input/output error"));
             DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver(), HiddenStateStore.Precision.FP16,
                     new CacheGuard(warnings::add), null)) {
            faulty = e.embed(folder, settings(), seen::add, new Cancellation());
            assertEquals(warnings, e.cacheWarnings());
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("cache of hidden states cannot be written"), warnings.get(0));
        assertEquals(plain.paths(), faulty.paths());
        for (int i = 0; i < plain.embeddings().length; i++) {
            assertArrayEquals(plain.embeddings()[i], faulty.embeddings()[i], "image " + i);
        }
        // hashing reports progress before any embedding is looked up or computed
        int hashed = -1;
        int firstEmbedding = -1;
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).stage().equals("Hashing") && seen.get(i).done() == 2) {
                hashed = i;
            }
            if (firstEmbedding < 0 && seen.get(i).stage().equals("Embedding")) {
                firstEmbedding = i;
            }
        }
        assertTrue(hashed >= 0 && hashed < firstEmbedding, "Hashing 2/2 before Embedding: " + seen);
        // the embeddings were cached although the states could not be
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) {
            assertEquals(2, e.embed(folder, settings(), p -> { }, new Cancellation()).fromCache());
        }
    }
}
