package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.transfer.NativeMemoryChurn;
import org.itaestudio.model.weights.CheckpointLoader;
import org.itaestudio.model.weights.LoadedCheckpoint;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.transfer.TinyLabelledFolders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on a folder of small PNGs (3 colours) with a random 4-block, patch-4 teacher. */
class TransferCommandTest {

    static final DinoV2Config TEACHER = new DinoV2Config(16, 4, 2, 64, DinoV2Config.FfnType.MLP, 0, 4, 2, 1e-6, false, 0.0);

    @TempDir
    static Path shared;
    static Path teacher;
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        teacher = Files.createDirectories(shared.resolve("teacher")); // config.json names the heads
        Files.writeString(teacher.resolve("config.json"), "{\"model_type\": \"dinov2\", \"hidden_size\": 16, "
                + "\"num_hidden_layers\": 4, \"num_attention_heads\": 2, \"mlp_ratio\": 4, \"image_size\": 8, "
                + "\"patch_size\": 4}");
        SafetensorsWriter.write(teacher.resolve("model.safetensors"), new SyntheticWeights(TEACHER, 5), Map.of());
        data = TinyLabelledFolders.write(shared.resolve("data"), 3, 5, 12);
    }

    static String[] args(Path output, String mode, String... more) {
        List<String> a = new ArrayList<>(List.of("transfer", "--teacher", teacher.toString(), "--mode", mode,
                "--train", data.toString(), "--output", output.toString(), "--image-size", "10", "--crop", "8",
                "--batch-size", "4", "--epochs", "2", "--lr", "1e-3", "--seed", "3"));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    static JsonObject json(String out) {
        return JsonParser.parseString(out).getAsJsonObject();
    }

    @Test
    void aDistillRunWritesItsFolderAndASummary() throws Exception {
        Path run = tmp.resolve("run");
        CliRunner.Run r = CliRunner.run(args(run, "distill"));
        assertEquals(0, r.exitCode(), r.err());
        JsonObject summary = json(r.out());
        assertEquals(2, summary.get("epochs").getAsInt());
        assertEquals(12, summary.get("train_images").getAsInt());
        assertEquals(3, summary.get("val_images").getAsInt());
        assertEquals(6, summary.get("steps").getAsInt());
        assertTrue(summary.get("attention_loss").getAsDouble() > 0);
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals("epoch,step,lr,classification_loss,attention_loss,train_top1,val_top1,images_per_s", metrics.get(0));
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(2).startsWith("2,6,"), metrics.get(2));
        JsonObject record = json(Files.readString(run.resolve("run.json")));
        assertEquals("3", record.getAsJsonObject("settings").get("--seed").getAsString());
        assertEquals(3, record.getAsJsonArray("classes").size());
        assertTrue(Files.isRegularFile(run.resolve("student/head.safetensors")));
        try (LoadedCheckpoint student = CheckpointLoader.open(run.resolve("student"))) {
            assertEquals(16, student.config().embedDim());
            assertEquals(4, student.config().depth());
            assertEquals(4, student.config().patchSize());
        }
        assertTrue(r.err().contains("epoch 2/2"), r.err());
    }

    @Test
    void maxStepsZeroPrintsTheFirstBatchLossesAndWritesNothing() throws Exception {
        Path run = tmp.resolve("probe");
        CliRunner.Run r = CliRunner.run(args(run, "distill", "--max-steps", "0", "--augment", "none", "--no-shuffle"));
        assertEquals(0, r.exitCode(), r.err());
        JsonObject o = json(r.out());
        JsonObject loss = o.getAsJsonObject("loss");
        double ce = loss.get("classification").getAsDouble();
        double atd = loss.get("attention").getAsDouble();
        assertTrue(ce > 0 && atd > 0, r.out());
        assertEquals(ce + 3 * atd, loss.get("total").getAsDouble(), 1e-5);
        assertEquals(1, o.getAsJsonArray("attention_per_layer").size());
        assertEquals(atd, o.getAsJsonArray("attention_per_layer").get(0).getAsDouble(), 1e-6);
        assertTrue(!Files.exists(run.resolve("run.json")));
        CliRunner.Run again = CliRunner.run(args(run, "distill", "--max-steps", "0", "--augment", "none", "--no-shuffle"));
        assertEquals(r.out(), again.out(), "same seed, same first batch, same losses");
    }

    /** Under memory churn, which once made training depend on garbage-collection timing. */
    @Test
    void resumingAfterOneEpochEndsWithTheWeightsOfAnUninterruptedRun() throws Exception {
        try (NativeMemoryChurn churn = NativeMemoryChurn.start()) {
            resumeMatchesAnUninterruptedRun();
        }
    }

    private void resumeMatchesAnUninterruptedRun() throws Exception {
        Path straight = tmp.resolve("straight");
        assertEquals(0, CliRunner.run(args(straight, "copy")).exitCode());
        Path interrupted = tmp.resolve("interrupted");
        CliRunner.Run first = CliRunner.run(args(interrupted, "copy", "--max-steps", "3"));
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(1, json(first.out()).get("epochs").getAsInt());
        CliRunner.Run resumed = CliRunner.run("transfer", "--output", interrupted.toString(), "--resume");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(2, json(resumed.out()).get("epochs").getAsInt());
        assertEquals(-1, Files.mismatch(straight.resolve("checkpoint.safetensors"),
                interrupted.resolve("checkpoint.safetensors")), "weights and optimiser state bit for bit");
        assertEquals(-1, Files.mismatch(straight.resolve("student/model.safetensors"),
                interrupted.resolve("student/model.safetensors")));
        assertEquals(3, Files.readAllLines(interrupted.resolve("metrics.csv")).size());
    }

    @Test
    void predictWritesAClassPerImageAndTop1AgainstTheFolders() throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRunner.run(args(run, "copy")).exitCode());
        Path csv = tmp.resolve("predictions.csv");
        CliRunner.Run r = CliRunner.run("predict", "--model", run.toString(), "--input", data.toString(), "--output",
                csv.toString(), "--truth-from-folders", data.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("path,predicted,score", rows.get(0));
        assertEquals(16, rows.size());
        int correct = 0;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            assertTrue(f[1].matches("class[0-2]"), row);
            double score = Double.parseDouble(f[2]);
            assertTrue(score >= 1.0 / 3 && score <= 1, row);
            correct += f[0].startsWith(f[1] + "/") ? 1 : 0;
        }
        JsonObject summary = json(r.out());
        assertEquals(15, summary.get("images").getAsInt());
        assertEquals(15, summary.get("with_truth").getAsInt());
        assertEquals(correct / 15.0, summary.get("top1").getAsDouble(), 1e-12);
    }

    @Test
    void aSeparateValidationFolderReplacesTheSplit() throws Exception {
        Path run = tmp.resolve("withval");
        CliRunner.Run r = CliRunner.run(args(run, "scratch", "--val", data.toString(), "--augment", "none"));
        assertEquals(0, r.exitCode(), r.err());
        JsonObject summary = json(r.out());
        assertEquals(15, summary.get("train_images").getAsInt());
        assertEquals(15, summary.get("val_images").getAsInt());
        assertEquals(0.0, summary.get("attention_loss").getAsDouble());
        assertOneLine(CliRunner.run(args(run, "scratch")), 2, "already holds a run; give another --output, or --resume");
    }

    @Test
    void badInputGetsOneLine() throws Exception {
        Path flat = Files.createDirectories(tmp.resolve("flat"));
        TinyLabelledFolders.writePng(flat.resolve("a.png"), 0x808080, 0, 12);
        assertOneLine(CliRunner.run("transfer", "--teacher", teacher.toString(), "--mode", "scratch", "--train",
                flat.toString(), "--output", tmp.resolve("r1").toString()), 1, "no images in class sub-folders of ");

        Path lonely = TinyLabelledFolders.write(tmp.resolve("lonely"), 2, 3, 12);
        TinyLabelledFolders.writePng(Files.createDirectories(lonely.resolve("solo")).resolve("x.png"), 0x101010, 0, 12);
        assertOneLine(CliRunner.run("transfer", "--teacher", teacher.toString(), "--mode", "scratch", "--train",
                lonely.toString(), "--output", tmp.resolve("r2").toString()), 1, "class 'solo' has 1 image;");

        assertOneLine(CliRunner.run(args(tmp.resolve("r3"), "copy", "--student-heads", "4")), 1,
                "student cannot copy from this teacher: 4 heads differ from the teacher's 2");
        assertOneLine(CliRunner.run("transfer", "--teacher", tmp.resolve("missing.safetensors").toString(), "--mode",
                "copy", "--train", data.toString(), "--output", tmp.resolve("r4").toString()), 1, "model path not found: ");
        assertOneLine(CliRunner.run("transfer", "--train", data.toString(), "--output", tmp.resolve("r5").toString()),
                2, "--mode is required (unless --resume)");
        assertOneLine(CliRunner.run(args(tmp.resolve("r6"), "scratch", "--student-patch", "3")), 1,
                "the training side 8 px is not a multiple of the student's patch size 3");
    }

    /** The test's usual run with some options replaced (picocli refuses an option given twice). */
    static String[] argsWith(Path output, String mode, String... replaced) {
        List<String> a = new ArrayList<>(Arrays.asList(args(output, mode)));
        for (int i = 0; i < replaced.length; i += 2) {
            int at = a.indexOf(replaced[i]);
            if (at >= 0) {
                a.set(at + 1, replaced[i + 1]);
            } else {
                a.add(replaced[i]);
                a.add(replaced[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void clipGradClipsOnlyNormsAboveIt() throws Exception {
        Path plain = tmp.resolve("plain");
        Path loose = tmp.resolve("loose");
        Path tight = tmp.resolve("tight");
        assertEquals(0, CliRunner.run(argsWith(plain, "scratch", "--epochs", "1")).exitCode());
        assertEquals(0, CliRunner.run(argsWith(loose, "scratch", "--epochs", "1", "--clip-grad", "1e9")).exitCode());
        CliRunner.Run r = CliRunner.run(argsWith(tight, "scratch", "--epochs", "1", "--clip-grad", "1e-9"));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(-1, Files.mismatch(plain.resolve("checkpoint.safetensors"), loose.resolve("checkpoint.safetensors")),
                "a bound no gradient reaches changes nothing");
        assertTrue(Files.mismatch(plain.resolve("checkpoint.safetensors"), tight.resolve("checkpoint.safetensors")) >= 0,
                "gradients clipped to 1e-9 (below AdamW's eps) give other updates");
        assertEquals("1.0E-9", json(Files.readString(tight.resolve("run.json"))).getAsJsonObject("settings")
                .get("--clip-grad").getAsString());
        assertOneLine(CliRunner.run(argsWith(tmp.resolve("neg"), "scratch", "--clip-grad", "-1")), 2, "--clip-grad");
    }

    /**
     * A student started from another run's exported student, trained with a learning rate too small to change a
     * float32 weight, ends with that run's backbone bit for bit.
     */
    @Test
    void studentInitStartsTheBackboneFromAModel() throws Exception {
        Path first = tmp.resolve("first");
        assertEquals(0, CliRunner.run(args(first, "scratch")).exitCode());
        Path second = tmp.resolve("second");
        CliRunner.Run r = CliRunner.run(argsWith(second, "copy", "--student-init", first.toString(), "--epochs", "1",
                "--lr", "1e-30"));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(-1, Files.mismatch(first.resolve("student/model.safetensors"),
                second.resolve("student/model.safetensors")));
        Path standard = tmp.resolve("standard");
        CliRunner.Run s = CliRunner.run(argsWith(standard, "copy", "--student-init",
                first.resolve("student").toString(), "--student-arch", "standard", "--epochs", "1"));
        assertEquals(0, s.exitCode(), s.err());
        CliRunner.Run resumed = CliRunner.run("transfer", "--output", second.toString(), "--resume", "--max-steps", "0");
        assertEquals(0, resumed.exitCode(), resumed.err());
    }

    @Test
    void studentInitRefusesAShapeItCannotUse() throws Exception {
        Path fourHeads = Files.createDirectories(tmp.resolve("four-heads"));
        Files.writeString(fourHeads.resolve("config.json"), "{\"model_type\": \"dinov2\", \"hidden_size\": 16, "
                + "\"num_hidden_layers\": 4, \"num_attention_heads\": 4, \"mlp_ratio\": 4, \"image_size\": 8, "
                + "\"patch_size\": 4}");
        SafetensorsWriter.write(fourHeads.resolve("model.safetensors"), new SyntheticWeights(
                new DinoV2Config(16, 4, 4, 64, DinoV2Config.FfnType.MLP, 0, 4, 2, 1e-6, false, 0.0), 2), Map.of());
        assertOneLine(CliRunner.run(argsWith(tmp.resolve("m1"), "distill", "--student-init", fourHeads.toString())), 1,
                "student cannot distill from this teacher: 4 heads differ from the teacher's 2");
        assertOneLine(CliRunner.run(argsWith(tmp.resolve("m2"), "scratch", "--student-init", fourHeads.toString(),
                "--student-heads", "2")), 2, "--student-init gives the student's shape");
        assertOneLine(CliRunner.run(argsWith(tmp.resolve("m3"), "scratch", "--student-init",
                tmp.resolve("nothing-here").toString())), 1, "nothing-here");
    }

    static void assertOneLine(CliRunner.Run r, int exit, String fragment) {
        assertEquals(exit, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("itae-studio: ") && r.err().contains(fragment), r.err());
    }
}
