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
        setHeaderText(files.size() + (files.size() == 1 ? " file was" : " files were") + " skipped");
        TableView<SkippedFile> table = new TableView<>();
        table.setId("skipped-table");
        TableColumn<SkippedFile, String> path = new TableColumn<>("File");
        path.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().relativePath()));
        path.setPrefWidth(300);
        TableColumn<SkippedFile, String> reason = new TableColumn<>("Reason");
        reason.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().reason()));
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
}
