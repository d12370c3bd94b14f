package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiFunction;
import javafx.concurrent.Task;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.store.CsvExport;

/**
 * Exports what the user sees: cluster labels (with their edits and names) and embeddings, as CSV through
 * {@link CsvExport} (atomic: a failed export never leaves half a file). The file chooser is a strategy so tests can
 * export without a native dialog.
 */
final class ExportController {

    public enum Kind { LABELS, EMBEDDINGS }

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
        int[] labels = a.exportLabels(vm.clusters().labels()); // HDBSCAN's unclustered images as -1
        String[] names = new String[vm.clusters().clusterCount()];
        for (int c = 0; c < names.length; c++) {
            names[c] = vm.clusters().name(c);
        }
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() throws IOException {
                if (kind == Kind.LABELS) {
                    CsvExport.writeNamedLabels(target, a.paths(), labels, names);
                } else {
                    CsvExport.writeEmbeddings(target, a.paths(), a.embeddings());
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

    private static Path nativeChooser(Window owner, Kind kind) {
        FileChooser fc = new FileChooser();
        fc.setTitle(kind == Kind.LABELS ? "Export cluster labels" : "Export embeddings");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV files", "*.csv"));
        fc.setInitialFileName(kind == Kind.LABELS ? "labels.csv" : "embeddings.csv");
        var f = fc.showSaveDialog(owner);
        return f == null ? null : f.toPath();
    }
}
