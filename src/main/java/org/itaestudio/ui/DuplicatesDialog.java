package org.itaestudio.ui;

import java.util.Locale;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Near-duplicate sets: a similarity threshold, the sets found (each set's first image first, with every member's
 * similarity to it), a keep/drop mark per image, and the export of {@code group,path,similarity_to_first,mark}.
 */
final class DuplicatesDialog extends Stage {
    static final double THUMB = 56;

    private final TableView<ExploreModel.DuplicateEntry> table = new TableView<>();
    private final Spinner<Double> threshold = new Spinner<>();
    private final Subscriptions subs = new Subscriptions();

    DuplicatesDialog(Window owner, MainViewModel vm, ThumbnailCache thumbs, ExportController export) {
        initOwner(owner);
        setTitle("Near-duplicates");
        ExploreModel x = vm.explore();
        SpinnerValueFactory.DoubleSpinnerValueFactory values =
                new SpinnerValueFactory.DoubleSpinnerValueFactory(-1, 1, x.thresholdProperty().get(), 0.005);
        values.setConverter(new javafx.util.converter.DoubleStringConverter() {
            @Override
            public String toString(Double v) {
                return v == null ? "" : String.format(Locale.ROOT, "%.3f", v);
            }
        });
        threshold.setValueFactory(values);
        threshold.setEditable(true);
        threshold.setId("duplicates-threshold");
        threshold.setPrefWidth(110);
        values.valueProperty().addListener((o, a, b) -> {
            if (b != null) {
                x.thresholdProperty().set(b);
            }
        });
        Button find = new Button("Find");
        find.setId("duplicates-find");
        find.setDefaultButton(true);
        find.setOnAction(e -> x.findDuplicates());
        subs.bind(find.disableProperty(), x.findingDuplicatesProperty());
        Label message = new Label();
        message.setId("duplicates-message");
        subs.bind(message.textProperty(), x.messageProperty());
        // comparing every pair takes a while in a big folder (about 1.5 min at 50,000 images): show how far, allow a stop
        ProgressBar progress = new ProgressBar();
        progress.setId("duplicates-progress");
        progress.setPrefWidth(160);
        subs.bind(progress.progressProperty(), x.duplicatesProgressProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("duplicates-cancel");
        cancel.setCancelButton(true);
        cancel.setOnAction(e -> x.cancelDuplicates());
        for (javafx.scene.Node n : new javafx.scene.Node[] {progress, cancel}) {
            subs.bind(n.visibleProperty(), x.findingDuplicatesProperty());
            subs.bind(n.managedProperty(), n.visibleProperty());
        }
        Label label = new Label("Cosine similarity \u2265");
        HBox top = new HBox(8, label, threshold, find, progress, cancel, message);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(10));

        table.setId("duplicates-table");
        table.setEditable(true);
        TableColumn<ExploreModel.DuplicateEntry, String> set = new TableColumn<>("Set");
        set.setCellValueFactory(c -> new ReadOnlyStringWrapper(Integer.toString(c.getValue().group() + 1)));
        set.setPrefWidth(50);
        TableColumn<ExploreModel.DuplicateEntry, ExploreModel.DuplicateEntry> preview =
                ThumbnailColumn.create(thumbs, THUMB, e -> vm.imagePath(e.image()));
        TableColumn<ExploreModel.DuplicateEntry, String> path = new TableColumn<>("Path");
        path.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().path()));
        path.setPrefWidth(330);
        TableColumn<ExploreModel.DuplicateEntry, String> sim = new TableColumn<>("Similarity to first");
        sim.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                String.format(Locale.ROOT, "%.4f", c.getValue().similarityToFirst())));
        sim.setPrefWidth(170);
        TableColumn<ExploreModel.DuplicateEntry, Boolean> keep = new TableColumn<>("Keep");
        keep.setCellValueFactory(c -> c.getValue().keep());
        keep.setCellFactory(CheckBoxTableCell.forTableColumn(keep));
        keep.setEditable(true);
        keep.setPrefWidth(60);
        table.getColumns().add(set);
        table.getColumns().add(preview);
        table.getColumns().add(path);
        table.getColumns().add(sim);
        table.getColumns().add(keep);
        table.setItems(x.duplicates());
        Label placeholder = new Label();
        subs.bind(placeholder.textProperty(), javafx.beans.binding.Bindings.when(x.findingDuplicatesProperty())
                .then("Comparing every pair of images\u2026").otherwise("Press Find to group images at this similarity or above"));
        table.setPlaceholder(placeholder);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.selectedImageProperty().set(b.image());
            }
        });

        Button exportButton = new Button("Export CSV\u2026");
        exportButton.setId("duplicates-export");
        exportButton.setOnAction(e -> export.export(this, ExportController.Kind.DUPLICATES));
        subs.bind(exportButton.disableProperty(), x.duplicateGroupsProperty().isEqualTo(0));
        Button selectDropped = new Button("Select images marked drop");
        selectDropped.setOnAction(e -> vm.selectionProperty().set(x.dropped()));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label hint = new Label("The largest image of a set (most pixels, then bytes) starts as keep.");
        HBox bottom = new HBox(8, hint, spacer, selectDropped, exportButton);
        bottom.setAlignment(Pos.CENTER_LEFT);
        bottom.setPadding(new Insets(10));

        BorderPane root = new BorderPane(table, top, null, bottom, null);
        root.setId("duplicates-dialog");
        Scene scene = new Scene(root, 860, 600);
        if (owner != null && owner.getScene() != null) {
            scene.getStylesheets().setAll(owner.getScene().getStylesheets());
        }
        setScene(scene);
        setOnHidden(e -> subs.close());
    }

    TableView<ExploreModel.DuplicateEntry> table() {
        return table;
    }
}
