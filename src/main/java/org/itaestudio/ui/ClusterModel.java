package org.itaestudio.ui;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.itaestudio.cluster.Clustering;
import org.itaestudio.cluster.KMeansClusterer;
import org.itaestudio.pipeline.FolderAnalysis;

/**
 * The user's view of the clustering: the analysis' labels plus the user's edits (renamed clusters, images moved
 * to another or a new cluster, clusters merged or split in two). Exports and every view read labels from here, so an
 * edit shows everywhere. Every edit can be undone ({@link #undo()}, a stack of snapshots taken before each edit) and
 * an undone edit redone ({@link #redo()}, until the next edit); a new analysis starts a new history. FX-thread only
 * (a split's k-means runs elsewhere: {@link #planSplit} is pure, {@link #applySplit} edits);
 * {@link #versionProperty()} ticks on every change.
 */
final class ClusterModel {

    /** How members are ordered inside a cluster. */
    enum Order {
        /** Closest to the cluster centre first (its representatives). */
        REPRESENTATIVES_FIRST,
        /** Highest outlier score first (falls back to representatives while no scores are known). */
        MOST_UNUSUAL_FIRST
    }

    /** How many edits can be undone. */
    static final int UNDO_LIMIT = 100;

    /** The state an edit changes, as it was before the edit. */
    private record Snapshot(String edit, int[] labels, double[] distances, int clusterCount, Map<Integer, String> names) {
    }

