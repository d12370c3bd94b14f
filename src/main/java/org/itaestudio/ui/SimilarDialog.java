package org.itaestudio.ui;

import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.TilePane;
import javafx.scene.layout.VBox;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * "More like this": the selected image and its nearest neighbours (cosine similarity of the embeddings), each with
 * its score. A click on a neighbour selects it in every view. Shows whatever {@link ExploreModel#similar()} holds.
 */
final class SimilarDialog extends Stage {
    static final double TILE = 120;

    private final MainViewModel vm;
    private final ThumbnailCache thumbs;
    private final TilePane tiles = new TilePane(8, 8);
    private final ImageView sourceView = new ImageView();
    private final Label sourceLabel = new Label();
    private final Subscriptions subs = new Subscriptions();

    SimilarDialog(Window owner, MainViewModel vm, ThumbnailCache thumbs) {
        this.vm = vm;
        this.thumbs = thumbs;
        initOwner(owner);
        setTitle("More like this");
        sourceView.setFitWidth(TILE * 1.4);
        sourceView.setFitHeight(TILE * 1.4);
        sourceView.setPreserveRatio(true);
        sourceLabel.setWrapText(true);
        sourceLabel.setMaxWidth(TILE * 1.6);
        Label title = new Label("Selected image");
        title.getStyleClass().add("section-title");
        VBox source = new VBox(6, title, sourceView, sourceLabel);
        source.setPadding(new Insets(10));
        tiles.setId("similar-tiles");
        tiles.setPrefColumns(5);
        tiles.setPadding(new Insets(10));
        ScrollPane scroll = new ScrollPane(tiles);
        scroll.setFitToWidth(true);
        BorderPane root = new BorderPane(scroll);
        root.setLeft(source);
        root.setId("similar-dialog");
        Scene scene = new Scene(root, 900, 560);
        if (owner != null && owner.getScene() != null) {
            scene.getStylesheets().setAll(owner.getScene().getStylesheets());
        }
        setScene(scene);
        subs.onChange(this::refresh, vm.explore().similar());
        setOnHidden(e -> subs.close());
        refresh();
    }

    private void refresh() {
        int src = vm.explore().similarSourceProperty().get();
        tiles.getChildren().clear();
        if (src < 0 || vm.analysis() == null) {
            sourceLabel.setText("Select an image, then More like this");
            sourceView.setImage(null);
            return;
        }
        sourceLabel.setText(vm.analysis().paths().get(src));
        thumbs.request(vm.imagePath(src), sourceView::setImage);
        for (ExploreModel.Similar s : vm.explore().similar()) {
            tiles.getChildren().add(tile(s));
        }
    }

    private VBox tile(ExploreModel.Similar s) {
        ImageView iv = new ImageView();
        iv.setFitWidth(TILE);
        iv.setFitHeight(TILE);
        iv.setPreserveRatio(true);
        thumbs.request(vm.imagePath(s.image()), iv::setImage);
        StackPane box = new StackPane(iv);
        box.setPrefSize(TILE, TILE);
        Label score = new Label(String.format(Locale.ROOT, "%.3f", s.similarity()));
        score.getStyleClass().add("similar-score");
        Label name = new Label(s.path().substring(s.path().lastIndexOf('/') + 1));
        name.setMaxWidth(TILE);
        VBox v = new VBox(2, box, score, name);
        v.setAlignment(Pos.TOP_CENTER);
        v.getStyleClass().add("similar-tile");
        v.setUserData(s);
        v.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> vm.selectedImageProperty().set(s.image()));
        return v;
    }

    /** The neighbour tiles shown now (tests). */
    TilePane tiles() {
        return tiles;
    }
}
