package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.itaestudio.Fixtures;
import org.itaestudio.store.CsvReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code similar}, {@code duplicates} and the exploration exports, run in-process on the tiny reg4 checkpoint. The
 * folder holds three distinct images and a byte copy of one of them ({@code c/copy of a.png}), so "the most similar
 * image is the copy, at similarity 1" is a check that can fail.
 */
class ExploreCliTest {

    @TempDir
    static Path tmp;

    static String model;
    static Path folder;
    static Path single;

    @BeforeAll
    static void setUp() throws Exception {
        System.setProperty("itae.cacheDir", tmp.resolve("cache").toString());
        model = Fixtures.path("reg4/official.pth").toString();
        folder = tmp.resolve("photos");
        Files.createDirectories(folder.resolve("c"));
        Files.copy(Fixtures.path("img224.png"), folder.resolve("a.png"));
        Files.copy(Fixtures.path("img280x224.png"), folder.resolve("b.png"));
        Files.copy(Fixtures.path("img224.png"), folder.resolve("c/copy of a.png"));
        BufferedImage flipped = ImageIO.read(Fixtures.path("img224.png").toFile());
        BufferedImage other = new BufferedImage(flipped.getWidth(), flipped.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < flipped.getHeight(); y++) {
            for (int x = 0; x < flipped.getWidth(); x++) {
                other.setRGB(x, y, ~flipped.getRGB(flipped.getWidth() - 1 - x, flipped.getHeight() - 1 - y));
            }
        }
        ImageIO.write(other, "png", folder.resolve("d.png").toFile());
        single = tmp.resolve("single");
        Files.createDirectories(single);
        Files.copy(Fixtures.path("img224.png"), single.resolve("only.png"));
    }

