package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.itaestudio.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare-fixes from the outside: four fixes on a tiny labelled folder, and bad input in one line. */
class CompareFixesCliTest {

    @TempDir
    Path tmp;

    @Test
    void comparesFourFixesAndRefusesNeuronsOfAnotherModel() throws Exception {
        System.setProperty("itae.cacheDir", tmp.resolve("cache").toString());
        Path folder = org.itaestudio.pipeline.FixComparisonTestFolders.labelled(tmp.resolve("photos"));
        String model = Fixtures.path("swiglu_reg4/hf").toString();
        String other = Fixtures.path("reg4/hf").toString();
        String[] size = {"--image-size", "56", "--crop", "56"};
        Path neurons = tmp.resolve("neurons.json");
        CliRunner.Run cal = CliRunner.run("calibrate-registers", "--model", model, "--input", folder.toString(),
                "--output", neurons.toString(), "--top-k", "5", size[0], size[1], size[2], size[3]);
        assertEquals(0, cal.exitCode(), cal.err());

        Path out = tmp.resolve("fixes.json");
        CliRunner.Run r = CliRunner.run("compare-fixes", "--model", model, "--input", folder.toString(), "--k", "2",
                "--test-time-registers", neurons.toString(), "--output", out.toString(), size[0], size[1], size[2], size[3]);
        assertEquals(0, r.exitCode(), r.err());
        JsonObject j = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
        assertEquals(6, j.get("images").getAsInt());
        assertTrue(j.get("class_subfolders").getAsBoolean());
        JsonArray fixes = j.getAsJsonArray("fixes");
        assertEquals(4, fixes.size());
        assertEquals("none", fixes.get(0).getAsJsonObject().get("fix").getAsString());
        assertEquals("both", fixes.get(3).getAsJsonObject().get("fix").getAsString());
        JsonObject none = fixes.get(0).getAsJsonObject();
        assertEquals(1.0, none.get("ari_vs_none").getAsDouble(), 1e-12);
        assertEquals(0, none.get("changed").getAsInt());
        for (var f : fixes) {
            JsonObject o = f.getAsJsonObject();
            assertEquals(o.get("changed").getAsInt(), o.getAsJsonArray("changed_paths").size());
            assertTrue(o.has("acc") && o.has("nmi") && o.has("ari"));
        }

        CliRunner.Run foreign = CliRunner.run("compare-fixes", "--model", other, "--input", folder.toString(), "--k", "2",
                "--test-time-registers", neurons.toString(), size[0], size[1], size[2], size[3]);
        assertEquals(1, foreign.exitCode(), foreign.err());
        assertTrue(foreign.err().contains("calibrated for another model"), foreign.err());
        assertEquals(1, foreign.err().strip().lines().filter(l -> l.startsWith("itae-studio:")).count(), foreign.err());
        assertFalse(foreign.err().contains("\tat "), "no stack trace");

        CliRunner.Run badK = CliRunner.run("compare-fixes", "--model", model, "--input", folder.toString(), "--k", "0");
        assertEquals(2, badK.exitCode(), badK.err());
        assertTrue(badK.err().contains("--k must be >= 1"), badK.err());
    }
}
