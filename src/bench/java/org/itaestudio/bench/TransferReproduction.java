package org.itaestudio.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.itaestudio.cli.ItaeStudioCommand;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.transfer.TrainingBatch;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.transfer.Augmentation;
import org.itaestudio.transfer.AugmentedImages;
import org.itaestudio.transfer.BatchOrder;
import org.itaestudio.transfer.DataSplit;
import org.itaestudio.transfer.LabelledFolder;

/**
 * The attention-transfer reproduction on real images (issue text: "a small reproduction"): CIFAR-10's test split
 * (../shared/data/cifar10-test, 10 x 1000 JPEGs) split 8k/2k by the CLI's seeded stratified split, 32 px, patch 4,
 * dim 192, depth 6, 3 heads.
 *
 * <ol>
 *   <li>Speed on the same batches: K training batches (augmented as the runs see them) are written to
 *   {@code batches.safetensors}; the Java trainer and {@code tools/transfer_train_reference.py} (PyTorch) each time
 *   scratch, copy and distill steps on them, same threads, interleaved Java / PyTorch.</li>
 *   <li>The teacher: {@code itae-studio transfer --mode scratch} with labels (the shape comes from a random
 *   DINOv2-architecture "shape donor": LayerScale, GELU MLP, no registers).</li>
 *   <li>Students from the trained teacher, same seed and epochs: native scratch, copy, distill; standard copy.</li>
 * </ol>
 * Every run is the real CLI in this process; the commands are printed and kept in {@code summary.json}. Prints a
 * markdown table: val top-1 (last and best epoch), seconds per epoch, training images/s, peak RSS per run.
 *
 * <p>Run from a checkout: {@code java -cp target/classes:$(cat target/classpath.txt)
 * org.itaestudio.bench.TransferReproduction --out target/transfer-repro [--teacher-epochs 30] [--student-epochs 15]
 * [--speed-only] [--per-class N] [--lr 1e-3] [--warmup-epochs 0] [--clip-grad 1]}; {@code --per-class N} trains on the first N
 * images of each class (symbolic links under OUT/data), still split 80/20.
 */
public final class TransferReproduction {

    static final DinoV2Config SHAPE = new DinoV2Config(192, 6, 3, 768, DinoV2Config.FfnType.MLP, 0, 4, 8, 1e-6,
            false, 0.0);

    private TransferReproduction() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        Path data = Path.of(o.getOrDefault("--data", "../shared/data/cifar10-test"));
        Path out = Path.of(o.getOrDefault("--out", "target/transfer-repro"));
        int teacherEpochs = Integer.parseInt(o.getOrDefault("--teacher-epochs", "30"));
        int studentEpochs = Integer.parseInt(o.getOrDefault("--student-epochs", "15"));
        int batch = Integer.parseInt(o.getOrDefault("--batch-size", "64"));
        String lr = o.getOrDefault("--lr", "1e-3");
        String warmup = o.getOrDefault("--warmup-epochs", "0");
        String clip = o.getOrDefault("--clip-grad", "1");
        long seed = Long.parseLong(o.getOrDefault("--seed", "0"));
        int speedBatches = Integer.parseInt(o.getOrDefault("--speed-batches", "8"));
        int threads = Integer.parseInt(o.getOrDefault("--threads", "2"));
        if (!Files.isDirectory(data)) {
            System.err.println("TransferReproduction: no " + data + " (the shared CIFAR-10 folder); nothing to do");
            System.exit(2);
        }
        Files.createDirectories(out);
        if (o.containsKey("--per-class")) {
            data = subset(data, out.resolve("data"), Integer.parseInt(o.get("--per-class")));
        }
        JsonObject summary = new JsonObject();
        summary.addProperty("machine", MachineInfo.detect().toString());
        summary.addProperty("load_at_start", MachineInfo.loadAverage());
        Path donor = writeShapeDonor(out.resolve("shape"), seed);

