package org.itaestudio.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FixComparison;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.progress.ProgressListener;

/**
 * What switching artifact fixes costs on a folder (default: 2,000 CIFAR-10 test images spread over the classes), in
 * the order a user would click: no fix (a full embed that also keeps the last block's CLS states), ITAE on the last
 * block (from those states), another ITAE strength (from states), ITAE on blocks D-3..D-1 (first a full forward that
 * keeps the states entering block D-3, then a strength change from them), register-neuron calibration on 200 images,
 * test-time registers and both fixes (full re-embeds: test-time registers keep no states, their extra token takes
 * part in attention from block 0), back to no fix (embedding cache), and finally the whole comparison of the four
 * fixes from the cache (clustering and silhouettes only).
 *
 * <p>Model: DINOv2 architecture with random weights (none can be downloaded here), shape given on the command line
 * (default dim 192, 12 blocks, 3 heads, MLP: a ViT-Ti/14 shape) at a given input size (default 112 px: 8x8 patches),
 * so the whole run fits in minutes on a shared 2-core machine.
 *
 * <p>Usage: {@code FixSwitchingBenchmark [FOLDER] [IMAGES] [SIZE] [DIM] [DEPTH] [CALIBRATION_IMAGES]}. Prints a
 * markdown table; asserts nothing.
 */
public final class FixSwitchingBenchmark {

