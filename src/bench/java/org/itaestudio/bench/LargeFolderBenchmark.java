package org.itaestudio.bench;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.ContentHasher;
import org.itaestudio.store.CacheGuard;
import org.itaestudio.store.HiddenStateStore;

/**
 * A folder of many small images with distinct contents (default 100,000, in sub-folders of 1,000): scan, content
 * hashing (cold and from the memo), the first embed that fills the cache (a given, small model), and opening the
 * folder again with every embedding cached, which is what a user waits for on the second open. Prints one line per
 * stage with wall time, time to the first progress report, and the heap pools' peak; asserts nothing.
 *
 * <p>Usage: {@code LargeFolderBenchmark MODEL WORK_DIR [N] [IMAGE_SIZE]}; the work folder keeps the generated images
 * between runs (the cache is started empty each run). Run it with {@code -Xmx1g} to check the heap goal.
 */
public final class LargeFolderBenchmark {

    private LargeFolderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        Path work = Path.of(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 28;
        Path folder = work.resolve("images-" + n);
        long t0 = System.nanoTime();
        int made = generate(folder, n);
        System.out.printf(Locale.ROOT, "generate\t%d new of %d images\t%.1f s%n", made, n, secs(t0));

        Path cache = work.resolve("cache-" + n);
        deleteTree(cache);

        ProcessMemory.resetPeaks();
        t0 = System.nanoTime();
        FolderScanner.ScanResult scan = new FolderScanner().scan(folder);
        report("scan", t0, -1, scan.images().size() + " images");

        List<Path> paths = scan.images().stream().map(FolderScanner.ImageFile::path).toList();
        ProcessMemory.resetPeaks();
        t0 = System.nanoTime();
        try (ContentHasher h = ContentHasher.open(cache.resolve("hash-only"), CacheGuard.logOnly())) {
            int hashed = h.hashAll(paths, (p, e) -> { }).size();
            report("hash (cold)", t0, -1, hashed + " files read " + h.filesRead());
        }
        ProcessMemory.resetPeaks();
        t0 = System.nanoTime();
        try (ContentHasher h = ContentHasher.open(cache.resolve("hash-only"), CacheGuard.logOnly())) {
            int hashed = h.hashAll(paths, (p, e) -> { }).size();
            report("hash (memo)", t0, -1, hashed + " from memo " + h.memoHits());
        }

        AnalysisSettings settings = AnalysisSettings.defaults(model).with(b -> {
            b.resize = size;
            b.crop = size;
            b.batchSize = 32;
        });
        for (String stage : new String[] {"embed (fills the cache)", "open again (all cached)"}) {
            try (DefaultStudioEngine engine = new DefaultStudioEngine(cache.resolve("engine"), new ModelResolver(),
                    HiddenStateStore.Precision.FP16, CacheGuard.logOnly(), null)) {
                ProcessMemory.resetPeaks();
                long start = System.nanoTime();
                AtomicLong first = new AtomicLong(-1);
                // the first report after the scan, i.e. the first that says how far the run is
                ProgressListener progress = p -> {
                    if (p.done() > 0) {
                        first.compareAndSet(-1, System.nanoTime());
                    }
                };
                FolderEmbeddings fe = engine.embed(folder, settings, progress, new Cancellation());
                report(stage, start, first.get(), fe.paths().size() + " embedded, " + fe.fromCache() + " from cache");
            }
        }
    }

    private static void report(String stage, long start, long firstProgress, String note) {
        System.out.printf(Locale.ROOT, "%s\t%.1f s\tfirst progress %s\tpeak heap %d MB\t%s%n", stage, secs(start),
                firstProgress < 0 ? "-" : String.format(Locale.ROOT, "%.2f s", (firstProgress - start) / 1e9),
                ProcessMemory.peakHeapMb(), note);
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** 16x16 PNGs whose pixels spell the index, so every file has its own content hash. */
    private static int generate(Path folder, int n) throws Exception {
        int made = 0;
        for (int i = 0; i < n; i++) {
            Path f = folder.resolve(String.format(Locale.ROOT, "d%03d/img%06d.png", i / 1000, i));
            if (Files.exists(f)) {
                continue;
            }
            Files.createDirectories(f.getParent());
            BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    int bit = (i >> ((x + y) % 20)) & 1;
                    im.setRGB(x, y, (bit * 200 + x * 3) << 16 | (y * 15) << 8 | ((i * 7 + x * y) & 0xFF));
                }
            }
            ImageIO.write(im, "png", f.toFile());
            made++;
        }
        return made;
    }

    private static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
