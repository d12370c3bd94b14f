package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk budget: where it comes from, and eviction of hidden states first (LRU), embeddings last. */
class CacheBudgetTest {

    @TempDir
    Path tmp;

    @Test
    void sizesParse() {
        assertEquals(500L << 20, CacheBudget.parseSize("500M"));
        assertEquals(2L << 30, CacheBudget.parseSize("2G"));
        assertEquals(3L << 29, CacheBudget.parseSize("1.5GiB"));
        assertEquals(1234, CacheBudget.parseSize("1234"));
        assertEquals(10L << 10, CacheBudget.parseSize("10 kb"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheBudget.parseSize("lots"));
        assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
    }

    @Test
    void propertyThenEnvironmentThenPreferenceThenDefault() {
        long free = 100L << 30;
        assertEquals(1L << 30, CacheBudget.resolve("3G", k -> k.equals(CacheBudget.MAX_PROPERTY) ? "1G" : null,
                Map.of(CacheBudget.MAX_ENV, "2G"), free, 0).maxBytes());
        assertEquals(2L << 30, CacheBudget.resolve("3G", k -> null, Map.of(CacheBudget.MAX_ENV, "2G"), free, 0).maxBytes());
        assertEquals(3L << 30, CacheBudget.resolve("3G", k -> null, Map.of(), free, 0).maxBytes());
        CacheBudget def = CacheBudget.resolve(null, k -> null, Map.of(), free, 0);
        assertEquals(free / 100 * CacheBudget.FREE_SPACE_PERCENT, def.maxBytes(), "10% of the free space");
        assertEquals(CacheBudget.DEFAULT_CAP_BYTES, CacheBudget.resolve(null, k -> null, Map.of(), 10L << 40, 0).maxBytes(),
                "capped at 20 GiB");
        assertEquals(CacheBudget.DEFAULT_FLOOR_BYTES, CacheBudget.resolve(null, k -> null, Map.of(), 1L << 20, 0).maxBytes(),
                "at least 256 MiB on a nearly full disk");
        // what the caches already take counts as usable, so the budget does not shrink as they grow
        assertEquals(def.maxBytes(), CacheBudget.resolve(null, k -> null, Map.of(), free - (1L << 30), 1L << 30).maxBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CacheBudget.resolve(null, k -> null, Map.of(CacheBudget.MAX_ENV, "big"), free, 0));
        assertTrue(e.getMessage().startsWith(CacheBudget.MAX_ENV), e.getMessage());
    }

    private static Map<String, float[]> states(int images, int values) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < images; i++) {
            float[] v = new float[values];
            v[0] = i;
            m.put("h" + i, v);
        }
        return m;
    }

    @Test
    void theLeastRecentlyUsedStateKeyIsEvictedFirstAndABatchThatCannotFitIsNotKept() throws Exception {
        try (HiddenStateStore store = HiddenStateStore.open(tmp, HiddenStateStore.Precision.FP32)) {
            long perKey = 10 * 1000 * 4; // 10 images of 1000 floats
            store.putAll("a", 1, 1000, states(10, 1000));
            store.putAll("b", 1, 1000, states(10, 1000));
            assertNotNull(store.get("a", "h0")); // a is now more recent than b
            long index = store.sizeOnDisk() - 2 * perKey;
            store.setByteLimit(() -> index + 2 * perKey + perKey / 2);
            assertTrue(store.putAll("c", 1, 1000, states(10, 1000)));
            assertEquals(0, store.count("b"), "b was used least recently");
            assertEquals(10, store.count("a"));
            assertEquals(10, store.count("c"));
            store.setByteLimit(() -> 1000);
            assertTrue(!store.putAll("c", 1, 1000, states(1, 1000)) || store.count("a") == 0,
                    "over a tiny budget: others evicted, then the batch refused");
            assertEquals(0, store.count("a"));
            assertNull(store.leastRecentlyUsedKey("c"));
        }
    }

    @Test
    void enforcingTheBudgetEvictsHiddenStatesBeforeEmbeddings() throws Exception {
        try (Caches c = Caches.open(tmp, HiddenStateStore.Precision.FP32, CacheGuard.logOnly(), "1G")) {
            c.putStates("s1", 1, 1000, states(50, 1000));
            c.putStates("s2", 1, 1000, states(50, 1000));
            Map<String, float[]> emb = states(50, 100);
            c.putEmbeddings("old", emb);
            c.putEmbeddings("new", emb);
            CacheUsage before = c.usage();
            assertTrue(before.hiddenStates() > 400_000, before.toString());
        }
        // a budget above what the embeddings and an empty state store (~50 KB of SQLite) take, far below the
        // states: the states go, both embedding keys stay
        CacheUsage now = CacheUsage.measure(tmp);
        long budget = now.embeddings() + now.fileHashes() + 150_000;
        try (Caches c = Caches.open(tmp, HiddenStateStore.Precision.FP32, CacheGuard.logOnly(), Long.toString(budget))) {
            c.enforceBudget("new");
            assertTrue(c.states("s1", List.of("h0")).isEmpty());
            assertTrue(c.states("s2", List.of("h0")).isEmpty());
            assertEquals(50, c.embeddings("old", states(50, 1).keySet()).size(), "embeddings kept longest");
            assertTrue(c.usage().total() <= budget, c.usage() + " within " + budget);
        }
        // a budget below the embeddings: the least recently used config key goes, the current one stays
        try (Caches c = Caches.open(tmp, HiddenStateStore.Precision.FP32, CacheGuard.logOnly(), "1")) {
            c.enforceBudget("new");
            assertTrue(c.embeddings("old", List.of("h0")).isEmpty());
            assertEquals(50, c.embeddings("new", states(50, 1).keySet()).size());
        }
    }
}
