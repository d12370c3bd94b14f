package org.itaestudio.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.SafetensorsWriter;

/**
 * Interleaved A/B of variants of our engine against ONNX Runtime in one run, for engine-speed experiments on a shared
 * machine: every variant is its own {@link EngineWorker} process (its own class path, environment and JVM options,
 * so a code change is compared by pointing one variant at a copy of the old classes), ONNX Runtime runs the model
 * {@code tools/bench_pytorch.py} exports, and the timed forwards take turns one by one with the starting engine
 * rotating, quiet and under {@link BackgroundLoad}. Prints, per batch and load, each engine's median (min-max) and
 * its images/s ratio to ONNX Runtime's in the same rounds.
 *
 * <pre>
 * java -cp ... org.itaestudio.bench.EngineAB ARCH BATCHES ROUNDS LOADS VARIANT...
 *   e.g. vits14 1,8 8 0,2 'passive||' 'spin||OMP_WAIT_POLICY=ACTIVE' 'old|/tmp/old-classes|'
 * VARIANT = NAME|CLASSES (empty: this class path)|KEY=VALUE;KEY=VALUE (environment)[|JVM-OPTION;JVM-OPTION[|THREADS]]
 * (THREADS: intra-op threads of that variant; default all cores, as ONNX Runtime gets)
 * </pre>
 */
public final class EngineAB {
    private record Variant(String name, String classes, Map<String, String> env, List<String> jvm, int threads) {
        static Variant parse(String spec) {
            String[] parts = spec.split("\\|", -1);
            Map<String, String> env = new LinkedHashMap<>();
            if (parts.length > 2 && !parts[2].isBlank()) {
                for (String kv : parts[2].split(";")) {
                    int eq = kv.indexOf('=');
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            List<String> jvm = parts.length > 3 && !parts[3].isBlank() ? List.of(parts[3].split(";")) : List.of();
            int threads = parts.length > 4 && !parts[4].isBlank() ? Integer.parseInt(parts[4]) : 0;
            return new Variant(parts[0], parts.length > 1 ? parts[1] : "", env, jvm, threads);
        }
    }

    private EngineAB() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        String arch = args[0];
        List<Integer> batches = ints(args[1]);
        int rounds = Integer.parseInt(args[2]);
        List<Integer> loads = ints(args[3]);
        List<Variant> variants = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            variants.add(Variant.parse(args[i]));
        }
        int threads = Runtime.getRuntime().availableProcessors();
        int images = batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
        DinoV2Config config = EngineBenchmark.arch(arch);
        Path dir = Files.createTempDirectory("itae-ab");
        List<EngineProcess> running = new ArrayList<>();
        try {
            Path weights = dir.resolve("weights.safetensors");
            Path inputs = dir.resolve("inputs.safetensors");
            Path onnx = dir.resolve("model.onnx");
            SafetensorsWriter.write(weights, new SyntheticWeights(config, BenchOptions.WEIGHT_SEED), Map.of(
                    "format", "pt", "num_heads", Integer.toString(config.numHeads())));
            SafetensorsWriter.write(inputs, List.of(new SafetensorsWriter.Tensor("pixels",
                    new long[] {images, 3, 224, 224}, BenchInputs.pixels(images, 224, BenchOptions.INPUT_SEED))), Map.of());
            try (EngineProcess export = new EngineProcess("export", List.of("/usr/bin/python3",
                    Path.of("tools/bench_pytorch.py").toAbsolutePath().toString(), "--weights", weights.toString(),
                    "--inputs", inputs.toString(), "--threads", Integer.toString(threads), "--onnx", onnx.toString()),
                    Map.of(), dir.resolve("export.log"))) {
                out.println("ONNX model exported: " + Files.size(onnx) + " bytes");
            }
            for (Variant v : variants) {
                Map<String, String> env = new HashMap<>(EngineProcess.LAUNCHER_ENV);
                env.putAll(v.env());
                running.add(new EngineProcess(v.name(), worker("ours", arch, images, threads, v, null), env,
                        dir.resolve(v.name() + ".log")));
                out.println(v.name() + ": " + running.get(running.size() - 1).ready().get("version").getAsString());
            }
            running.add(new EngineProcess(BenchReport.ONNXRUNTIME, worker("onnxruntime", arch, images, threads,
                    new Variant("ort", "", Map.of(), List.of(), 0), onnx), Map.of(), dir.resolve("ort.log")));
            String embed = "{\"cmd\": \"embed\", \"batch\": " + images + "}";
            float[][] reference = floats(running.get(running.size() - 1).send(embed).getAsJsonArray("embeddings"));
            for (EngineProcess e : running.subList(0, running.size() - 1)) {
                out.printf(Locale.ROOT, "%s vs onnxruntime: max abs diff of the embeddings %.2e%n", e.name(),
                        BenchReport.maxAbsDiff(floats(e.send(embed).getAsJsonArray("embeddings")), reference));
            }
            out.printf(Locale.ROOT, "%s, %d threads, load average before %s%n", BenchReport.modelName(arch), threads,
                    MachineInfo.loadAverage());
            for (int load : loads) {
                for (int batch : batches) {
                    round(out, running, batch, load, rounds);
                }
            }
            out.println("load average after " + MachineInfo.loadAverage());
        } finally {
            for (EngineProcess e : running) {
                e.close();
            }
            BenchFiles.deleteTree(dir);
        }
    }

