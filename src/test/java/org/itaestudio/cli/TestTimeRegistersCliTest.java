package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.itaestudio.model.TtrFixtures;
import org.itaestudio.store.CsvReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * calibrate-registers and --test-time-registers from the outside, on the tiny S/14-shaped model with planted register
 * neurons and its 8 calibration images saved as 84x84 PNGs (--image-size 84 --crop 84 passes them unchanged).
 */
class TestTimeRegistersCliTest {

    @TempDir
    static Path tmp;

    static String model;
    static String otherModel;
    static Path folder;
    static Path neurons;

    @BeforeAll
    static void setUp() throws Exception {
        System.setProperty("itae.cacheDir", tmp.resolve("cache").toString());
        model = TtrFixtures.path("s14_tiny.safetensors").toString();
        otherModel = TtrFixtures.path("g14_tiny_reg4.safetensors").toString();
        folder = tmp.resolve("photos");
        Files.createDirectories(folder);
        float[] all = TtrFixtures.images("s14_tiny");
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        int s = TtrFixtures.SIDE;
        for (int i = 0; i < TtrFixtures.IMAGES; i++) {
            float[] chw = TtrFixtures.image(all, i);
            BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        float v = (chw[(c * s + y) * s + x] * std[c] + mean[c]) * 255f;
                        rgb = (rgb << 8) | Math.max(0, Math.min(255, Math.round(v)));
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            ImageIO.write(img, "png", folder.resolve("img" + i + ".png").toFile());
        }
        Files.writeString(folder.resolve("broken.png"), "not a png");
        neurons = tmp.resolve("neurons.json");
        CliRunner.Run r = CliRunner.run("calibrate-registers", "--model", model, "--input", folder.toString(), "--output",
                neurons.toString(), "--image-size", "84", "--crop", "84", "--top-k", "6", "--images", "20");
        assertEquals(0, r.exitCode(), r.err());
    }

    static JsonObject json(Path p) throws Exception {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    @Test
    void calibrationWritesTheNeuronFile() throws Exception {
        JsonObject j = json(neurons);
        assertEquals("itae-studio/register-neurons", j.get("format").getAsString());
        assertEquals(6, j.getAsJsonArray("neurons").size());
        assertEquals(8, j.get("images_sampled").getAsInt(), "the broken file is skipped");
        assertTrue(j.get("images_with_outliers").getAsInt() > 0);
        assertEquals("auto", j.getAsJsonObject("settings").get("norm_threshold").getAsString());
        double previous = Double.MAX_VALUE;
        for (var e : j.getAsJsonArray("neurons")) {
            double score = e.getAsJsonArray().get(2).getAsDouble();
            assertTrue(score <= previous, "sorted by score");
            previous = score;
        }
    }

    @Test
    void embedWithTestTimeRegistersDiffersFromThePlainModelAndIsCachedApart() throws Exception {
        Path plain = tmp.resolve("plain.csv");
        Path ttr = tmp.resolve("ttr.csv");
        String[] common = {"--model", model, "--input", folder.toString(), "--image-size", "84", "--crop", "84"};
        CliRunner.Run a = CliRunner.run(concat(new String[] {"embed", "--output", plain.toString()}, common));
        assertEquals(0, a.exitCode(), a.err());
        CliRunner.Run b = CliRunner.run(concat(new String[] {"embed", "--output", ttr.toString(),
                "--test-time-registers", neurons.toString()}, common));
        assertEquals(0, b.exitCode(), b.err());
        List<List<String>> pr = CsvReader.read(plain).rows();
        List<List<String>> tr = CsvReader.read(ttr).rows();
        assertEquals(8, tr.size());
        assertNotEquals(pr.get(0), tr.get(0), "the plain model's cached rows are not reused");
        CliRunner.Run c = CliRunner.run(concat(new String[] {"embed", "--output", tmp.resolve("mean.csv").toString(),
                "--test-time-registers", neurons.toString(), "--ttr-count", "2", "--ttr-patch-values", "mean"}, common));
        assertEquals(0, c.exitCode(), c.err());
        assertNotEquals(tr.get(0), CsvReader.read(tmp.resolve("mean.csv")).rows().get(0));
    }

    @Test
    void inspectReportsBlockNormsAndTheRegistersAttention() throws Exception {
        Path out = tmp.resolve("inspect.json");
        CliRunner.Run r = CliRunner.run("inspect", "--model", model, "--image", folder.resolve("img0.png").toString(),
                "--output", out.toString(), "--image-size", "84", "--crop", "84", "--test-time-registers",
                neurons.toString(), "--ttr-count", "2", "--itae-threshold", "auto");
        assertEquals(0, r.exitCode(), r.err());
        JsonObject j = json(out);
        assertEquals(4, j.getAsJsonArray("block_norms").size(), "one row per block");
        assertEquals(1 + 36, j.getAsJsonArray("block_norms").get(0).getAsJsonArray().size(), "original tokens only");
        assertEquals(2, j.get("test_time_registers").getAsInt());
        assertEquals(2, j.getAsJsonArray("test_time_register_attention").size(), "per head");
        assertEquals(2, j.getAsJsonArray("test_time_register_attention").get(0).getAsJsonArray().size(), "per register");
        assertEquals(36, j.getAsJsonArray("cls_attention").get(0).getAsJsonArray().size());
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() throws Exception {
        CliRunner.Run other = CliRunner.run("embed", "--model", otherModel, "--input", folder.toString(), "--output",
                tmp.resolve("x.csv").toString(), "--image-size", "84", "--crop", "84", "--test-time-registers", neurons.toString());
        assertOneLine(other, "calibrated for another model");

        Path bad = tmp.resolve("bad-unit.json");
        Files.writeString(bad, Files.readString(neurons).replaceFirst("\\[\\s*(\\d+),\\s*(\\d+),", "[$1, 99999,"));
        CliRunner.Run unit = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output",
                tmp.resolve("y.csv").toString(), "--image-size", "84", "--crop", "84", "--test-time-registers", bad.toString());
        assertOneLine(unit, "unit index 99999 is out of range");

        CliRunner.Run none = CliRunner.run("calibrate-registers", "--model", model, "--input", folder.toString(), "--output",
                tmp.resolve("z.json").toString(), "--image-size", "84", "--crop", "84", "--norm-threshold", "1e9");
        assertOneLine(none, "no image has an outlier token at norm threshold");
        assertFalse(Files.exists(tmp.resolve("z.json")));

        CliRunner.Run layer = CliRunner.run("calibrate-registers", "--model", model, "--input", folder.toString(),
                "--output", tmp.resolve("w.json").toString(), "--detect-layer", "7");
        assertOneLine(layer, "--detect-layer 7 does not exist");
        assertEquals(2, layer.exitCode());

        CliRunner.Run notAFile = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output",
                tmp.resolve("v.csv").toString(), "--test-time-registers", tmp.resolve("missing.json").toString());
        assertOneLine(notAFile, "no such file");
        CliRunner.Run orphan = CliRunner.run("embed", "--model", model, "--input", folder.toString(), "--output",
                tmp.resolve("u.csv").toString(), "--ttr-count", "2");
        assertOneLine(orphan, "need --test-time-registers");
    }

    static void assertOneLine(CliRunner.Run r, String expected) {
        assertNotEquals(0, r.exitCode(), r.err());
        String err = r.err().strip();
        assertTrue(err.contains(expected), err);
        assertEquals(1, err.lines().filter(l -> l.startsWith("itae-studio:")).count(), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
