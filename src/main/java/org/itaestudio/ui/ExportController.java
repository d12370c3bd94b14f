package org.itaestudio.ui;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.BiFunction;
import javafx.concurrent.Task;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.itaestudio.pipeline.FolderAnalysis;

/**
 * Exports what the user sees: cluster labels (with their edits and names) and embeddings, as CSV. Files are
 * written to a temporary sibling and moved into place, so a failed export never leaves half a file. The file
 * chooser is a strategy so tests can export without a native dialog.
 */
public final class ExportController {

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
        int[] labels = vm.clusters().labels();
        String[] names = new String[vm.clusters().clusterCount()];
        for (int c = 0; c < names.length; c++) {
            names[c] = vm.clusters().name(c);
        }
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() throws IOException {
                if (kind == Kind.LABELS) {
                    writeLabels(target, a, labels, names);
                } else {
                    writeEmbeddings(target, a);
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

    /**
     * {@code path,cluster,cluster_name}: one row per image in scan order (sorted relative paths, '/' separators);
     * the first two columns are the CLI's {@code cluster} output, the third the names given in the app.
     */
    public static void writeLabels(Path target, FolderAnalysis a, int[] labels, String[] names) throws IOException {
        writeAtomically(target, w -> {
            w.write("path,cluster,cluster_name\n");
            for (int i = 0; i < a.size(); i++) {
                int c = labels[i];
                w.write(csv(a.paths().get(i)));
                w.write(',');
                w.write(Integer.toString(c));
                w.write(',');
                w.write(csv(c >= 0 && c < names.length ? names[c] : ""));
                w.write('\n');
            }
        });
    }

    /** {@code path,e0,e1,...}: the same layout as the CLI's {@code embed}. */
    public static void writeEmbeddings(Path target, FolderAnalysis a) throws IOException {
        writeAtomically(target, w -> {
            int dim = a.size() == 0 ? 0 : a.embeddings()[0].length;
            StringBuilder header = new StringBuilder("path");
            for (int d = 0; d < dim; d++) {
                header.append(",e").append(d);
            }
            w.write(header.append('\n').toString());
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < a.size(); i++) {
                row.setLength(0);
                row.append(csv(a.paths().get(i)));
                for (float v : a.embeddings()[i]) {
                    row.append(',').append(Float.toString(v));
                }
                w.write(row.append('\n').toString());
            }
        });
    }

    /** RFC 4180 quoting when needed. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private interface Body {
        void write(BufferedWriter w) throws IOException;
    }

    private static void writeAtomically(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                body.write(w);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
