package org.itaestudio.cluster;

/**
 * The result of a partitional clustering.
 *
 * <p>Clusters are numbered 0..k-1 by decreasing size (ties: the cluster holding the lower point
 * index first), so cluster 0 is always the largest and the numbering does not depend on the
 * order in which an algorithm happened to find the clusters.
 *
 * @param labels    cluster of each point, in [0, k)
 * @param k         number of clusters
 * @param centroids k x d cluster means, in the space the algorithm worked in (L2-normalised
 *                  embeddings unless normalisation was switched off); an empty cluster (possible
 *                  only with fewer distinct points than k) has an all-zero centroid
 * @param inertia   sum over points of the squared Euclidean distance to their centroid
 * @param method    short human-readable description, e.g. {@code "k-means(k=5, restarts=10, seed=42)"}
 * @param distances Euclidean distance of each point to its own centroid (same space as centroids)
 */
public record Clustering(int[] labels, int k, double[][] centroids, double inertia, String method,
                         double[] distances) {

    public Clustering {
        if (labels == null || centroids == null || distances == null) {
            throw new IllegalArgumentException("clustering: labels, centroids and distances are required");
        }
        if (centroids.length != k) {
            throw new IllegalArgumentException("clustering: " + centroids.length + " centroids for k=" + k);
        }
        if (distances.length != labels.length) {
            throw new IllegalArgumentException("clustering: " + distances.length + " distances for " + labels.length + " points");
        }
    }

    /** Number of points. */
    public int size() {
        return labels.length;
    }

    /** Number of points in each cluster. */
    public int[] clusterSizes() {
        int[] sizes = new int[k];
        for (int label : labels) sizes[label]++;
        return sizes;
    }

    /**
     * Builds a {@code Clustering} from raw labels: renumbers clusters canonically (by decreasing
     * size, ties by lowest member index; empty clusters last), recomputes the centroids as means
     * and the distances/inertia exactly.
     */
    public static Clustering fromLabels(float[][] x, int[] rawLabels, int k, String method) {
        int n = x.length, d = x[0].length;
        int[] size = new int[k];
        int[] first = new int[k];
        java.util.Arrays.fill(first, Integer.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            int c = rawLabels[i];
            size[c]++;
            if (first[c] == Integer.MAX_VALUE) first[c] = i;
        }
        Integer[] order = new Integer[k];
        for (int c = 0; c < k; c++) order[c] = c;
        java.util.Arrays.sort(order, (a, b) -> size[a] != size[b] ? Integer.compare(size[b], size[a])
                : Integer.compare(first[a], first[b]));
        int[] newId = new int[k];
        for (int r = 0; r < k; r++) newId[order[r]] = r;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = newId[rawLabels[i]];

        double[][] centroids = new double[k][d];
        int[] count = new int[k];
        for (int i = 0; i < n; i++) {
            double[] c = centroids[labels[i]];
            float[] row = x[i];
            for (int j = 0; j < d; j++) c[j] += row[j];
            count[labels[i]]++;
        }
        for (int c = 0; c < k; c++) {
            if (count[c] > 0) {
                for (int j = 0; j < d; j++) centroids[c][j] /= count[c];
            }
        }
        double[] distances = new double[n];
        double inertia = 0;
        for (int i = 0; i < n; i++) {
            double s = Embeddings.squaredDistance(x[i], centroids[labels[i]]);
            inertia += s;
            distances[i] = Math.sqrt(s);
        }
        return new Clustering(labels, k, centroids, inertia, method, distances);
    }
}
