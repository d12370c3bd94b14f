package org.itaestudio.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.itaestudio.image.FolderScanner;
import org.itaestudio.image.ImageDecodeException;
import org.itaestudio.image.ImageDecoder;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.pipeline.SkippedFile;
import org.itaestudio.store.CsvExport;
import org.itaestudio.transfer.RunFolder;
import org.itaestudio.transfer.TransferRun;
import org.itaestudio.transfer.TransferRunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify every readable image of a folder with a trained transfer run; writes path,predicted,score "
                + "as CSV and prints a JSON summary (top-1 with --truth-from-folders).",
        footer = {"", "Examples:",
                "  itae-studio predict --model runs/distill --input photos/ --output predictions.csv",
                "  itae-studio predict --model runs/distill --input test/ --output p.csv --truth-from-folders test/"})
final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "RUN_DIR", description = "A run folder written by 'transfer'.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.csv", description = "CSV to write (atomically).")
    Path output;

    @Option(names = "--truth-from-folders", paramLabel = "DIR",
            description = "Class = the first sub-folder of each path under DIR; adds top-1 to the summary.")
    Path truth;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1, got " + batchSize);
        }
        RunFolder run = new RunFolder(model);
        List<String> classes = new ArrayList<>();
        run.readRun().getAsJsonArray("classes").forEach(c -> classes.add(c.getAsString()));
        TransferRunRequest recorded = TransferRun.recorded(run);
        Preprocessor eval = TransferRun.evaluation(recorded);
        FolderScanner.ScanResult scan = new FolderScanner().scan(input);
        List<SkippedFile> skipped = new ArrayList<>();
        scan.problems().forEach(p -> skipped.add(new SkippedFile(p.relativePath(), p.reason())));
        List<String> paths = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        for (FolderScanner.ImageFile f : scan.images()) {
            try {
                pixels.add(eval.load(decoder, f.path()).chw());
                paths.add(f.relativePath());
            } catch (ImageDecodeException e) {
                skipped.add(new SkippedFile(f.relativePath(), e.getMessage()));
            }
        }
        if (paths.isEmpty()) {
            throw new java.io.IOException("no readable images in " + input);
        }
        String[] predicted = new String[paths.size()];
        float[] score = new float[paths.size()];
        CliSupport.noteDevice(recorded.device().id(), System.err);
        try (TransferSession session = TransferRun.open(recorded, classes.size(), run.checkpoint())) {
            classify(session, pixels, recorded.crop(), classes, predicted, score);
        }
        CsvExport.write(output, CsvExport.LineEnding.LF, sink -> {
            sink.row("path", "predicted", "score");
            for (int i = 0; i < predicted.length; i++) {
                sink.row(paths.get(i), predicted[i], String.format(Locale.ROOT, "%.6f", score[i]));
            }
        });
        CliSupport.reportSkipped(skipped, System.err);
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(summary(paths, predicted)));
        return 0;
    }

    private void classify(TransferSession session, List<float[]> pixels, int side, List<String> classes,
                                 String[] predicted, float[] score) {
        int per = 3 * side * side;
        for (float[] p : pixels) {
            if (p.length != per) {
                throw new IllegalArgumentException("an image preprocesses to " + p.length / 3 + " pixels, the student "
                        + "needs " + side + "x" + side);
            }
        }
        for (int from = 0; from < pixels.size(); ) {
            int to = Math.min(pixels.size(), from + batchSize);
            float[] batch = new float[(to - from) * per];
            for (int i = from; i < to; i++) {
                System.arraycopy(pixels.get(i), 0, batch, (i - from) * per, per);
            }
            float[][] p = session.trainer().probabilities(batch, to - from);
            for (int i = from; i < to; i++) {
                int best = 0;
                for (int c = 1; c < p[i - from].length; c++) {
                    best = p[i - from][c] > p[i - from][best] ? c : best;
                }
                predicted[i] = classes.get(best);
                score[i] = p[i - from][best];
            }
            from = to;
        }
    }

    private JsonObject summary(List<String> paths, String[] predicted) throws java.io.IOException {
        JsonObject o = new JsonObject();
        o.addProperty("images", paths.size());
        if (truth != null) {
            Map<String, String> expected = EvaluateCommand.fromFolders(truth);
            int matched = 0;
            int correct = 0;
            for (int i = 0; i < paths.size(); i++) {
                String t = expected.get(paths.get(i));
                if (t != null) {
                    matched++;
                    correct += t.equals(predicted[i]) ? 1 : 0;
                }
            }
            o.addProperty("with_truth", matched);
            o.addProperty("top1", matched == 0 ? 0 : (double) correct / matched);
        }
        o.addProperty("output", output.toString());
        return o;
    }
}
