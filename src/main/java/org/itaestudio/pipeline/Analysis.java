package org.itaestudio.pipeline;

import java.util.List;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.cluster.Clustering;
import org.itaestudio.cluster.KMeansClusterer;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/** Embeddings to clusters and a 2-D map: the CPU-only half of a folder analysis. */
final class Analysis {
    private Analysis() {
    }

    static FolderAnalysis of(FolderEmbeddings e, AnalysisSettings s, ProgressListener progress, Cancellation cancel) {
        return of(e, s, progress, cancel, KMeansClusterer.DEFAULT_RESTARTS);
    }

    /** @param restarts k-means restarts (a live preview trades a little inertia for speed) */
    static FolderAnalysis of(FolderEmbeddings e, AnalysisSettings s, ProgressListener progress, Cancellation cancel,
                             int restarts) {
        return of(e, s, progress, cancel, restarts, null);
    }

    /** @param knownMap the map of these very embeddings with these map settings, or null to compute it */
    static FolderAnalysis of(FolderEmbeddings e, AnalysisSettings s, ProgressListener progress, Cancellation cancel,
                             int restarts, double[][] knownMap) {
        int n = e.paths().size();
        if (n == 0) {
            return new FolderAnalysis(e.folder(), List.of(), new float[0][], new int[0], 0, new double[0], new double[0][],
                    e.skipped(), s);
        }
        progress.onProgress(new Progress("Clustering", 0, 1, 0, null, e.skipped().size()));
        Clustering c = cluster(e.embeddings(), s, cancel, restarts);
        progress.onProgress(new Progress("Clustering", 1, 1, 0, null, e.skipped().size()));
        cancel.throwIfCancelled();
        double[][] map = knownMap != null ? knownMap : Maps.compute(e.embeddings(), s.mapMethod(), s.seed(), progress, cancel);
        return new FolderAnalysis(e.folder(), e.paths(), e.embeddings(), c.labels(), c.k(), c.distances(), map,
                e.skipped(), s);
    }

    static Clustering cluster(float[][] x, AnalysisSettings s, Cancellation cancel, int restarts) {
        int n = x.length;
        if (n == 1) {
            return new Clustering(new int[] {0}, 1, new double[][] {toDouble(x[0])}, 0, "single image", new double[] {0});
        }
        if (s.clusterMethod() == ClusterMethod.HDBSCAN) {
            return new org.itaestudio.cluster.Hdbscan().withSeed(s.seed()).with(s.density())
                    .cluster(x, null, cancel::isCancelled).toClustering(x);
        }
        int k;
        if (s.k() > 0) {
            k = Math.min(s.k(), n);
        } else if (n < 3) { // too few points for a silhouette: each its own cluster
            k = n;
        } else {
            k = new org.itaestudio.cluster.AutoK().withSeed(s.seed())
                    .choose(x, org.itaestudio.progress.ProgressListener.NONE, cancel::isCancelled).bestK();
        }
        if (s.clusterMethod() == ClusterMethod.AGGLOMERATIVE) {
            return new org.itaestudio.cluster.WardClusterer().withSeed(s.seed()).clusterByK(x, k, cancel::isCancelled);
        }
        return new KMeansClusterer().withSeed(s.seed()).withRestarts(restarts).cluster(x, k, cancel::isCancelled);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
