package org.itaestudio.ui;

import java.util.List;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.itaestudio.pipeline.SkippedFile;

/** The files a run could not read, with the reason for each. */
final class SkippedFilesDialog extends Dialog<Void> {

    public SkippedFilesDialog(Window owner, List<SkippedFile> files) {
        initOwner(owner);
        setTitle("Skipped files");
        setHeaderText(header(files));
        TableView<SkippedFile> table = new TableView<>();
        table.setId("skipped-table");
        TableColumn<SkippedFile, String> path = new TableColumn<>("File");
        path.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().relativePath()));
        path.setPrefWidth(300);
        TableColumn<SkippedFile, String> reason = new TableColumn<>("Reason");
        reason.setCellValueFactory(c -> new ReadOnlyStringWrapper(reasonText(c.getValue())));
        reason.setPrefWidth(380);
        table.getColumns().add(path);
        table.getColumns().add(reason);
        table.getItems().setAll(files);
        table.setPrefSize(700, 360);
        Label note = new Label("These files are left out of clusters, the map and exports. The rest of the folder was analysed.");
        note.setWrapText(true);
        getDialogPane().setContent(new VBox(10, note, table));
        getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        setResizable(true);
    }

    /** "3 files were skipped", with "1 file was embedded after an adjustment" when there are adjusted ones. */
    static String header(List<SkippedFile> files) {
        long adjusted = files.stream().filter(SkippedFile::embedded).count();
        long skipped = files.size() - adjusted;
        String text = skipped + (skipped == 1 ? " file was" : " files were") + " skipped";
        return adjusted == 0 ? text : text + "; " + adjusted + (adjusted == 1 ? " file was" : " files were")
                + " embedded after an adjustment";
    }

    /** The reason column: an adjusted file says so ("embedded, decoded at 1/2 scale (...)"). */
    static String reasonText(SkippedFile f) {
        return f.embedded() ? "embedded, " + f.reason() : f.reason();
    }
}
