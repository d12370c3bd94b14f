package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.itaestudio.Fixtures;
import org.itaestudio.store.CsvReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster --method hdbscan} and {@code --with-map umap} from the outside, on the tiny reg4 checkpoint. */
class DensityClusterCliTest {

    @TempDir
    static Path tmp;

    static String model;
    static Path pair;
    static Path copies;

    @BeforeAll
    static void setUp() throws Exception {
        System.setProperty("itae.cacheDir", tmp.resolve("cache").toString());
        model = Fixtures.path("reg4/official.pth").toString();
        pair = tmp.resolve("pair");
        Files.createDirectories(pair);
        Files.copy(Fixtures.path("img224.png"), pair.resolve("a.png"));
        Files.copy(Fixtures.path("img280x224.png"), pair.resolve("b.png"));
        // three copies of each image: two dense groups of three
        copies = tmp.resolve("copies");
        Files.createDirectories(copies);
        for (int i = 0; i < 3; i++) {
            Files.copy(Fixtures.path("img224.png"), copies.resolve("a" + i + ".png"));
            Files.copy(Fixtures.path("img280x224.png"), copies.resolve("b" + i + ".png"));
        }
    }

    @Test
    void tooFewImagesForAClusterAreAllMinusOne() throws Exception {
        Path out = tmp.resolve("pair.csv");
        CliRunner.Run r = CliRunner.run("cluster", "--model", model, "--input", pair.toString(), "--method", "hdbscan",
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<List<String>> rows = CsvReader.read(out).rows();
        assertEquals(List.of(List.of("a.png", "-1"), List.of("b.png", "-1")), rows);
        assertTrue(r.err().contains("2 image(s) in 0 cluster(s), 2 unclustered (-1)"), r.err());
    }

    @Test
    void twoDenseGroupsWithAUmapMap() throws Exception {
        Path out = tmp.resolve("copies.csv");
        CliRunner.Run r = CliRunner.run("cluster", "--model", model, "--input", copies.toString(), "--cluster", "hdbscan",
                "--min-cluster-size", "3", "--min-samples", "2", "--reduce", "none", "--with-map", "umap",
                "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        CsvReader.Table t = CsvReader.read(out);
        assertEquals(List.of("path", "cluster", "x", "y"), t.header());
        List<List<String>> rows = t.rows(); // a0, a1, a2, b0, b1, b2
        for (int i = 0; i < 6; i++) {
            assertEquals(rows.get(i / 3 * 3).get(1), rows.get(i).get(1), "copies share a cluster");
            assertTrue(Float.isFinite(Float.parseFloat(rows.get(i).get(2))) && Float.isFinite(Float.parseFloat(rows.get(i).get(3))));
        }
        assertNotEquals(rows.get(0).get(1), rows.get(3).get(1), "the two images are two clusters");
        assertFalse(rows.get(0).get(1).equals("-1") || rows.get(3).get(1).equals("-1"));
    }

    @Test
    void badDensityOptionsGetOneLineAndExitTwo() {
        Path out = tmp.resolve("bad.csv");
        String[][] cases = {
                {"--method", "hdbscan", "--k", "3"},
                {"--method", "hdbscan", "--min-cluster-size", "1"},
                {"--method", "hdbscan", "--min-samples", "0"},
                {"--method", "hdbscan", "--reduce", "tsne"},
                {"--k", "2", "--min-samples", "4"},
                {"--method", "kmeans"},
                {"--k", "2", "--with-map", "mds"},
        };
        String[] expected = {"--k is not used with hdbscan", "--min-cluster-size must be >= 2", "--min-samples must be >= 1",
                "--reduce must be umap10|pca50|none", "are hdbscan options", "--k is required", "--with-map must be"};
        for (int c = 0; c < cases.length; c++) {
            List<String> args = new java.util.ArrayList<>(List.of("cluster", "--model", model, "--input", pair.toString(),
                    "--output", out.toString()));
            args.addAll(List.of(cases[c]));
            CliRunner.Run r = CliRunner.run(args.toArray(new String[0]));
            assertEquals(2, r.exitCode(), String.join(" ", cases[c]) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(expected[c]), r.err());
        }
        assertFalse(Files.exists(out), "nothing written");
    }
}
