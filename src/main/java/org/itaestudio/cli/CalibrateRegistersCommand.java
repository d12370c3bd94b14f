package org.itaestudio.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.store.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "calibrate-registers", mixinStandardHelpOptions = true,
        description = "Find the register neurons of a model for test-time registers (Jiang et al., NeurIPS 2025): on a "
                + "seeded sample of the folder, the plain model's outlier tokens (norm above a threshold at the detect "
                + "layer) and the MLP units most active on them; writes them as JSON for --test-time-registers.",
        footer = {"", "Example:",
                "  itae-studio calibrate-registers --model dinov2-small --input photos/ --output neurons.json",
                "  itae-studio embed --model dinov2-small --input photos/ --output emb.csv --test-time-registers neurons.json"})
final class CalibrateRegistersCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "NEURONS.json", description = "JSON to write (atomically).")
    Path output;

    @Option(names = "--images", paramLabel = "N", defaultValue = "200",
            description = "Images sampled from the folder (seeded; all when it has fewer) (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the sample (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--detect-layer", paramLabel = "L", defaultValue = "-2",
            description = "Block whose output norms find the outlier tokens; negative counts from the end "
                    + "(default: ${DEFAULT-VALUE}, the second to last).")
    int detectLayer;

    @Option(names = "--norm-threshold", paramLabel = "X|auto", defaultValue = "auto",
            description = "Outlier tokens have an L2 norm above X; 'auto' is Otsu's split of the log norms of all sampled "
                    + "patch tokens (default: ${DEFAULT-VALUE}).")
    String normThreshold;

    @Option(names = "--highest-layer", paramLabel = "L",
            description = "Last block whose MLP units are scored; negative counts from the end (default: the detect layer).")
    Integer highestLayer;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "50",
            description = "Register neurons kept, over all blocks, by score (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--sparsity-filter",
            description = "Score only units that are sparse in the image (at least half of its tokens below 0.5), as the "
                    + "official code's option.")
    boolean sparsityFilter;

    @Override
    public Integer call() throws Exception {
        AnalysisSettings settings = engine.settings();
        if (settings.itae() != null || settings.ttr() != null) {
            throw new UsageException("calibrate-registers runs the plain model: drop the --itae-* and --test-time-registers options");
        }
        if (!Files.isDirectory(input)) {
            throw new UsageException("--input is not a folder: " + input);
        }
        if (images < 1) {
            throw new UsageException("--images must be >= 1, got " + images);
        }
        if (topK < 1) {
            throw new UsageException("--top-k must be >= 1, got " + topK);
        }
        ItaeConfig.Threshold threshold;
        if (normThreshold.trim().equalsIgnoreCase("auto")) {
            threshold = ItaeConfig.Threshold.AUTO;
        } else {
            try {
                double v = Double.parseDouble(normThreshold.trim());
                if (!Double.isFinite(v) || v <= 0) {
                    throw new NumberFormatException();
                }
                threshold = ItaeConfig.Threshold.fixed(v);
            } catch (NumberFormatException e) {
                throw new UsageException("--norm-threshold must be a positive number or 'auto', got '" + normThreshold + "'");
            }
        }
        CalibrationSettings cal = new CalibrationSettings(images, seed, detectLayer, threshold, highestLayer, topK, sparsityFilter);
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            int depth = e.depth(settings);
            try {
                cal.resolveDetectLayer(depth);
                cal.resolveHighestLayer(depth);
            } catch (IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage().replace("the detect layer", "--detect-layer")
                        .replace("the highest layer", "--highest-layer"));
            }
            long start = System.nanoTime();
            RegisterNeurons r = e.calibrateRegisters(input, settings, cal, CliSupport.progressBar(),
                    CliSupport.cancelOnInterrupt());
            AtomicFiles.writeString(output, r.toJson());
            System.err.printf("threshold %.4g (%s): %d of %d image(s) with outliers, %d outlier token(s); %d neuron(s), "
                            + "top [%d, %d] score %.4g; %.1f s -> %s%n", r.threshold(), r.thresholdRule().startsWith("auto")
                            ? "auto" : "fixed", r.imagesWithOutliers(), r.imagesSampled(), r.outlierTokens(), r.neurons().size(),
                    r.neurons().get(0).block(), r.neurons().get(0).unit(), r.neurons().get(0).score(),
                    (System.nanoTime() - start) / 1e9, output);
            return 0;
        }
    }
}
