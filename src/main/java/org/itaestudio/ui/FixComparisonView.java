package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The fix comparison window: Compare / Cancel and progress, one row per fix (clusters, silhouette, ARI against no
 * fix, images that changed cluster, and ACC/NMI/ARI against the class sub-folders where there are some); clicking a
 * changed-images count lists those images with thumbnails and their cluster before and after.
 */
final class FixComparisonView extends Stage {
    static final double THUMB = 48;

    private final TableView<FixComparisonModel.RowView> table = new TableView<>();
    private final TableView<FixComparisonModel.Moved> movedTable = new TableView<>();
    private final Subscriptions subs = new Subscriptions();

    FixComparisonView(Window owner, MainViewModel vm, ThumbnailCache thumbs) {
        initOwner(owner);
        setTitle("Compare artifact fixes");
        FixComparisonModel m = vm.comparison();

        Button compare = new Button("Compare");
        compare.setId("comparison-run");
        compare.setDefaultButton(true);
        compare.setOnAction(e -> vm.compareFixes());
        subs.bind(compare.disableProperty(), m.runningProperty().or(vm.folderProperty().isNull()));
        Button cancel = new Button("Cancel");
        cancel.setId("comparison-cancel");
        cancel.setOnAction(e -> m.cancel());
        subs.bind(cancel.disableProperty(), m.runningProperty().not());
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(18, 18);
        subs.bind(spinner.visibleProperty(), m.runningProperty());
        Label status = new Label();
        status.setId("comparison-status");
        status.getStyleClass().add(Styles.TEXT_MUTED);
        subs.bind(status.textProperty(), m.statusProperty());
        Label what = new Label("Each fix embeds and clusters the open folder with the current clustering settings; "
                + "\u201cchanged\u201d counts images in another cluster than with no fix, after matching clusters.");
        what.setWrapText(true);
        what.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        HBox bar = new HBox(8, compare, cancel, spinner, status);
        bar.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(6, bar, what);
        top.setPadding(new Insets(10));

        table.setId("comparison-table");
        table.getColumns().add(text("Fix", FixComparisonModel.RowView::fix, 210));
        table.getColumns().add(text("Clusters", FixComparisonModel.RowView::clusters, 80));
        table.getColumns().add(text("Silhouette", FixComparisonModel.RowView::silhouette, 100));
        table.getColumns().add(text("ARI vs no fix", FixComparisonModel.RowView::ari, 120));
        TableColumn<FixComparisonModel.RowView, FixComparisonModel.RowView> changed = new TableColumn<>("Changed cluster");
        changed.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        changed.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(FixComparisonModel.RowView item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setGraphic(null);
                    setText(null);
                } else if (item.changed() == 0) {
                    setGraphic(null);
                    setText("0");
                } else {
                    Hyperlink link = new Hyperlink(item.changed() + (item.changed() == 1 ? " image" : " images"));
                    link.setOnAction(e -> m.showMoved(item));
                    setText(null);
                    setGraphic(link);
                }
            }
        });
        changed.setPrefWidth(145);
        table.getColumns().add(changed);
        TableColumn<FixComparisonModel.RowView, String> classes = new TableColumn<>("Class sub-folders");
        classes.getColumns().add(text("ACC", FixComparisonModel.RowView::acc, 75));
        classes.getColumns().add(text("NMI", FixComparisonModel.RowView::nmi, 75));
        classes.getColumns().add(text("ARI", FixComparisonModel.RowView::classAri, 75));
        table.getColumns().add(classes);
        table.setItems(m.rows());
        table.setPlaceholder(new Label("Press Compare to embed and cluster the folder with each fix"));
        table.setFixedCellSize(30);
        table.prefHeightProperty().bind(javafx.beans.binding.Bindings.max(4, javafx.beans.binding.Bindings.size(m.rows()))
                .multiply(30).add(100)); // two header rows (the class columns are grouped)
        table.setMinHeight(Region.USE_PREF_SIZE);

        Label movedTitle = new Label();
        movedTitle.setId("comparison-moved-title");
        movedTitle.getStyleClass().add(Styles.TEXT_BOLD);
        subs.bind(movedTitle.textProperty(), m.movedTitleProperty());
        movedTable.setId("comparison-moved");
        TableColumn<FixComparisonModel.Moved, FixComparisonModel.Moved> preview = ThumbnailColumn.create(thumbs, THUMB,
                x -> m.resultProperty().get() == null ? null : m.resultProperty().get().folder().resolve(x.path()));
        movedTable.getColumns().add(preview);
        movedTable.getColumns().add(textMoved("Path", FixComparisonModel.Moved::path, 320));
        movedTable.getColumns().add(textMoved("Cluster with no fix", x -> "cluster " + x.before(), 200));
        movedTable.getColumns().add(textMoved("Cluster with the fix", x -> "cluster " + x.after(), 200));
        movedTable.setItems(m.moved());
        movedTable.setPlaceholder(new Label("Click a number in \u201cChanged cluster\u201d to see those images"));
        Button select = new Button("Select in gallery");
        select.setId("comparison-select");
        select.setMinWidth(Region.USE_PREF_SIZE);
        movedTitle.setMinWidth(0); // the title gives way (ellipsis), never the button
        select.setOnAction(e -> vm.selectPaths(m.moved().stream().map(FixComparisonModel.Moved::path).toList()));
        subs.bind(select.disableProperty(), javafx.beans.binding.Bindings.isEmpty(m.moved())
                .or(vm.analysisProperty().isNull()));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox movedBar = new HBox(8, movedTitle, spacer, select);
        movedBar.setAlignment(Pos.CENTER_LEFT);
        VBox bottom = new VBox(6, movedBar, movedTable);
        VBox.setVgrow(movedTable, Priority.ALWAYS);
        VBox center = new VBox(10, table, bottom);
        VBox.setVgrow(bottom, Priority.ALWAYS);
        center.setPadding(new Insets(0, 10, 10, 10));

        BorderPane root = new BorderPane(center, top, null, null, null);
        root.setId("comparison-dialog");
        Scene scene = new Scene(root, 1040, 680);
        if (owner != null && owner.getScene() != null) {
            scene.getStylesheets().setAll(owner.getScene().getStylesheets());
        }
        setScene(scene);
        setOnHidden(e -> subs.close());
    }

    private static TableColumn<FixComparisonModel.RowView, String> text(String title,
            Function<FixComparisonModel.RowView, String> value, double width) {
        TableColumn<FixComparisonModel.RowView, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(value.apply(x.getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        return c;
    }

    private static TableColumn<FixComparisonModel.Moved, String> textMoved(String title,
            Function<FixComparisonModel.Moved, String> value, double width) {
        TableColumn<FixComparisonModel.Moved, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(value.apply(x.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    TableView<FixComparisonModel.RowView> table() {
        return table;
    }

    TableView<FixComparisonModel.Moved> movedTable() {
        return movedTable;
    }
}
