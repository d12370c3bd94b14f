package org.itaestudio.bench;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.itaestudio.cluster.AutoK;
import org.itaestudio.cluster.KMeansClusterer;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.cluster.PcaMap;
import org.itaestudio.cluster.TsneMap;
import org.itaestudio.cluster.WardClusterer;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FolderEmbeddings;

/**
 * Time and memory against the number of images (default 1,000, 10,000 and 50,000) for embedding a
 * folder end to end (scan, hash, decode, ViT-S/14 forward, embedding cache and kept ITAE states, exactly what the app
 * and {@code itae-studio embed} do), clustering (k-means, auto-k, Ward) and the 2-D maps (Barnes-Hut t-SNE, PCA).
 *
 * <p>Images: CIFAR-10 test JPEGs (32x32, spread over the classes); above 10,000, mirrored/flipped/rotated copies of
 * them saved as PNG, so every file has its own content (the cache keys on content). Each size runs in its own JVM
 * so that its memory peaks are its own; within it every stage starts a new peak window. Prints a markdown table and
 * asserts nothing.
 *
 * <p>Usage: {@code ScalingBenchmark [CIFAR_FOLDER] [WORK_DIR] [SIZES]}, e.g.
 * {@code ScalingBenchmark ../shared/data/cifar10-test /tmp/itae-scaling 1000,10000,50000}. The work folder keeps the
 * image folders and the model between runs; each run starts with an empty embedding cache. Disk: the kept states
 * take ~200 KB per image (fp16), ~10 GB at 50,000.
 */
public final class ScalingBenchmark {

    private static final String ROW = "ROW\t";

