package org.itaestudio.bench;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.image.RgbImage;
import org.itaestudio.image.jpeg.ScaledJpegDecoder;

/**
 * Decode cost per photo: ImageIO full decode vs {@link ScaledJpegDecoder} at 1/2, 1/4, 1/8, plus the
 * two whole paths the pipeline can take to a Resize(256) input: {@code decode} + PIL-exact resize, and
 * {@code decodeForResize} + resize. Thread CPU time after JIT warm-up rounds, median over rounds, single thread.
 * Numbers only; no assertions.
 *
 * <pre>
 *   java -cp target/classes:$(cat cp.txt) org.itaestudio.bench.ScaledJpegBenchmark [folder] [warmup] [rounds]
 * </pre>
 * Default folder: ../shared/data/photos/cameratrap_cdla; default 5 warm-up and 7 measured rounds.
 */
public final class ScaledJpegBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ScaledJpegBenchmark() {
    }

    @FunctionalInterface
    private interface Step {
        Object run(Path file, byte[] bytes) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "../shared/data/photos/cameratrap_cdla");
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        List<Path> found;
        try (Stream<Path> list = Files.walk(folder)) {
            found = list.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g")).sorted()
                    .toList();
        }
        List<Path> files = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        for (Path f : found) { // only what the scaled decoder takes (baseline, 1 or 3 components)
            byte[] bytes = Files.readAllBytes(f);
            try {
                ScaledJpegDecoder.readHeader(bytes);
                files.add(f);
                data.add(bytes);
            } catch (ScaledJpegDecoder.UnsupportedJpegException | ScaledJpegDecoder.CorruptJpegException e) {
                System.out.println("skipped " + folder.relativize(f) + ": " + e.getMessage());
            }
        }
        if (files.isEmpty()) {
            System.out.println("no baseline JPEG in " + folder);
            return;
        }
        ImageDecoder decoder = new ImageDecoder();
        String[] names = {"ImageIO.read (full, in memory)", "ImageDecoder.decode (full, file)",
            "scaled 1/2 (in memory)", "scaled 1/4 (in memory)", "scaled 1/8 (in memory)", "decode + Resize(256)",
            "decodeForResize(256) + Resize(256)"};
        Step[] steps = {
            (f, b) -> ImageIO.read(new ByteArrayInputStream(b)),
            (f, b) -> decoder.decode(f),
            (f, b) -> ScaledJpegDecoder.decode(b, 2),
            (f, b) -> ScaledJpegDecoder.decode(b, 4),
            (f, b) -> ScaledJpegDecoder.decode(b, 8),
            (f, b) -> Preprocessor.resizeShorterSide(decoder.decode(f), 256),
            (f, b) -> Preprocessor.resizeShorterSide(decoder.decodeForResize(f, 256), 256),
        };
        System.out.printf(Locale.ROOT, "%d JPEGs in %s; %d warm-up + %d measured rounds; ms CPU per photo%n",
                files.size(), folder, warmup, rounds);
        for (int i = 0; i < files.size(); i++) {
            ScaledJpegDecoder.Header h = ScaledJpegDecoder.readHeader(data.get(i));
            System.out.printf(Locale.ROOT, "  %s %dx%d, %d KB%n", files.get(i).getFileName(), h.width(), h.height(),
                    data.get(i).length / 1024);
        }
        for (int s = 0; s < steps.length; s++) {
            double[] perRound = new double[rounds];
            for (int r = 0; r < warmup + rounds; r++) {
                long t0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < files.size(); i++) {
                    Object out = steps[s].run(files.get(i), data.get(i));
                    if (out == null) {
                        throw new IllegalStateException("no image");
                    }
                    if (out instanceof RgbImage img && img.width() <= 0) {
                        throw new IllegalStateException();
                    }
                }
                long t1 = THREADS.getCurrentThreadCpuTime();
                if (r >= warmup) {
                    perRound[r - warmup] = (t1 - t0) / 1e6 / files.size();
                }
            }
            Arrays.sort(perRound);
            System.out.printf(Locale.ROOT, "%-38s median %7.2f ms  (min %7.2f, max %7.2f)%n", names[s],
                    perRound[rounds / 2], perRound[0], perRound[rounds - 1]);
        }
    }
}
