package org.itaestudio.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.itaestudio.cluster.CosineIndex;
import org.itaestudio.cluster.NearDuplicates;
import org.itaestudio.cluster.OutlierScores;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DuplicateKeep;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.store.ExploreExport;

/**
 * Exploring an analysed folder: "more like this" for one image, near-duplicate sets with keep/drop marks, outlier
 * scores (computed on demand, kept until the embeddings change, and handed to the {@link ClusterModel} for the
 * gallery's "most unusual first" order and the view export), and splitting a cluster by its embeddings. Computation runs on the worker; results are published on the FX executor,
 * and a result computed for an analysis that has since been replaced is dropped. FX-thread only.
 */
final class ExploreModel {

    /** Neighbours shown by "more like this". */
    static final int SIMILAR_K = 20;
    /** The duplicates view's starting threshold; README ("Near-duplicates") says why. */
    static final double DEFAULT_THRESHOLD = 0.95;

    /** One neighbour of the "more like this" image. */
    record Similar(int image, String path, double similarity) {
    }

    /**
     * One image of a near-duplicate set; {@code keep} is the user's mark (the set's largest image starts as keep,
     * {@link DuplicateKeep}).
     */
    record DuplicateEntry(int group, int image, String path, double similarityToFirst, BooleanProperty keep) {
    }

    private final ReadOnlyObjectProperty<FolderAnalysis> analysis;
    private final ClusterModel clusters;
    private final Executor fx;
    private final Executor worker;
    /**
     * Bumped (on the FX thread) whenever the analysis changes: results of an older generation are dropped, and queued
     * work of an older generation is skipped (read on the worker, hence atomic).
     */
    private final java.util.concurrent.atomic.AtomicInteger generationCounter = new java.util.concurrent.atomic.AtomicInteger();
    private int generation;
    private CosineIndex index;
    private FolderAnalysis indexed;

    private final ReadOnlyIntegerWrapper similarSource = new ReadOnlyIntegerWrapper(this, "similarSource", -1);
    private final ObservableList<Similar> similar = FXCollections.observableArrayList();
    private final DoubleProperty threshold = new SimpleDoubleProperty(this, "threshold", DEFAULT_THRESHOLD);
    private final ObservableList<DuplicateEntry> duplicates = FXCollections.observableArrayList();
    private final ReadOnlyIntegerWrapper duplicateGroups = new ReadOnlyIntegerWrapper(this, "duplicateGroups");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper findingDuplicates = new ReadOnlyBooleanWrapper(this, "findingDuplicates");
    private final javafx.beans.property.ReadOnlyDoubleWrapper duplicatesProgress =
            new javafx.beans.property.ReadOnlyDoubleWrapper(this, "duplicatesProgress", 0);
    private final ReadOnlyBooleanWrapper splitting = new ReadOnlyBooleanWrapper(this, "splitting");
    private final ReadOnlyBooleanWrapper computingOutliers = new ReadOnlyBooleanWrapper(this, "computingOutliers");
    private final javafx.beans.property.ReadOnlyDoubleWrapper outlierProgress =
            new javafx.beans.property.ReadOnlyDoubleWrapper(this, "outlierProgress", 0);
    /** What waits for the outlier scores being computed (run on the FX thread when they are ready). */
    private final List<Runnable> whenScored = new ArrayList<>();
    /** The outlier scores, kept until the embeddings change, and the embeddings they were computed from. */
    private double[] scores;
    private float[][] scoredEmbeddings;
    /** The running near-duplicates search's cancellation, or null when none runs. */
    private Cancellation duplicatesCancel;
    private final ReadOnlyBooleanWrapper outliersReady = new ReadOnlyBooleanWrapper(this, "outliersReady");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");

    ExploreModel(ReadOnlyObjectProperty<FolderAnalysis> analysis, ClusterModel clusters, Executor fx, Executor worker) {
        this.analysis = analysis;
        this.clusters = clusters;
        this.fx = fx;
        this.worker = worker;
        analysis.addListener((o, a, b) -> analysisChanged(b));
    }

