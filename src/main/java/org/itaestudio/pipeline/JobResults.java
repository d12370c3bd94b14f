package org.itaestudio.pipeline;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.itaestudio.cluster.Clustering;
import org.itaestudio.cluster.Embeddings;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CsvReader;

/**
 * The output folder of the Spark job ({@code itae-studio spark embed-cluster}, docs/scale-out.md) opened as a folder
 * analysis: its {@code embeddings.csv}, {@code labels.csv} and {@code skipped.csv} (the CLI's formats) and
 * {@code job.json} (which names the input and the model). No model runs: the map is computed from the embeddings,
 * and images are read from the job's input when this machine can reach it (a {@code file:} URI, or a cluster path
 * mounted at the same place); otherwise the app shows placeholders.
 */
public final class JobResults {
    private JobResults() {
    }

    public static final String JOB_FILE = "job.json";
    static final String EMBEDDINGS = "embeddings.csv";
    static final String LABELS = "labels.csv";
    static final String SKIPPED = "skipped.csv";

    /** Whether {@code dir} holds a finished Spark job's output with the files the app reads. */
    public static boolean isJobOutput(Path dir) {
        return Files.isRegularFile(dir.resolve(JOB_FILE)) && Files.isRegularFile(dir.resolve(EMBEDDINGS))
                && Files.isRegularFile(dir.resolve(LABELS));
    }

    /**
     * Reads the job's results and computes their map with {@code base}'s map method and seed.
     *
     * @throws IOException with one line naming the file when the folder is not a finished job with local exports, or
     *                     its files are unreadable or disagree
     */
    public static FolderAnalysis open(Path dir, AnalysisSettings base, ProgressListener progress, Cancellation cancel)
            throws IOException {
        if (!Files.isRegularFile(dir.resolve(JOB_FILE))) {
            throw new IOException("not a finished Spark job's output (no " + JOB_FILE + "): " + dir);
        }
        if (!isJobOutput(dir)) {
            throw new IOException(dir + " has no " + LABELS + "/" + EMBEDDINGS
                    + ": the job wrote Parquet only (rerun it with a larger --local-export-max)");
        }
        JsonObject job;
        try {
            job = JsonParser.parseString(Files.readString(dir.resolve(JOB_FILE))).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("unreadable " + dir.resolve(JOB_FILE) + ": " + e.getMessage(), e);
        }
        progress.onProgress(new Progress("Reading results", 0, 1, 0, null, 0));
        CsvReader.Table embeddings = CsvReader.read(dir.resolve(EMBEDDINGS));
        List<String> paths = new ArrayList<>(embeddings.rows().size());
        float[][] x = new float[embeddings.rows().size()][];
        for (int i = 0; i < x.length; i++) {
            List<String> row = embeddings.rows().get(i);
            paths.add(row.get(0));
            x[i] = new float[row.size() - 1];
            for (int j = 1; j < row.size(); j++) {
                x[i][j - 1] = parse(row.get(j), dir.resolve(EMBEDDINGS), i);
            }
        }
        if (x.length == 0) {
            throw new IOException(dir.resolve(EMBEDDINGS) + " lists no image");
        }
        Embeddings.checkMatrix(x, dir.resolve(EMBEDDINGS).toString());
        int[] rawLabels = labels(dir.resolve(LABELS), paths);
        // MLlib may leave cluster ids unused (an empty cluster): number the ones in use 0..k-1
        Map<Integer, Integer> dense = new HashMap<>();
        for (int i = 0; i < rawLabels.length; i++) {
            rawLabels[i] = dense.computeIfAbsent(rawLabels[i], l -> dense.size());
        }
        int k = dense.size();
        Clustering c = Clustering.fromLabels(Embeddings.l2Normalized(x), rawLabels, k, "k-means (Spark MLlib)");
        List<SkippedFile> skipped = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve(SKIPPED))) {
            CsvReader.Table t = CsvReader.read(dir.resolve(SKIPPED));
            int p = t.column("path");
            int r = t.column("reason");
            t.rows().forEach(row -> skipped.add(new SkippedFile(row.get(p), row.get(r))));
        }
        String model = job.has("model") ? job.get("model").getAsString() : base.model();
        int kFound = c.k();
        AnalysisSettings settings = base.with(b -> {
            b.model = model;
            b.k = kFound;
        });
        cancel.throwIfCancelled();
        double[][] map = Maps.compute(x, settings.mapMethod(), settings.seed(), progress, cancel);
        return new FolderAnalysis(inputFolder(job, dir), paths, x, c.labels(), c.k(), c.distances(), map, skipped,
                settings);
    }

    /** Where the job's images are on this machine: the input URI's path (placeholders follow when it is absent). */
    static Path inputFolder(JsonObject job, Path dir) throws IOException {
        if (!job.has("input")) {
            throw new IOException(dir.resolve(JOB_FILE) + " names no input");
        }
        String input = job.get("input").getAsString();
        try {
            // file:/photos -> /photos; hdfs://nn/photos -> /photos (read where a cluster path is mounted alike)
            String path = URI.create(input.replace(" ", "%20")).getPath();
            return Path.of(path == null ? input : path);
        } catch (IllegalArgumentException e) {
            return Path.of(input);
        }
    }

    private static int[] labels(Path file, List<String> paths) throws IOException {
        CsvReader.Table t = CsvReader.read(file);
        int p = t.column("path");
        int c = t.column("cluster");
        Map<String, Integer> byPath = new HashMap<>();
        for (List<String> row : t.rows()) {
            try {
                byPath.put(row.get(p), Integer.parseInt(row.get(c).trim()));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": cluster '" + row.get(c) + "' of " + row.get(p) + " is not a number");
            }
        }
        int[] labels = new int[paths.size()];
        for (int i = 0; i < labels.length; i++) {
            Integer l = byPath.get(paths.get(i));
            if (l == null || l < 0) {
                throw new IOException(file + " has no cluster for " + paths.get(i) + " (listed in " + EMBEDDINGS + ")");
            }
            labels[i] = l;
        }
        return labels;
    }

    private static float parse(String v, Path file, int row) throws IOException {
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": row " + (row + 1) + " has a value that is not a number: '" + v + "'");
        }
    }
}