    private static void round(PrintStream out, List<EngineProcess> running, int batch, int load, int rounds)
            throws IOException, InterruptedException {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        String run = "{\"cmd\": \"run\", \"batch\": " + batch + ", \"iterations\": 1}";
        for (EngineProcess e : running) {
            times.put(e.name(), new ArrayList<>());
            cpu.put(e.name(), new ArrayList<>());
            e.send("{\"cmd\": \"run\", \"batch\": " + batch + ", \"iterations\": 2}");
        }
        try (BackgroundLoad background = new BackgroundLoad(load)) {
            for (int i = 0; i < rounds; i++) {
                for (int k = 0; k < running.size(); k++) {
                    EngineProcess e = running.get((i + k) % running.size());
                    var r = e.send(run);
                    times.get(e.name()).add(r.getAsJsonArray("times_ms").get(0).getAsDouble());
                    cpu.get(e.name()).add(r.getAsJsonArray("cpu_ms").get(0).getAsDouble());
                }
            }
        }
        double ort = median(times.get(BenchReport.ONNXRUNTIME));
        out.printf(Locale.ROOT, "batch %d, %s, %d rounds (load average %s)%n", batch, BenchReport.loadLabel(load),
                rounds, MachineInfo.loadAverage());
        for (var e : times.entrySet()) {
            List<Double> t = e.getValue();
            out.printf(Locale.ROOT, "  %-14s %7.1f ms (%.0f-%.0f)  cpu %6.1f ms  vs ORT %.2f%n", e.getKey(), median(t),
                    t.stream().mapToDouble(d -> d).min().orElse(0), t.stream().mapToDouble(d -> d).max().orElse(0),
                    median(cpu.get(e.getKey())), ort / median(t));
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static List<String> worker(String engine, String arch, int images, int allThreads, Variant v, Path onnx) {
        int threads = v.threads() > 0 ? v.threads() : allThreads;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        cmd.addAll(v.jvm());
        cmd.add("-cp");
        String cp = System.getProperty("java.class.path");
        cmd.add(v.classes().isEmpty() ? cp : v.classes() + cp.substring(cp.indexOf(':')));
        cmd.add(EngineWorker.class.getName());
        cmd.addAll(List.of(engine, arch, Long.toString(BenchOptions.WEIGHT_SEED), "224", Integer.toString(images),
                Long.toString(BenchOptions.INPUT_SEED), Integer.toString(threads)));
        if (onnx != null) {
            cmd.add(onnx.toString());
            cmd.add("spin");
        }
        return cmd;
    }

    private static float[][] floats(com.google.gson.JsonArray rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            var row = rows.get(i).getAsJsonArray();
            out[i] = new float[row.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = row.get(j).getAsFloat();
            }
        }
        return out;
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }
}