    private void analysisChanged(FolderAnalysis a) {
        generation = generationCounter.incrementAndGet();
        cancelDuplicates();
        index = null;
        indexed = null;
        similar.clear();
        similarSource.set(-1);
        duplicates.clear();
        duplicateGroups.set(0);
        message.set("");
        computingOutliers.set(false);
        outlierProgress.set(0);
        whenScored.clear();
        // scores depend on the embeddings only: a new k, method or map keeps them, new embeddings drop them
        boolean keep = a != null && scores != null && scoredEmbeddings != null
                && (a.embeddings() == scoredEmbeddings || java.util.Arrays.deepEquals(a.embeddings(), scoredEmbeddings));
        if (!keep) {
            scores = null;
            scoredEmbeddings = null;
        } else if (clusters.imageCount() == scores.length && !clusters.hasOutlierScores()) {
            clusters.setOutlierScores(scores);
        }
        outliersReady.set(keep);
        if (!keep && a != null && clusters.order() == ClusterModel.Order.MOST_UNUSUAL_FIRST) {
            requestOutlierScores(null); // the gallery is sorted by them: new embeddings need new scores
        }
    }

    /**
     * Makes sure the outlier scores of the current analysis are known, then runs {@code then} on the FX thread: at
     * once when they are, else after they are computed on the worker (about 1.5 min of CPU at 50,000 images, hence
     * only on demand: "most unusual first" and the view export ask). Progress goes to {@link #outlierProgressProperty};
     * a new analysis drops the callback. Does nothing without an analysis of two images or more.
     */
    void requestOutlierScores(Runnable then) {
        FolderAnalysis a = analysis.get();
        if (a == null) {
            return;
        }
        if (scores != null || a.size() < 2) {
            if (scores == null) {
                scores = new double[a.size()];
                scoredEmbeddings = a.embeddings();
                clusters.setOutlierScores(scores);
                outliersReady.set(true);
            }
            if (then != null) {
                then.run();
            }
            return;
        }
        if (then != null) {
            whenScored.add(then);
        }
        if (computingOutliers.get()) {
            return;
        }
        computingOutliers.set(true);
        outlierProgress.set(0);
        message.set(String.format(java.util.Locale.ROOT, "Computing outlier scores of %,d images\u2026", a.size()));
        int gen = generation;
        java.util.concurrent.atomic.AtomicLong shown = new java.util.concurrent.atomic.AtomicLong(-1);
        org.itaestudio.progress.ProgressListener listener = p -> {
            long permille = Math.round(Math.max(0, p.fraction()) * 1000);
            if (shown.getAndSet(permille) != permille) {
                fx.execute(() -> {
                    if (gen == generation && computingOutliers.get()) {
                        outlierProgress.set(Math.max(outlierProgress.get(), permille / 1000.0));
                    }
                });
            }
        };
        worker.execute(() -> {
            if (gen != generationCounter.get()) {
                return; // a newer analysis replaced this one while the job waited
            }
            double[] computed;
            try {
                computed = OutlierScores.meanCosineDistance(a.embeddings(), Math.min(OutlierScores.DEFAULT_K, a.size() - 1),
                        Math.max(1, Runtime.getRuntime().availableProcessors()), listener,
                        () -> gen != generationCounter.get());
            } catch (RuntimeException e) {
                fx.execute(() -> {
                    if (gen == generation) {
                        computingOutliers.set(false);
                        whenScored.clear();
                        if (!(e instanceof java.util.concurrent.CancellationException)) {
                            message.set("Outlier scores failed: " + MainViewModel.oneLine(e));
                        }
                    }
                });
                return;
            }
            fx.execute(() -> {
                if (gen != generation) {
                    return;
                }
                computingOutliers.set(false);
                outlierProgress.set(1);
                scores = computed;
                scoredEmbeddings = a.embeddings();
                if (clusters.imageCount() == computed.length) {
                    clusters.setOutlierScores(computed);
                }
                outliersReady.set(true);
                message.set("Outlier scores ready (mean cosine distance to the 10 nearest images)");
                List<Runnable> todo = new ArrayList<>(whenScored);
                whenScored.clear();
                todo.forEach(Runnable::run);
            });
        });
    }

    /** Whether outlier scores are being computed (the status bar shows {@link #outlierProgressProperty}). */
    ReadOnlyBooleanProperty computingOutliersProperty() {
        return computingOutliers.getReadOnlyProperty();
    }

    /** Progress of the outlier scores being computed, in [0, 1], never going back. */
    javafx.beans.property.ReadOnlyDoubleProperty outlierProgressProperty() {
        return outlierProgress.getReadOnlyProperty();
    }

    private CosineIndex index(FolderAnalysis a) {
        synchronized (this) {
            if (indexed != a) {
                index = new CosineIndex(a.embeddings());
                indexed = a;
            }
            return index;
        }
    }

    // ------------------------------------------------------------------ more like this

