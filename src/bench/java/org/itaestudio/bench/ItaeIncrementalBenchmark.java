package org.itaestudio.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.progress.ProgressListener;

/**
 * How much cheaper an ITAE change is than a full re-embed, and how fast a live preview
 * (re-embed from cached states + re-cluster) is, on a folder of real images (default: 2,000 CIFAR-10 test images)
 * with a ViT-S/14-architecture model (random weights: no real checkpoint can be downloaded here).
 *
 * <p>Usage: {@code ItaeIncrementalBenchmark [FOLDER] [IMAGES] [KEEP_DIR]}. Prints a markdown table; asserts nothing.
 * With KEEP_DIR the model, image links and caches are kept there, so a second run re-measures the ITAE and preview
 * timings from the first run's states (its "full embed" column is then a cache hit).
 */
public final class ItaeIncrementalBenchmark {

    private ItaeIncrementalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path source = Path.of(args.length > 0 ? args[0] : "../shared/data/cifar10-test");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        if (!Files.isDirectory(source)) {
            System.out.println("skipped: image folder not found: " + source);
            return;
        }
        boolean keep = args.length > 2;
        Path work = keep ? Files.createDirectories(Path.of(args[2])) : Files.createTempDirectory("itae-incremental-bench");
        try {
            Path folder = work.resolve("images");
            boolean fresh = !Files.exists(folder);
            List<Path> picked;
            try (Stream<Path> s = Files.walk(source)) {
                picked = s.filter(p -> p.toString().endsWith(".jpg") || p.toString().endsWith(".png"))
                        .sorted(Comparator.naturalOrder()).toList();
            }
            // Spread the sample over all classes: every (size/count)-th file.
            int step = Math.max(1, picked.size() / count);
            int n = 0;
            for (int i = 0; fresh && i < picked.size() && n < count; i += step, n++) {
                Path rel = source.relativize(picked.get(i));
                Path dst = folder.resolve(rel);
                Files.createDirectories(dst.getParent());
                Files.createSymbolicLink(dst, picked.get(i).toAbsolutePath());
            }
            DinoV2Config config = ModelCatalog.config("dinov2-small");
            Path weights = work.resolve("vits14-random.safetensors");
            if (fresh) SafetensorsWriter.write(weights, new SyntheticWeights(config, 1), Map.of("note", "random weights for benchmarks"));

            AnalysisSettings plain = AnalysisSettings.defaults(weights.toString()).withK(10).withMapMethod(MapMethod.NONE);
            ItaeConfig paper = ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO);
            try (DefaultStudioEngine engine = new DefaultStudioEngine(work.resolve("cache"), new ModelResolver())) {
                engine.depth(plain); // load the model outside the timings
                long t0 = System.nanoTime();
                FolderEmbeddings full = engine.embed(folder, plain, ProgressListener.NONE, Cancellation.none());
                double fullS = (System.nanoTime() - t0) / 1e9;

                long t1 = System.nanoTime();
                FolderEmbeddings inc = engine.embed(folder, plain.withItae(paper), ProgressListener.NONE, Cancellation.none());
                double incS = (System.nanoTime() - t1) / 1e9;

                FolderAnalysis base = engine.recluster(new FolderAnalysis(folder, full.paths(), full.embeddings(),
                        new int[0], 0, new double[0], new double[0][], full.skipped(), plain), plain, ProgressListener.NONE,
                        Cancellation.none());
                double[] previewS = new double[3];
                double[] strengths = {1.0, 0.6, 0.3};
                for (int i = 0; i < 3; i++) {
                    long t = System.nanoTime();
                    FolderAnalysis p = engine.previewItae(base, paper.withStrength(strengths[i]), ProgressListener.NONE,
                            Cancellation.none());
                    previewS[i] = (System.nanoTime() - t) / 1e9;
                    if (p == null) {
                        throw new IllegalStateException("preview found no cached states");
                    }
                }
                java.util.Arrays.sort(previewS);
                System.out.println("| images | full embed s | images/s | ITAE re-embed from states s | speed-up | preview (re-embed + k-means) s, median of 3 |");
                System.out.println("|---|---|---|---|---|---|");
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.2f | %.2f | %.1fx | %.2f |%n", full.paths().size(), fullS,
                        full.paths().size() / fullS, incS, fullS / incS, previewS[1]);
                System.out.printf(Locale.ROOT, "(from cache on the ITAE run: %d of %d)%n", inc.fromCache(), inc.paths().size());
            }
        } finally {
            if (!keep) {
                BenchFiles.deleteTree(work);
            }
        }
    }
}
