package org.itaestudio.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.transfer.AdamW;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TrainingBatch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.model.transfer.TransferSettings;
import org.itaestudio.model.weights.SafetensorsReader;

/**
 * Training speed of the reproduction's student, ours against {@code tools/transfer_train_reference.py} (PyTorch),
 * on the same batches ({@code batches.safetensors} as {@link TransferReproduction} writes them) and the same teacher
 * weights, in rounds: each round runs every mode in Java, then every mode in PyTorch, so both see the same machine
 * load over the run. Each pass: 2 untimed steps, then every batch timed (teacher forward, student forward and
 * backward, AdamW). Per mode and engine it prints every round's images/s, the best (noise on a shared machine only
 * ever slows a pass down) and the process CPU seconds per image of the best pass.
 *
 * <p>{@code java -cp target/classes:$(cat target/classpath.txt) org.itaestudio.bench.TransferSpeed
 * OUT/batches.safetensors OUT/shape [--rounds 3] [--threads 2] [--compare-classpath CP --compare-label NAME]}
 * (OUT from {@code TransferReproduction --speed-only}); {@code --compare-classpath} adds a pass of another build of
 * the project (its {@code target/classes} and dependencies first on CP) in each round, in a JVM of its own.
 */
public final class TransferSpeed {

    /** One timed pass: images per second of wall time and process CPU seconds per image. */
    record Pass(double imagesPerSecond, double cpuPerImage) {
    }

    private TransferSpeed() {
    }

