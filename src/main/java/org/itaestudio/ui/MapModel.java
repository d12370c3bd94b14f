package org.itaestudio.ui;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import org.itaestudio.pipeline.FolderAnalysis;

/**
 * The map's before/after state: whether the map shows the analysis before the last "Apply to folder" or now, and
 * what that means for the points, colours, rings, legend and info line. The view draws what this says.
 */
final class MapModel {

    /**
     * What the canvas draws: points, their cluster labels, the cluster number that is HDBSCAN's "Unclustered" group
     * on this side (-1: none), the ringed (changed) points or null, and which side.
     */
    record Frame(double[][] points, int[] labels, int noiseCluster, boolean[] highlight, boolean before) {
    }

    /** One legend row: a cluster with members and how many. */
    record LegendEntry(int cluster, int count) {
    }

    private final ReadOnlyObjectProperty<FolderAnalysis> analysis;
    private final ReadOnlyObjectProperty<MainViewModel.ChangeSummary> change;
    private final ClusterModel clusters;
    private final BooleanProperty showingBefore = new SimpleBooleanProperty(this, "showingBefore", false);
    private final ReadOnlyBooleanWrapper compareAvailable = new ReadOnlyBooleanWrapper(this, "compareAvailable");

    MapModel(ReadOnlyObjectProperty<FolderAnalysis> analysis, ReadOnlyObjectProperty<MainViewModel.ChangeSummary> change,
             ClusterModel clusters) {
        this.analysis = analysis;
        this.change = change;
        this.clusters = clusters;
        compareAvailable.bind(change.isNotNull());
        // a new analysis is always shown as it is now
        analysis.addListener(o -> showingBefore.set(false));
    }

    /** Shows the map before the last "Apply to folder" (only meaningful while {@link #compareAvailableProperty}). */
    public BooleanProperty showingBeforeProperty() {
        return showingBefore;
    }

    /** Whether there is a before/after to compare: the last run was an "Apply to folder" over the same images. */
    public ReadOnlyBooleanProperty compareAvailableProperty() {
        return compareAvailable.getReadOnlyProperty();
    }

    private boolean before() {
        return showingBefore.get() && change.get() != null;
    }

    /** Whether clicks on points select and inspect images: not on the "before" map, whose points are history. */
    public boolean pointsActive() {
        return !showingBefore.get();
    }

    /** Whether the analysis has a map to draw. */
    public boolean hasMap() {
        FolderAnalysis a = analysis.get();
        return a != null && a.map() != null && a.map().length == a.size() && a.size() > 0;
    }

    /** The sentence shown instead of a map when the analysis has none (empty when there is one, or no analysis). */
    public String noMapText() {
        FolderAnalysis a = analysis.get();
        if (a == null || hasMap()) {
            return "";
        }
        return "This analysis has no map (" + a.settings().mapMethod().id() + "). Pick t-SNE, UMAP or PCA above.";
    }

    /** What to draw now; an empty frame when there is no map. */
    public Frame frame() {
        if (!hasMap()) {
            return new Frame(new double[0][], new int[0], -1, null, false);
        }
        FolderAnalysis a = analysis.get();
        MainViewModel.ChangeSummary c = change.get();
        if (before()) {
            return new Frame(c.before().map(), c.beforeLabels(), c.before().noiseCluster(), c.changedMask(), true);
        }
        int[] labels = clusters.imageCount() == a.size() ? clusters.labels() : a.labels();
        return new Frame(a.map(), labels, a.noiseCluster(), c != null ? c.changedMask() : null, false);
    }

    /**
     * Whether going from analysis {@code a} to {@code b} needs the view fitted again: a new map (ITAE applied, other
     * method, other folder) may lie outside the view, while new colours on the same map keep the user's zoom.
     */
    static boolean needsRefit(FolderAnalysis a, FolderAnalysis b) {
        return a == null || b == null || a.size() != b.size() || !a.folder().equals(b.folder())
                || (a.map() != b.map() && !Arrays.deepEquals(a.map(), b.map()));
    }

    /** The legend's title. */
    public String legendTitle() {
        return before() ? "Clusters (before)" : "Clusters";
    }

    /** Clusters with members in {@code labels}, in number order, with their sizes. */
    static List<LegendEntry> legend(int[] labels) {
        int k = 0;
        for (int l : labels) {
            k = Math.max(k, l + 1);
        }
        int[] counts = new int[k];
        for (int l : labels) {
            if (l >= 0) {
                counts[l]++;
            }
        }
        List<LegendEntry> rows = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                rows.add(new LegendEntry(c, counts[c]));
            }
        }
        return rows;
    }

    /**
     * The image "More like this" asks about from the map: the last one selected (as in the gallery), else the one
     * clicked (inspected); -1 when there is neither.
     */
    static int similarTarget(int[] selection, int selectedImage) {
        return selection != null && selection.length > 0 ? selection[selection.length - 1] : selectedImage;
    }

    /** The info line: method, points, selection and changed images, e.g. "t-SNE · 12 points · 3 selected". */
    public String infoText(int points, int selected) {
        FolderAnalysis a = analysis.get();
        String method = a == null ? "" : a.settings().mapMethod().label();
        String text = points == 0 ? "" : String.format("%s \u00b7 %,d points", method, points)
                + (selected > 0 ? String.format(" \u00b7 %,d selected", selected) : "");
        MainViewModel.ChangeSummary c = change.get();
        if (c != null) {
            text += String.format(" \u00b7 %,d changed cluster (ringed)", c.changed());
        }
        return text;
    }

    /** The relative path of point {@code i} on the map shown now. */
    public String pointPath(int i) {
        return (before() ? change.get().before() : analysis.get()).paths().get(i);
    }
}
