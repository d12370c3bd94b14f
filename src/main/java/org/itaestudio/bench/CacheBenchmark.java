package org.itaestudio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.itaestudio.store.ContentHasher;
import org.itaestudio.store.EmbeddingCache;
import org.itaestudio.store.HiddenStateStore;
import org.itaestudio.store.HiddenStateStore.Precision;

/**
 * Throughput of the caches: 2,000 embeddings of 384 floats, 200 hidden-state blobs of ViT-S/14 at 224 px with
 * registers (261 x 384), and content hashing of 2,000 small files. Prints numbers only.
 *
 * <p>Usage: {@code CacheBenchmark [WORK_DIR]} (default: a temporary directory, deleted afterwards).
 */
public final class CacheBenchmark {

    private static final int VECTORS = 2000;
    private static final int DIM = 384;
    private static final int BLOBS = 200;
    private static final int TOKENS = 261;
    private static final int BATCH = 8;
    private static final String CONFIG = "model=bench|pre=256/224|pool=cls|itae:off";

    private CacheBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path work = args.length > 0 ? Files.createDirectories(Paths.get(args[0])) : Files.createTempDirectory("itae-cache-bench");
        try {
            for (int round = 1; round <= 2; round++) {
                System.out.println("# round " + round + (round == 1 ? " (includes JIT warm-up and SQLite loading)" : ""));
                Path r = work.resolve("round" + round);
                embeddings(r.resolve("emb"));
                hiddenStates(r.resolve("hs16"), Precision.FP16);
                hiddenStates(r.resolve("hs32"), Precision.FP32);
                hashing(r.resolve("files"), r.resolve("hash-cache"));
            }
        } finally {
            if (args.length == 0) {
                BenchFiles.deleteTree(work);
            }
        }
    }

    private static void embeddings(Path dir) {
        Map<String, float[]> vectors = new LinkedHashMap<>();
        Random rnd = new Random(1);
        for (int i = 0; i < VECTORS; i++) {
            float[] v = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                v[j] = (float) rnd.nextGaussian();
            }
            vectors.put(String.format(Locale.ROOT, "%064x", i), v);
        }
        List<String> hashes = new ArrayList<>(vectors.keySet());
        double mb = VECTORS * (double) DIM * 4 / 1e6;
        try (EmbeddingCache cache = EmbeddingCache.open(dir)) {
            long t0 = System.nanoTime();
            cache.putAll(CONFIG, vectors);
            report("embeddings putAll, 1 batch of " + VECTORS + " x " + DIM, VECTORS, mb, System.nanoTime() - t0);

            cache.evict(CONFIG);
            t0 = System.nanoTime();
            for (int start = 0; start < VECTORS; start += 64) {
                Map<String, float[]> batch = new LinkedHashMap<>();
                for (String h : hashes.subList(start, Math.min(VECTORS, start + 64))) {
                    batch.put(h, vectors.get(h));
                }
                cache.putAll(CONFIG, batch);
            }
            report("embeddings putAll, batches of 64", VECTORS, mb, System.nanoTime() - t0);
        }
        try (EmbeddingCache cache = EmbeddingCache.open(dir)) {
            long t0 = System.nanoTime();
            Map<String, float[]> got = cache.getAll(CONFIG, hashes);
            report("embeddings getAll " + got.size() + " (reopened)", VECTORS, mb, System.nanoTime() - t0);
            t0 = System.nanoTime();
            got = cache.getAll(CONFIG, hashes);
            report("embeddings getAll " + got.size() + " (again)", VECTORS, mb, System.nanoTime() - t0);
            t0 = System.nanoTime();
            int misses = cache.getAll("other-config", hashes).size();
            report("embeddings getAll, all " + (VECTORS - misses) + " missing", VECTORS, 0, System.nanoTime() - t0);
        }
        System.out.printf(Locale.ROOT, "embeddings file: %.2f MB%n", size(dir.resolve(EmbeddingCache.FILE_NAME)) / 1e6);
    }

    private static void hiddenStates(Path dir, Precision precision) {
        Random rnd = new Random(2);
        List<String> hashes = new ArrayList<>();
        List<float[]> blobs = new ArrayList<>();
        for (int i = 0; i < BLOBS; i++) {
            float[] s = new float[TOKENS * DIM];
            for (int j = 0; j < s.length; j++) {
                s[j] = (float) rnd.nextGaussian();
            }
            hashes.add(String.format(Locale.ROOT, "%064x", i));
            blobs.add(s);
        }
        double mb = BLOBS * (double) TOKENS * DIM * precision.bytesPerValue() / 1e6;
        String label = "hidden states " + precision + " (" + TOKENS + " x " + DIM + ")";
        try (HiddenStateStore store = HiddenStateStore.open(dir, precision)) {
            long t0 = System.nanoTime();
            for (int start = 0; start < BLOBS; start += BATCH) {
                Map<String, float[]> batch = new LinkedHashMap<>();
                for (int i = start; i < Math.min(BLOBS, start + BATCH); i++) {
                    batch.put(hashes.get(i), blobs.get(i));
                }
                store.putAll("layer=10", TOKENS, DIM, batch);
            }
            report(label + " putAll, batches of " + BATCH, BLOBS, mb, System.nanoTime() - t0);
        }
        try (HiddenStateStore store = HiddenStateStore.open(dir, precision)) {
            long t0 = System.nanoTime();
            int n = store.getAll("layer=10", hashes).size();
            report(label + " getAll " + n + " (reopened)", BLOBS, mb, System.nanoTime() - t0);
            t0 = System.nanoTime();
            n = 0;
            for (String h : hashes) {
                n += store.get("layer=10", h) != null ? 1 : 0;
            }
            report(label + " get x " + n + " (one at a time)", BLOBS, mb, System.nanoTime() - t0);
            System.out.printf(Locale.ROOT, "%s stored: %.1f MB for %d images; 2,000 images: %.1f MB%n", label,
                    store.bytes("layer=10") / 1e6, BLOBS,
                    HiddenStateStore.estimateBytes(2000, TOKENS, DIM, precision) / 1e6);
        }
    }

    private static void hashing(Path files, Path cacheDir) throws IOException {
        Files.createDirectories(files);
        Random rnd = new Random(3);
        byte[] content = new byte[50_000];
        List<Path> paths = new ArrayList<>();
        Instant old = Instant.now().minusSeconds(3600);
        for (int i = 0; i < VECTORS; i++) {
            rnd.nextBytes(content);
            Path p = files.resolve("img" + i + ".jpg");
            Files.write(p, content);
            Files.setLastModifiedTime(p, FileTime.from(old));
            paths.add(p);
        }
        double mb = VECTORS * (double) content.length / 1e6;
        try (ContentHasher hasher = ContentHasher.open(cacheDir.resolve("one-by-one"))) {
            long t0 = System.nanoTime();
            for (Path p : paths) {
                hasher.hash(p);
            }
            report("content hash, first pass, hash() per file (" + VECTORS + " x 50 KB)", VECTORS, mb, System.nanoTime() - t0);
        }
        try (ContentHasher hasher = ContentHasher.open(cacheDir.resolve("one-by-one"))) {
            long t0 = System.nanoTime();
            for (Path p : paths) {
                hasher.hash(p);
            }
            report("content hash, memoised, hash() per file (" + hasher.filesRead() + " read)", VECTORS, 0,
                    System.nanoTime() - t0);
        }
        try (ContentHasher hasher = ContentHasher.open(cacheDir.resolve("batch"))) {
            long t0 = System.nanoTime();
            hasher.hashAll(paths, (p, e) -> { });
            report("content hash, first pass, hashAll", VECTORS, mb, System.nanoTime() - t0);
        }
        try (ContentHasher hasher = ContentHasher.open(cacheDir.resolve("batch"))) {
            long t0 = System.nanoTime();
            hasher.hashAll(paths, (p, e) -> { });
            report("content hash, memoised, hashAll (" + hasher.filesRead() + " read)", VECTORS, 0, System.nanoTime() - t0);
        }
    }

    private static void report(String what, int items, double megabytes, long nanos) {
        double s = nanos / 1e9;
        if (megabytes > 0) {
            System.out.printf(Locale.ROOT, "%-70s %8.1f ms  %10.0f items/s  %8.1f MB/s%n", what, s * 1e3, items / s, megabytes / s);
        } else {
            System.out.printf(Locale.ROOT, "%-70s %8.1f ms  %10.0f items/s%n", what, s * 1e3, items / s);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
