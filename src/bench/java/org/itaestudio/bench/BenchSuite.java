package org.itaestudio.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.weights.SafetensorsWriter;

/**
 * Runs ITAE Studio's engine and its peers on the same machine, weights and inputs, and collects a
 * {@link BenchReport}.
 *
 * <p>Per architecture: the synthetic weights and the input batch are written to safetensors files; the PyTorch
 * script loads both into the reference model and exports it to ONNX; then three worker processes (ours, PyTorch,
 * ONNX Runtime) stay up while their embeddings of the same batch are compared and their forwards are timed,
 * interleaved (one timed forward per engine in turn, starting engine rotating), so that background load on a shared
 * machine hits every engine alike. Each engine runs in its own process so peak RSS and heap are its own.
 */
public final class BenchSuite {
    private final BenchOptions options;
    private final PrintStream log;

    public BenchSuite(BenchOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public BenchReport run() throws IOException {
        MachineInfo machine = MachineInfo.detect();
        String loadBefore = MachineInfo.loadAverage();
        List<String> notes = new ArrayList<>();
        String pythonProblem = pythonProblem();
        if (pythonProblem != null) {
            notes.add("PyTorch peer skipped: " + pythonProblem);
            notes.add("ONNX Runtime peer skipped: its model is exported by the PyTorch reference script");
            log.println("note: " + notes.get(0));
        }
        Map<String, BenchReport.EngineInfo> engines = new HashMap<>();
        List<Double> matmul = new ArrayList<>();
        List<BenchReport.ArchResult> archs = new ArrayList<>();
        List<BenchReport.Measurement> measurements = new ArrayList<>();
        Path work = Files.createTempDirectory("itae-bench");
        try {
            for (String arch : options.archs()) {
                archs.add(runArch(arch, work.resolve(arch), pythonProblem == null, engines, matmul, measurements,
                        notes));
            }
        } finally {
            if (options.keepFiles()) {
                log.println("work files kept in " + work);
            } else {
                BenchFiles.deleteTree(work);
            }
        }
        return new BenchReport(machine, options, loadBefore, MachineInfo.loadAverage(), engines, matmul, archs,
                measurements, notes);
    }

    private BenchReport.ArchResult runArch(String arch, Path dir, boolean withPeers,
                                           Map<String, BenchReport.EngineInfo> engines, List<Double> matmul,
                                           List<BenchReport.Measurement> measurements, List<String> notes)
            throws IOException {
        Files.createDirectories(dir);
        DinoV2Config config = EngineBenchmark.arch(arch);
        int size = options.imageSize();
        int images = options.maxBatch();
        List<EngineProcess> running = new ArrayList<>();
        Map<String, Double> checks = new LinkedHashMap<>();
        try {
            log.println(BenchReport.modelName(arch) + ": starting ITAE Studio's engine");
            EngineProcess ours = new EngineProcess(BenchReport.OURS, javaWorker(BenchReport.OURS, arch, null),
                    options.oursEnv(), dir.resolve("ours.log"));
            running.add(ours);
            engines.put(BenchReport.OURS, info(BenchReport.OURS, "ITAE Studio (DJL + libtorch)", ours));
            if (withPeers) {
                Path weights = dir.resolve("weights.safetensors");
                Path inputs = dir.resolve("inputs.safetensors");
                Path onnx = dir.resolve("model.onnx");
                log.println(BenchReport.modelName(arch) + ": writing weights and inputs, exporting ONNX");
                SafetensorsWriter.write(weights, new SyntheticWeights(config, BenchOptions.WEIGHT_SEED), Map.of(
                        "format", "pt", "num_heads", Integer.toString(config.numHeads()), "arch", arch,
                        "generator", "org.itaestudio.bench.SyntheticWeights seed " + BenchOptions.WEIGHT_SEED));
                SafetensorsWriter.write(inputs, List.of(new SafetensorsWriter.Tensor("pixels",
                        new long[] {images, 3, size, size}, BenchInputs.pixels(images, size, BenchOptions.INPUT_SEED))),
                        Map.of());
                try {
                    EngineProcess torch = new EngineProcess(BenchReport.PYTORCH, List.of(options.python().toString(),
                            options.tools().resolve("bench_pytorch.py").toString(), "--weights", weights.toString(),
                            "--inputs", inputs.toString(), "--threads", Integer.toString(options.threads()),
                            "--onnx", onnx.toString()),
                            options.peersPassive() ? Map.of("OMP_WAIT_POLICY", "PASSIVE") : Map.of(),
                            dir.resolve("pytorch.log"));
                    running.add(torch);
                    engines.put(BenchReport.PYTORCH, new BenchReport.EngineInfo(BenchReport.PYTORCH, "PyTorch eager",
                            "torch " + torch.ready().get("version").getAsString() + " (Debian, "
                                    + torch.ready().get("blas").getAsString() + " BLAS), inference_mode, OMP_WAIT_POLICY "
                                    + torch.ready().get("omp_wait_policy").getAsString(),
                            torch.ready().get("threads").getAsInt()));
                    checks.put("reference (per-image attention) vs official attention",
                            torch.ready().get("reference_vs_official_attention").getAsDouble());
                    checks.put("ONNX export graph vs model", torch.ready().get("embedder_vs_model").getAsDouble());
                    try {
                        EngineProcess ort = new EngineProcess(BenchReport.ONNXRUNTIME,
                                javaWorker(BenchReport.ONNXRUNTIME, arch, onnx), Map.of(),
                                dir.resolve("onnxruntime.log"));
                        running.add(ort);
                        engines.put(BenchReport.ONNXRUNTIME,
                                info(BenchReport.ONNXRUNTIME, "ONNX Runtime (Java)", ort));
                    } catch (IOException e) {
                        notes.add("ONNX Runtime peer failed for " + arch + ": " + e.getMessage());
                        log.println("note: " + notes.get(notes.size() - 1));
                    }
                } catch (IOException e) {
                    notes.add("PyTorch peer failed for " + arch + ": " + e.getMessage());
                    log.println("note: " + notes.get(notes.size() - 1));
                }
            }

            matmul.add(ours.send("{\"cmd\": \"matmul\", \"n\": 1024, \"repeats\": 10}").get("gflops").getAsDouble());

            // Same model everywhere: embeddings of the same batch.
            Map<String, float[][]> embeddings = new LinkedHashMap<>();
            for (EngineProcess e : running) {
                embeddings.put(e.name(), floats(e.send("{\"cmd\": \"embed\", \"batch\": " + images + "}")
                        .getAsJsonArray("embeddings")));
            }
            Map<String, Double> diffs = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(embeddings.keySet());
            for (int i = 0; i < names.size(); i++) {
                for (int j = i + 1; j < names.size(); j++) {
                    diffs.put(names.get(i) + " vs " + names.get(j),
                            BenchReport.maxAbsDiff(embeddings.get(names.get(i)), embeddings.get(names.get(j))));
                }
            }
            log.println(BenchReport.modelName(arch) + ": max abs diff of the embeddings " + diffs);

            for (int batch : options.batches()) {
                Map<String, Timing> timings = new LinkedHashMap<>();
                for (EngineProcess e : running) {
                    timings.put(e.name(), new Timing());
                    if (options.warmup() > 0) {
                        e.send(runCommand(batch, options.warmup()));
                    }
                }
                for (int i = 0; i < options.iterations(); i++) {
                    for (int k = 0; k < running.size(); k++) {
                        EngineProcess e = running.get((i + k) % running.size());
                        timings.get(e.name()).add(e.send(runCommand(batch, 1)));
                    }
                }
                for (EngineProcess e : running) {
                    Timing t = timings.get(e.name());
                    BenchReport.Measurement m = new BenchReport.Measurement(arch, batch, e.name(), t.times, t.cpu,
                            t.peakHeap, t.peakRss);
                    measurements.add(m);
                    log.printf(java.util.Locale.ROOT, "%s batch %d %-12s %8.1f ms/batch %7.2f images/s%n",
                            BenchReport.modelName(arch), batch, e.name(), m.medianMs(), m.imagesPerSecond());
                }
            }
            matmul.add(ours.send("{\"cmd\": \"matmul\", \"n\": 1024, \"repeats\": 10}").get("gflops").getAsDouble());
            return new BenchReport.ArchResult(arch, ModelFlops.of(config, size, size), images, diffs, checks);
        } finally {
            for (EngineProcess e : running) {
                e.close();
            }
        }
    }

    /** Times and peaks of one engine at one batch size, accumulated over its run replies. */
    private static final class Timing {
        final List<Double> times = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        long peakHeap = -1;
        long peakRss = -1;

        void add(JsonObject reply) {
            reply.getAsJsonArray("times_ms").forEach(t -> times.add(t.getAsDouble()));
            if (reply.has("cpu_ms")) {
                reply.getAsJsonArray("cpu_ms").forEach(t -> cpu.add(t.getAsDouble()));
            }
            if (reply.has("peak_heap_mb")) {
                peakHeap = Math.max(peakHeap, reply.get("peak_heap_mb").getAsLong());
            }
            if (reply.has("peak_rss_mb")) {
                peakRss = Math.max(peakRss, reply.get("peak_rss_mb").getAsLong());
            }
        }
    }

    private static String runCommand(int batch, int iterations) {
        return "{\"cmd\": \"run\", \"batch\": " + batch + ", \"iterations\": " + iterations + "}";
    }

    private static BenchReport.EngineInfo info(String key, String label, EngineProcess p) {
        return new BenchReport.EngineInfo(key, label, p.ready().get("version").getAsString(),
                p.ready().get("threads").getAsInt());
    }

    /** A JVM like this one running {@link EngineWorker} for one engine. */
    private List<String> javaWorker(String engine, String arch, Path onnx) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=" + options.threads());
        if (engine.equals(BenchReport.OURS)) {
            cmd.addAll(options.oursJvmArgs());
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EngineWorker.class.getName());
        cmd.addAll(List.of(engine, arch, Long.toString(BenchOptions.WEIGHT_SEED), Integer.toString(options.imageSize()),
                Integer.toString(options.maxBatch()), Long.toString(BenchOptions.INPUT_SEED),
                Integer.toString(options.threads())));
        if (onnx != null) {
            cmd.add(onnx.toString());
            cmd.add(options.peersPassive() ? "passive" : "spin");
        }
        return cmd;
    }

    /** Why the PyTorch peer cannot run here ({@code python -c "import torch"} fails), or null when it can. */
    String pythonProblem() {
        Path script = options.tools().resolve("bench_pytorch.py");
        if (!Files.isRegularFile(script)) {
            return "script not found: " + script;
        }
        try {
            Process p = new ProcessBuilder(options.python().toString(), "-c", "import torch")
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return options.python() + " -c \"import torch\" did not finish in 120 s";
            }
            if (p.exitValue() != 0) {
                String last = output.strip().lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
                return options.python() + " -c \"import torch\" failed: " + last;
            }
            return null;
        } catch (IOException e) {
            return "cannot run " + options.python() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static float[][] floats(JsonArray rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = rows.get(i).getAsJsonArray();
            out[i] = new float[row.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = row.get(j).getAsFloat();
            }
        }
        return out;
    }
}
