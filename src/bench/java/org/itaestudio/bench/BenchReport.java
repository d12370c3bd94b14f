package org.itaestudio.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Everything one benchmark run measured, and its markdown rendering. */
public record BenchReport(MachineInfo machine, BenchOptions options, String loadBefore, String loadAfter,
                          Map<String, EngineInfo> engines, List<Double> matMulGflops, List<ArchResult> archs,
                          List<Measurement> measurements, List<String> notes) {

    /** Engine keys, in table order. */
    public static final String OURS = "ours";
    public static final String PYTORCH = "pytorch";
    public static final String ONNXRUNTIME = "onnxruntime";
    static final List<String> ENGINE_ORDER = List.of(OURS, PYTORCH, ONNXRUNTIME);

    public BenchReport {
        engines = Map.copyOf(engines);
        matMulGflops = List.copyOf(matMulGflops);
        archs = List.copyOf(archs);
        measurements = List.copyOf(measurements);
        notes = List.copyOf(notes);
    }

    /** How an engine ran: its versions and thread count. */
    public record EngineInfo(String key, String label, String version, int threads) {
    }

    /**
     * Per architecture: analytic FLOPs and the largest absolute difference between the engines' CLS embeddings of
     * the same batch ("ours vs pytorch" etc.), plus checks reported by the PyTorch script.
     */
    public record ArchResult(String arch, ModelFlops flops, int agreementBatch, Map<String, Double> maxAbsDiff,
                             Map<String, Double> referenceChecks) {
        public ArchResult {
            maxAbsDiff = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(maxAbsDiff));
            referenceChecks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(referenceChecks));
        }
    }

    /**
     * Timed forwards of one engine at one batch size: wall-clock and process CPU time (all threads) per forward;
     * peaks are -1 where not measured.
     */
    public record Measurement(String arch, int batch, String engine, List<Double> timesMs, List<Double> cpuMs,
                              long peakHeapMb, long peakRssMb) {
        public Measurement {
            timesMs = List.copyOf(timesMs);
            cpuMs = List.copyOf(cpuMs);
        }

        public double medianMs() {
            return median(timesMs);
        }

        /** Median CPU milliseconds per image (spinning threads count too), NaN when not measured. */
        public double cpuMsPerImage() {
            return cpuMs.isEmpty() ? Double.NaN : median(cpuMs) / batch;
        }

        public double minMs() {
            return timesMs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        public double maxMs() {
            return timesMs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        public double imagesPerSecond() {
            return batch * 1000.0 / medianMs();
        }
    }

    public Optional<Measurement> find(String arch, int batch, String engine) {
        return measurements.stream()
                .filter(m -> m.arch().equals(arch) && m.batch() == batch && m.engine().equals(engine))
                .findFirst();
    }

    /** The machine's matmul rate: the best sample (load only slows products down). */
    public double matMulGflopsBest() {
        return matMulGflops.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The results table alone: one row per (model, batch, engine). */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | batch | engine | ms/batch median (min-max) | images/s | ours ÷ engine (images/s) "
                + "| GFLOP/s | % of best matmul rate | CPU ms/image | peak heap MB | peak RSS MB |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double matmul = matMulGflopsBest();
        for (ArchResult a : archs) {
            for (int batch : options.batches()) {
                Optional<Measurement> ours = find(a.arch(), batch, OURS);
                for (String key : ENGINE_ORDER) {
                    Optional<Measurement> m = find(a.arch(), batch, key);
                    if (m.isEmpty()) {
                        continue;
                    }
                    Measurement r = m.get();
                    double gflops = a.flops().total() * r.imagesPerSecond() / 1e9;
                    String ratio = key.equals(OURS) || ours.isEmpty() ? "-"
                            : fmt("%.2f", ours.get().imagesPerSecond() / r.imagesPerSecond());
                    sb.append(fmt("| %s | %d | %s | %.0f (%.0f-%.0f) | %.2f | %s | %.1f | %.0f%% | %.0f | %s | %s |\n",
                            modelName(a.arch()), batch, label(key), r.medianMs(), r.minMs(), r.maxMs(),
                            r.imagesPerSecond(), ratio, gflops, 100 * gflops / matmul, r.cpuMsPerImage(),
                            r.peakHeapMb() < 0 ? "-" : Long.toString(r.peakHeapMb()),
                            r.peakRssMb() < 0 ? "-" : Long.toString(r.peakRssMb())));
                }
            }
        }
        return sb.toString();
    }

    /** The full markdown section: settings, machine, table, FLOPs, agreement, notes. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("### Run of ").append(machine.date()).append("\n\n");
        sb.append("Command: `").append(command()).append("`\n\n");
        sb.append("- Machine: ").append(machine.cpuModel()).append(", ").append(machine.cores())
                .append(" cores, ").append(machine.ram()).append(" RAM, ").append(machine.os()).append('\n');
        sb.append("- Java: ").append(machine.java()).append('\n');
        for (String key : ENGINE_ORDER) {
            EngineInfo e = engines.get(key);
            if (e != null) {
                sb.append("- ").append(e.label()).append(": ").append(e.version()).append(", ")
                        .append(e.threads()).append(" intra-op threads\n");
            }
        }
        sb.append("- Load average (1/5/15 min) before: ").append(loadBefore).append(", after: ").append(loadAfter)
                .append('\n');
        sb.append(fmt("- Inputs: %d x %d px, N(0,1) pixels (seed %d); weights: `SyntheticWeights` seed %d, the same "
                        + "safetensors file for every engine; %d warm-up + %d timed forwards per engine and batch, "
                        + "engines interleaved forward by forward\n",
                options.imageSize(), options.imageSize(), BenchOptions.INPUT_SEED, BenchOptions.WEIGHT_SEED,
                options.warmup(), options.iterations()));
        sb.append(fmt("- Machine matmul rate (libtorch, 1024x1024x1024 float32, best of 10 per sample): %.1f GFLOP/s, "
                        + "the best of the samples %s taken before and after each model's timings\n\n",
                matMulGflopsBest(), matMulGflops.stream().map(g -> fmt("%.1f", g)).toList()));
        sb.append(table()).append('\n');
        sb.append("FLOPs per image (multiply-add = 2; matrix products only):\n\n");
        sb.append("| model | total GFLOP | patch embed | per block: qkv | attention (QK^T, AV) | proj | MLP |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (ArchResult a : archs) {
            ModelFlops f = a.flops();
            sb.append(fmt("| %s | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", modelName(a.arch()), f.total() / 1e9,
                    f.patchEmbed() / 1e9, f.qkv() / 1e9, f.attention() / 1e9, f.projection() / 1e9, f.mlp() / 1e9));
        }
        sb.append("\nSame model in every engine (max abs difference of the CLS embeddings):\n\n");
        for (ArchResult a : archs) {
            List<String> parts = new ArrayList<>();
            a.maxAbsDiff().forEach((pair, d) -> parts.add(pair + " " + fmt("%.2e", d)));
            a.referenceChecks().forEach((check, d) -> parts.add(check + " " + fmt("%.2e", d)));
            sb.append("- ").append(modelName(a.arch())).append(", batch ").append(a.agreementBatch()).append(": ")
                    .append(parts.isEmpty() ? "no peer ran" : String.join("; ", parts)).append('\n');
        }
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n\n");
            notes.forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        return sb.toString();
    }

    /** The command line that reproduces this run. */
    public String command() {
        BenchOptions d = BenchOptions.defaults(false, options.tools());
        BenchOptions q = BenchOptions.defaults(true, options.tools());
        StringBuilder sb = new StringBuilder("./itae-studio bench");
        boolean quick = options.archs().equals(q.archs()) && options.warmup() == q.warmup()
                && options.iterations() == q.iterations();
        BenchOptions base = quick ? q : d;
        if (quick) {
            sb.append(" --quick");
        }
        if (!options.archs().equals(base.archs())) {
            sb.append(" --arch ").append(String.join(",", options.archs()));
        }
        if (!options.batches().equals(base.batches())) {
            sb.append(" --batch ").append(String.join(",", options.batches().stream().map(String::valueOf).toList()));
        }
        if (options.warmup() != base.warmup()) {
            sb.append(" --warmup ").append(options.warmup());
        }
        if (options.iterations() != base.iterations()) {
            sb.append(" --iterations ").append(options.iterations());
        }
        if (options.threads() != base.threads()) {
            sb.append(" --threads ").append(options.threads());
        }
        return sb.toString();
    }

    static String modelName(String arch) {
        return switch (arch) {
            case "vits14" -> "ViT-S/14";
            case "vitb14" -> "ViT-B/14";
            case "vitl14" -> "ViT-L/14";
            default -> arch;
        };
    }

    String label(String key) {
        EngineInfo e = engines.get(key);
        return e != null ? e.label() : key;
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("batch " + a.length + " != " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new IllegalArgumentException("width " + a[i].length + " != " + b[i].length
                        + " (engines ran different models)");
            }
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs((double) a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