    /** Finds the {@link #SIMILAR_K} images most similar to {@code image} (fewer in a small folder). */
    void showSimilar(int image) {
        FolderAnalysis a = analysis.get();
        if (a == null || image < 0 || image >= a.size()) {
            return;
        }
        similarSource.set(image);
        similar.clear();
        if (a.size() < 2) {
            message.set("Only one image: nothing to compare it with");
            return;
        }
        int gen = generation;
        int k = Math.min(SIMILAR_K, a.size() - 1);
        busy.set(true);
        worker.execute(() -> {
            List<Similar> found = new ArrayList<>(k);
            for (CosineIndex.Neighbor nb : index(a).nearestTo(image, k)) {
                found.add(new Similar(nb.index(), a.paths().get(nb.index()), nb.similarity()));
            }
            fx.execute(() -> {
                if (gen == generation && similarSource.get() == image) {
                    similar.setAll(found);
                    message.set(found.size() + " images most like " + a.paths().get(image));
                }
                busy.set(false);
            });
        });
    }

    /** The image whose neighbours {@link #similar()} holds; -1 when none. */
    ReadOnlyIntegerProperty similarSourceProperty() {
        return similarSource.getReadOnlyProperty();
    }

    ObservableList<Similar> similar() {
        return similar;
    }

    // ------------------------------------------------------------------ near-duplicates

    DoubleProperty thresholdProperty() {
        return threshold;
    }

