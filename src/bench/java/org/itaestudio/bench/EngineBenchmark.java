package org.itaestudio.bench;

import ai.djl.Device;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.hub.ModelCatalog;

/**
 * Engine throughput on random DINOv2-architecture weights: images/s at a batch size, latency, peak memory.
 * Numbers only; no assertions (timings on a shared 2-core machine vary).
 */
public final class EngineBenchmark {

    /** One measured configuration. */
    public record Result(String arch, int batch, int imageSize, int iterations, double imagesPerSecond,
                         double msPerBatch, long peakHeapMb, long peakRssMb) {
        public String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.1f | %d | %d |", arch, imageSize, batch,
                    imagesPerSecond, msPerBatch, peakHeapMb, peakRssMb);
        }
    }

    public static final String HEADER = "| model | px | batch | images/s | ms/batch | peak heap MB | peak RSS MB |\n"
            + "|---|---|---|---|---|---|---|";

    private EngineBenchmark() {
    }

    public static DinoV2Config arch(String name) {
        return switch (name) {
            case "vits14" -> ModelCatalog.config("dinov2-small");
            case "vitb14" -> ModelCatalog.config("dinov2-base");
            case "vitl14" -> ModelCatalog.config("dinov2-large");
            default -> throw new IllegalArgumentException("unknown architecture " + name + " (vits14|vitb14|vitl14)");
        };
    }

    public static List<Result> run(String archName, int[] batches, int imageSize, int warmup, int iterations) throws Exception {
        DinoV2Config config = arch(archName);
        List<Result> results = new ArrayList<>();
        try (DinoV2 model = DinoV2.create(config, new SyntheticWeights(config, 1), Device.cpu())) {
            for (int batch : batches) {
                float[] pixels = new float[batch * 3 * imageSize * imageSize];
                Random r = new Random(batch);
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < warmup; i++) {
                    model.forward(pixels, batch, imageSize, imageSize, ForwardRequest.plain());
                }
                long peakHeap = 0;
                long peakRss = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    model.forward(pixels, batch, imageSize, imageSize, ForwardRequest.plain());
                    peakHeap = Math.max(peakHeap, usedHeapMb());
                    peakRss = Math.max(peakRss, rssMb());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                results.add(new Result(archName, batch, imageSize, iterations, batch * iterations / seconds,
                        1000 * seconds / iterations, peakHeap, peakRss));
            }
        }
        return results;
    }

    static long usedHeapMb() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    /** Resident set size of this process (heap + native tensors), from /proc where available. */
    static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) { // peak RSS so far
                    return Long.parseLong(line.replaceAll("\\D+", "")) >> 10;
                }
            }
        } catch (Exception e) {
            // not Linux: fall through
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        String arch = args.length > 0 ? args[0] : "vits14";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.println("JVM " + ManagementFactory.getRuntimeMXBean().getVmVersion() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.println(HEADER);
        for (Result r : run(arch, new int[] {1, 8}, 224, 2, iterations)) {
            System.out.println(r.row());
        }
    }
}
