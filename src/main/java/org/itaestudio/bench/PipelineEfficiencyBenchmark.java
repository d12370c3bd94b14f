package org.itaestudio.bench;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.itaestudio.model.weights.SyntheticWeights;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.EmbeddingPipeline;
import org.itaestudio.pipeline.ProgressListener;

/**
 * Issue 6, part 4: the whole pipeline's images/s (decode + resize on worker threads, batched inference) as a fraction
 * of the engine's images/s on already-decoded inputs, for small images (CIFAR-10) and large photos (2048x1536
 * camera-trap JPEGs). ViT-S/14 architecture, random weights, batch 8, CPU. Numbers only.
 *
 * <p>Usage: {@code PipelineEfficiencyBenchmark [CIFAR_FOLDER] [CIFAR_IMAGES] [PHOTO_FOLDER] [PHOTO_IMAGES]}. A folder with
 * fewer files than asked for is cycled (the same photo under another name, so the pipeline decodes it again): the
 * first batch has to wait for its decodes in any pipeline, and over 10 photos that start-up alone would cost a third
 * of the run.
 */
public final class PipelineEfficiencyBenchmark {

    private PipelineEfficiencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path cifar = Path.of(args.length > 0 ? args[0] : "../shared/data/cifar10-test");
        int cifarImages = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path photos = Path.of(args.length > 2 ? args[2] : "../shared/data/photos/cameratrap_cdla");
        int photoImages = args.length > 3 ? Integer.parseInt(args[3]) : 80;
        DinoV2Config config = DinoV2Config.named("dinov2-small");
        System.out.println("| input | decoding | images | engine only, images/s | pipeline, images/s | pipeline / engine |");
        System.out.println("|---|---|---|---|---|---|");
        try (DinoV2 model = DinoV2.create(config, new SyntheticWeights(config, 1), Device.cpu())) {
            for (Path folder : new Path[] {cifar, photos}) {
                int wanted = folder == cifar ? cifarImages : photoImages;
                if (!Files.isDirectory(folder)) {
                    System.out.println("| " + folder + " | skipped: folder not found | | | | |");
                    continue;
                }
                List<FolderScanner.ImageFile> files = new FolderScanner().scan(folder).images();
                files = pick(files, wanted);
                measure(model, folder.getFileName().toString(), files, PreprocessConfig.DINOV2_EVAL);
                if (folder == photos) { // opt-in JPEG draft decoding only matters for images much larger than 256 px
                    measure(model, folder.getFileName().toString(), files, PreprocessConfig.DINOV2_EVAL.withJpegDraft(true));
                }
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

    /** images/s of batched forwards on inputs decoded beforehand (decoding not timed). */
    static double engineOnly(DinoV2 model, Preprocessor pre, ImageDecoder decoder, ForwardRequest request,
                             List<FolderScanner.ImageFile> files, int batch) throws Exception {
        List<ModelInput> inputs = new ArrayList<>();
        for (FolderScanner.ImageFile f : files) {
            inputs.add(pre.load(decoder, f.path()));
        }
        ModelInput first = inputs.get(0);
        int per = first.chw().length;
        long t0 = System.nanoTime();
        for (int from = 0; from < inputs.size(); from += batch) {
            int n = Math.min(batch, inputs.size() - from);
            float[] px = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(inputs.get(from + i).chw(), 0, px, i * per, per);
            }
            model.forward(px, n, first.height(), first.width(), request);
        }
        return inputs.size() / ((System.nanoTime() - t0) / 1e9);
    }

    static void measure(DinoV2 model, String name, List<FolderScanner.ImageFile> files, PreprocessConfig config)
            throws Exception {
        Preprocessor pre = new Preprocessor(config);
        ImageDecoder decoder = new ImageDecoder();
        ForwardRequest request = ForwardRequest.plain();
        int batch = 8;
        // warm-up
        ModelInput first = pre.load(decoder, files.get(0).path());
        float[] warm = new float[batch * first.chw().length];
        model.forward(warm, batch, first.height(), first.width(), request);

        double engine = engineOnly(model, pre, decoder, request, files, batch);

        EmbeddingPipeline pipeline = new EmbeddingPipeline(model, pre, decoder, request, batch,
                EmbeddingPipeline.defaultDecodeThreads());
        long t1 = System.nanoTime();
        EmbeddingPipeline.Result r = pipeline.run(files, EmbeddingPipeline.Store.NONE, ProgressListener.NONE, Cancellation.none());
        double whole = r.paths().size() / ((System.nanoTime() - t1) / 1e9);
        // the engine again, after the pipeline: the better of the two runs, so warm-up favours neither side
        engine = Math.max(engine, engineOnly(model, pre, decoder, request, files, batch));
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f |%n", name,
                config.jpegDraft() ? "JPEG draft (opt-in)" : "full (default)", files.size(), engine, whole, whole / engine);
    }
}