    /** Groups the folder's images at the current threshold (marks start as: largest of a set keep, others drop). */
    void findDuplicates() {
        FolderAnalysis a = analysis.get();
        double t = threshold.get();
        if (a == null) {
            return;
        }
        if (!(t >= -1 && t <= 1)) {
            message.set("The threshold must be between -1 and 1");
            return;
        }
        if (a.size() < 2) {
            duplicates.clear();
            duplicateGroups.set(0);
            message.set("Only one image: no duplicates");
            return;
        }
        if (duplicatesCancel != null) {
            return; // one search at a time; Cancel stops it
        }
        int gen = generation;
        Cancellation cancel = new Cancellation();
        duplicatesCancel = cancel;
        findingDuplicates.set(true);
        duplicatesProgress.set(-1); // indeterminate until the first block pair is done
        message.set(String.format(java.util.Locale.ROOT, "Comparing every pair of %,d images\u2026", a.size()));
        // progress arrives from the worker's threads: post only changes of a tenth of a percent
        java.util.concurrent.atomic.AtomicLong shown = new java.util.concurrent.atomic.AtomicLong(-1);
        org.itaestudio.progress.ProgressListener listener = p -> {
            long permille = Math.round(Math.max(0, p.fraction()) * 1000);
            if (shown.getAndSet(permille) != permille) {
                fx.execute(() -> {
                    if (duplicatesCancel == cancel) {
                        duplicatesProgress.set(Math.max(duplicatesProgress.get(), permille / 1000.0));
                    }
                });
            }
        };
        worker.execute(() -> {
            List<NearDuplicates.Group> groups;
            try {
                groups = NearDuplicates.find(a.embeddings(), t, listener, cancel::isCancelled);
            } catch (RuntimeException e) {
                fx.execute(() -> {
                    if (duplicatesCancel == cancel) {
                        duplicatesCancel = null;
                        findingDuplicates.set(false);
                        message.set(e instanceof java.util.concurrent.CancellationException || cancel.isCancelled()
                                ? "Near-duplicates cancelled" : "Near-duplicates failed: " + MainViewModel.oneLine(e));
                    }
                });
                return;
            }
            int[] keep;
            try {
                keep = DuplicateKeep.choose(a.folder(), a.paths(), groups, cancel::isCancelled);
            } catch (java.util.concurrent.CancellationException e) {
                return; // the Cancel already said so
            }
            List<DuplicateEntry> rows = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                NearDuplicates.Group group = groups.get(g);
                for (int m = 0; m < group.size(); m++) {
                    int image = group.members()[m];
                    rows.add(new DuplicateEntry(g, image, a.paths().get(image), group.similarityToFirst()[m],
                            new SimpleBooleanProperty(m == keep[g])));
                }
            }
            fx.execute(() -> {
                if (duplicatesCancel != cancel) {
                    return; // cancelled, or the analysis changed
                }
                duplicatesCancel = null;
                findingDuplicates.set(false);
                if (gen == generation) {
                    duplicatesProgress.set(1);
                    duplicates.setAll(rows);
                    duplicateGroups.set(groups.size());
                    message.set(groups.isEmpty() ? String.format(java.util.Locale.ROOT,
                            "No near-duplicates at similarity %.3f", t) : String.format(java.util.Locale.ROOT,
                            "%d near-duplicate sets at similarity %.3f (%d images)", groups.size(), t, rows.size()));
                }
            });
        });
    }

    /** Stops a running near-duplicates search (what was found before stays); nothing when none runs. */
    void cancelDuplicates() {
        Cancellation c = duplicatesCancel;
        if (c == null) {
            return;
        }
        c.cancel();
        duplicatesCancel = null;
        findingDuplicates.set(false);
        message.set("Near-duplicates cancelled");
    }

    /** Whether a near-duplicates search runs (the dialog shows its progress and a Cancel button). */
    ReadOnlyBooleanProperty findingDuplicatesProperty() {
        return findingDuplicates.getReadOnlyProperty();
    }

    /** The running search's progress in [0, 1] (-1 until its first report: under way), never going back. */
    javafx.beans.property.ReadOnlyDoubleProperty duplicatesProgressProperty() {
        return duplicatesProgress.getReadOnlyProperty();
    }

    /** The sets found by {@link #findDuplicates()}, set after set, each set's first image first. */
    ObservableList<DuplicateEntry> duplicates() {
        return duplicates;
    }

    ReadOnlyIntegerProperty duplicateGroupsProperty() {
        return duplicateGroups.getReadOnlyProperty();
    }

    /** Marks one image of a set keep (true) or drop (false). */
    void mark(int row, boolean keep) {
        duplicates.get(row).keep().set(keep);
    }

    /** Images marked drop. */
    int[] dropped() {
        return duplicates.stream().filter(d -> !d.keep().get()).mapToInt(DuplicateEntry::image).toArray();
    }

    /** The table {@code group,path,similarity_to_first,mark} as it stands now. */
    List<ExploreExport.DuplicateRow> duplicateRows() {
        List<ExploreExport.DuplicateRow> rows = new ArrayList<>(duplicates.size());
        for (DuplicateEntry d : duplicates) {
            rows.add(new ExploreExport.DuplicateRow(d.group(), d.path(), d.similarityToFirst(), d.keep().get()));
        }
        return rows;
    }

    // ------------------------------------------------------------------ clusters and the view export

    /** Splits a cluster in two (k-means, k = 2, on its members' embeddings) on this thread; an undoable edit. */
    int split(int cluster) {
        FolderAnalysis a = analysis.get();
        if (a == null) {
            throw new IllegalStateException("no analysis");
        }
        return clusters.split(cluster, a.embeddings(), a.settings().seed());
    }

    /**
     * Splits a cluster with its k-means on the worker ({@link #splittingProperty()} is true meanwhile, and the views
     * are disabled), then applies the edit on the FX thread. {@code report} gets one line: what moved, or why not.
     * One split at a time; a split whose analysis was replaced meanwhile is dropped.
     */
    void splitInBackground(int cluster, java.util.function.Consumer<String> report) {
        FolderAnalysis a = analysis.get();
        if (a == null || splitting.get()) {
            return;
        }
        if (cluster < 0 || cluster >= clusters.clusterCount()) {
            report.accept("no cluster " + cluster);
            return;
        }
        int[] members = clusters.members(cluster);
        String name = clusters.name(cluster);
        int gen = generation;
        splitting.set(true);
        worker.execute(() -> {
            ClusterModel.SplitPlan plan = null;
            String failure = null;
            try {
                plan = ClusterModel.planSplit(cluster, members, name, a.embeddings(), a.settings().seed());
            } catch (RuntimeException e) {
                failure = MainViewModel.oneLine(e);
            }
            ClusterModel.SplitPlan p = plan;
            String f = failure;
            fx.execute(() -> {
                splitting.set(false);
                if (gen != generation) {
                    return; // a new analysis: the plan is for images that are gone
                }
                if (f != null) {
                    report.accept(f);
                    return;
                }
                try {
                    int fresh = clusters.applySplit(p);
                    report.accept("Split " + clusters.name(cluster) + ": " + clusters.size(fresh) + " images moved to "
                            + clusters.name(fresh));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    report.accept(MainViewModel.oneLine(e));
                }
            });
        });
    }

    /** Whether a split's k-means runs (the views are disabled until it is applied). */
    ReadOnlyBooleanProperty splittingProperty() {
        return splitting.getReadOnlyProperty();
    }

    /**
     * Outlier scores for an export: the ones computed for the view when ready, else computed now (call off the FX
     * thread).
     */
    static double[] outlierScores(FolderAnalysis a, Supplier<double[]> known) {
        double[] k = known.get();
        return k != null ? k : OutlierScores.meanCosineDistance(a.embeddings());
    }

    ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty outliersReadyProperty() {
        return outliersReady.getReadOnlyProperty();
    }

    /** What the last exploration step found, for the status line. */
    ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }
}
