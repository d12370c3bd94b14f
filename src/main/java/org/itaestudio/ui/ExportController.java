package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiFunction;
import javafx.concurrent.Task;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.store.CsvExport;
import org.itaestudio.store.ExploreExport;

/**
 * Exports what the user sees: cluster labels (with their edits and names) and embeddings as CSV through
 * {@link CsvExport}; embeddings as NumPy {@code .npy} (+ {@code paths.csv}), the current view
 * ({@code path,cluster,x,y,outlier_score}) and the near-duplicate sets with their marks through {@link ExploreExport}
 * (atomic: a failed export never leaves half a file). The file chooser is a strategy so tests can
 * export without a native dialog.
 */
final class ExportController {

    public enum Kind { LABELS, EMBEDDINGS, NUMPY, VIEW, DUPLICATES }

    private final MainViewModel vm;
    private BiFunction<Window, Kind, Path> chooser = ExportController::nativeChooser;

    public ExportController(MainViewModel vm) {
        this.vm = vm;
    }

    /** Replaces the file chooser (tests). The function returns null when the user cancels. */
    public void setChooser(BiFunction<Window, Kind, Path> chooser) {
        this.chooser = chooser;
    }

    /**
     * Asks for a file and writes it in the background. The native save dialog (GTK, Windows, macOS) asks before
     * overwriting an existing file.
     */
    public void export(Window owner, Kind kind) {
        FolderAnalysis a = vm.analysis();
        if (a == null || a.size() == 0) {
            vm.statusProperty().set("Nothing to export yet: open a folder first");
            return;
        }
        Path target = chooser.apply(owner, kind);
        if (target == null) {
            return;
        }
        if (kind == Kind.VIEW && !vm.clusters().hasOutlierScores()) {
            // the view's outlier_score column: computed on demand (progress in the status bar), then written
            vm.explore().requestOutlierScores(() -> {
                if (vm.analysis() == a) {
                    write(a, kind, target);
                }
            });
            return;
        }
        write(a, kind, target);
    }

    private void write(FolderAnalysis a, Kind kind, Path target) {
        int[] labels = a.exportLabels(vm.clusters().labels()); // HDBSCAN's unclustered images as -1
        String[] names = new String[vm.clusters().clusterCount()];
        for (int c = 0; c < names.length; c++) {
            names[c] = vm.clusters().name(c);
        }
        int noise = vm.clusters().noiseCluster();
        String noiseName = noise >= 0 ? vm.clusters().name(noise) : "";
        double[] knownScores = vm.clusters().outlierScores();
        java.util.List<ExploreExport.DuplicateRow> duplicates = vm.explore().duplicateRows();
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() throws IOException {
                switch (kind) {
                    case LABELS -> CsvExport.writeNamedLabels(target, a.paths(), labels, names, noiseName);
                    case EMBEDDINGS -> CsvExport.writeEmbeddings(target, a.paths(), a.embeddings());
                    case NUMPY -> ExploreExport.writeNpyWithPaths(target, a.paths(), a.embeddings());
                    case VIEW -> writeView(target, a, labels, ExploreModel.outlierScores(a, () -> knownScores));
                    case DUPLICATES -> ExploreExport.writeDuplicates(target, duplicates);
                }
                return null;
            }
        };
        task.setOnSucceeded(e -> vm.statusProperty().set("Exported " + target.getFileName()));
        task.setOnFailed(e -> vm.statusProperty().set("Export failed: " + MainViewModel.oneLine(task.getException())));
        Thread t = new Thread(task, "export");
        t.setDaemon(true);
        t.start();
    }

    /** {@code path,cluster,x,y,outlier_score} with the user's labels and the analysis' map (empty x,y without one). */
    private static void writeView(Path target, FolderAnalysis a, int[] labels, double[] outlier) throws IOException {
        float[] x = null;
        float[] y = null;
        if (a.map() != null && a.map().length == a.size()) {
            x = new float[a.size()];
            y = new float[a.size()];
            for (int i = 0; i < a.size(); i++) {
                x[i] = (float) a.map()[i][0];
                y[i] = (float) a.map()[i][1];
            }
        }
        ExploreExport.writeView(target, a.paths(), labels, x, y, outlier);
    }

    private static Path nativeChooser(Window owner, Kind kind) {
        FileChooser fc = new FileChooser();
        fc.setTitle(switch (kind) {
            case LABELS -> "Export cluster labels";
            case EMBEDDINGS -> "Export embeddings";
            case NUMPY -> "Export embeddings as NumPy (.npy, with paths.csv next to it)";
            case VIEW -> "Export the current view (path, cluster, x, y, outlier score)";
            case DUPLICATES -> "Export near-duplicate sets with keep/drop marks";
        });
        fc.getExtensionFilters().add(kind == Kind.NUMPY ? new FileChooser.ExtensionFilter("NumPy arrays", "*.npy")
                : new FileChooser.ExtensionFilter("CSV files", "*.csv"));
        fc.setInitialFileName(switch (kind) {
            case LABELS -> "labels.csv";
            case EMBEDDINGS -> "embeddings.csv";
            case NUMPY -> "embeddings.npy";
            case VIEW -> "view.csv";
            case DUPLICATES -> "duplicates.csv";
        });
        var f = fc.showSaveDialog(owner);
        return f == null ? null : f.toPath();
    }
}