    private final java.util.ArrayDeque<Snapshot> history = new java.util.ArrayDeque<>();
    /** States undone, most recent first, each with the edit that led to it; cleared by a new edit. */
    private final java.util.ArrayDeque<Snapshot> redoStack = new java.util.ArrayDeque<>();
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo");
    private final ReadOnlyStringWrapper undoText = new ReadOnlyStringWrapper(this, "undoText", "Undo");
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo");
    private final ReadOnlyStringWrapper redoText = new ReadOnlyStringWrapper(this, "redoText", "Redo");
    private Order order = Order.REPRESENTATIVES_FIRST;
    private double[] outlierScores;

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
        outlierScores = null;
        forgetHistory();
        changed();
    }

    public void clear() {
        labels = new int[0];
        distances = new double[0];
        clusterCount = 0;
        noiseCluster = -1;
        names.clear();
        outlierScores = null;
        forgetHistory();
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

    /** The colour of a cluster in every view: its palette colour, grey for the "Unclustered" group. */
    public javafx.scene.paint.Color color(int cluster) {
        return ClusterPalette.color(cluster, noiseCluster);
    }

    public static String defaultName(int cluster) {
        return "Cluster " + cluster;
    }

    public void rename(int cluster, String name) {
        checkCluster(cluster);
        remember("rename");
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
        remember("move");
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
        remember("new cluster");
        clusterCount++;
        changed();
        return clusterCount - 1;
    }

    /**
     * Moves every image of {@code from} into {@code into}; {@code from} is left empty (numbers of other clusters do
     * not change) and {@code into} keeps its name.
     */
    public void merge(int into, int from) {
        checkCluster(into);
        checkCluster(from);
        if (into == from) {
            throw new IllegalArgumentException("cannot merge cluster " + into + " with itself");
        }
        remember("merge");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == from) {
                labels[i] = into;
            }
        }
        names.remove(from);
        changed();
    }

    /**
     * A split worked out but not yet applied: the members it was planned on (the cluster must still hold exactly
     * these when applied), which of them move to the new cluster, and every member's distance to its part's centre.
     */
    record SplitPlan(int cluster, int[] members, boolean[] moves, double[] distances) {
    }

    /**
     * Splits a cluster in two by k-means (k = 2, seeded) on its members' embeddings: the part holding the cluster's
     * first representative keeps the cluster's number and name, the other part becomes a new cluster, whose number
     * is returned. Distances to the centre are those of the two new parts, so each part's representatives come
     * first.
     *
     * @param embeddings every image's embedding (row = image)
     * @throws IllegalArgumentException when the cluster has fewer than two members or they cannot be told apart
     */
    public int split(int cluster, float[][] embeddings, long seed) {
        return applySplit(planSplit(cluster, members(cluster), name(cluster), embeddings, seed));
    }

    /**
     * The k-means (k = 2) of a split, touching no state of this model, so it can run off the FX thread on the
     * members and name read on it.
     *
     * @param members the cluster's members in the current order (the first is the one whose part keeps the number)
     * @throws IllegalArgumentException when there are fewer than two members or they cannot be told apart
     */
    static SplitPlan planSplit(int cluster, int[] members, String name, float[][] embeddings, long seed) {
        int[] m = members.clone();
        if (m.length < 2) {
            throw new IllegalArgumentException(name + " has " + m.length + " image(s): nothing to split");
        }
        float[][] x = new float[m.length][];
        for (int t = 0; t < m.length; t++) {
            x[t] = embeddings[m[t]];
        }
        Clustering c;
        try {
            c = new KMeansClusterer().withSeed(seed).withRestarts(4).withThreads(1).cluster(x, 2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot split " + name + ": " + e.getMessage(), e);
        }
        int stay = c.labels()[0];
        boolean[] moves = new boolean[m.length];
        double[] d = new double[m.length];
        int moved = 0;
        boolean normalize = new KMeansClusterer().normalize();
        for (int t = 0; t < m.length; t++) {
            int part = c.labels()[t];
            moves[t] = part != stay;
            moved += moves[t] ? 1 : 0;
            d[t] = distance(x[t], c.centroids()[part], normalize);
        }
        if (moved == 0) {
            throw new IllegalArgumentException("cannot split " + name + ": its images are all alike");
        }
        return new SplitPlan(cluster, m, moves, d);
    }

    /**
     * Applies a planned split (an undoable edit) and returns the new cluster's number.
     *
     * @throws IllegalStateException when the cluster's members changed since the plan (an edit or a new analysis
     *                               came in between)
     */
    public int applySplit(SplitPlan plan) {
        checkCluster(plan.cluster());
        int[] now = members(plan.cluster()).clone();
        int[] planned = plan.members().clone();
        Arrays.sort(now);
        Arrays.sort(planned);
        if (!Arrays.equals(now, planned)) {
            throw new IllegalStateException(name(plan.cluster()) + " changed while it was being split; split it again");
        }
        remember("split");
        int fresh = clusterCount++;
        int[] m = plan.members();
        for (int t = 0; t < m.length; t++) {
            if (plan.moves()[t]) {
                labels[m[t]] = fresh;
            }
            distances[m[t]] = plan.distances()[t];
        }
        changed();
        return fresh;
    }

    /** Euclidean distance of a row (L2-normalised first when k-means normalised) to a centroid. */
    private static double distance(float[] row, double[] centroid, boolean normalize) {
        double norm = 0;
        for (float v : row) {
            norm += (double) v * v;
        }
        double scale = normalize && norm > 0 ? 1 / Math.sqrt(norm) : 1;
        double s = 0;
        for (int q = 0; q < row.length; q++) {
            double e = row[q] * scale - centroid[q];
            s += e * e;
        }
        return Math.sqrt(s);
    }

    /** Undoes the last edit; false when there is none. It can be redone until the next edit. */
    public boolean undo() {
        Snapshot s = history.poll();
        if (s == null) {
            return false;
        }
        redoStack.push(current(s.edit()));
        restore(s);
        return true;
    }

    /** Redoes the last undone edit; false when there is none (or an edit came after the undo). */
    public boolean redo() {
        Snapshot s = redoStack.poll();
        if (s == null) {
            return false;
        }
        history.push(current(s.edit()));
        restore(s);
        return true;
    }

    private Snapshot current(String edit) {
        return new Snapshot(edit, labels.clone(), distances.clone(), clusterCount, Map.copyOf(names));
    }

    private void restore(Snapshot s) {
        labels = s.labels();
        distances = s.distances();
        clusterCount = s.clusterCount();
        names.clear();
        names.putAll(s.names());
        updateUndo();
        changed();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    /** "Undo merge", "Undo move", ...: what {@link #undo()} would undo. */
    public ReadOnlyStringProperty undoTextProperty() {
        return undoText.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    /** "Redo merge", ...: what {@link #redo()} would redo. */
    public ReadOnlyStringProperty redoTextProperty() {
        return redoText.getReadOnlyProperty();
    }

    private void remember(String edit) {
        history.push(current(edit));
        if (history.size() > UNDO_LIMIT) {
            history.removeLast();
        }
        redoStack.clear(); // a new edit: what was undone cannot be redone on top of it
        updateUndo();
    }

    private void forgetHistory() {
        history.clear();
        redoStack.clear();
        updateUndo();
    }

    private void updateUndo() {
        canUndo.set(!history.isEmpty());
        undoText.set(history.isEmpty() ? "Undo" : "Undo " + history.peek().edit());
        canRedo.set(!redoStack.isEmpty());
        redoText.set(redoStack.isEmpty() ? "Redo" : "Redo " + redoStack.peek().edit());
    }

    /** Per-image outlier scores for {@link Order#MOST_UNUSUAL_FIRST} (null: not known). Not an edit. */
    public void setOutlierScores(double[] scores) {
        if (scores != null && scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " outlier scores for " + labels.length + " images");
        }
        outlierScores = scores == null ? null : scores.clone();
        changed();
    }

    /** The outlier score of an image, or NaN when scores are not known. */
    public double outlierScore(int image) {
        return outlierScores == null ? Double.NaN : outlierScores[image];
    }

    public boolean hasOutlierScores() {
        return outlierScores != null;
    }

    /** A copy of the outlier scores, or null when not known. */
    public double[] outlierScores() {
        return outlierScores == null ? null : outlierScores.clone();
    }

    public Order order() {
        return order;
    }

    /** Changes the order of members in every view. Not an edit. */
    public void setOrder(Order order) {
        if (order != this.order) {
            this.order = java.util.Objects.requireNonNull(order);
            changed();
        }
    }

    /** Members of a cluster in the current {@link Order} (default: closest to the centre first), then by index. */
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
            double[] scores = outlierScores;
            Comparator<Integer> order = this.order == Order.MOST_UNUSUAL_FIRST && scores != null
                    ? Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i)
                    : Comparator.<Integer>comparingDouble(i -> distances[i]).thenComparingInt(i -> i);
            for (List<Integer> l : lists) {
                l.sort(order);
                membersCache.add(l.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return cluster < membersCache.size() ? membersCache.get(cluster) : new int[0];
    }

    /** Members closest to the centre first, whatever the {@link Order} (the gallery header's representatives). */
    public int[] representatives(int cluster) {
        if (order == Order.REPRESENTATIVES_FIRST || outlierScores == null) {
            return members(cluster);
        }
        int[] m = members(cluster).clone();
        Integer[] boxed = java.util.Arrays.stream(m).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(boxed, Comparator.<Integer>comparingDouble(i -> distances[i]).thenComparingInt(i -> i));
        return java.util.Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
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
