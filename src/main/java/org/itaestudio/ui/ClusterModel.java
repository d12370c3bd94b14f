package org.itaestudio.ui;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import org.itaestudio.pipeline.FolderAnalysis;

/**
 * The user's view of the clustering: the analysis' labels plus the user's edits (renamed clusters, images moved
 * to another or a new cluster). Exports and every view read labels from here, so an edit shows everywhere.
 * FX-thread only; {@link #versionProperty()} ticks on every change.
 */
final class ClusterModel {

    private final ReadOnlyIntegerWrapper version = new ReadOnlyIntegerWrapper(this, "version");
    private int[] labels = new int[0];
    private double[] distances = new double[0];
    private int clusterCount;
    private int noiseCluster = -1; // HDBSCAN's images in no cluster, shown as "Unclustered"
    private final Map<Integer, String> names = new HashMap<>();
    private final List<int[]> membersCache = new ArrayList<>();

    /** Starts from an analysis (names kept for cluster numbers that still exist when {@code keepNames}). */
    public void reset(FolderAnalysis analysis, int[] labelsOverride, boolean keepNames) {
        int[] l = labelsOverride != null ? labelsOverride : analysis.labels();
        labels = l.clone();
        distances = analysis.distances() != null && analysis.distances().length == l.length
                ? analysis.distances().clone() : new double[l.length];
        int k = analysis.k();
        for (int v : labels) {
            k = Math.max(k, v + 1);
        }
        clusterCount = k;
        noiseCluster = analysis.noiseCluster();
        if (!keepNames) {
            names.clear();
        } else {
            names.keySet().removeIf(c -> c >= clusterCount);
        }
        changed();
    }

    public void clear() {
        labels = new int[0];
        distances = new double[0];
        clusterCount = 0;
        noiseCluster = -1;
        names.clear();
        changed();
    }

    private void changed() {
        membersCache.clear();
        version.set(version.get() + 1);
    }

    public ReadOnlyIntegerProperty versionProperty() {
        return version.getReadOnlyProperty();
    }

    public int imageCount() {
        return labels.length;
    }

    /** Number of cluster ids (some may be empty after moves). */
    public int clusterCount() {
        return clusterCount;
    }

    public int label(int image) {
        return labels[image];
    }

    /** A copy of the current labels. */
    public int[] labels() {
        return labels.clone();
    }

    public String name(int cluster) {
        String n = names.get(cluster);
        return n != null ? n : cluster == noiseCluster ? UNCLUSTERED : defaultName(cluster);
    }

    /** The name of HDBSCAN's noise group. */
    static final String UNCLUSTERED = "Unclustered";

    /** The cluster number holding HDBSCAN's unclustered images, or -1. */
    public int noiseCluster() {
        return noiseCluster;
    }

    public static String defaultName(int cluster) {
        return "Cluster " + cluster;
    }

    public void rename(int cluster, String name) {
        checkCluster(cluster);
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.equals(defaultName(cluster)) || cluster == noiseCluster && trimmed.equals(UNCLUSTERED)) {
            names.remove(cluster);
        } else {
            names.put(cluster, trimmed);
        }
        changed();
    }

    /** Moves images to a cluster; an image moved in goes after the cluster's own members. */
    public void move(int[] images, int cluster) {
        checkCluster(cluster);
        for (int i : images) {
            if (labels[i] != cluster) {
                labels[i] = cluster;
                distances[i] = Double.POSITIVE_INFINITY;
            }
        }
        changed();
    }

    /** Adds an empty cluster and returns its number. */
    public int newCluster() {
        clusterCount++;
        changed();
        return clusterCount - 1;
    }

    /** Members of a cluster, closest to the centre first (its representatives), then by index. */
    public int[] members(int cluster) {
        if (membersCache.isEmpty()) {
            List<List<Integer>> lists = new ArrayList<>();
            for (int c = 0; c < clusterCount; c++) {
                lists.add(new ArrayList<>());
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] >= 0) {
                    lists.get(labels[i]).add(i);
                }
            }
            Comparator<Integer> order = Comparator.<Integer>comparingDouble(i -> distances[i]).thenComparingInt(i -> i);
            for (List<Integer> l : lists) {
                l.sort(order);
                membersCache.add(l.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return cluster < membersCache.size() ? membersCache.get(cluster) : new int[0];
    }

    public int size(int cluster) {
        return members(cluster).length;
    }

    /** Clusters that have members, in number order. */
    public int[] nonEmptyClusters() {
        return java.util.stream.IntStream.range(0, clusterCount).filter(c -> size(c) > 0).toArray();
    }

    private void checkCluster(int cluster) {
        if (cluster < 0 || cluster >= clusterCount) {
            throw new IllegalArgumentException("no cluster " + cluster + " (there are " + clusterCount + ")");
        }
    }

    @Override
    public String toString() {
        return "ClusterModel" + Arrays.toString(labels);
    }
}
