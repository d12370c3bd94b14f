package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.itaestudio.cluster.LabelMatching;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.cluster.Metrics;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * Compares artifact fixes on one folder: each variant (no fix, ITAE, test-time registers, both) is embedded and
 * clustered with the same clustering settings through {@link StudioEngine#analyze} (so the embedding cache and
 * ITAE's kept states serve a second comparison), then each clustering is measured against the first variant's
 * (the reference, normally no fix) and, where the images sit in class sub-folders, against those classes.
 *
 * <p>Clusters of two runs are matched by maximum overlap ({@link LabelMatching}) before counting the images that
 * changed cluster, so renumbered but identical clusterings count 0 changes. The silhouette is the mean cosine
 * silhouette on a seeded subsample of at most {@value #MAX_SILHOUETTE_POINTS} images (it is O(n^2)). No map is
 * computed: the comparison needs none.
 */
public final class FixComparison {

    /** Silhouette subsample size (as {@code AutoK}'s default). */
    public static final int MAX_SILHOUETTE_POINTS = 2000;

    private FixComparison() {
    }

    /**
     * One fix to compare.
     *
     * @param name what the table shows ("No fix", "ITAE", ...)
     * @param itae ITAE, or null
     * @param ttr  test-time registers, or null
     */
    public record Variant(String name, ItaeConfig itae, TestTimeRegisters ttr) {
        public Variant {
            Objects.requireNonNull(name);
        }
    }

    /** ACC / NMI / ARI of a clustering against the folder's class sub-folders. */
    public record ClassScores(double acc, double nmi, double ari) {
    }

    /**
     * One variant's clustering and how it compares.
     *
     * @param variant       the fix
     * @param k             number of clusters
     * @param silhouette    mean cosine silhouette (NaN when undefined: one cluster or fewer than 3 images)
     * @param ariVsReference adjusted Rand index against the reference clustering (1 for the reference itself)
     * @param changed       images whose matched cluster differs from the reference's
     * @param labels        clusters of {@link Result#paths()}, renumbered to match the reference's
     * @param changedMask   per image of {@link Result#paths()}: true when its matched cluster differs
     * @param classes       scores against the class sub-folders, when the folder has them
     */
    public record Row(Variant variant, int k, double silhouette, double ariVsReference, int changed, int[] labels,
                      boolean[] changedMask, Optional<ClassScores> classes) {

        /** Indices into {@link Result#paths()} of the images that changed cluster. */
        public int[] changedImages() {
            int[] out = new int[changed];
            for (int i = 0, j = 0; i < changedMask.length; i++) {
                if (changedMask[i]) {
                    out[j++] = i;
                }
            }
            return out;
        }
    }

    /**
     * @param folder  the folder
     * @param paths   images every variant embedded (relative paths, sorted)
     * @param classes class name of each image (its first sub-folder), or empty when the folder has no class
     *                sub-folders
     * @param rows    one per variant, the reference first
     */
    public record Result(Path folder, List<String> paths, Optional<List<String>> classes, List<Row> rows) {
        public Result {
            paths = List.copyOf(paths);
            rows = List.copyOf(rows);
        }
    }

    /**
     * Runs the comparison.
     *
     * @param settings the current analysis settings (model, preprocessing, clustering); their ITAE and test-time
     *                 registers are replaced by each variant's; the map is not computed
     * @param variants at least one; the first is the reference
     * @param progress stages are prefixed with the variant's name
     * @throws IOException when the folder cannot be read or a model cannot be loaded
     */
    public static Result run(StudioEngine engine, Path folder, AnalysisSettings settings, List<Variant> variants,
                             ProgressListener progress, Cancellation cancel) throws IOException {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare: no fix given");
        }
        List<FolderAnalysis> runs = new ArrayList<>();
        for (int v = 0; v < variants.size(); v++) {
            cancel.throwIfCancelled();
            Variant variant = variants.get(v);
            AnalysisSettings s = settings.withItae(variant.itae()).withTtr(variant.ttr()).withMapMethod(MapMethod.NONE);
            String prefix = variant.name() + " (" + (v + 1) + "/" + variants.size() + "): ";
            runs.add(engine.analyze(folder, s, p -> progress.onProgress(new Progress(prefix + p.stage(), p.done(),
                    p.total(), p.itemsPerSecond(), p.eta(), p.skipped())), cancel));
        }
        return compare(folder, variants, runs, settings.seed());
    }

    /** Compares finished analyses of the same folder (one per variant, the reference first). */
    static Result compare(Path folder, List<Variant> variants, List<FolderAnalysis> runs, long seed) {
        // images every run embedded (a file that failed to decode in one run is left out of all)
        List<String> paths = new ArrayList<>(runs.get(0).paths());
        for (FolderAnalysis a : runs.subList(1, runs.size())) {
            paths.retainAll(new java.util.HashSet<>(a.paths()));
        }
        Optional<List<String>> classNames = classesOf(paths);
        int[] truth = classNames.map(Metrics::encode).orElse(null);
        int[] sample = sample(paths.size(), MAX_SILHOUETTE_POINTS, seed);

        List<Row> rows = new ArrayList<>();
        int[] reference = null;
        int referenceK = 0;
        for (int v = 0; v < runs.size(); v++) {
            FolderAnalysis a = runs.get(v);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < a.paths().size(); i++) {
                index.put(a.paths().get(i), i);
            }
            int[] labels = new int[paths.size()];
            float[][] x = new float[sample.length][];
            for (int i = 0; i < paths.size(); i++) {
                labels[i] = a.labels()[index.get(paths.get(i))];
            }
            int[] sampledLabels = new int[sample.length];
            for (int j = 0; j < sample.length; j++) {
                x[j] = a.embeddings()[index.get(paths.get(sample[j]))];
                sampledLabels[j] = labels[sample[j]];
            }
            double silhouette = silhouette(x, sampledLabels);
            if (reference == null) {
                reference = labels;
                referenceK = a.k();
            }
            LabelMatching.Change change = LabelMatching.compare(reference, referenceK, labels, a.k());
            Optional<ClassScores> scores = truth == null ? Optional.empty() : Optional.of(new ClassScores(
                    Metrics.accuracy(truth, labels), Metrics.nmi(truth, labels), Metrics.ari(truth, labels)));
            rows.add(new Row(variants.get(v), a.k(), silhouette, Metrics.ari(reference, labels), change.changed(),
                    change.alignedLabels(), change.changedMask(), scores));
        }
        return new Result(folder, paths, classNames, rows);
    }

    /**
     * The class of each image as {@code evaluate --truth-from-folders} reads it (its first path component), or empty
     * unless every image sits in a sub-folder and there are at least two classes.
     */
    static Optional<List<String>> classesOf(List<String> paths) {
        List<String> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            int slash = p.indexOf('/');
            if (slash <= 0) {
                return Optional.empty();
            }
            out.add(p.substring(0, slash));
        }
        return out.stream().distinct().limit(2).count() < 2 ? Optional.empty() : Optional.of(List.copyOf(out));
    }

    private static double silhouette(float[][] x, int[] labels) {
        if (x.length < 3 || java.util.Arrays.stream(labels).distinct().count() < 2) {
            return Double.NaN;
        }
        return Metrics.silhouette(x, labels, Metrics.Distance.COSINE);
    }

    /** All indices when n <= max, else a seeded uniform subsample of max indices, ascending. */
    static int[] sample(int n, int max, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (n <= max) {
            return idx;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < max; i++) { // partial Fisher-Yates
            int j = i + r.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] out = java.util.Arrays.copyOf(idx, max);
        java.util.Arrays.sort(out);
        return out;
    }
}