        Map<String, Double> ours = new LinkedHashMap<>();
        JsonObject torch = null;
        if (speedBatches > 0) {
            Path batches = writeBatches(data, out.resolve("batches.safetensors"), batch, speedBatches, seed);
            ours = javaSpeed(donor, batches, seed, Double.parseDouble(lr));
            torch = TransferSpeed.torch(batches, donor.resolve("model.safetensors"), threads, lr);
            Map<String, Double> again = javaSpeed(donor, batches, seed, Double.parseDouble(lr));
            JsonObject speed = new JsonObject();
            for (String mode : ours.keySet()) {
                JsonObject m = new JsonObject();
                m.addProperty("ours_images_per_s", Math.max(ours.get(mode), again.get(mode)));
                m.addProperty("ours_runs", ours.get(mode) + ", " + again.get(mode));
                m.addProperty("pytorch_images_per_s", torch.get(mode).getAsDouble());
                speed.add(mode, m);
            }
            speed.addProperty("pytorch", torch.get("torch").getAsString());
            speed.addProperty("batches", speedBatches + " x " + batch);
            speed.addProperty("load", MachineInfo.loadAverage());
            summary.add("speed_same_batches", speed);
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(speed));
        }
        if (o.containsKey("--speed-only")) {
            write(out, summary);
            return;
        }

        List<String> common = List.of("--train", data.toString(), "--image-size", "32", "--crop", "32",
                "--batch-size", String.valueOf(batch), "--lr", lr, "--warmup-epochs", warmup, "--clip-grad", clip,
                "--seed", String.valueOf(seed));
        JsonObject runs = new JsonObject();
        Path teacherRun = out.resolve("teacher");
        runs.add("teacher", run(teacherRun, args("--teacher", donor.toString(), "--mode", "scratch", "--output",
                teacherRun.toString(), "--epochs", String.valueOf(teacherEpochs)), common, teacherEpochs));
        Path teacher = teacherRun.resolve("student");
        String[][] students = {
            {"native-scratch", "scratch", "native"},
            {"native-copy", "copy", "native"},
            {"native-distill", "distill", "native"},
            {"standard-copy", "copy", "standard"},
        };
        for (String[] s : students) {
            Path dir = out.resolve(s[0]);
            runs.add(s[0], run(dir, args("--teacher", teacher.toString(), "--mode", s[1], "--student-arch", s[2],
                    "--output", dir.toString(), "--epochs", String.valueOf(studentEpochs)), common, studentEpochs));
            write(out, withRuns(summary, runs));
        }
        write(out, withRuns(summary, runs));
        System.out.println(table(runs, summary));
    }

    private static JsonObject withRuns(JsonObject summary, JsonObject runs) {
        summary.add("runs", runs);
        summary.addProperty("load_at_end", MachineInfo.loadAverage());
        return summary;
    }

    private static List<String> args(String... a) {
        return List.of(a);
    }

    /** One {@code itae-studio transfer} run in this process; its metrics, wall time and peak memory. */
    private static JsonObject run(Path dir, List<String> own, List<String> common, int epochs) throws IOException {
        List<String> a = new ArrayList<>(List.of("transfer"));
        a.addAll(own);
        a.addAll(common);
        if (Files.isRegularFile(dir.resolve("run.json"))) {
            a = new ArrayList<>(List.of("transfer", "--output", dir.toString(), "--resume"));
        }
        String command = "itae-studio " + String.join(" ", a);
        System.err.println("== " + command);
        ProcessMemory.resetPeaks();
        long started = System.nanoTime();
        int code = ItaeStudioCommand.commandLine().execute(a.toArray(String[]::new));
        double seconds = (System.nanoTime() - started) / 1e9;
        JsonObject r = new JsonObject();
        r.addProperty("command", command);
        r.addProperty("exit", code);
        r.addProperty("seconds", seconds);
        r.addProperty("peak_rss_mb", ProcessMemory.peakRssMb());
        r.addProperty("load", MachineInfo.loadAverage());
        List<String> rows = Files.isRegularFile(dir.resolve("metrics.csv"))
                ? Files.readAllLines(dir.resolve("metrics.csv")) : List.of();
        double best = 0;
        double last = Double.NaN;
        double ips = 0;
        StringBuilder curve = new StringBuilder();
        for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
            String[] f = row.split(",");
            last = Double.parseDouble(f[6]);
            best = Math.max(best, last);
            ips += Double.parseDouble(f[7]);
            curve.append(curve.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", last));
        }
        int done = Math.max(0, rows.size() - 1);
        r.addProperty("epochs_done", done);
        r.addProperty("epochs_planned", epochs);
        r.addProperty("val_top1_last", last);
        r.addProperty("val_top1_best", best);
        r.addProperty("val_top1_per_epoch", curve.toString());
        r.addProperty("train_images_per_s", done == 0 ? 0 : ips / done);
        r.addProperty("seconds_per_epoch", done == 0 ? 0 : seconds / done);
        return r;
    }

    /** The first {@code perClass} images of each class (sorted names) as symbolic links: a smaller, documented set. */
    static Path subset(Path data, Path dir, int perClass) throws IOException {
        try (var classes = Files.list(data)) {
            for (Path c : classes.filter(Files::isDirectory).sorted().toList()) {
                Path target = Files.createDirectories(dir.resolve(c.getFileName().toString()));
                try (var files = Files.list(c)) {
                    for (Path f : files.sorted().limit(perClass).toList()) {
                        Path link = target.resolve(f.getFileName().toString());
                        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            Files.createSymbolicLink(link, f.toAbsolutePath());
                        }
                    }
                }
            }
        }
        return dir;
    }

    /** A random DINOv2-architecture model of the reproduction's shape, for the teacher's scratch run to copy. */
    static Path writeShapeDonor(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"dinov2\", \"hidden_size\": 192, "
                + "\"num_hidden_layers\": 6, \"num_attention_heads\": 3, \"mlp_ratio\": 4, \"image_size\": 32, "
                + "\"patch_size\": 4, \"layer_norm_eps\": 1e-6}\n");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), new SyntheticWeights(SHAPE, seed), Map.of());
        return dir;
    }

    /** The first {@code count} training batches of epoch 0 as the runs see them (standard augmentation). */
    static Path writeBatches(Path data, Path file, int batch, int count, long seed) throws IOException {
        LabelledFolder all = LabelledFolder.read(data, null);
        LabelledFolder train = all.subset(DataSplit.stratified(all, 0.2, seed).train());
        AugmentedImages images = new AugmentedImages(train, Augmentation.STANDARD,
                new Preprocessor(PreprocessConfig.of(32, 32)), 32, seed);
        int[] order = BatchOrder.epoch(seed, 0, images.count(), true);
        int per = 3 * 32 * 32;
        float[] pixels = new float[count * batch * per];
        float[] labels = new float[count * batch];
        for (int k = 0; k < count; k++) {
            TrainingBatch b = images.batch(0, order, k * batch, (k + 1) * batch);
            System.arraycopy(b.pixels(), 0, pixels, k * batch * per, batch * per);
            for (int i = 0; i < batch; i++) {
                labels[k * batch + i] = b.labels()[i];
            }
        }
        SafetensorsWriter.write(file, List.of(
                new SafetensorsWriter.Tensor("pixels", new long[] {count, batch, 3, 32, 32}, pixels),
                new SafetensorsWriter.Tensor("labels", new long[] {count, batch}, labels)), Map.of());
        return file;
    }

    /** Java training images/s per mode on the written batches (2 untimed warm-up steps, then every batch). */
    static Map<String, Double> javaSpeed(Path teacher, Path batchesFile, long seed, double lr) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        TransferSpeed.java(teacher, TransferSpeed.readBatches(batchesFile), seed, lr)
                .forEach((mode, pass) -> out.put(mode, pass.imagesPerSecond()));
        return out;
    }

    static String table(JsonObject runs, JsonObject summary) {
        StringBuilder t = new StringBuilder("| run | epochs | val top-1 last | best | s/epoch | train images/s | peak RSS MB |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (String name : runs.keySet()) {
            JsonObject r = runs.getAsJsonObject(name);
            t.append(String.format(Locale.ROOT, "| %s | %d/%d | %.3f | %.3f | %.0f | %.1f | %d |%n", name,
                    r.get("epochs_done").getAsInt(), r.get("epochs_planned").getAsInt(),
                    r.get("val_top1_last").getAsDouble(), r.get("val_top1_best").getAsDouble(),
                    r.get("seconds_per_epoch").getAsDouble(), r.get("train_images_per_s").getAsDouble(),
                    r.get("peak_rss_mb").getAsLong()));
        }
        return t.toString();
    }

    private static void write(Path out, JsonObject summary) throws IOException {
        Files.writeString(out.resolve("summary.json"), new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.put(args[i], args[i + 1]);
                i++;
            } else {
                o.put(args[i], "");
            }
        }
        return o;
    }
}
