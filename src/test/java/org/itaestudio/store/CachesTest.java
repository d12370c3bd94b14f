package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache faults injected through {@link CacheFaults}: each gives one warning and the caches degrade, never throw. */
class CachesTest {

    @TempDir
    Path tmp;

    private final List<String> seen = new ArrayList<>();

    private Caches open(Path dir) {
        return Caches.open(dir, HiddenStateStore.Precision.FP32, new CacheGuard(seen::add), null);
    }

    private static Map<String, float[]> vectors(String... hashes) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (String h : hashes) {
            m.put(h, new float[] {h.length(), h.charAt(0), 1.5f});
        }
        return m;
    }

    @Test
    void aCacheDirectoryThatIsAFileGivesOneWarningAndNoCaches() throws Exception {
        Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        Path image = tmp.resolve("a.bin");
        Files.writeString(image, "hello");
        try (Caches c = open(file)) {
            assertEquals(1, seen.size(), seen.toString());
            assertTrue(seen.get(0).contains(file.toString()), seen.get(0));
            assertTrue(c.embeddings("k", List.of("h")).isEmpty());
            c.putEmbeddings("k", vectors("h"));
            c.putStates("s", 1, 3, vectors("h"));
            assertTrue(c.states("s", List.of("h")).isEmpty());
            assertEquals(ContentHasher.sha256Hex(image), c.hasher().hash(image), "hashing works without the memo");
        }
        assertEquals(1, seen.size(), "still one warning: " + seen);
    }

    @Test
    void aFullDiskMakesEveryCacheReadOnlyWithOneWarningAndWhatWasWrittenBeforeStays() throws Exception {
        Path dir = tmp.resolve("cache");
        try (Caches c = open(dir)) {
            c.putEmbeddings("k", vectors("h1"));
            c.putStates("s", 1, 3, vectors("h1"));
            try (AutoCloseable fault = CacheFaults.inject(dir, CacheFaults.Op.WRITE, CacheFaults::diskFull)) {
                c.putEmbeddings("k", vectors("h2"));
                c.putStates("s", 1, 3, vectors("h2"));
                c.putEmbeddings("k", vectors("h3"));
                assertEquals(1, seen.size(), seen.toString());
                assertTrue(seen.get(0).contains("No space left on device"), seen.get(0));
                assertTrue(seen.get(0).contains(dir.toString()), "names the file: " + seen.get(0));
                assertEquals(CacheGuard.State.READ_ONLY, c.guard().state(CacheKind.HIDDEN_STATES));
                assertEquals(Set.of("h1"), c.embeddings("k", List.of("h1", "h2", "h3")).keySet(), "reads go on");
            }
        }
        seen.clear();
        try (Caches c = open(dir)) { // a later, healthy run
            assertArrayEquals(vectors("h1").get("h1"), c.embeddings("k", List.of("h1")).get("h1"));
            assertNotNull(c.states("s", List.of("h1")).get("h1"));
            c.putEmbeddings("k", vectors("h2"));
            assertEquals(Set.of("h1", "h2"), c.embeddings("k", List.of("h1", "h2")).keySet());
            assertTrue(seen.isEmpty(), seen.toString());
        }
    }

    @Test
    void aReadErrorTurnsThatCacheOffAndTheOthersGoOn() throws Exception {
        Path dir = tmp.resolve("cache");
        try (Caches c = open(dir)) {
            c.putEmbeddings("k", vectors("h1"));
            c.putStates("s", 1, 3, vectors("h1"));
            try (AutoCloseable fault = CacheFaults.inject(dir.resolve(HiddenStateStore.DIR_NAME), CacheFaults.Op.READ,
                    () -> new IOException("Input/output error"))) {
                assertTrue(c.states("s", List.of("h1")).isEmpty());
                assertTrue(c.states("s", List.of("h1")).isEmpty());
            }
            assertEquals(1, seen.size(), seen.toString());
            assertTrue(seen.get(0).startsWith("cache of hidden states cannot be read"), seen.get(0));
            assertEquals(CacheGuard.State.OFF, c.guard().state(CacheKind.HIDDEN_STATES));
            assertTrue(c.states("s", List.of("h1")).isEmpty(), "off for the rest of the session");
            assertEquals(Set.of("h1"), c.embeddings("k", List.of("h1")).keySet());
        }
    }

    @Test
    void aLockedDatabaseAtOpenLeavesOnlyThatCacheOut() throws Exception {
        Path dir = tmp.resolve("cache");
        Path image = tmp.resolve("a.bin");
        Files.writeString(image, "hello");
        try (AutoCloseable fault = CacheFaults.inject(dir.resolve(EmbeddingCache.FILE_NAME), CacheFaults.Op.OPEN,
                () -> new IOException("[SQLITE_BUSY] The database file is locked (database is locked)"));
             Caches c = open(dir)) {
            assertEquals(1, seen.size(), seen.toString());
            assertTrue(seen.get(0).contains("cache of embeddings cannot be opened"), seen.get(0));
            assertTrue(seen.get(0).contains("database is locked"), seen.get(0));
            c.putEmbeddings("k", vectors("h1"));
            assertTrue(c.embeddings("k", List.of("h1")).isEmpty());
            c.putStates("s", 1, 3, vectors("h1"));
            assertEquals(1, c.states("s", List.of("h1")).size(), "hidden states still work");
            c.hasher().hash(image);
            assertEquals(1, c.hasher().filesRead());
        }
    }

    @Test
    void aBrokenHashMemoStillHashes() throws Exception {
        Path dir = tmp.resolve("cache");
        Path image = tmp.resolve("a.bin");
        Files.writeString(image, "hello");
        try (Caches c = open(dir);
             AutoCloseable fault = CacheFaults.inject(dir.resolve(ContentHasher.FILE_NAME), CacheFaults.Op.READ,
                     () -> new IOException("Input/output error"))) {
            assertEquals(ContentHasher.sha256Hex(image), c.hasher().hash(image));
            assertEquals(ContentHasher.sha256Hex(image), c.hasher().hash(image));
            assertEquals(1, seen.size(), seen.toString());
            assertTrue(seen.get(0).startsWith("cache of file hashes cannot be read"), seen.get(0));
        }
    }

    @Test
    void callerErrorsAreNotSwallowed() {
        CacheGuard guard = new CacheGuard(seen::add);
        assertThrows(IllegalArgumentException.class, () -> guard.write(CacheKind.EMBEDDINGS, () -> {
            throw new IllegalArgumentException("bad key");
        }));
        assertTrue(seen.isEmpty());
    }

    @Test
    void clearSaysWhatItFreedAndEmptiesTheKindsAsked() throws Exception {
        Path dir = tmp.resolve("cache");
        try (Caches c = open(dir)) {
            Map<String, float[]> big = new LinkedHashMap<>();
            for (int i = 0; i < 20; i++) {
                big.put("h" + i, new float[4096]);
            }
            c.putStates("s", 64, 64, big);
            c.putEmbeddings("k", vectors("h1"));
            long statesBefore = c.usage().hiddenStates();
            assertTrue(statesBefore > 20 * 4096 * 4, "states on disk: " + statesBefore);
            CacheUsage freed = c.clear(EnumSet.of(CacheKind.HIDDEN_STATES));
            assertTrue(freed.hiddenStates() >= 20 * 4096 * 4, "freed " + freed);
            assertEquals(0, freed.embeddings());
            assertTrue(c.states("s", List.of("h1")).isEmpty());
            assertEquals(1, c.embeddings("k", List.of("h1")).size(), "embeddings kept");
            c.clear(Set.of());
            assertTrue(c.embeddings("k", List.of("h1")).isEmpty());
            assertTrue(seen.isEmpty(), seen.toString());
        }
    }
}
