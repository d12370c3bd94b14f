package org.itaestudio.image;

import org.itaestudio.TestData;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Per-image cost of decode + preprocess on the 2048x1536 camera-trap JPEGs (not a unit test).
 * Run: {@code java -cp target/classes:target/test-classes:$(cat target/classpath.txt)
 * org.itaestudio.image.ImagePipelineBenchmark [threads]}
 */
public final class ImagePipelineBenchmark {

    public static void main(String[] args) throws Exception {
        Path data = TestData.sharedData();
        if (data == null) {
            System.err.println("shared data not found");
            return;
        }
        List<Path> files = new ArrayList<>();
        try (var stream = Files.list(data.resolve("photos/cameratrap_cdla"))) {
            stream.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(files::add);
        }
        ImageDecoder decoder = new ImageDecoder();
        Preprocessor preprocessor = new Preprocessor(PreprocessConfig.DINOV2_EVAL);
        int rounds = 5;
        // wall time and this thread's CPU time (the latter is what matters on a shared, busy machine)
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<Long> decode = new ArrayList<>();
        List<Long> resize = new ArrayList<>();
        List<Long> cropNormalize = new ArrayList<>();
        List<Long> decodeCpu = new ArrayList<>();
        List<Long> resizeCpu = new ArrayList<>();
        for (int round = 0; round < rounds + 1; round++) {
            for (Path f : files) {
                long c0 = cpu.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                RgbImage image = decoder.decode(f);
                long t1 = System.nanoTime();
                long c1 = cpu.getCurrentThreadCpuTime();
                RgbImage resized = Preprocessor.resizeShorterSide(image, 256);
                long t2 = System.nanoTime();
                long c2 = cpu.getCurrentThreadCpuTime();
                Preprocessor.toModelInput(Preprocessor.centerCrop(resized, 224, 224));
                long t3 = System.nanoTime();
                if (round > 0) { // round 0 warms up the JIT
                    decode.add(t1 - t0);
                    resize.add(t2 - t1);
                    cropNormalize.add(t3 - t2);
                    decodeCpu.add(c1 - c0);
                    resizeCpu.add(c2 - c1);
                }
            }
        }
        System.out.printf("single thread, %d images x %d rounds: median wall decode %.1f ms, resize %.1f ms, "
                + "crop+normalise %.2f ms; median CPU decode %.1f ms, resize %.1f ms%n", files.size(), rounds,
                median(decode), median(resize), median(cropNormalize), median(decodeCpu), median(resizeCpu));

        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<ModelInput>> futures = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (Path f : files) {
                    futures.add(pool.submit(() -> preprocessor.apply(decoder.decode(f))));
                }
            }
            for (Future<ModelInput> future : futures) {
                future.get();
            }
            double ms = (System.nanoTime() - start) / 1e6;
            System.out.printf("%d threads: %.1f ms per image (throughput)%n", threads, ms / futures.size());
        } finally {
            pool.shutdown();
        }
    }

    private static double median(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
