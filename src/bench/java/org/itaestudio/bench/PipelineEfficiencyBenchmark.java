package org.itaestudio.bench;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.ModelInput;
import org.itaestudio.image.PreprocessConfig;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.EmbeddingPipeline;
import org.itaestudio.progress.ProgressListener;

/**
 * The whole pipeline's images/s (decode + resize on worker threads, batched inference) as a fraction
 * of the engine's images/s on already-decoded inputs, for small images (CIFAR-10) and large photos (2048x1536
 * camera-trap JPEGs), with full decoding (the default) and with opt-in JPEG draft decoding. ViT-S/14 architecture,
 * random weights, batch 8, CPU. Numbers only.
 *
 * <p>A forward pass on this kind of shared VM varies by 2x from one minute to the next, so one engine run and one
 * pipeline run say little. The runs are interleaved instead: each round times the engine alone, then the pipeline in
 * each decoding mode, over the same images; reported are the medians over the rounds, and the ratio is the median of
 * each round's pipeline / engine (paired, so slow minutes hit both sides).
 *
 * <p>Usage: {@code PipelineEfficiencyBenchmark [CIFAR_FOLDER] [CIFAR_IMAGES] [PHOTO_FOLDER] [PHOTO_IMAGES] [ROUNDS]}.
 * A folder with fewer files than asked for is cycled (the same photo under another name, so the pipeline decodes it
 * again): the first batch has to wait for its decodes in any pipeline, and over 10 photos that start-up alone would
 * cost a third of the run.
 */
public final class PipelineEfficiencyBenchmark {

    private static final int BATCH = 8;

    private PipelineEfficiencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path cifar = Path.of(args.length > 0 ? args[0] : "../shared/data/cifar10-test");
        int cifarImages = args.length > 1 ? Integer.parseInt(args[1]) : 160;
        Path photos = Path.of(args.length > 2 ? args[2] : "../shared/data/photos/cameratrap_cdla");
        int photoImages = args.length > 3 ? Integer.parseInt(args[3]) : 80;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        DinoV2Config config = ModelCatalog.config("dinov2-small");
        System.out.println("| input | decoding | images x rounds | engine only, images/s | pipeline, images/s "
                + "| pipeline / engine, median (min-max) |");
        System.out.println("|---|---|---|---|---|---|");
        try (DinoV2 model = DinoV2.create(config, new SyntheticWeights(config, 1), Device.cpu())) {
            for (Path folder : new Path[] {cifar, photos}) {
                if (!Files.isDirectory(folder)) {
                    System.out.println("| " + folder + " | skipped: folder not found | | | | |");
                    continue;
                }
                List<FolderScanner.ImageFile> files = pick(new FolderScanner().scan(folder).images(),
                        folder == cifar ? cifarImages : photoImages);
                List<PreprocessConfig> modes = new ArrayList<>(List.of(PreprocessConfig.DINOV2_EVAL));
                if (folder == photos) { // JPEG draft decoding only matters for images far larger than 256 px
                    modes.add(PreprocessConfig.DINOV2_EVAL.withJpegDraft(true));
                }
                measure(model, folder.getFileName().toString(), files, modes, rounds);
            }
        }
    }

    /** {@code wanted} files spread over the folder, or the folder cycled under new names when it has fewer. */
    static List<FolderScanner.ImageFile> pick(List<FolderScanner.ImageFile> files, int wanted) {
        List<FolderScanner.ImageFile> picked = new ArrayList<>();
        if (files.size() >= wanted) {
            int step = files.size() / wanted;
            for (int i = 0; i < files.size() && picked.size() < wanted; i += step) {
                picked.add(files.get(i));
            }
            return picked;
        }
        for (int i = 0; picked.size() < wanted; i++) {
            FolderScanner.ImageFile f = files.get(i % files.size());
            picked.add(new FolderScanner.ImageFile("copy" + (i / files.size()) + "/" + f.relativePath(), f.path()));
        }
        return picked;
    }

    /** images/s of batched forwards on inputs decoded beforehand. */
    static double engineOnly(DinoV2 model, List<ModelInput> inputs, ForwardRequest request) {
        ModelInput first = inputs.get(0);
        int per = first.chw().length;
        long t0 = System.nanoTime();
        for (int from = 0; from < inputs.size(); from += BATCH) {
            int n = Math.min(BATCH, inputs.size() - from);
            float[] px = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(inputs.get(from + i).chw(), 0, px, i * per, per);
            }
            model.forward(px, n, first.height(), first.width(), request);
        }
        return inputs.size() / ((System.nanoTime() - t0) / 1e9);
    }

    static void measure(DinoV2 model, String name, List<FolderScanner.ImageFile> files, List<PreprocessConfig> modes,
                        int rounds) throws Exception {
        ImageDecoder decoder = new ImageDecoder();
        ForwardRequest request = ForwardRequest.plain();
        List<ModelInput> inputs = new ArrayList<>();
        Preprocessor exact = new Preprocessor(PreprocessConfig.DINOV2_EVAL);
        for (FolderScanner.ImageFile f : files) {
            inputs.add(exact.load(decoder, f.path()));
        }
        // warm-up: the forward at this size, and every decoder path (JIT) on a few files
        ModelInput first = inputs.get(0);
        model.forward(new float[BATCH * first.chw().length], BATCH, first.height(), first.width(), request);
        for (PreprocessConfig mode : modes) {
            for (int i = 0; i < Math.min(20, files.size()); i++) {
                new Preprocessor(mode).load(decoder, files.get(i).path());
            }
        }
        double[] engine = new double[rounds];
        double[][] pipeline = new double[modes.size()][rounds];
        double[][] ratio = new double[modes.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            engine[r] = engineOnly(model, inputs, request);
            for (int m = 0; m < modes.size(); m++) {
                EmbeddingPipeline p = new EmbeddingPipeline(model, new Preprocessor(modes.get(m)), decoder, request,
                        BATCH, EmbeddingPipeline.defaultDecodeThreads());
                long t = System.nanoTime();
                EmbeddingPipeline.Result res = p.run(files, EmbeddingPipeline.Store.NONE, ProgressListener.NONE,
                        Cancellation.none());
                pipeline[m][r] = res.paths().size() / ((System.nanoTime() - t) / 1e9);
                ratio[m][r] = pipeline[m][r] / engine[r];
            }
        }
        for (int m = 0; m < modes.size(); m++) {
            double[] q = ratio[m].clone();
            Arrays.sort(q);
            System.out.printf(Locale.ROOT, "| %s | %s | %d x %d | %.2f | %.2f | %.2f (%.2f-%.2f) |%n", name,
                    modes.get(m).jpegDraft() ? "JPEG draft (opt-in)" : "full (default)", files.size(), rounds,
                    median(engine), median(pipeline[m]), median(ratio[m]), q[0], q[q.length - 1]);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
