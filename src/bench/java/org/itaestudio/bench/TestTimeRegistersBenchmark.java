package org.itaestudio.bench;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.weights.SafetensorsWriter;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.progress.ProgressListener;

/**
 * What test-time registers cost: register-neuron calibration on a folder sample (default 200 images of
 * ../shared/data/cifar10-test), then the forward pass at batch 8 (224 px) plain vs with test-time registers (the
 * calibrated neurons, and a spread set of 50 neurons over every block: the most blocks edited), in interleaved rounds,
 * medians. Model: ViT-S/14 architecture with random weights (no real checkpoint can be downloaded here).
 *
 * <p>Usage: {@code TestTimeRegistersBenchmark [FOLDER] [IMAGES] [ROUNDS] [MODEL|tiny]}. Prints a markdown table; asserts
 * nothing.
 */
public final class TestTimeRegistersBenchmark {

    private TestTimeRegistersBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "../shared/data/cifar10-test");
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        String name = args.length > 3 ? args[3] : "dinov2-small";
        if (!Files.isDirectory(folder)) {
            System.out.println("skipped: image folder not found: " + folder);
            return;
        }
        // "tiny" (dim 128, 4 blocks) keeps the smoke test short; any catalogue name gives that architecture
        DinoV2Config config = name.equals("tiny") ? DinoV2Config.of(128, 4, 0, DinoV2Config.FfnType.MLP)
                : ModelCatalog.config(name);
        Path work = Files.createTempDirectory("ttr-bench");
        try {
            Path weights = work.resolve("random.safetensors");
            SafetensorsWriter.write(weights, new SyntheticWeights(config, 1), Map.of("note", "random weights for benchmarks"));
            AnalysisSettings settings = AnalysisSettings.defaults(weights.toString());
            RegisterNeurons calibrated;
            double calibrationS;
            try (DefaultStudioEngine engine = new DefaultStudioEngine(null, new ModelResolver())) {
                engine.depth(settings); // load the model outside the timing
                CalibrationSettings cal = new CalibrationSettings(images, 42, -2,
                        org.itaestudio.itae.ItaeConfig.Threshold.AUTO, null, 50, false);
                long t0 = System.nanoTime();
                calibrated = engine.calibrateRegisters(folder, settings, cal, ProgressListener.NONE, Cancellation.none());
                calibrationS = (System.nanoTime() - t0) / 1e9;
            }
            List<TestTimeRegisters.Neuron> spread = new ArrayList<>();
            Random rnd = new Random(7);
            for (int i = 0; i < 50; i++) {
                spread.add(new TestTimeRegisters.Neuron(i % config.depth(), rnd.nextInt(config.ffnHidden())));
            }
            TestTimeRegisters fromCalibration = calibrated.registers(1, TestTimeRegisters.PatchValues.ZERO);
            TestTimeRegisters everyBlock = TestTimeRegisters.of(spread);

            int batch = 8;
            float[] pixels = new float[batch * 3 * 224 * 224];
            Random r = new Random(3);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) r.nextGaussian();
            }
            double[] plain = new double[rounds];
            double[] ttr = new double[rounds];
            double[] spreadS = new double[rounds];
            try (DinoV2 model = DinoV2.create(config, new SyntheticWeights(config, 1), Device.cpu())) {
                ForwardRequest p = ForwardRequest.plain();
                model.forward(pixels, batch, 224, 224, p); // warm-up
                model.forward(pixels, batch, 224, 224, p.withTtr(everyBlock));
                for (int i = 0; i < rounds; i++) {
                    plain[i] = time(() -> model.forward(pixels, batch, 224, 224, p));
                    ttr[i] = time(() -> model.forward(pixels, batch, 224, 224, p.withTtr(fromCalibration)));
                    spreadS[i] = time(() -> model.forward(pixels, batch, 224, 224, p.withTtr(everyBlock)));
                }
            }
            long blocks = calibrated.neurons().stream().mapToInt(RegisterNeurons.Scored::block).distinct().count();
            System.out.printf(Locale.ROOT, "calibration: %d images (%d with outliers, threshold %.4g auto) in %.1f s = %.2f images/s%n",
                    calibrated.imagesSampled(), calibrated.imagesWithOutliers(), calibrated.threshold(), calibrationS,
                    calibrated.imagesSampled() / calibrationS);
            System.out.println("| forward, batch 8, 224 px | median s | vs plain |");
            System.out.println("|---|---|---|");
            double base = median(plain);
            System.out.printf(Locale.ROOT, "| plain | %.3f | |%n", base);
            System.out.printf(Locale.ROOT, "| TTR, calibrated 50 neurons in %d blocks | %.3f | %+.1f%% |%n", blocks, median(ttr),
                    100 * (median(ttr) / base - 1));
            System.out.printf(Locale.ROOT, "| TTR, 50 neurons spread over all %d blocks | %.3f | %+.1f%% |%n", config.depth(),
                    median(spreadS), 100 * (median(spreadS) / base - 1));
            System.out.printf(Locale.ROOT, "(%d interleaved rounds; plain min %.3f max %.3f)%n", rounds,
                    Arrays.stream(plain).min().orElse(0), Arrays.stream(plain).max().orElse(0));
        } finally {
            BenchFiles.deleteTree(work);
        }
    }

    private static double time(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
