package org.itaestudio.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.cluster.Hdbscan;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.cluster.OutlierScores;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CsvExport;
import org.itaestudio.store.ExploreExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Embed a folder and cluster it; writes path,cluster as CSV (optionally distance and map x,y).",
        footer = {"", "Examples:",
                "  itae-studio cluster --model dinov2-small --input photos/ --k 5 --output labels.csv",
                "  itae-studio cluster --model dinov2-base --input cifar10-test/ --k 10 --output labels.csv \\",
                "      --itae-threshold auto && itae-studio evaluate --labels labels.csv --truth-from-folders cifar10-test/"})
final class ClusterCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of images (searched recursively).")
    Path input;

    @Option(names = "--k", paramLabel = "K|auto",
            description = "Number of clusters, or 'auto' to choose k by silhouette (2..20); required except with hdbscan.")
    String k;

    @Option(names = {"--method", "--cluster"}, paramLabel = "kmeans|agglomerative|hdbscan", defaultValue = "kmeans",
            description = "Clustering algorithm (default: ${DEFAULT-VALUE}); hdbscan finds the number of clusters and "
                    + "writes -1 for images in none.")
    String method;

    @Option(names = "--min-cluster-size", paramLabel = "N",
            description = "hdbscan: smallest group called a cluster (default: 10).")
    Integer minClusterSize;

    @Option(names = "--min-samples", paramLabel = "M",
            description = "hdbscan: neighbours (the image included) that make a dense point (default: the min cluster size).")
    Integer minSamples;

    @Option(names = "--reduce", paramLabel = "umap10|pca50|none",
            description = "hdbscan: the space it runs in (default: umap10, UMAP to 10 dimensions).")
    String reduce;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of k-means initialisation and the map (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--with-distance", description = "Add a 'distance' column (to the cluster centre).")
    boolean withDistance;

    @Option(names = "--with-map", paramLabel = "tsne|umap|pca", description = "Add x,y columns from a 2-D map (t-SNE, UMAP or PCA).")
    String withMap;

    @Option(names = "--with-outlier-score", paramLabel = "K", arity = "0..1", fallbackValue = "10",
            description = "Add an 'outlier_score' column last: mean cosine distance to the K nearest images (default K: 10).")
    Integer outlierK;

    @Option(names = "--output", required = true, paramLabel = "FILE.csv", description = "CSV to write (atomically).")
    Path output;

    @Override
    public Integer call() throws Exception {
        ClusterMethod clusterMethod = EngineOptions.parseEnum(ClusterMethod.class, method, "kmeans", "--method");
        Hdbscan.Settings density = densitySettings(clusterMethod);
        int kValue;
        if (clusterMethod == ClusterMethod.HDBSCAN) {
            if (k != null) throw new UsageException("--k is not used with hdbscan (it finds the number of clusters)");
            kValue = 0;
        } else if (k == null) {
            throw new UsageException("--k is required with --method " + clusterMethod.id());
        } else {
            kValue = EngineOptions.parseK(k);
        }
        MapMethod mapMethod = withMap == null ? MapMethod.NONE : EngineOptions.parseEnum(MapMethod.class, withMap, "tsne", "--with-map");
        if (mapMethod == MapMethod.NONE && withMap != null) {
            throw new UsageException("--with-map must be tsne|umap|pca, got '" + withMap + "'");
        }
        AnalysisSettings settings = engine.settings().with(b -> {
            b.clusterMethod = clusterMethod;
            b.k = kValue;
            b.mapMethod = mapMethod;
            b.seed = seed;
            b.density = density;
        });
        Cancellation cancel = CliSupport.cancelOnInterrupt();
        ProgressListener progress = CliSupport.progressBar();
        try (DefaultStudioEngine e = CliSupport.engine(engine)) {
            FolderEmbeddings fe = e.embed(input, settings, progress, cancel);
            if (fe.paths().isEmpty()) {
                CliSupport.reportSkipped(fe.skipped(), System.err);
                throw new java.io.IOException("no readable image in " + input);
            }
            FolderAnalysis a = e.recluster(new FolderAnalysis(input, fe.paths(), fe.embeddings(), new int[0], 0,
                    new double[0], new double[0][], fe.skipped(), settings), settings, progress, cancel);
            float[] mapX = null;
            float[] mapY = null;
            if (withMap != null) {
                mapX = new float[a.size()];
                mapY = new float[a.size()];
                for (int i = 0; i < a.size(); i++) {
                    mapX[i] = (float) a.map()[i][0];
                    mapY[i] = (float) a.map()[i][1];
                }
            }
            int[] labels = a.exportLabels(a.labels());
            if (outlierK != null) {
                if (outlierK < 1 || outlierK > a.size() - 1) {
                    throw new UsageException("--with-outlier-score K must be in [1, " + (a.size() - 1) + "] for "
                            + a.size() + " image(s), got " + outlierK);
                }
                double[] outlier = OutlierScores.meanCosineDistance(a.embeddings(), outlierK,
                        Runtime.getRuntime().availableProcessors(), null, null);
                ExploreExport.writeLabels(output, a.paths(), labels, withDistance ? a.distances() : null, mapX, mapY,
                        outlier);
            } else {
                CsvExport.writeLabels(output, a.paths(), labels, withDistance ? a.distances() : null, mapX, mapY,
                        CsvExport.LineEnding.LF);
            }
            CliSupport.reportSkipped(fe.skipped(), System.err);
            if (a.noiseCluster() >= 0) {
                int unclustered = 0;
                for (int l : a.labels()) if (l == a.noiseCluster()) unclustered++;
                System.err.printf("%d image(s) in %d cluster(s), %d unclustered (-1) -> %s%n", a.size(), a.k() - 1,
                        unclustered, output);
            } else {
                System.err.printf("%d image(s) in %d cluster(s) -> %s%n", a.size(), a.k(), output);
            }
            return 0;
        }
    }

    /** HDBSCAN's options, checked; refused with the other methods so a typo in --method is not silently ignored. */
    private Hdbscan.Settings densitySettings(ClusterMethod clusterMethod) {
        if (clusterMethod != ClusterMethod.HDBSCAN) {
            if (minClusterSize != null || minSamples != null || reduce != null) {
                throw new UsageException("--min-cluster-size, --min-samples and --reduce are hdbscan options (--method hdbscan)");
            }
            return Hdbscan.Settings.DEFAULTS;
        }
        int mcs = minClusterSize == null ? Hdbscan.Settings.DEFAULTS.minClusterSize() : minClusterSize;
        if (mcs < 2) throw new UsageException("--min-cluster-size must be >= 2, got " + mcs);
        int ms = minSamples == null ? 0 : minSamples;
        if (minSamples != null && ms < 1) throw new UsageException("--min-samples must be >= 1, got " + ms);
        Hdbscan.Reduction r = switch (reduce == null ? "umap10" : reduce.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "umap10" -> Hdbscan.Reduction.UMAP_10;
            case "pca50" -> Hdbscan.Reduction.PCA_50;
            case "none" -> Hdbscan.Reduction.NONE;
            default -> throw new UsageException("--reduce must be umap10|pca50|none, got '" + reduce + "'");
        };
        return new Hdbscan.Settings(mcs, ms, r);
    }
}
