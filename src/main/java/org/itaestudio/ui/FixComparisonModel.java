package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.FixComparison;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.progress.Progress;

/**
 * The comparison panel's state: runs {@link FixComparison} on a worker for the fixes available (no fix and ITAE
 * always; test-time registers and both once register neurons are known), shows progress, can be cancelled, and
 * lists the images one fix moved to another cluster (with their cluster under no fix and under that fix).
 */
final class FixComparisonModel {

    /** One table row as shown: the measures formatted, and the row behind them. */
    record RowView(String fix, String clusters, String silhouette, String ari, int changed, String acc, String nmi,
                   String classAri, FixComparison.Row row) {
    }

    /**
     * One image a fix moved.
     *
     * @param path   relative path in the folder
     * @param before cluster with no fix (1-based, as the gallery numbers them)
     * @param after  cluster with the fix, renumbered to match the no-fix clusters (1-based)
     */
    record Moved(String path, int before, int after) {
    }

    private final StudioEngine engine;
    private final Executor worker;
    private final Executor fx;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyObjectWrapper<FixComparison.Result> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ObservableList<RowView> rows = FXCollections.observableArrayList();
    private final ObservableList<Moved> moved = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper movedTitle = new ReadOnlyStringWrapper(this, "movedTitle", "");
    private Cancellation job;

    FixComparisonModel(StudioEngine engine, Executor worker, Executor fx) {
        this.engine = Objects.requireNonNull(engine);
        this.worker = Objects.requireNonNull(worker);
        this.fx = Objects.requireNonNull(fx);
    }

    ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Progress while it runs, then a summary or why it failed (one line). */
    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<FixComparison.Result> resultProperty() {
        return result.getReadOnlyProperty();
    }

    ObservableList<RowView> rows() {
        return rows;
    }

    /** The images of the row last clicked that changed cluster. */
    ObservableList<Moved> moved() {
        return moved;
    }

    ReadOnlyStringProperty movedTitleProperty() {
        return movedTitle.getReadOnlyProperty();
    }

    /**
     * The fixes to compare: no fix, ITAE ({@code itae}, or the paper's rule when the panel's ITAE is off), and with
     * register neurons test-time registers and both.
     */
    static List<FixComparison.Variant> variants(ItaeConfig itae, TestTimeRegisters ttr) {
        ItaeConfig i = itae != null ? itae : ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO);
        List<FixComparison.Variant> out = new ArrayList<>();
        out.add(new FixComparison.Variant(ArtifactFixModel.Fix.NONE.label, null, null));
        out.add(new FixComparison.Variant(ArtifactFixModel.Fix.ITAE.label, i, null));
        if (ttr != null) {
            out.add(new FixComparison.Variant(ArtifactFixModel.Fix.TTR.label, null, ttr));
            out.add(new FixComparison.Variant(ArtifactFixModel.Fix.BOTH.label, i, ttr));
        }
        return out;
    }

    /**
     * Compares the fixes on {@code folder}; ignored while a comparison runs.
     *
     * @param settings the current analysis settings (model, preprocessing, clustering)
     * @param itae     the ITAE controls (their configuration needs the model's depth, known on the worker)
     * @param ttr      test-time registers with the current controls, or null before a calibration
     */
    void run(Path folder, AnalysisSettings settings, ItaeSettings.Snapshot itae, TestTimeRegisters ttr) {
        if (folder == null || running.get()) {
            return;
        }
        Cancellation cancel = new Cancellation();
        job = cancel;
        running.set(true);
        moved.clear();
        movedTitle.set("");
        status.set("Starting\u2026");
        worker.execute(() -> {
            FixComparison.Result r = null;
            String failure = null;
            try {
                ItaeConfig config = itae == null ? null : itae.toConfig(engine.depth(settings));
                r = FixComparison.run(engine, folder, settings, variants(config, ttr),
                        p -> fx.execute(() -> progress(cancel, p)), cancel);
            } catch (CancellationException e) {
                failure = "Comparison cancelled";
            } catch (Exception e) {
                failure = "Comparison failed: " + MainViewModel.oneLine(e);
            }
            FixComparison.Result done = r;
            String f = failure;
            fx.execute(() -> finish(cancel, done, f));
        });
    }

    /** Forgets the last comparison (another folder or model); a running one is cancelled. */
    void clear() {
        cancel();
        job = null;
        running.set(false);
        result.set(null);
        rows.clear();
        moved.clear();
        movedTitle.set("");
        status.set("");
    }

    void cancel() {
        if (job != null) {
            job.cancel();
        }
    }

    private void progress(Cancellation c, Progress p) {
        if (job == c && running.get()) {
            status.set(p.total() > 0 ? p.stage() + " " + p.done() + "/" + p.total() : p.stage());
        }
    }

    private void finish(Cancellation c, FixComparison.Result r, String failure) {
        if (job != c) {
            return;
        }
        job = null;
        running.set(false);
        if (failure != null) {
            status.set(failure);
            return;
        }
        result.set(r);
        rows.setAll(r.rows().stream().map(FixComparisonModel::view).toList());
        status.set(r.paths().size() + " images, " + r.rows().size() + " fixes"
                + (r.classes().isPresent() ? ", classes from the sub-folders" : ", no class sub-folders (no ACC/NMI)"));
    }

    /** Lists the images the row's fix moved (empty for the reference). */
    void showMoved(RowView row) {
        FixComparison.Result r = result.get();
        if (r == null || row == null) {
            return;
        }
        int[] before = r.rows().get(0).labels();
        List<Moved> out = new ArrayList<>();
        for (int i : row.row().changedImages()) {
            out.add(new Moved(r.paths().get(i), before[i] + 1, row.row().labels()[i] + 1));
        }
        moved.setAll(out);
        String reference = r.rows().get(0).variant().name();
        movedTitle.set(row.row() == r.rows().get(0) ? reference + " is the reference: nothing to compare"
                : out.isEmpty() ? "No image changed cluster with " + row.fix()
                : out.size() + (out.size() == 1 ? " image" : " images") + " changed cluster with " + row.fix());
    }

    static RowView view(FixComparison.Row row) {
        return new RowView(row.variant().name(), Integer.toString(row.k()), fmt(row.silhouette()),
                fmt(row.ariVsReference()), row.changed(),
                row.classes().map(c -> fmt(c.acc())).orElse("\u2013"),
                row.classes().map(c -> fmt(c.nmi())).orElse("\u2013"),
                row.classes().map(c -> fmt(c.ari())).orElse("\u2013"), row);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "\u2013" : String.format(Locale.ROOT, "%.3f", v);
    }
}
