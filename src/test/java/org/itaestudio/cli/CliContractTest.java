package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.itaestudio.Fixtures;
import org.itaestudio.store.CsvReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI contract (README, "Command line") checked from the outside: file formats, and values against the independent PyTorch
 * reference (golden JSON) for the tiny reg4 checkpoint. Runs the real commands in-process with a temporary cache.
 */
class CliContractTest {

    @TempDir
    static Path tmp;

    static String model;
    static Path folder;

    @BeforeAll
    static void setUp() throws Exception {
        System.setProperty("itae.cacheDir", tmp.resolve("cache").toString());
        model = Fixtures.path("reg4/official.pth").toString();
        // A folder with sub-folders, a name with a comma, and a broken file.
        folder = tmp.resolve("photos");
        Files.createDirectories(folder.resolve("b, sub"));
        Files.createDirectories(folder.resolve("a"));
        Files.copy(Fixtures.path("img224.png"), folder.resolve("a/img224.png"));
        Files.copy(Fixtures.path("img280x224.png"), folder.resolve("b, sub/wide.png"));
        Files.writeString(folder.resolve("a/broken.jpg"), "not a jpeg");
    }

    @Test
    void embedWritesSortedRelativePathsAndMatchesTheReference() throws Exception {
        Path out = tmp.resolve("emb.csv");
        CliRunner.Run r = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output", out.toString(),
                "--image-size", "224", "--crop", "224");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("a/broken.jpg: "), "skipped file listed with a reason: " + r.err());
        CsvReader.Table table = CsvReader.read(out);
        assertEquals("path", table.header().get(0));
        assertEquals("e0", table.header().get(1));
        assertEquals(1 + 128, table.header().size());
        List<List<String>> rows = new java.util.ArrayList<>(table.rows());
        rows.add(0, table.header());
        assertEquals(3, rows.size(), "header + 2 readable images");
        assertEquals("a/img224.png", rows.get(1).get(0));
        assertEquals("b, sub/wide.png", rows.get(2).get(0));
        assertTrue(Files.readString(out, StandardCharsets.UTF_8).contains("\n\"b, sub/wide.png\","), "RFC 4180 quoting");
        // 224x224 passes through preprocessing unchanged, so the row equals the reference embedding.
        float[] expected = Fixtures.floats(Fixtures.json("golden/reg4__img224__off.json").get("embedding"));
        float[] actual = new float[128];
        for (int i = 0; i < 128; i++) {
            actual[i] = Float.parseFloat(rows.get(1).get(i + 1));
        }
        assertTrue(Fixtures.maxAbsDiff(expected, actual) <= 1e-4);
    }

    @Test
    void cropNoneKeepsTheWholeImage() throws Exception {
        Path out = tmp.resolve("wide.json");
        CliRunner.Run r = CliRunner.run("inspect", "--model", model, "--image", folder.resolve("b, sub/wide.png").toString(),
                "--layer", "1", "--output", out.toString(), "--image-size", "224", "--crop", "none");
        assertEquals(0, r.exitCode(), r.err());
        JsonObject j = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        assertEquals(16, j.getAsJsonArray("grid").get(0).getAsInt());
        assertEquals(20, j.getAsJsonArray("grid").get(1).getAsInt());
        float[] expected = Fixtures.floats(Fixtures.json("golden/reg4__img280x224__off.json").get("embedding"));
        assertTrue(Fixtures.maxAbsDiff(expected, Fixtures.floats(j.get("embedding"))) <= 1e-4);
    }

    @Test
    void inspectMatchesTheReferenceWithItae() throws Exception {
        JsonObject g = Fixtures.json("golden/reg4__img224__v_s05.json");
        double threshold = g.getAsJsonObject("itae").get("threshold").getAsDouble();
        Path out = tmp.resolve("inspect.json");
        CliRunner.Run r = CliRunner.run("inspect", "--model", model, "--image", folder.resolve("a/img224.png").toString(),
                "--layer", "1", "--output", out.toString(), "--image-size", "224", "--crop", "224",
                "--itae-component", "v", "--itae-threshold", Double.toString(threshold), "--itae-strength", "0.5");
        assertEquals(0, r.exitCode(), r.err());
        JsonObject j = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        JsonObject gl = g.getAsJsonObject("layers").getAsJsonObject("1");
        assertEquals(4, j.get("registers").getAsInt());
        assertEquals(1 + 4 + 256, j.getAsJsonObject("norms").getAsJsonArray("v").size());
        assertArrayEquals(Fixtures.ints(gl.get("artifacts")), Fixtures.ints(j.get("artifacts")));
        assertTrue(Fixtures.maxAbsDiff(Fixtures.floats(gl.get("cls_attention")), Fixtures.floats(j.get("cls_attention"))) <= 1e-5);
        assertTrue(Fixtures.maxScaledDiff(Fixtures.floats(gl.getAsJsonObject("norms").get("v")),
                Fixtures.floats(j.getAsJsonObject("norms").get("v"))) <= 1e-4);
        assertTrue(Fixtures.maxAbsDiff(Fixtures.floats(g.get("embedding")), Fixtures.floats(j.get("embedding"))) <= 1e-4);
    }

    @Test
    void itaeWithStrengthZeroIsBitIdenticalToItaeOff() throws Exception {
        Path off = tmp.resolve("off.csv");
        Path zero = tmp.resolve("zero.csv");
        assertEquals(0, CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output", off.toString(),
                "--no-cache").exitCode());
        assertEquals(0, CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output", zero.toString(),
                "--no-cache", "--itae-threshold", "1e9", "--itae-strength", "0").exitCode());
        assertEquals(Files.readString(off), Files.readString(zero));
    }

    @Test
    void jpegDraftChangesOnlyJpegsTheDecoderCanScale() throws Exception {
        Path dir = tmp.resolve("draft-input");
        Files.createDirectories(dir);
        Files.copy(Fixtures.path("img224.png"), dir.resolve("png.png")); // not a JPEG: decoded in full either way
        Files.copy(Path.of(getClass().getResource("/jpeg-fixtures/pil_422_q90_200x150.jpg").toURI()), dir.resolve("photo.jpg"));
        Path full = tmp.resolve("full.csv");
        Path draft = tmp.resolve("draft.csv");
        assertEquals(0, CliRunner.run("embed", "--model", model, "--input", dir.toString(), "--output", full.toString(),
                "--image-size", "56", "--crop", "56").exitCode());
        assertEquals(0, CliRunner.run("embed", "--model", model, "--input", dir.toString(), "--output", draft.toString(),
                "--image-size", "56", "--crop", "56", "--jpeg-draft").exitCode());
        java.util.List<String> a = Files.readAllLines(full);
        java.util.List<String> b = Files.readAllLines(draft);
        assertEquals(a.get(0), b.get(0), "header");
        assertTrue(a.get(1).startsWith("photo.jpg,") && !a.get(1).equals(b.get(1)), "the JPEG row changes");
        assertEquals(a.get(2), b.get(2), "the PNG row does not");
    }

    @Test
    void clusterAndEvaluate() throws Exception {
        Path labels = tmp.resolve("labels.csv");
        CliRunner.Run r = CliRunner.run("cluster", "--model", model, "--input", folder.toString(), "--k", "2",
                "--output", labels.toString(), "--with-distance");
        assertEquals(0, r.exitCode(), r.err());
        CsvReader.Table table = CsvReader.read(labels);
        assertEquals(List.of("path", "cluster", "distance"), table.header());
        List<List<String>> rows = new java.util.ArrayList<>(table.rows());
        rows.add(0, table.header());
        assertEquals(3, rows.size());
        assertFalse(rows.get(1).get(1).equals(rows.get(2).get(1)), "two images, two clusters");
        CliRunner.Run ev = CliRunner.run("evaluate", "--labels", labels.toString(), "--truth-from-folders", folder.toString());
        assertEquals(0, ev.exitCode(), ev.err());
        JsonObject j = JsonParser.parseString(ev.out()).getAsJsonObject();
        assertEquals(1.0, j.get("ACC").getAsDouble(), 1e-12);
        assertEquals(1.0, j.get("NMI").getAsDouble(), 1e-12);
        assertEquals(2, j.get("n").getAsInt());
    }

    @Test
    void evaluateAgainstATruthCsv() throws Exception {
        // 6 items, classes x/y/z, clusters merge y and z: ACC 4/6 by Hungarian matching.
        Path labels = tmp.resolve("l.csv");
        Path truth = tmp.resolve("t.csv");
        Files.writeString(labels, "path,cluster\n1,0\n2,0\n3,1\n4,1\n5,1\n6,1\n");
        Files.writeString(truth, "path,label\n1,x\n2,x\n3,y\n4,y\n5,z\n6,z\n");
        CliRunner.Run ev = CliRunner.run("evaluate", "--labels", labels.toString(), "--truth", truth.toString());
        assertEquals(0, ev.exitCode(), ev.err());
        JsonObject j = JsonParser.parseString(ev.out()).getAsJsonObject();
        assertEquals(4.0 / 6, j.get("ACC").getAsDouble(), 1e-12);
        // sklearn: normalized_mutual_info_score([0,0,1,1,2,2],[0,0,1,1,1,1]) = 0.7336804366512113
        assertEquals(0.7336804366512113, j.get("NMI").getAsDouble(), 1e-9);
        // sklearn: adjusted_rand_score(...) = 0.4444444444444444
        assertEquals(0.4444444444444444, j.get("ARI").getAsDouble(), 1e-9);
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() throws Exception {
        Path out = tmp.resolve("x.csv");
        CliRunner.Run missingModel = CliRunner.run("embed", "--model", tmp.resolve("none.pth").toString(), "--input",
                folder.toString(), "--output", out.toString());
        assertEquals(1, missingModel.exitCode());
        assertEquals(1, missingModel.err().strip().lines().count(), missingModel.err());
        assertTrue(missingModel.err().contains("model path not found"));

        CliRunner.Run malicious = CliRunner.run("inspect", "--model", Fixtures.path("malicious.pth").toString(),
                "--image", folder.resolve("a/img224.png").toString(), "--output", out.toString());
        assertEquals(1, malicious.exitCode());
        assertTrue(malicious.err().contains("posix.system"), malicious.err());
        assertFalse(malicious.err().contains("\tat "), "no stack trace");

        CliRunner.Run usage = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output",
                out.toString(), "--itae-direction", "sideways");
        assertEquals(2, usage.exitCode());
        assertTrue(usage.err().contains("--itae-direction must be below|above"), usage.err());

        CliRunner.Run unknownOption = CliRunner.run("embed", "--frobnicate");
        assertEquals(2, unknownOption.exitCode());

        Path broken = tmp.resolve("only-broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("x.png"), "nope");
        CliRunner.Run none = CliRunner.run("cluster", "--model", model, "--input", broken.toString(), "--k", "2",
                "--output", out.toString());
        assertEquals(1, none.exitCode());
        assertTrue(none.err().contains("x.png: ") && none.err().contains("no readable image"), none.err());
        assertFalse(Files.exists(out), "nothing written on failure");
    }
}
