package org.itaestudio.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.itaestudio.cli.ItaeStudioCommand;
import org.itaestudio.cluster.Metrics;
import org.itaestudio.store.CsvReader;
import org.itaestudio.ui.SyntheticModelFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in local mode against the single-process CLI on the same images and model: embeddings, labels,
 * a retried task, an incremental rerun, and bad input. One Spark session ({@code local[2,4]}: two threads, a task
 * may fail up to 4 times) serves every test; the job reuses it instead of starting its own.
 */
class EmbedClusterJobTest {

    /** Three colour families, so that even a random-weight model separates them and k-means has a clear answer. */
    private static final int[][] FAMILIES = {{200, 40, 40}, {40, 180, 60}, {50, 60, 210}};

    @TempDir
    static Path dir;

    static Path model;
    static Path images;
    static SparkSession spark;

    @BeforeAll
    static void setUp() throws IOException {
        model = SyntheticModelFiles.write(dir.resolve("tiny.safetensors"), SyntheticModelFiles.TINY, 11);
        images = dir.resolve("images");
        writeImages(images, 0, 60);
        Files.writeString(images.resolve("f0/corrupt.jpg"), "not a jpeg");
        spark = SparkSession.builder().master("local[2,4]").appName("itae-studio test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    @AfterEach
    void resetHook() {
        ExecutorEmbedder.hook = (partition, attempt) -> { };
    }

    @Test
    void embeddingsEqualTheCliWithAndWithoutItae() throws IOException {
        for (List<String> itae : List.of(List.<String>of(),
                List.of("--itae-threshold", "auto", "--itae-strength", "1", "--itae-layers", "1-3", "--itae-rows", "all"))) {
            Path out = dir.resolve("parity-" + itae.size());
            Run job = sparkJob(concat(List.of("--input", images.toString(), "--output", out.toString(), "--k", "3"), itae));
            assertEquals(0, job.exit, job.err);
            Path csv = dir.resolve("cli-" + itae.size() + ".csv");
            Run cli = cli(concat(List.of("embed", "--model", model.toString(), "--input", images.toString(), "--output",
                    csv.toString(), "--no-cache"), itae));
            assertEquals(0, cli.exit, cli.err);

            Map<String, float[]> ours = embeddings(out.resolve("embeddings.csv"));
            Map<String, float[]> theirs = embeddings(csv);
            assertEquals(theirs.keySet(), ours.keySet());
            assertEquals(60, ours.size());
            double worst = 0;
            for (String p : theirs.keySet()) {
                for (int j = 0; j < theirs.get(p).length; j++) {
                    worst = Math.max(worst, Math.abs(theirs.get(p)[j] - ours.get(p)[j]));
                }
            }
            assertTrue(worst <= 1e-5, "max |spark - cli| = " + worst);
            // the Parquet table holds the same rows as the app's CSV
            List<Row> table = spark.read().parquet(out.resolve("embeddings").toString()).collectAsList();
            assertEquals(60, table.size());
            // the NumPy export: float32 rows in paths.csv's order, equal to the CSV's
            List<String> npyPaths = CsvReader.read(out.resolve("paths.csv")).values("path");
            assertEquals(60, npyPaths.size());
            byte[] npy = Files.readAllBytes(out.resolve("embeddings.npy"));
            int header = 10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8);
            java.nio.ByteBuffer body = java.nio.ByteBuffer.wrap(npy, header, npy.length - header)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            float[] first = ours.get(npyPaths.get(0));
            for (float v : first) {
                assertEquals(v, body.getFloat());
            }
            List<String> skipped = CsvReader.read(out.resolve("skipped.csv")).values("path");
            assertEquals(List.of("f0/corrupt.jpg"), skipped);
            System.out.printf("spark vs cli embed (itae %s): max abs difference %.2e%n", !itae.isEmpty(), worst);
        }
    }

    @Test
    void mllibLabelsAgreeWithTheCliKMeans() throws IOException {
        Path out = dir.resolve("labels");
        assertEquals(0, sparkJob(List.of("--input", images.toString(), "--output", out.toString(), "--k", "3")).exit);
        Path csv = dir.resolve("cli-labels.csv");
        Run cli = cli(List.of("cluster", "--model", model.toString(), "--input", images.toString(), "--output",
                csv.toString(), "--k", "3", "--no-cache"));
        assertEquals(0, cli.exit, cli.err);
        Map<String, Integer> ours = labels(out.resolve("labels.csv"));
        Map<String, Integer> theirs = labels(csv);
        assertEquals(theirs.keySet(), ours.keySet());
        int[] a = new int[ours.size()];
        int[] b = new int[ours.size()];
        int i = 0;
        for (String p : theirs.keySet()) {
            a[i] = theirs.get(p);
            b[i++] = ours.get(p);
        }
        double ari = Metrics.ari(a, b);
        System.out.printf("MLlib k-means vs CLI k-means, k = 3, 60 images: ARI %.4f%n", ari);
        assertTrue(ari > 0.9, "ARI " + ari);
    }

    @Test
    void aRetriedTaskLeavesEveryImageOnce() throws IOException {
        AtomicInteger failures = new AtomicInteger();
        ExecutorEmbedder.hook = (partition, attempt) -> {
            if (partition == 0 && attempt == 0) {
                failures.incrementAndGet();
                throw new IllegalStateException("injected failure of the first attempt");
            }
        };
        Path out = dir.resolve("retry");
        Run job = sparkJob(List.of("--input", images.toString(), "--output", out.toString(), "--k", "2"));
        assertEquals(0, job.exit, job.err);
        assertEquals(1, failures.get());
        List<String> paths = spark.read().parquet(out.resolve("embeddings").toString()).select("relative_path")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(60, paths.size());
        assertEquals(60, new HashSet<>(paths).size());
        assertEquals(60, spark.read().parquet(out.resolve("labels").toString()).count());
    }

    @Test
    void aRerunOnAGrownFolderEmbedsOnlyNewContent() throws IOException {
        Path grown = dir.resolve("grown");
        writeImages(grown, 0, 40);
        Path out = dir.resolve("incremental");
        Run first = sparkJob(List.of("--input", grown.toString(), "--output", out.toString(), "--k", "3"));
        assertEquals(0, first.exit, first.err);
        assertEquals(40, summary(first).get("embedded_now").getAsInt());

        writeImages(grown, 40, 20);
        Files.copy(grown.resolve("f1/img0001.png"), grown.resolve("f1/copy-of-0001.png")); // known content, new path
        Run again = sparkJob(List.of("--input", grown.toString(), "--output", out.toString(), "--k", "3"));
        assertEquals(2, again.exit, "an existing output needs --update or --overwrite");
        assertTrue(again.err.contains("output exists"), again.err);

        Run update = sparkJob(List.of("--input", grown.toString(), "--output", out.toString(), "--k", "3", "--update"));
        assertEquals(0, update.exit, update.err);
        JsonObject s = summary(update);
        assertEquals(20, s.get("embedded_now").getAsInt());
        assertEquals(41, s.get("reused").getAsInt());
        assertEquals(61, s.get("images").getAsInt());
        Map<String, float[]> all = embeddings(out.resolve("embeddings.csv"));
        assertEquals(61, all.size());
        assertTrue(java.util.Arrays.equals(all.get("f1/img0001.png"), all.get("f1/copy-of-0001.png")));
        assertTrue(Files.exists(out.resolve(OutputFolder.JOB_FILE)));
        assertFalse(Files.exists(out.resolve(OutputFolder.STAGING)));
    }

    @Test
    void badInputGetsOneLineAndNothingThatPassesForAFinishedJob() throws IOException {
        Path out = dir.resolve("bad");
        Run missing = sparkJob(List.of("--input", dir.resolve("nope").toString(), "--output", out.toString()));
        assertEquals(2, missing.exit);
        assertOneLine(missing.err, "input not found");

        Run noModel = cli(List.of("spark", "embed-cluster", "--model", dir.resolve("absent.safetensors").toString(),
                "--input", images.toString(), "--output", out.toString()));
        assertEquals(1, noModel.exit);
        assertOneLine(noModel.err, "cannot read the model");

        // the driver can read the model, the executors cannot (gone by the time the tasks start)
        Path vanishing = Files.copy(model, dir.resolve("vanishing.safetensors"));
        ExecutorEmbedder.hook = (partition, attempt) -> {
            try {
                Files.deleteIfExists(vanishing);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        Run gone = cli(List.of("spark", "embed-cluster", "--model", vanishing.toString(), "--input", images.toString(),
                "--output", out.toString(), "--k", "2"));
        assertEquals(1, gone.exit);
        assertOneLine(gone.err, "executor cannot load the model");
        assertFalse(Files.exists(out.resolve(OutputFolder.JOB_FILE)));
        assertFalse(Files.exists(out.resolve("embeddings")));

        Path other = Files.createDirectories(dir.resolve("not-a-job"));
        Files.writeString(other.resolve("notes.txt"), "someone's files");
        Run halfWritten = sparkJob(List.of("--input", images.toString(), "--output", other.toString(), "--k", "2"));
        assertEquals(2, halfWritten.exit, "a folder without job.json is not reused silently");
        assertOneLine(halfWritten.err, "holds no finished job");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private record Run(int exit, String out, String err) {
    }

    private static Run sparkJob(List<String> args) {
        return cli(concat(List.of("spark", "embed-cluster", "--model", model.toString()), args));
    }

    private static synchronized Run cli(List<String> args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            picocli.CommandLine cl = ItaeStudioCommand.commandLine();
            cl.setOut(new java.io.PrintWriter(System.out, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            exit = cl.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        oldErr.print(r.err);
        return r;
    }

    private static void assertOneLine(String err, String expected) {
        List<String> lines = err.lines().filter(l -> l.startsWith("itae-studio:")).toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).contains(expected), lines.get(0));
    }

    private static JsonObject summary(Run r) {
        String last = r.out.strip().lines().reduce((a, b) -> b).orElseThrow();
        return JsonParser.parseString(last).getAsJsonObject();
    }

    private static Map<String, float[]> embeddings(Path csv) throws IOException {
        CsvReader.Table t = CsvReader.read(csv);
        Map<String, float[]> m = new HashMap<>();
        for (List<String> row : t.rows()) {
            float[] v = new float[row.size() - 1];
            for (int j = 1; j < row.size(); j++) {
                v[j - 1] = Float.parseFloat(row.get(j));
            }
            m.put(row.get(0), v);
        }
        return m;
    }

    private static Map<String, Integer> labels(Path csv) throws IOException {
        CsvReader.Table t = CsvReader.read(csv);
        Map<String, Integer> m = new java.util.TreeMap<>();
        int c = t.column("cluster");
        for (List<String> row : t.rows()) {
            m.put(row.get(0), Integer.parseInt(row.get(c)));
        }
        return m;
    }

    /** Images {@code from..from+count-1}: family i % 3 in folder f(i%3), noisy blocks so each is distinct. */
    private static void writeImages(Path root, int from, int count) throws IOException {
        for (int i = from; i < from + count; i++) {
            int[] base = FAMILIES[i % 3];
            Random rnd = new Random(i);
            BufferedImage img = new BufferedImage(40, 32, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int n = (x / 8 + y / 8) % 2 == 0 ? rnd.nextInt(30) : -rnd.nextInt(30);
                    img.setRGB(x, y, (clamp(base[0] + n) << 16) | (clamp(base[1] + n) << 8) | clamp(base[2] + n));
                }
            }
            Path f = root.resolve("f" + (i % 3)).resolve(String.format("img%04d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(img, "png", f.toFile());
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
