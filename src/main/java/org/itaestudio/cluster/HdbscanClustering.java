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

    /**
     * As a {@link Clustering} for the app: clusters 0..k-1 as here, then one more cluster k for
     * the noise (always present, possibly empty, so its number is known: k of the result - 1).
     * Centroids and distances are in the L2-normalised space of {@code embeddings}.
     */
    public Clustering toClustering(float[][] embeddings) {
        float[][] x = Embeddings.l2Normalized(embeddings);
        int n = x.length, d = x[0].length, groups = k + 1;
        int[] out = new int[n];
        double[][] centroids = new double[groups][d];
        int[] count = new int[groups];
        for (int i = 0; i < n; i++) {
            out[i] = labels[i] == NOISE ? k : labels[i];
            count[out[i]]++;
            for (int j = 0; j < d; j++) centroids[out[i]][j] += x[i][j];
        }
        for (int c = 0; c < groups; c++) if (count[c] > 0) for (int j = 0; j < d; j++) centroids[c][j] /= count[c];
        double[] dist = new double[n];
        double inertia = 0;
        for (int i = 0; i < n; i++) {
            double s2 = Embeddings.squaredDistance(x[i], centroids[out[i]]);
            inertia += s2;
            dist[i] = Math.sqrt(s2);
        }
        return new Clustering(out, groups, centroids, inertia, method, dist);
    }

    public int noiseCount() {
        int c = 0;
        for (int l : labels) if (l == NOISE) c++;
        return c;
    }
}
