package org.itaestudio.cluster;

import java.util.Arrays;

/**
 * A binary merge tree over n points in SciPy's linkage layout: merge s joins clusters
 * {@code left[s]} and {@code right[s]} (ids below n are points, id n + t is the cluster made by
 * merge t) at {@code heights[s]}, non-decreasing, forming a cluster of {@code sizes[s]} points.
 * Ward heights are SciPy's: sqrt(2 |A||B| / (|A| + |B|)) * |centroid(A) - centroid(B)|.
 */
public record Dendrogram(int n, int[] left, int[] right, double[] heights, int[] sizes) {

    public Dendrogram {
        if (left.length != n - 1 || right.length != n - 1 || heights.length != n - 1 || sizes.length != n - 1) {
            throw new IllegalArgumentException("dendrogram: " + n + " points need " + (n - 1) + " merges");
        }
    }

    /** Cluster labels (0..k-1, in order of first appearance) after undoing the last k - 1 merges. */
    public int[] cutByK(int k) {
        if (k < 1 || k > n) throw new IllegalArgumentException("dendrogram: k must be in [1, " + n + "], got " + k);
        return labels(n - k);
    }

    /**
     * Cluster labels (0..m-1, in order of first appearance) keeping only merges at height <= h
     * (SciPy's {@code fcluster(criterion='distance')}).
     */
    public int[] cutByHeight(double h) {
        int merges = 0;
        while (merges < n - 1 && heights[merges] <= h) merges++;
        return labels(merges);
    }

    /** Number of clusters a cut at height h gives. */
    public int clustersAtHeight(double h) {
        int merges = 0;
        while (merges < n - 1 && heights[merges] <= h) merges++;
        return n - merges;
    }

    private int[] labels(int merges) {
        int[] parent = new int[2 * n - 1];
        for (int i = 0; i < parent.length; i++) parent[i] = i;
        for (int s = 0; s < merges; s++) {
            parent[left[s]] = n + s;
            parent[right[s]] = n + s;
        }
        int[] root = new int[n];
        for (int i = 0; i < n; i++) {
            int r = i;
            while (parent[r] != r) r = parent[r];
            root[i] = r;
        }
        int[] id = new int[2 * n - 1];
        Arrays.fill(id, -1);
        int next = 0;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            if (id[root[i]] < 0) id[root[i]] = next++;
            labels[i] = id[root[i]];
        }
        return labels;
    }
}
