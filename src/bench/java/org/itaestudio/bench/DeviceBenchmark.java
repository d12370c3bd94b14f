package org.itaestudio.bench;

import ai.djl.Device;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.itaestudio.model.ComputeDevice;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.NativeThreading;
import org.itaestudio.model.weights.SafetensorsWriter;

/**
 * Our engine on one device (the GPU, for {@code tools/gpu-check.sh}): the suite's weights and inputs, the CLS
 * embeddings compared with the same model on the CPU, then warm-up and timed forwards per batch size, one markdown
 * row each. Writes the weights, inputs and our embeddings to a folder so that the PyTorch peer
 * ({@code tools/gpu_bench_pytorch.py}) runs the same model on the same inputs.
 *
 * <pre>
 * java ... org.itaestudio.bench.DeviceBenchmark DEVICE(gpu|cpu) DIR ARCHS(vits14,vitb14) BATCHES(1,8) WARMUP ITERATIONS
 * </pre>
 */
public final class DeviceBenchmark {
    static final int SIZE = 224;

    private DeviceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String device = args[0];
        Path dir = Path.of(args[1]);
        List<String> archs = List.of(args[2].split(","));
        List<Integer> batches = List.of(args[3].split(",")).stream().map(Integer::parseInt).toList();
        int warmup = Integer.parseInt(args[4]);
        int iterations = Integer.parseInt(args[5]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        NativeThreading.configure();
        ComputeDevice resolved = ComputeDevice.resolve(DeviceChoice.parse(device));
        Device chosen = resolved.device();
        int images = batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
        float[] pixels = BenchInputs.pixels(images, SIZE, BenchOptions.INPUT_SEED);
        for (String arch : archs) {
            DinoV2Config config = EngineBenchmark.arch(arch);
            Path archDir = Files.createDirectories(dir.resolve(arch));
            writeInputs(archDir, config, arch, pixels, images);
            try (DinoV2 model = DinoV2.create(config, new SyntheticWeights(config, BenchOptions.WEIGHT_SEED), chosen)) {
                float[][] onDevice = model.forward(pixels, images, SIZE, SIZE, ForwardRequest.plain()).embeddings();
                out.printf(Locale.ROOT, "AGREE %s ours on %s vs ours on the CPU: max abs diff %.2e%n",
                        BenchReport.modelName(arch), resolved.label(), BenchReport.maxAbsDiff(onDevice, cpuEmbeddings(config, pixels, images)));
                writeEmbeddings(archDir.resolve("ours-embeddings.txt"), onDevice);
                for (int batch : batches) {
                    float[] input = java.util.Arrays.copyOf(pixels, batch * 3 * SIZE * SIZE);
                    for (int i = 0; i < warmup; i++) {
                        model.forward(input, batch, SIZE, SIZE, ForwardRequest.plain());
                    }
                    List<Double> times = new ArrayList<>();
                    for (int i = 0; i < iterations; i++) {
                        long t = System.nanoTime(); // embeddings are copied to the host: the forward has finished
                        model.forward(input, batch, SIZE, SIZE, ForwardRequest.plain());
                        times.add((System.nanoTime() - t) / 1e6);
                    }
                    out.println(row(arch, batch, "ITAE Studio (DJL + libtorch, " + resolved.label() + ")", times));
                }
            }
        }
    }

    /** {@code | model | batch | engine | ms/batch median (min-max) | images/s |} */
    static String row(String arch, int batch, String engine, List<Double> times) {
        double median = BenchReport.median(times);
        double min = times.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = times.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "ROW | %s | %d | %s | %.1f (%.1f-%.1f) | %.1f |", BenchReport.modelName(arch),
                batch, engine, median, min, max, batch * 1000.0 / median);
    }

    private static float[][] cpuEmbeddings(DinoV2Config config, float[] pixels, int images) throws Exception {
        try (DinoV2 cpu = DinoV2.create(config, new SyntheticWeights(config, BenchOptions.WEIGHT_SEED), Device.cpu())) {
            return cpu.forward(pixels, images, SIZE, SIZE, ForwardRequest.plain()).embeddings();
        }
    }

    private static void writeInputs(Path dir, DinoV2Config config, String arch, float[] pixels, int images)
            throws Exception {
        SafetensorsWriter.write(dir.resolve("weights.safetensors"), new SyntheticWeights(config, BenchOptions.WEIGHT_SEED),
                Map.of("format", "pt", "num_heads", Integer.toString(config.numHeads()), "arch", arch));
        SafetensorsWriter.write(dir.resolve("inputs.safetensors"), List.of(new SafetensorsWriter.Tensor("pixels",
                new long[] {images, 3, SIZE, SIZE}, pixels)), Map.of());
    }

    private static void writeEmbeddings(Path file, float[][] embeddings) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (float[] row : embeddings) {
            for (int j = 0; j < row.length; j++) {
                sb.append(j == 0 ? "" : " ").append(row[j]);
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }
}
