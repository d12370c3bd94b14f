package org.itaestudio.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A child process that hosts one Java engine for {@link BenchSuite}, so that each engine's peak RSS and heap are its
 * own. It speaks the same line protocol as {@code tools/bench_pytorch.py}: a start-up reply, then one JSON command
 * per stdin line ({@code embed}, {@code run}, {@code matmul}, {@code quit}); replies are stdout lines starting with
 * {@value #REPLY_PREFIX} (anything else on stdout is ignored by the reader).
 *
 * <pre>
 * java ... org.itaestudio.bench.EngineWorker ours|onnxruntime ARCH WEIGHT_SEED IMAGE_SIZE IMAGES INPUT_SEED THREADS [ONNX spin|passive]
 * </pre>
 */
public final class EngineWorker {
    static final String REPLY_PREFIX = "@@ ";

    private EngineWorker() {
    }

    /**
     * ONNX Runtime 1.29's native start-up needs more than the launcher's default 1 MB main-thread stack here (it
     * crashed with SIGSEGV, no hs_err, depending on the length of the class path), so the worker runs on a thread
     * with a large stack.
     */
    private static final long STACK_BYTES = 64L << 20;

    public static void main(String[] args) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(null, () -> {
            try {
                serve(args);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "engine-worker", STACK_BYTES);
        worker.start();
        worker.join();
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(1);
        }
        System.exit(0); // native runtimes may leave non-daemon threads behind
    }

    private static void serve(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        Gson gson = new Gson();
        String engineName = args[0];
        String arch = args[1];
        long weightSeed = Long.parseLong(args[2]);
        int size = Integer.parseInt(args[3]);
        int images = Integer.parseInt(args[4]);
        long inputSeed = Long.parseLong(args[5]);
        int threads = Integer.parseInt(args[6]);
        long t0 = System.nanoTime();
        float[] pixels = BenchInputs.pixels(images, size, inputSeed);
        BenchEngine engine;
        try {
            engine = switch (engineName) {
                case "ours" -> new DjlEngine(EngineBenchmark.arch(arch), weightSeed, threads);
                case "onnxruntime" -> new OnnxRuntimeEngine(Path.of(args[7]), threads, args[8].equals("passive"));
                default -> throw new IllegalArgumentException("unknown engine " + engineName);
            };
        } catch (Throwable e) {
            reply(out, gson, Map.of("ready", false, "error", String.valueOf(e)));
            return;
        }
        Map<String, Object> ready = new HashMap<>();
        ready.put("ready", true);
        ready.put("engine", engineName);
        ready.put("version", engine.version());
        ready.put("threads", engine.threads());
        ready.put("load_ms", (System.nanoTime() - t0) / 1e6);
        reply(out, gson, ready);

        // The first b images for every batch size b, made before any timing (no copy inside the timed region).
        Map<Integer, float[]> prefixes = new HashMap<>();
        for (int b = 1; b <= images; b++) {
            prefixes.put(b, java.util.Arrays.copyOf(pixels, b * 3 * size * size));
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (engine) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject cmd = JsonParser.parseString(line).getAsJsonObject();
                String name = cmd.get("cmd").getAsString();
                try {
                    switch (name) {
                        case "quit" -> {
                            return;
                        }
                        case "embed" -> {
                            int batch = batch(cmd, images);
                            reply(out, gson, Map.of("embeddings", engine.embed(prefixes.get(batch), batch, size)));
                        }
                        case "run" -> {
                            int batch = batch(cmd, images);
                            int iterations = cmd.get("iterations").getAsInt();
                            System.gc();
                            boolean reset = ProcessMemory.resetPeaks();
                            List<Double> times = new ArrayList<>();
                            List<Double> cpu = new ArrayList<>();
                            for (int i = 0; i < iterations; i++) {
                                long c = ProcessMemory.cpuNanos();
                                long t = System.nanoTime();
                                engine.embed(prefixes.get(batch), batch, size);
                                times.add((System.nanoTime() - t) / 1e6);
                                cpu.add((ProcessMemory.cpuNanos() - c) / 1e6);
                            }
                            reply(out, gson, Map.of("times_ms", times, "cpu_ms", cpu,
                                    "peak_rss_mb", ProcessMemory.peakRssMb(), "peak_heap_mb", ProcessMemory.peakHeapMb(),
                                    "rss_peak_reset", reset));
                        }
                        case "matmul" -> reply(out, gson, Map.of("gflops",
                                DjlEngine.matMulGflops(cmd.get("n").getAsInt(), cmd.get("repeats").getAsInt())));
                        default -> reply(out, gson, Map.of("error", "unknown command " + name));
                    }
                } catch (Exception e) {
                    reply(out, gson, Map.of("error", String.valueOf(e)));
                }
            }
        }
    }

    private static int batch(JsonObject cmd, int images) {
        int batch = cmd.get("batch").getAsInt();
        if (batch < 1 || batch > images) {
            throw new IllegalArgumentException("batch " + batch + " outside 1.." + images);
        }
        return batch;
    }

    private static void reply(PrintStream out, Gson gson, Object message) {
        out.println(REPLY_PREFIX + gson.toJson(message));
    }
}
