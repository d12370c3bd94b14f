package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.itaestudio.store.HiddenStateStore.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tolerances: fp32 entries must come back bit-for-bit; fp16 entries within a relative error of 2^-11 (half an ulp of
 * an 11-bit significand) for normal half values, an absolute 2^-25 in the subnormal range, and equal to
 * Half's own round trip exactly.
 */
class HiddenStateStoreTest {

    private static final String KEY = "model=sha256:abc|pre=256/224|layer=10|itae:off";
    private static final String KEY2 = "model=sha256:abc|pre=256/224|layer=11|itae:off";
    private static final int TOKENS = 261;
    private static final int DIM = 384;

    @TempDir
    Path cacheDir;

    @Test
    void fp32RoundTripIsExactAndSurvivesReopening() {
        Map<String, float[]> in = states(4, TOKENS * DIM, 1, 3.0);
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            store.putAll(KEY, TOKENS, DIM, in);
            assertBitsEqual(in, store.getAll(KEY, in.keySet()));
            assertEquals(4L * TOKENS * DIM * 4, store.bytes(KEY));
        }
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            assertBitsEqual(in, store.getAll(KEY, in.keySet()));
            assertEquals(4, store.count(KEY));
        }
    }

    @Test
    void fp16RoundTripIsWithinHalfPrecision() {
        Map<String, float[]> in = states(3, TOKENS * DIM, 2, 50.0);
        float[] edge = in.get("h0");
        edge[0] = 65504f;
        edge[1] = -65504f;
        edge[2] = 0x1p-14f;            // smallest normal half
        edge[3] = 3e-6f;               // subnormal half
        edge[4] = -0f;
        edge[5] = 0x1p-24f;            // smallest subnormal half
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            store.putAll(KEY, TOKENS, DIM, in);
            Map<String, float[]> out = store.getAll(KEY, in.keySet());
            double worstRelative = 0;
            for (String h : in.keySet()) {
                float[] x = in.get(h);
                float[] y = out.get(h);
                assertEquals(x.length, y.length);
                for (int i = 0; i < x.length; i++) {
                    if (Half.toFloat(Half.fromFloat(x[i])) != y[i]) {
                        fail(h + "[" + i + "]: expected the half nearest " + x[i] + ", got " + y[i]);
                    }
                    double err = Math.abs((double) y[i] - x[i]);
                    if (Math.abs(x[i]) >= 0x1p-14) {
                        double rel = err / Math.abs(x[i]);
                        worstRelative = Math.max(worstRelative, rel);
                        if (rel > 0x1p-11) {
                            fail("relative error " + rel + " at " + x[i]);
                        }
                    } else if (err > 0x1p-25) {
                        fail("absolute error " + err + " at " + x[i]);
                    }
                }
            }
            assertTrue(worstRelative > 0x1p-13, "fp16 must actually round (worst " + worstRelative + ")");
            assertEquals(3L * TOKENS * DIM * 2, store.bytes(KEY));
            Path data = store.directory().resolve(HiddenStateStore.dataFileName(KEY, Precision.FP16));
            assertTrue(data.getFileName().toString().endsWith(".f16"));
        }
    }

    @Test
    void keysAreIsolatedAndResultsComeInRequestOrder() {
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            store.putAll(KEY, 2, 3, Map.of("a", new float[]{1, 2, 3, 4, 5, 6}, "b", new float[]{6, 5, 4, 3, 2, 1}));
            assertNull(store.get(KEY2, "a"));
            assertEquals(0, store.count(KEY2));
            assertEquals(0L, store.bytes(KEY2));
            assertEquals(List.of("b", "a"), new ArrayList<>(store.getAll(KEY, List.of("zz", "b", "a", "b")).keySet()));
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, store.get(KEY, "a"));
        }
    }

    @Test
    void putReplacesAnEntryAndEvictDeletesTheDataFile() {
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            store.put(KEY, "a", 1, 2, new float[]{1, 2});
            store.put(KEY, "a", 1, 2, new float[]{3, 4});
            store.put(KEY2, "a", 1, 2, new float[]{7, 8});
            assertArrayEquals(new float[]{3, 4}, store.get(KEY, "a"));
            assertEquals(1, store.count(KEY));
            assertEquals(8L, store.bytes(KEY));
            Path data = store.directory().resolve(HiddenStateStore.dataFileName(KEY, Precision.FP32));
            assertTrue(Files.exists(data));
            store.evict(KEY);
            assertEquals(0, store.count(KEY));
            assertNull(store.get(KEY, "a"));
            assertFalse(Files.exists(data));
            assertArrayEquals(new float[]{7, 8}, store.get(KEY2, "a"), "other keys untouched");
            store.put(KEY, "a", 1, 2, new float[]{5, 6}); // a fresh file after the evict
            assertArrayEquals(new float[]{5, 6}, store.get(KEY, "a"));
        }
    }

    @Test
    void aTornAppendIsNeverReturned() throws IOException {
        Map<String, float[]> a = states(3, 50 * 8, 3, 1.0);
        Map<String, float[]> b = prefixed("b", states(3, 50 * 8, 4, 1.0));
        Map<String, float[]> c = prefixed("c", states(2, 50 * 8, 5, 1.0));
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            store.putAll(KEY, 50, 8, a);
            Path data = store.directory().resolve(HiddenStateStore.dataFileName(KEY, Precision.FP16));
            long sizeA = Files.size(data);
            store.afterDataWritten = () -> {
                throw new IllegalStateException("simulated crash before the index commit");
            };
            assertThrows(IllegalStateException.class, () -> store.putAll(KEY, 50, 8, b));
            store.afterDataWritten = null;
            assertTrue(Files.size(data) > sizeA, "batch b's bytes were written");
            assertTrue(store.getAll(KEY, b.keySet()).isEmpty(), "but are not visible");
            assertEquals(3, store.count(KEY));

            store.putAll(KEY, 50, 8, c); // appended after the torn tail
            assertHalfEqual(a, store.getAll(KEY, a.keySet()));
            assertHalfEqual(c, store.getAll(KEY, c.keySet()));
        }
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            assertEquals(5, store.count(KEY));
            assertHalfEqual(c, store.getAll(KEY, c.keySet()));
        }
    }

    @Test
    void garbageAppendedByACrashedWriterIsSkipped() throws IOException {
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            store.put(KEY, "a", 2, 2, new float[]{1, 2, 3, 4});
            Path data = store.directory().resolve(HiddenStateStore.dataFileName(KEY, Precision.FP32));
            byte[] junk = new byte[1234];
            new Random(6).nextBytes(junk);
            Files.write(data, junk, StandardOpenOption.APPEND);
            store.put(KEY, "b", 2, 2, new float[]{5, 6, 7, 8});
            assertArrayEquals(new float[]{1, 2, 3, 4}, store.get(KEY, "a"));
            assertArrayEquals(new float[]{5, 6, 7, 8}, store.get(KEY, "b"));
        }
    }

    @Test
    void missingOrDamagedBytesAreMissesNotGarbage() throws IOException {
        Map<String, float[]> in = states(4, 100, 7, 1.0);
        Path data;
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            store.putAll(KEY, 10, 10, in); // 400 bytes each, in order h0..h3
            data = store.directory().resolve(HiddenStateStore.dataFileName(KEY, Precision.FP32));
        }
        assertEquals(1600, Files.size(data));
        try (RandomAccessFile raf = new RandomAccessFile(data.toFile(), "rw")) {
            raf.setLength(1000);        // h2 cut in half, h3 gone
            raf.seek(450);              // one bit flipped inside h1
            int b = raf.read();
            raf.seek(450);
            raf.write(b ^ 0x10);
        }
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            Map<String, float[]> out = store.getAll(KEY, in.keySet());
            assertEquals(List.of("h0"), new ArrayList<>(out.keySet()));
            assertArrayEquals(in.get("h0"), out.get("h0"));
            assertEquals(1, store.count(KEY), "bad rows are dropped from the index");
        }
    }

    @Test
    void entriesStraddlingMappedChunksReadCorrectly() {
        Map<String, float[]> in = states(20, 1000, 8, 2.0); // 2,000 bytes each in fp16, 4 KiB chunks
        try (HiddenStateStore store = new HiddenStateStore(cacheDir.resolve("hs"), Precision.FP16, 4096)) {
            store.putAll(KEY, 10, 100, in);
            assertHalfEqual(in, store.getAll(KEY, in.keySet()));
            store.put(KEY, "late", 10, 100, in.get("h3")); // grows the mapping after a read
            assertArrayEquals(store.get(KEY, "h3"), store.get(KEY, "late"));
        }
    }

    @Test
    void entriesKeepTheirOwnPrecisionAcrossStores() {
        float[] exact = {1.0001f, 3.14159265f, -2.7182817f, 1e-7f};
        try (HiddenStateStore fp32 = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            fp32.put(KEY, "a", 2, 2, exact);
        }
        try (HiddenStateStore fp16 = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            assertArrayEquals(exact, fp16.get(KEY, "a"), 0f, "fp32 entry read exactly by an fp16 store");
            fp16.put(KEY, "b", 2, 2, exact);
            float[] b = fp16.get(KEY, "b");
            for (int i = 0; i < 4; i++) {
                assertEquals(Half.toFloat(Half.fromFloat(exact[i])), b[i], 0f);
            }
            assertEquals(4 * 4 + 4 * 2, fp16.bytes(KEY));
        }
    }

    @Test
    void unreferencedDataFilesAreDeletedOnOpen() throws IOException {
        Path dir = cacheDir.resolve(HiddenStateStore.DIR_NAME);
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            store.put(KEY, "a", 1, 1, new float[]{1});
        }
        Path stray = Files.write(dir.resolve("0123456789abcdef0123456789abcdef01234567.f16"), new byte[100]);
        Path kept = dir.resolve(HiddenStateStore.dataFileName(KEY, Precision.FP16));
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            assertFalse(Files.exists(stray));
            assertTrue(Files.exists(kept));
            assertArrayEquals(new float[]{1}, store.get(KEY, "a"));
        }
    }

    @Test
    void aCorruptIndexIsRebuiltAndItsDataFilesDropped() throws IOException {
        Path dir = cacheDir.resolve(HiddenStateStore.DIR_NAME);
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            store.put(KEY, "a", 1, 1, new float[]{1});
        }
        byte[] garbage = new byte[8192];
        new Random(9).nextBytes(garbage);
        Files.write(dir.resolve(HiddenStateStore.INDEX_FILE), garbage);
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            assertNull(store.get(KEY, "a"));
            assertFalse(Files.exists(dir.resolve(HiddenStateStore.dataFileName(KEY, Precision.FP16))));
            store.put(KEY, "a", 1, 1, new float[]{2});
            assertArrayEquals(new float[]{2}, store.get(KEY, "a"));
        }
    }

    @Test
    void severalThreadsWriteAndReadConcurrently() throws Exception {
        int writers = 4;
        int readers = 3;
        int batches = 10;
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        CountDownLatch start = new CountDownLatch(1);
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP32)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int b = 0; b < batches; b++) {
                        Map<String, float[]> batch = new LinkedHashMap<>();
                        for (int i = 0; i < 5; i++) {
                            batch.put(name(writer, b, i), pattern(writer, b, i));
                        }
                        store.putAll(writer % 2 == 0 ? KEY : KEY2, 16, 32, batch);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < readers; r++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 30; round++) {
                        for (int w = 0; w < writers; w++) {
                            for (int b = 0; b < batches; b++) {
                                float[] got = store.get(w % 2 == 0 ? KEY : KEY2, name(w, b, round % 5));
                                if (got != null) {
                                    assertArrayEquals(pattern(w, b, round % 5), got);
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(2 * batches * 5, store.count(KEY));
            assertEquals(2 * batches * 5, store.count(KEY2));
            for (int w = 0; w < writers; w++) {
                for (int b = 0; b < batches; b++) {
                    for (int i = 0; i < 5; i++) {
                        assertArrayEquals(pattern(w, b, i), store.get(w % 2 == 0 ? KEY : KEY2, name(w, b, i)));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badShapesAreRejectedBeforeAnythingIsWritten() {
        try (HiddenStateStore store = HiddenStateStore.open(cacheDir, Precision.FP16)) {
            Map<String, float[]> batch = new LinkedHashMap<>();
            batch.put("ok", new float[6]);
            batch.put("short", new float[5]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.putAll(KEY, 2, 3, batch));
            assertTrue(e.getMessage().contains("short"), e.getMessage());
            assertEquals(0, store.count(KEY));
            assertFalse(Files.exists(store.directory().resolve(HiddenStateStore.dataFileName(KEY, Precision.FP16))));
            assertThrows(IllegalArgumentException.class, () -> store.put(KEY, "x", 0, 3, new float[0]));
            assertThrows(IllegalArgumentException.class, () -> store.put("", "x", 1, 1, new float[1]));
        }
    }

    // --- helpers

    private static Map<String, float[]> states(int n, int values, long seed, double scale) {
        Random rnd = new Random(seed);
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[values];
            for (int j = 0; j < values; j++) {
                // a spread of magnitudes, as hidden states have (a few very large "massive activations")
                v[j] = (float) (rnd.nextGaussian() * scale * Math.pow(10, rnd.nextInt(5) - 2));
            }
            m.put("h" + i, v);
        }
        return m;
    }

    private static Map<String, float[]> prefixed(String prefix, Map<String, float[]> m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    private static String name(int writer, int batch, int i) {
        return "w" + writer + "b" + batch + "i" + i;
    }

    private static float[] pattern(int writer, int batch, int i) {
        float[] v = new float[16 * 32];
        for (int j = 0; j < v.length; j++) {
            v[j] = writer * 1e6f + batch * 1e3f + i * 10 + j * 0.5f;
        }
        return v;
    }

    private static void assertBitsEqual(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String h : expected.keySet()) {
            float[] x = expected.get(h);
            float[] y = actual.get(h);
            assertNotNull(y, h);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    fail(h + "[" + i + "]: expected " + x[i] + ", got " + y[i]);
                }
            }
        }
    }

    private static void assertHalfEqual(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String h : expected.keySet()) {
            float[] x = expected.get(h);
            float[] y = actual.get(h);
            for (int i = 0; i < x.length; i++) {
                if (Half.toFloat(Half.fromFloat(x[i])) != y[i]) {
                    fail(h + "[" + i + "]: expected the half nearest " + x[i] + ", got " + y[i]);
                }
            }
        }
    }
}
