package org.itaestudio.cluster;

/**
 * The result of a density clustering: clusters 0..k-1 (by decreasing size, ties: the cluster
 * holding the lower point index first) and {@link #NOISE} for points in no cluster, shown as the
 * "Unclustered" group and written as -1 in CSV.
 *
 * @param labels cluster of each point, in [0, k) or {@link #NOISE}
 * @param k      number of clusters (noise not counted)
 * @param method short description, e.g. {@code "HDBSCAN(min_cluster_size=10, min_samples=10, on UMAP-10)"}
 */
public record HdbscanClustering(int[] labels, int k, String method) {
    public static final int NOISE = -1;

    public HdbscanClustering {
        if (labels == null) throw new IllegalArgumentException("HDBSCAN: labels are required");
        for (int l : labels) {
            if (l < NOISE || l >= k) throw new IllegalArgumentException("HDBSCAN: label " + l + " outside [-1, " + k + ")");
        }
    }

    public int size() {
        return labels.length;
    }

    public int noiseCount() {
        int c = 0;
        for (int l : labels) if (l == NOISE) c++;
        return c;
    }
}