    public static void main(String[] args) throws Exception {
        Path batchesFile = Path.of(args[0]);
        Path teacher = Path.of(args[1]);
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            boolean valued = i + 1 < args.length && !args[i + 1].startsWith("--");
            o.put(args[i], valued ? args[++i] : "");
        }
        int rounds = Integer.parseInt(o.getOrDefault("--rounds", "3"));
        int threads = Integer.parseInt(o.getOrDefault("--threads", "2"));
        List<TrainingBatch> batches = readBatches(batchesFile);
        if (o.containsKey("--java-only")) { // one pass, as JSON: what a --compare run reads from this class
            JsonObject j = new JsonObject();
            java(teacher, batches, 0, 1e-3).forEach((mode, p) -> {
                j.addProperty(mode, p.imagesPerSecond());
                j.addProperty(mode + "_cpu_s_per_image", p.cpuPerImage());
            });
            System.out.println(j);
            return;
        }
        String compare = o.get("--compare-classpath");
        String compareLabel = o.getOrDefault("--compare-label", "other build");
        System.out.println("load at start " + MachineInfo.loadAverage() + "; " + batches.size() + " batches of "
                + batches.get(0).count() + ", " + threads + " threads, " + rounds + " rounds");
        Map<String, List<Pass>> ours = new LinkedHashMap<>();
        Map<String, List<Pass>> other = new LinkedHashMap<>();
        Map<String, List<Pass>> torch = new LinkedHashMap<>();
        String torchVersion = "";
        for (int r = 0; r < rounds; r++) {
            java(teacher, batches, 0, 1e-3).forEach((mode, p) -> ours.computeIfAbsent(mode, k -> new ArrayList<>()).add(p));
            if (compare != null) {
                add(other, ours.keySet(), compared(compare, batchesFile, teacher));
            }
            JsonObject t = torch(batchesFile, teacher.resolve("model.safetensors"), threads, "1e-3");
            torchVersion = t.get("torch").getAsString();
            add(torch, ours.keySet(), t);
            System.out.println("round " + (r + 1) + " done, load " + MachineInfo.loadAverage());
        }
        StringBuilder table = new StringBuilder("| mode | ours, images/s per round |"
                + (compare == null ? "" : " " + compareLabel + ", images/s per round |")
                + " PyTorch " + torchVersion + ", images/s per round | best ours / best PyTorch |"
                + (compare == null ? "" : " best " + compareLabel + " / best PyTorch |")
                + " CPU s/image of the best passes, ours / PyTorch |\n"
                + "|---|---|---|---|" + (compare == null ? "" : "---|---|") + "---|\n");
        for (String mode : ours.keySet()) {
            Pass bo = best(ours.get(mode));
            Pass bt = best(torch.get(mode));
            table.append(String.format(Locale.ROOT, "| %s | %s |", mode, rates(ours.get(mode))));
            if (compare != null) {
                table.append(" ").append(rates(other.get(mode))).append(" |");
            }
            table.append(String.format(Locale.ROOT, " %s | %.2f |", rates(torch.get(mode)),
                    bo.imagesPerSecond() / bt.imagesPerSecond()));
            if (compare != null) {
                table.append(String.format(Locale.ROOT, " %.2f |", best(other.get(mode)).imagesPerSecond()
                        / bt.imagesPerSecond()));
            }
            table.append(String.format(Locale.ROOT, " %.3f / %.3f |%n", bo.cpuPerImage(), bt.cpuPerImage()));
        }
        System.out.print(table);
        System.out.println("load at end " + MachineInfo.loadAverage());
    }

    private static void add(Map<String, List<Pass>> into, java.util.Set<String> modes, JsonObject j) {
        for (String mode : modes) {
            into.computeIfAbsent(mode, k -> new ArrayList<>()).add(new Pass(j.get(mode).getAsDouble(),
                    j.get(mode + "_cpu_s_per_image").getAsDouble()));
        }
    }

    /** One Java pass of another build (e.g. the code before a change) in its own JVM, this class on its path. */
    private static JsonObject compared(String classpath, Path batches, Path teacher) throws IOException, InterruptedException {
        String self = Path.of(TransferSpeed.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toString();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classpath + java.io.File.pathSeparator + self, TransferSpeed.class.getName(), batches.toString(),
                teacher.toString(), "--java-only").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException("the compared build failed: " + text);
        }
        System.err.println("compared build (images/s): " + text);
        return JsonParser.parseString(text.lines().reduce((a, b) -> b).orElse("{}")).getAsJsonObject();
    }

    private static Pass best(List<Pass> passes) {
        return passes.stream().max(java.util.Comparator.comparingDouble(Pass::imagesPerSecond)).orElseThrow();
    }

    private static String rates(List<Pass> passes) {
        return String.join(", ", passes.stream().map(p -> String.format(Locale.ROOT, "%.1f", p.imagesPerSecond())).toList());
    }

    /** The batches file's images and labels, one {@link TrainingBatch} per batch. */
    static List<TrainingBatch> readBatches(Path file) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            long[] shape = reader.tensors().get("pixels").shape();                     // [K, B, 3, S, S]
            int count = (int) shape[0];
            int batch = (int) shape[1];
            int side = (int) shape[3];
            var p = reader.readFloats("pixels");
            float[] pixels = new float[p.remaining()];
            p.get(pixels);
            var l = reader.readFloats("labels");
            float[] labels = new float[l.remaining()];
            l.get(labels);
            int per = 3 * side * side;
            List<TrainingBatch> out = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                float[] px = java.util.Arrays.copyOfRange(pixels, k * batch * per, (k + 1) * batch * per);
                int[] y = new int[batch];
                for (int i = 0; i < batch; i++) {
                    y[i] = (int) labels[k * batch + i];
                }
                out.add(new TrainingBatch(px, y, side));
            }
            return out;
        }
    }

    /** Our trainer on every batch per mode (a fresh student of {@code seed} each), 2 untimed warm-up steps first. */
    static Map<String, Pass> java(Path teacher, List<TrainingBatch> batches, long seed, double lr) throws IOException {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int side = batches.get(0).size();
        Map<String, Pass> out = new LinkedHashMap<>();
        for (TransferMode mode : TransferMode.values()) {
            TransferSettings settings = new TransferSettings(mode, mode == TransferMode.SCRATCH ? new TreeSet<>()
                    : TransferSettings.defaultLayers(TransferReproduction.SHAPE.depth()), 3.0, AdamW.Settings.defaults(0.05));
            try (TransferSession session = TransferSession.open(teacher, null,
                    new TransferSession.StudentShape(null, null, null, null, StudentArch.NATIVE), side, 10, settings,
                    seed, DeviceChoice.CPU, null)) {
                for (int k = 0; k < Math.min(2, batches.size()); k++) {
                    session.trainer().step(batches.get(k), lr);
                }
                long cpu = os.getProcessCpuTime();
                long started = System.nanoTime();
                int images = 0;
                for (TrainingBatch b : batches) {
                    session.trainer().step(b, lr);
                    images += b.count();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                out.put(mode.name().toLowerCase(Locale.ROOT),
                        new Pass(images / seconds, (os.getProcessCpuTime() - cpu) / 1e9 / images));
            }
        }
        System.err.println("ours (images/s): " + out);
        return out;
    }

    /** One run of the PyTorch reference over every mode; its JSON line. */
    static JsonObject torch(Path batches, Path teacherWeights, int threads, String lr) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", "tools/transfer_train_reference.py", "--batches",
                batches.toString(), "--teacher", teacherWeights.toString(), "--threads", String.valueOf(threads),
                "--lr", lr).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException("tools/transfer_train_reference.py failed: " + text);
        }
        System.err.println("pytorch (images/s): " + text);
        return JsonParser.parseString(text.lines().reduce((a, b) -> b).orElse("{}")).getAsJsonObject();
    }
}