    private ScalingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), Path.of(args[2]));
            return;
        }
        Path source = Path.of(args.length > 0 ? args[0] : "../shared/data/cifar10-test");
        Path work = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir") + "/itae-scaling");
        String sizes = args.length > 2 ? args[2] : "1000,10000,50000";
        if (!Files.isDirectory(source)) {
            System.out.println("skipped: image folder not found: " + source);
            return;
        }
        Files.createDirectories(work);
        Path weights = work.resolve("vits14-random.safetensors");
        if (!Files.exists(weights)) {
            DinoV2Config config = ModelCatalog.config("dinov2-small");
            SafetensorsWriter.write(weights, new SyntheticWeights(config, 1), Map.of("note", "random weights for benchmarks"));
        }
        List<String> rows = new ArrayList<>();
        for (String s : sizes.split(",")) {
            int n = Integer.parseInt(s.trim());
            prepareFolder(source, work, n);
            rows.addAll(runChild(n, work));
        }
        System.out.println();
        System.out.println("| images | stage | wall s | CPU s | peak heap MB | peak RSS MB | notes |");
        System.out.println("|---:|---|---:|---:|---:|---:|---|");
        for (String r : rows) {
            String[] f = r.split("\t");
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", f[1], f[2], f[3], f[4], f[5], f[6],
                    f.length > 7 ? f[7] : "");
        }
    }

    /** {@code work/images-N}: links to N CIFAR files (every (total/N)-th), then PNG variants beyond the originals. */
    static Path prepareFolder(Path source, Path work, int n) throws IOException {
        Path folder = work.resolve("images-" + n);
        if (Files.exists(folder.resolve(".complete"))) {
            return folder;
        }
        List<Path> originals;
        try (Stream<Path> s = Files.walk(source)) {
            originals = s.filter(p -> p.toString().endsWith(".jpg") || p.toString().endsWith(".png"))
                    .sorted(Comparator.naturalOrder()).toList();
        }
        int direct = Math.min(n, originals.size());
        int step = Math.max(1, originals.size() / direct);
        for (int i = 0, made = 0; made < direct; i += step, made++) {
            Path src = originals.get(i).toAbsolutePath();
            Path dst = folder.resolve("orig").resolve(source.relativize(originals.get(i)));
            Files.createDirectories(dst.getParent());
            Files.deleteIfExists(dst);
            Files.createSymbolicLink(dst, src);
        }
        for (int i = 0; i < n - direct; i++) {
            int variant = i / originals.size() + 1;
            Path src = originals.get(i % originals.size());
            Path made = work.resolve("variants").resolve("v" + variant)
                    .resolve(source.relativize(src).toString().replaceAll("\\.\\w+$", ".png"));
            if (!Files.exists(made)) {
                Files.createDirectories(made.getParent());
                BufferedImage img = ImageIO.read(src.toFile());
                ImageIO.write(transform(img, variant), "png", made.toFile());
            }
            Path dst = folder.resolve("v" + variant).resolve(work.resolve("variants").resolve("v" + variant).relativize(made));
            Files.createDirectories(dst.getParent());
            Files.deleteIfExists(dst);
            Files.createSymbolicLink(dst, made.toAbsolutePath());
        }
        Files.writeString(folder.resolve(".complete"), n + "\n");
        return folder;
    }

    /** Variant 1 mirrored, 2 flipped, 3 rotated 180, 4 transposed, 5+ transposed and shifted by a pixel per step. */
    private static BufferedImage transform(BufferedImage img, int variant) {
        int w = img.getWidth();
        int h = img.getHeight();
        boolean swap = variant >= 4;
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_INT_RGB);
        int shift = Math.max(0, variant - 4);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                switch (variant) {
                    case 1 -> out.setRGB(w - 1 - x, y, rgb);
                    case 2 -> out.setRGB(x, h - 1 - y, rgb);
                    case 3 -> out.setRGB(w - 1 - x, h - 1 - y, rgb);
                    default -> out.setRGB(y, (x + shift) % w, rgb);
                }
            }
        }
        return out;
    }

    private static List<String> runChild(int n, Path work) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ScalingBenchmark.class.getName(), "--child", String.valueOf(n), work.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        List<String> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(ROW)) {
                    rows.add(line);
                }
                System.out.println(line); // progress and rows, as they come (a long run can be followed in a log)
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            rows.add(ROW + n + "\tchild JVM\t-\t-\t-\t-\texited with " + rc);
        }
        return rows;
    }

    private static void child(int n, Path work) throws Exception {
        Path folder = work.resolve("images-" + n);
        Path cache = work.resolve("cache-" + n);
        BenchFiles.deleteTree(cache);
        AnalysisSettings plain = AnalysisSettings.defaults(work.resolve("vits14-random.safetensors").toString())
                .withK(10).withMapMethod(MapMethod.NONE);
        float[][] x;
        try (DefaultStudioEngine engine = new DefaultStudioEngine(cache, new ModelResolver())) {
            stage(n, "model load", () -> engine.depth(plain) + " blocks");
            long start = System.nanoTime();
            long[] lastPrint = {start};
            FolderEmbeddings[] out = new FolderEmbeddings[1];
            stage(n, "embed (scan, decode, forward, cache, states)", () -> {
                out[0] = engine.embed(folder, plain, progress -> {
                    long now = System.nanoTime();
                    if (now - lastPrint[0] > 60e9) {
                        lastPrint[0] = now;
                        System.out.printf(Locale.ROOT, "  [%d] %s, %.0f s, CPU %.0f s%n", n, progress,
                                (now - start) / 1e9, ProcessMemory.cpuNanos() / 1e9);
                    }
                }, Cancellation.none());
                return String.format(Locale.ROOT, "%.2f images/s, %d skipped, cache on disk %d MB",
                        out[0].paths().size() / out[0].seconds(), out[0].skipped().size(), sizeMb(cache));
            });
            x = out[0].embeddings();
        }
        float[][] data = x;
        stage(n, "k-means k=10, 10 restarts", () -> new KMeansClusterer().cluster(data, 10).k() + " clusters");
        stage(n, "auto-k 2..20, 3 restarts", () -> "k=" + new AutoK().choose(data).bestK());
        stage(n, "Ward k=10", () -> new WardClusterer().clusterByK(data, 10).k() + " clusters");
        stage(n, "Barnes-Hut t-SNE", () -> new TsneMap().compute(data).x().length + " points");
        stage(n, "PCA map", () -> new PcaMap().compute(data).x().length + " points");
    }

    /** One timed stage; returns a note for the table. */
    private interface Stage {
        String run() throws Exception;
    }

    private static void stage(int n, String name, Stage body) throws Exception {
        System.gc();
        ProcessMemory.resetPeaks();
        long cpu0 = ProcessMemory.cpuNanos();
        long t0 = System.nanoTime();
        String note = body.run();
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (ProcessMemory.cpuNanos() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "%s%d\t%s\t%.1f\t%.1f\t%d\t%d\t%s (load %s)%n", ROW, n, name, wall, cpu,
                ProcessMemory.peakHeapMb(), ProcessMemory.peakRssMb(), note, loadAverage());
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + "/" + f[1];
        } catch (IOException e) {
            return "?";
        }
    }

    private static long sizeMb(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() >> 20;
        } catch (IOException e) {
            return -1;
        }
    }
}