    private static CliRunner.Run run(String command, Path input, String... more) {
        String[] base = {command, "--model", model, "--input", input.toString(), "--image-size", "224"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRunner.run(args);
    }

    /** Exactly one error line, no stack trace. */
    private static void oneErrorLine(CliRunner.Run r, int exit, String contains) {
        assertEquals(exit, r.exitCode(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("itae-studio:")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains(contains), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void similarToAnImageInTheFolderFindsItsCopyAndLeavesItselfOut() throws Exception {
        CliRunner.Run r = run("similar", folder, "--image", folder.resolve("a.png").toString(), "--k", "3");
        assertEquals(0, r.exitCode(), r.err());
        List<List<String>> rows = CsvReader.parse(r.out(), "stdout").rows();
        assertEquals("path,similarity", r.out().lines().findFirst().orElseThrow());
        assertEquals(3, rows.size(), r.out());
        assertEquals("c/copy of a.png", rows.get(0).get(0));
        assertEquals(1.0, Double.parseDouble(rows.get(0).get(1)), 1e-5);
        assertTrue(rows.stream().noneMatch(row -> row.get(0).equals("a.png")), "the query is not its own neighbour");
        double prev = 2;
        for (List<String> row : rows) {
            double s = Double.parseDouble(row.get(1));
            assertTrue(s <= prev && s >= -1 && s <= 1, r.out());
            prev = s;
        }
    }

    @Test
    void similarToAnOutsideImageWritesAFile() throws Exception {
        Path query = tmp.resolve("query.png");
        Files.copy(Fixtures.path("img224.png"), query);
        Path out = tmp.resolve("similar.csv");
        CliRunner.Run r = run("similar", folder, "--image", query.toString(), "--k", "4", "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<List<String>> rows = CsvReader.read(out).rows();
        assertEquals(4, rows.size());
        // both byte copies of the query, at similarity 1, ties in path order
        assertEquals("a.png", rows.get(0).get(0));
        assertEquals("c/copy of a.png", rows.get(1).get(0));
        assertEquals(1.0, Double.parseDouble(rows.get(0).get(1)), 1e-4);
        assertEquals(1.0, Double.parseDouble(rows.get(1).get(1)), 1e-4);
    }

    @Test
    void similarRefusesBadInput() throws Exception {
        oneErrorLine(run("similar", folder, "--image", folder.resolve("a.png").toString(), "--k", "4"), 2,
                "--k 4 is larger than the 3 other image(s)");
        oneErrorLine(run("similar", folder, "--image", folder.resolve("a.png").toString(), "--k", "0"), 2, "--k must be >= 1");
        oneErrorLine(run("similar", single, "--image", single.resolve("only.png").toString(), "--k", "1"), 1,
                "no other image");
        oneErrorLine(run("similar", folder, "--image", tmp.resolve("missing.png").toString()), 1, "missing.png");
    }

    @Test
    void duplicatesGroupsTheCopyWithItsOriginal() throws Exception {
        Path out = tmp.resolve("dups.csv");
        CliRunner.Run r = run("duplicates", folder, "--threshold", "0.9999", "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        CsvReader.Table t = CsvReader.read(out);
        assertEquals(List.of("group", "path", "similarity_to_first", "mark"), t.header());
        assertEquals(List.of("0", "a.png", "1.0", "keep"), t.rows().get(0));
        assertEquals("c/copy of a.png", t.rows().get(1).get(1));
        assertEquals("drop", t.rows().get(1).get(3));
        assertEquals(1.0, Double.parseDouble(t.rows().get(1).get(2)), 1e-5);
        assertEquals(2, t.rows().size(), "the distinct images are in no set at 0.9999");
        assertTrue(r.err().contains("1 near-duplicate set(s)"), r.err());

        CliRunner.Run all = run("duplicates", folder, "--threshold", "-1");
        assertEquals(0, all.exitCode(), all.err());
        assertEquals(1 + 4, all.out().lines().count(), "every image in one set at -1: " + all.out());
    }

    @Test
    void duplicatesRefusesBadInput() {
        oneErrorLine(run("duplicates", folder, "--threshold", "1.5"), 2, "--threshold must be in [-1, 1]");
        oneErrorLine(run("duplicates", folder, "--threshold", "-1.01"), 2, "--threshold must be in [-1, 1]");
        oneErrorLine(run("duplicates", folder, "--threshold", "high"), 2, "--threshold must be a number");
        oneErrorLine(run("duplicates", single), 1, "only one readable image");
    }

    @Test
    void embedToNpyWritesTheArrayAndItsPaths() throws Exception {
        Path out = tmp.resolve("npy").resolve("emb.npy");
        Files.createDirectories(out.getParent());
        CliRunner.Run r = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--image-size", "224",
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        byte[] bytes = Files.readAllBytes(out);
        String header = new String(bytes, 10, (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (4, 128)"), header);
        int start = 10 + header.length();
        assertEquals(start + 4 * 128 * 4, bytes.length);
        assertEquals(List.of("a.png", "b.png", "c/copy of a.png", "d.png"),
                CsvReader.read(out.resolveSibling("paths.csv")).values("path"));
        // rows 0 and 2 are the same image, so the same floats
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < 128; j++) {
            assertEquals(b.getFloat(start + 4 * j), b.getFloat(start + 4 * (2 * 128 + j)));
        }
    }

    @Test
    void clusterWritesTheViewWithOutlierScores() throws Exception {
        Path out = tmp.resolve("view.csv");
        CliRunner.Run r = run("cluster", folder, "--k", "2", "--with-map", "pca", "--with-outlier-score", "1",
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        CsvReader.Table t = CsvReader.read(out);
        assertEquals(List.of("path", "cluster", "x", "y", "outlier_score"), t.header());
        List<String> scores = t.values("outlier_score");
        // with k = 1 the original and its copy are each other's nearest neighbour at distance 0
        assertEquals(0.0, Double.parseDouble(scores.get(0)), 1e-6);
        assertEquals(0.0, Double.parseDouble(scores.get(2)), 1e-6);
        assertTrue(Double.parseDouble(scores.get(3)) > 1e-4, "the distinct image is not at distance 0");
        oneErrorLine(run("cluster", folder, "--k", "2", "--with-outlier-score", "4", "--output", out.toString()), 2,
                "--with-outlier-score K must be in [1, 3]");
    }
}