    private FixSwitchingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path source = Path.of(args.length > 0 ? args[0] : "../shared/data/cifar10-test");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 112;
        int dim = args.length > 3 ? Integer.parseInt(args[3]) : 192;
        int depth = args.length > 4 ? Integer.parseInt(args[4]) : 12;
        int calibrationImages = args.length > 5 ? Integer.parseInt(args[5]) : 200;
        if (!Files.isDirectory(source)) {
            System.out.println("skipped: image folder not found: " + source);
            return;
        }
        Path work = Files.createTempDirectory("fix-switching-bench");
        try {
            Path folder = work.resolve("images");
            List<Path> picked;
            try (Stream<Path> s = Files.walk(source)) {
                picked = s.filter(p -> p.toString().endsWith(".jpg") || p.toString().endsWith(".png"))
                        .sorted(Comparator.naturalOrder()).toList();
            }
            int step = Math.max(1, picked.size() / count); // every step-th file: all classes
            for (int i = 0, n = 0; i < picked.size() && n < count; i += step, n++) {
                Path dst = folder.resolve(source.relativize(picked.get(i)));
                Files.createDirectories(dst.getParent());
                Files.createSymbolicLink(dst, picked.get(i).toAbsolutePath());
            }
            DinoV2Config config = DinoV2Config.of(dim, depth, 0, DinoV2Config.FfnType.MLP);
            Path weights = work.resolve("random.safetensors");
            SafetensorsWriter.write(weights, new SyntheticWeights(config, 1), Map.of("note", "random weights for benchmarks"));
            AnalysisSettings plain = AnalysisSettings.defaults(weights.toString()).with(b -> {
                b.resize = size;
                b.crop = size;
                b.k = 10;
                b.mapMethod = MapMethod.NONE;
            });
            ItaeConfig paper = ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO);
            java.util.TreeSet<Integer> lastThree = new java.util.TreeSet<>(List.of(depth - 3, depth - 2, depth - 1));
            ItaeConfig blocks = new ItaeConfig(ItaeConfig.Component.V, ItaeConfig.Threshold.AUTO,
                    ItaeConfig.Direction.BELOW, 1.0, ItaeConfig.Blocks.of(lastThree), ItaeConfig.Rows.ALL);
            List<String[]> rows = new ArrayList<>();
            try (DefaultStudioEngine engine = new DefaultStudioEngine(work.resolve("cache"), new ModelResolver())) {
                engine.depth(plain); // load the model outside the timings
                time(rows, "no fix (full embed; keeps the last block's CLS states)", engine, folder, plain);
                time(rows, "ITAE, paper setting (last block, CLS row): from kept states", engine, folder,
                        plain.withItae(paper));
                time(rows, "ITAE, strength 0.5: from kept states", engine, folder, plain.withItae(paper.withStrength(0.5)));
                time(rows, "ITAE, blocks " + (depth - 3) + "-" + (depth - 1) + ", all rows: first time (full forward, keeps states)",
                        engine, folder, plain.withItae(blocks));
                time(rows, "ITAE, blocks " + (depth - 3) + "-" + (depth - 1) + ", strength 0.5: from kept states (3 blocks)",
                        engine, folder, plain.withItae(blocks.withStrength(0.5)));

                CalibrationSettings cal = new CalibrationSettings(calibrationImages, 42, -2, ItaeConfig.Threshold.AUTO,
                        null, 50, false);
                long t0 = System.nanoTime();
                RegisterNeurons neurons = engine.calibrateRegisters(folder, plain, cal, ProgressListener.NONE,
                        Cancellation.none());
                double calS = (System.nanoTime() - t0) / 1e9;
                rows.add(new String[] {"calibration, " + neurons.imagesSampled() + " images (" + neurons.imagesWithOutliers()
                        + " with outliers)", fmt(calS), "", ""});
                TestTimeRegisters ttr = neurons.registers(1, TestTimeRegisters.PatchValues.ZERO);
                time(rows, "test-time registers: full re-embed (no kept states)", engine, folder, plain.withTtr(ttr));
                time(rows, "ITAE + test-time registers: full re-embed", engine, folder, plain.withItae(paper).withTtr(ttr));
                time(rows, "test-time registers, R = 2: full re-embed (another cache key)", engine, folder,
                        plain.withTtr(ttr.withCount(2)));
                time(rows, "back to no fix: embedding cache", engine, folder, plain);
                time(rows, "back to test-time registers: embedding cache", engine, folder, plain.withTtr(ttr));

                List<FixComparison.Variant> variants = List.of(new FixComparison.Variant("No fix", null, null),
                        new FixComparison.Variant("ITAE", paper, null), new FixComparison.Variant("TTR", null, ttr),
                        new FixComparison.Variant("Both", paper, ttr));
                long t1 = System.nanoTime();
                FixComparison.Result r = FixComparison.run(engine, folder, plain, variants, ProgressListener.NONE,
                        Cancellation.none());
                double cmpS = (System.nanoTime() - t1) / 1e9;
                rows.add(new String[] {"comparison of the 4 fixes, all embeddings cached (k-means k=10 + silhouette each)",
                        fmt(cmpS), "", ""});
                System.out.printf(Locale.ROOT, "model: dim %d, %d blocks, %d heads, MLP %d, %d px (%dx%d patches), "
                                + "random weights; %d images%n", dim, depth, config.numHeads(), config.ffnHidden(), size,
                        size / 14, size / 14, r.paths().size());
                System.out.println();
                System.out.println("| step | s | images/s | from cache |");
                System.out.println("|---|---|---|---|");
                for (String[] row : rows) {
                    System.out.println("| " + String.join(" | ", row) + " |");
                }
                System.out.println();
                System.out.println("| fix | clusters | silhouette | ARI vs no fix | changed | ACC | NMI | ARI |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                for (FixComparison.Row row : r.rows()) {
                    FixComparison.ClassScores c = row.classes().orElse(new FixComparison.ClassScores(Double.NaN,
                            Double.NaN, Double.NaN));
                    System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %d | %.3f | %.3f | %.3f |%n",
                            row.variant().name(), row.k(), row.silhouette(), row.ariVsReference(), row.changed(),
                            c.acc(), c.nmi(), c.ari());
                }
            }
        } finally {
            BenchFiles.deleteTree(work);
        }
    }

    private static void time(List<String[]> rows, String what, DefaultStudioEngine engine, Path folder,
                             AnalysisSettings s) throws Exception {
        long t = System.nanoTime();
        FolderEmbeddings e = engine.embed(folder, s, ProgressListener.NONE, Cancellation.none());
        double sec = (System.nanoTime() - t) / 1e9;
        rows.add(new String[] {what, fmt(sec), String.format(Locale.ROOT, "%.0f", e.paths().size() / sec),
                e.fromCache() + "/" + e.paths().size()});
    }

    private static String fmt(double s) {
        return String.format(Locale.ROOT, "%.2f", s);
    }
}
