package org.itaestudio.pipeline;

import java.nio.file.Path;
import java.util.List;

/**
 * The result of analysing a folder: one row per embedded image, in scan order (sorted relative paths).
 *
 * @param folder        the folder that was scanned
 * @param paths         relative paths with '/' separators
 * @param embeddings    [image][dim]
 * @param labels        cluster of each image, 0..k-1 (with HDBSCAN, k-1 holds the images in no cluster)
 * @param k             number of clusters
 * @param distances     distance of each image to its cluster centre (for representatives: smallest first)
 * @param map           [image][2] 2-D map coordinates
 * @param skipped       files that could not be read, with reasons
 * @param settings      the settings that produced this
 */
public record FolderAnalysis(Path folder, List<String> paths, float[][] embeddings, int[] labels, int k,
                             double[] distances, double[][] map, List<SkippedFile> skipped, AnalysisSettings settings) {

    public int size() {
        return paths.size();
    }

    /**
     * The cluster number that holds HDBSCAN's noise (the "Unclustered" group, -1 in CSV), or -1
     * when every cluster is a real one.
     */
    public int noiseCluster() {
        return settings != null && settings.clusterMethod() == org.itaestudio.cluster.ClusterMethod.HDBSCAN && k > 0 ? k - 1 : -1;
    }

    /** The labels as exported: the noise cluster written as -1. */
    public int[] exportLabels(int[] current) {
        int noise = noiseCluster();
        int[] out = current.clone();
        if (noise >= 0) for (int i = 0; i < out.length; i++) if (out[i] == noise) out[i] = -1;
        return out;
    }
}
