package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Vectors must come back bit-for-bit (float32 stored as float32): comparisons are exact. */
class EmbeddingCacheTest {

    private static final String CFG = "model=sha256:abc|pre=256/224|pool=cls|itae:off";
    private static final String CFG2 = "model=sha256:abc|pre=256/224|pool=cls|itae:V:0.5:BELOW:1.0:[11]:CLS";

    @TempDir
    Path cacheDir;

    @Test
    void vectorsRoundTripExactlyIncludingSpecialValues() {
        Map<String, float[]> in = vectors(5, 384, 1);
        in.put("special", new float[]{-0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, 1e-40f});
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            cache.putAll(CFG, in);
            Map<String, float[]> out = cache.getAll(CFG, in.keySet());
            assertEquals(in.keySet(), out.keySet());
            for (String h : in.keySet()) {
                assertBitsEqual(in.get(h), out.get(h));
            }
            assertEquals(6, cache.count(CFG));
        }
        assertTrue(Files.exists(cacheDir.resolve(EmbeddingCache.FILE_NAME)));
    }

    @Test
    void hitsAndMissesDependOnBothHashAndConfigKey() {
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            Map<String, float[]> in = vectors(3, 8, 2);
            cache.putAll(CFG, in);
            assertTrue(cache.getAll(CFG2, in.keySet()).isEmpty(), "another config key must miss");
            assertEquals(0, cache.count(CFG2));
            Map<String, float[]> mixed = cache.getAll(CFG, List.of("h2", "unknown", "h0", "h2"));
            assertEquals(List.of("h2", "h0"), new ArrayList<>(mixed.keySet()), "hits only, in request order, once");
            assertNull(cache.get(CFG, "unknown"));
            assertArrayEquals(in.get("h1"), cache.get(CFG, "h1"));
            assertTrue(cache.getAll(CFG, List.of()).isEmpty());
        }
    }

    @Test
    void putReplacesAndEvictRemovesOnlyItsConfig() {
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            cache.putAll(CFG, vectors(4, 16, 3));
            cache.putAll(CFG2, vectors(2, 16, 4));
            float[] replacement = {1, 2, 3}; // a different dimension is allowed
            cache.put(CFG, "h1", replacement);
            assertArrayEquals(replacement, cache.get(CFG, "h1"));
            assertEquals(4, cache.count(CFG));
            cache.evict(CFG);
            assertEquals(0, cache.count(CFG));
            assertEquals(2, cache.count(CFG2));
        }
    }

    @Test
    void contentSurvivesReopening() {
        Map<String, float[]> in = vectors(10, 384, 5);
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            cache.putAll(CFG, in);
        }
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            Map<String, float[]> out = cache.getAll(CFG, in.keySet());
            for (String h : in.keySet()) {
                assertBitsEqual(in.get(h), out.get(h));
            }
        }
    }

    @Test
    void aBatchThatFailsPartWayStoresNothing() {
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            cache.putAll(CFG, vectors(2, 4, 6)); // an earlier, complete batch: h0, h1
            Map<String, float[]> bad = new LinkedHashMap<>();
            bad.put("n0", new float[]{1, 2, 3, 4});
            bad.put("n1", new float[]{5, 6, 7, 8});
            bad.put("n2", null);
            bad.put("n3", new float[]{9, 9, 9, 9});
            assertThrows(IllegalArgumentException.class, () -> cache.putAll(CFG, bad));
            assertEquals(2, cache.count(CFG));
            assertTrue(cache.getAll(CFG, bad.keySet()).isEmpty());

            // a batch whose source fails mid-iteration, as a cancelled producer would
            Map<String, float[]> cancelled = failingAfter(3, new float[]{1, 1});
            RuntimeException e = assertThrows(RuntimeException.class, () -> cache.putAll(CFG, cancelled));
            assertEquals("cancelled", e.getMessage());
            assertEquals(2, cache.count(CFG));
            assertTrue(cache.getAll(CFG, List.of("c0", "c1", "c2")).isEmpty());

            cache.putAll(CFG, Map.of("after", new float[]{4}));  // the connection is still usable
            assertEquals(3, cache.count(CFG));
        }
    }

    @Test
    void severalThreadsPutAndGetConsistently() throws Exception {
        int threads = 6;
        int batches = 20;
        int perBatch = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int b = 0; b < batches; b++) {
                        Map<String, float[]> batch = new LinkedHashMap<>();
                        for (int i = 0; i < perBatch; i++) {
                            batch.put("t" + thread + "-" + b + "-" + i, expected(thread, b, i));
                        }
                        cache.putAll(CFG, batch);
                        // read back our batch and a batch another thread may or may not have written yet
                        Map<String, float[]> mine = cache.getAll(CFG, batch.keySet());
                        for (Map.Entry<String, float[]> e : batch.entrySet()) {
                            assertArrayEquals(e.getValue(), mine.get(e.getKey()));
                            checked++;
                        }
                        int other = (thread + 1) % threads;
                        for (Map.Entry<String, float[]> e : cache.getAll(CFG, List.of("t" + other + "-" + b + "-0")).entrySet()) {
                            assertArrayEquals(expected(other, b, 0), e.getValue());
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertEquals(batches * perBatch, r.get(120, TimeUnit.SECONDS));
            }
            assertEquals(threads * batches * perBatch, cache.count(CFG));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anotherSchemaVersionIsDroppedAndRebuilt() throws Exception {
        Path file = cacheDir.resolve(EmbeddingCache.FILE_NAME);
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            cache.putAll(CFG, vectors(3, 4, 7));
        }
        execute(file, "PRAGMA user_version = " + (EmbeddingCache.SCHEMA_VERSION + 1)); // written by a newer version
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            assertEquals(0, cache.count(CFG), "a newer-version cache must be rebuilt, not read");
            cache.putAll(CFG, vectors(1, 4, 8));
            assertEquals(1, cache.count(CFG));
        }
        assertEquals(EmbeddingCache.SCHEMA_VERSION, userVersion(file));

        // an older layout (version 0: no version set, a different table) is dropped too
        Files.delete(file);
        execute(file, "CREATE TABLE old_vectors (path TEXT, data BLOB)");
        execute(file, "INSERT INTO old_vectors VALUES ('a.jpg', x'00')");
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            assertEquals(0, cache.count(CFG));
            cache.putAll(CFG, vectors(2, 4, 9));
            assertEquals(2, cache.count(CFG));
        }
        assertEquals(EmbeddingCache.SCHEMA_VERSION, userVersion(file));
        assertEquals(List.of("config_use", "embedding"), tables(file)); // vectors and their last use
    }

    @Test
    void aGarbageFileIsMovedAsideAndRebuiltWithAWarning() throws Exception {
        Path file = cacheDir.resolve(EmbeddingCache.FILE_NAME);
        byte[] garbage = new byte[64 * 1024];
        new Random(11).nextBytes(garbage);
        Files.write(file, garbage);
        ListAppender<ILoggingEvent> log = captureWarnings();
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            assertEquals(0, cache.count(CFG));
            cache.putAll(CFG, vectors(3, 4, 10));
            assertEquals(3, cache.count(CFG));
        } finally {
            release(log);
        }
        List<Path> aside = corruptCopies();
        assertEquals(1, aside.size(), "moved-aside copies: " + aside);
        assertArrayEquals(garbage, Files.readAllBytes(aside.get(0)), "the damaged file is kept as it was");
        assertTrue(log.list.stream().anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("corrupt")),
                "a warning is logged");
    }

    @Test
    void aTextFileWhereTheDatabaseShouldBeIsRebuilt() throws Exception {
        Files.writeString(cacheDir.resolve(EmbeddingCache.FILE_NAME), "this is not a database\n".repeat(200));
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            assertEquals(0, cache.count(CFG));
            cache.put(CFG, "h", new float[]{1});
            assertArrayEquals(new float[]{1}, cache.get(CFG, "h"));
        }
        assertEquals(1, corruptCopies().size());
    }

    @Test
    void aTruncatedDatabaseIsRebuilt() throws Exception {
        Path file = cacheDir.resolve(EmbeddingCache.FILE_NAME);
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            cache.putAll(CFG, vectors(500, 384, 12));
        }
        assertFalse(Files.exists(cacheDir.resolve(EmbeddingCache.FILE_NAME + "-wal")), "WAL checkpointed on close");
        long size = Files.size(file);
        assertTrue(size > 500 * 384 * 4, "file size " + size);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size * 2 / 5);
        }
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            assertEquals(0, cache.count(CFG));
            cache.putAll(CFG, vectors(2, 384, 13));
            assertEquals(2, cache.count(CFG));
        }
        assertEquals(1, corruptCopies().size());
    }

    @Test
    void repeatedCorruptionKeepsOnlyAFewCopies() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.write(cacheDir.resolve(EmbeddingCache.FILE_NAME), ("garbage " + i).repeat(100).getBytes(StandardCharsets.UTF_8));
            try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
                assertEquals(0, cache.count(CFG));
            }
        }
        assertEquals(3, corruptCopies().size());
    }

    @Test
    void badArgumentsAreRejected() {
        try (EmbeddingCache cache = EmbeddingCache.open(cacheDir)) {
            assertThrows(IllegalArgumentException.class, () -> cache.count(""));
            assertThrows(IllegalArgumentException.class, () -> cache.put(CFG, "h", new float[0]));
            assertThrows(NullPointerException.class, () -> cache.getAll(CFG, null));
        }
        EmbeddingCache closed = EmbeddingCache.open(cacheDir);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.count(CFG));
    }

    // --- helpers

    static Map<String, float[]> vectors(int n, int dim, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = (float) rnd.nextGaussian();
            }
            m.put("h" + i, v);
        }
        return m;
    }

    private static float[] expected(int thread, int batch, int i) {
        return new float[]{thread, batch, i, thread * 1000 + batch * 10 + i};
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "index " + i);
        }
    }

    /** A map of {@code c0, c1, ...} whose iterator throws after {@code good} entries. */
    private static Map<String, float[]> failingAfter(int good, float[] value) {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, float[]>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, float[]>> iterator() {
                        return new Iterator<>() {
                            int i;

                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Entry<String, float[]> next() {
                                if (i == good) {
                                    throw new RuntimeException("cancelled");
                                }
                                return new SimpleEntry<>("c" + i++, value);
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return good + 1;
                    }
                };
            }
        };
    }

    private List<Path> corruptCopies() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(cacheDir, EmbeddingCache.FILE_NAME + ".corrupt-*")) {
            d.forEach(p -> {
                if (!p.toString().endsWith("-wal")) {
                    out.add(p);
                }
            });
        }
        return out;
    }

    private static ListAppender<ILoggingEvent> captureWarnings() {
        Logger logger = (Logger) LoggerFactory.getLogger(SqliteCacheFile.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(SqliteCacheFile.class)).detachAppender(appender);
    }

    static void execute(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static int userVersion(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    private static List<String> tables(Path db) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
