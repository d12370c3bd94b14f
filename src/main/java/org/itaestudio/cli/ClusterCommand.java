package org.itaestudio.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.itaestudio.cluster.ClusterMethod;
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

    @Option(names = "--k", required = true, paramLabel = "K|auto",
            description = "Number of clusters, or 'auto' to choose k by silhouette (2..20).")
    String k;

    @Option(names = "--method", paramLabel = "kmeans|agglomerative", defaultValue = "kmeans",
            description = "Clustering algorithm (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of k-means initialisation and the map (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--with-distance", description = "Add a 'distance' column (to the cluster centre).")
    boolean withDistance;

    @Option(names = "--with-map", paramLabel = "tsne|pca", description = "Add x,y columns from a 2-D map (t-SNE or PCA).")
    String withMap;

    @Option(names = "--with-outlier-score", paramLabel = "K", arity = "0..1", fallbackValue = "10",
            description = "Add an 'outlier_score' column last: mean cosine distance to the K nearest images (default K: 10).")
    Integer outlierK;

    @Option(names = "--output", required = true, paramLabel = "FILE.csv", description = "CSV to write (atomically).")
    Path output;

    @Override
    public Integer call() throws Exception {
        int kValue;
        if (k.equalsIgnoreCase("auto")) {
            kValue = 0;
        } else {
            try {
                kValue = Integer.parseInt(k.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--k must be a positive number or 'auto', got '" + k + "'");
            }
            if (kValue < 1) {
                throw new UsageException("--k must be >= 1, got " + kValue);
            }
        }
        ClusterMethod clusterMethod = EngineOptions.parseEnum(ClusterMethod.class, method, "kmeans", "--method");
        MapMethod mapMethod = withMap == null ? MapMethod.NONE : EngineOptions.parseEnum(MapMethod.class, withMap, "tsne", "--with-map");
        if (mapMethod == MapMethod.NONE && withMap != null) {
            throw new UsageException("--with-map must be tsne|pca, got '" + withMap + "'");
        }
        AnalysisSettings settings = engine.settings().with(b -> {
            b.clusterMethod = clusterMethod;
            b.k = kValue;
            b.mapMethod = mapMethod;
            b.seed = seed;
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
            if (outlierK != null) {
                if (outlierK < 1 || outlierK > a.size() - 1) {
                    throw new UsageException("--with-outlier-score K must be in [1, " + (a.size() - 1) + "] for "
                            + a.size() + " image(s), got " + outlierK);
                }
                double[] outlier = OutlierScores.meanCosineDistance(a.embeddings(), outlierK,
                        Runtime.getRuntime().availableProcessors(), null, null);
                ExploreExport.writeLabels(output, a.paths(), a.labels(), withDistance ? a.distances() : null, mapX, mapY,
                        outlier);
            } else {
                CsvExport.writeLabels(output, a.paths(), a.labels(), withDistance ? a.distances() : null, mapX, mapY,
                        CsvExport.LineEnding.LF);
            }
            CliSupport.reportSkipped(fe.skipped(), System.err);
            System.err.printf("%d image(s) in %d cluster(s) -> %s%n", a.size(), a.k(), output);
            return 0;
        }
    }
}
