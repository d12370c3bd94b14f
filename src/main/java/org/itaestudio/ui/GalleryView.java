package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Rectangle;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/**
 * The clusters as a virtualised gallery: a ListView whose rows are either a cluster header (colour swatch, name,
 * size, representative images) or one row of thumbnails. Only visible rows have nodes, and thumbnails come from the
 * shared {@link ThumbnailCache}, so 10,000 images scroll smoothly. Click selects (Ctrl toggles, Shift extends),
 * double-click inspects, the context menu moves images to another cluster; double-click a cluster name to rename it.
 */
public final class GalleryView extends VBox {

    /** A row of the list. */
    public sealed interface Row permits Header, Thumbs {
        int cluster();
    }

    public record Header(int cluster) implements Row {
    }

    public record Thumbs(int cluster, int[] images) implements Row {
    }

    static final double TILE = 112;
    static final double GAP = 6;
    static final int REPRESENTATIVES = 6;

    private final MainViewModel vm;
    private final ThumbnailCache thumbs;
    private final ListView<Row> list = new ListView<>();
    private final Set<Integer> collapsed = new HashSet<>();
    private final LinkedHashSet<Integer> selected = new LinkedHashSet<>();
    private final List<ThumbTile> allTiles = new ArrayList<>();
    private int anchor = -1;
    private int columns = 1;

    public GalleryView(MainViewModel vm, ThumbnailCache thumbs) {
        this.vm = vm;
        this.thumbs = thumbs;
        getStyleClass().add("gallery-view");
        list.setId("gallery-list");
        list.getStyleClass().addAll(Styles.DENSE, "gallery-list");
        list.setCellFactory(l -> new GalleryCell());
        list.setFocusTraversable(true);
        VBox.setVgrow(list, Priority.ALWAYS);
        getChildren().add(list);
        list.widthProperty().addListener((o, a, b) -> {
            int c = columnsFor(b.doubleValue());
            if (c != columns) {
                columns = c;
                rebuild();
            }
        });
        vm.clusters().versionProperty().addListener(o -> {
            selected.retainAll(validImages());
            rebuild();
        });
        vm.selectedImageProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0 && !selected.contains(b.intValue())) {
                selected.clear();
                selected.add(b.intValue());
                reveal(b.intValue());
            }
            updateSelectionStyles();
        });
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER && vm.selectedImageProperty().get() >= 0) {
                vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            }
        });
        rebuild();
    }

    private Set<Integer> validImages() {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < vm.clusters().imageCount(); i++) {
            s.add(i);
        }
        return s;
    }

    static int columnsFor(double width) {
        return Math.max(1, (int) ((width - 40) / (TILE + GAP)));
    }

    /** Recomputes the rows (clusters, sizes, column count). */
    public void rebuild() {
        ClusterModel cm = vm.clusters();
        List<Row> rows = new ArrayList<>();
        for (int c : cm.nonEmptyClusters()) {
            rows.add(new Header(c));
            if (collapsed.contains(c)) {
                continue;
            }
            int[] m = cm.members(c);
            for (int i = 0; i < m.length; i += columns) {
                rows.add(new Thumbs(c, Arrays.copyOfRange(m, i, Math.min(m.length, i + columns))));
            }
        }
        list.getItems().setAll(rows);
    }

    public ListView<Row> list() {
        return list;
    }

    /** Selected images, in selection order. */
    public int[] selectedImages() {
        return selected.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Scrolls so the row holding an image is visible. */
    public void reveal(int image) {
        List<Row> rows = list.getItems();
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r) instanceof Thumbs t) {
                for (int i : t.images()) {
                    if (i == image) {
                        list.scrollTo(Math.max(0, r - 1));
                        return;
                    }
                }
            }
        }
    }

    private void clicked(int image, MouseEvent e) {
        if (e.getButton() == MouseButton.SECONDARY) {
            if (!selected.contains(image)) {
                selected.clear();
                selected.add(image);
                updateSelectionStyles();
            }
            return;
        }
        if (e.isShortcutDown()) {
            if (!selected.remove(image)) {
                selected.add(image);
            }
        } else if (e.isShiftDown() && anchor >= 0) {
            selectRange(anchor, image);
        } else {
            selected.clear();
            selected.add(image);
        }
        anchor = image;
        updateSelectionStyles();
        vm.selectedImageProperty().set(image);
        if (e.getClickCount() == 2) {
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
        }
    }

    /** Restyles the live tiles (no cell refresh: that would re-parent tiles and break double-clicks). */
    private void updateSelectionStyles() {
        for (ThumbTile t : allTiles) {
            boolean sel = selected.contains(t.image());
            if (sel && !t.getStyleClass().contains("selected")) {
                t.getStyleClass().add("selected");
            } else if (!sel) {
                t.getStyleClass().remove("selected");
            }
        }
    }

    private void selectRange(int from, int to) {
        // range in display order
        List<Integer> order = new ArrayList<>();
        for (Row r : list.getItems()) {
            if (r instanceof Thumbs t) {
                for (int i : t.images()) {
                    order.add(i);
                }
            }
        }
        int a = order.indexOf(from), b = order.indexOf(to);
        if (a < 0 || b < 0) {
            selected.add(to);
            return;
        }
        for (int i = Math.min(a, b); i <= Math.max(a, b); i++) {
            selected.add(order.get(i));
        }
    }

    private ContextMenu imageMenu() {
        ContextMenu menu = new ContextMenu();
        int[] sel = selectedImages();
        MenuItem inspect = new MenuItem("Inspect");
        inspect.setOnAction(e -> {
            vm.selectedImageProperty().set(sel[sel.length - 1]);
            vm.viewProperty().set(MainViewModel.View.INSPECTOR);
        });
        Menu move = new Menu(sel.length == 1 ? "Move to cluster" : "Move " + sel.length + " images to cluster");
        ClusterModel cm = vm.clusters();
        for (int c = 0; c < cm.clusterCount(); c++) {
            MenuItem mi = new MenuItem(cm.name(c), swatch(c, 10));
            int target = c;
            mi.setOnAction(e -> vm.moveImages(sel, target));
            move.getItems().add(mi);
        }
        move.getItems().add(new SeparatorMenuItem());
        MenuItem fresh = new MenuItem("New cluster");
        fresh.setOnAction(e -> vm.moveImages(sel, cm.newCluster()));
        move.getItems().add(fresh);
        MenuItem onMap = new MenuItem("Show on map");
        onMap.setOnAction(e -> {
            vm.selectionProperty().set(sel.clone());
            vm.viewProperty().set(MainViewModel.View.MAP);
        });
        menu.getItems().addAll(inspect, move, onMap);
        return menu;
    }

    static Rectangle swatch(int cluster, double size) {
        Rectangle r = new Rectangle(size, size, ClusterPalette.color(cluster));
        r.setArcWidth(size / 3);
        r.setArcHeight(size / 3);
        r.getStyleClass().add("cluster-swatch");
        return r;
    }

    // ------------------------------------------------------------------ cells

    private final class GalleryCell extends ListCell<Row> {
        private final HeaderNode header = new HeaderNode();
        private final HBox thumbRow = new HBox(GAP);
        private final List<ThumbTile> tiles = new ArrayList<>();

        GalleryCell() {
            getStyleClass().add("gallery-cell");
            thumbRow.setPadding(new Insets(0, 12, GAP, 16));
            setPadding(Insets.EMPTY);
        }

        @Override
        protected void updateItem(Row item, boolean empty) {
            super.updateItem(item, empty);
            setText(null);
            if (empty || item == null) {
                setGraphic(null);
                return;
            }
            if (item instanceof Header h) {
                header.show(h.cluster());
                setGraphic(header);
            } else if (item instanceof Thumbs t) {
                while (tiles.size() < t.images().length) {
                    tiles.add(new ThumbTile());
                }
                List<Node> kids = new ArrayList<>();
                for (int i = 0; i < t.images().length; i++) {
                    ThumbTile tile = tiles.get(i);
                    tile.show(t.images()[i]);
                    kids.add(tile);
                }
                thumbRow.getChildren().setAll(kids);
                setGraphic(thumbRow);
            }
        }
    }

    /** One thumbnail. */
    final class ThumbTile extends StackPane {
        private final ImageView view = new ImageView();
        private final Tooltip tip = new Tooltip();
        private int image = -1;
        private Path path;

        ThumbTile() {
            allTiles.add(this);
            getStyleClass().add("thumb-tile");
            setPrefSize(TILE, TILE);
            setMinSize(TILE, TILE);
            setMaxSize(TILE, TILE);
            view.setFitWidth(TILE - 8);
            view.setFitHeight(TILE - 8);
            view.setPreserveRatio(true);
            view.setSmooth(true);
            getChildren().add(view);
            Tooltip.install(this, tip);
            addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                clicked(image, e);
                if (e.getButton() == MouseButton.SECONDARY) {
                    imageMenu().show(this, e.getScreenX(), e.getScreenY());
                }
            });
            setOnContextMenuRequested(e -> {
                if (e.isKeyboardTrigger()) {
                    imageMenu().show(this, javafx.geometry.Side.BOTTOM, 0, 0);
                }
            });
        }

        void show(int index) {
            image = index;
            Path p = vm.imagePath(index);
            getStyleClass().remove("selected");
            if (selected.contains(index)) {
                getStyleClass().add("selected");
            }
            setId("thumb-" + index);
            tip.setText(vm.analysis().paths().get(index));
            if (p.equals(path) && view.getImage() != null) {
                return;
            }
            path = p;
            Image cached = thumbs.getIfPresent(p);
            view.setImage(cached);
            if (cached == null) {
                thumbs.request(p, img -> {
                    if (p.equals(path)) {
                        view.setImage(img);
                    }
                });
            }
        }

        int image() {
            return image;
        }
    }

    /** A cluster's header row. */
    final class HeaderNode extends HBox {
        private final Rectangle swatch = GalleryView.swatch(0, 18);
        private final Label name = new Label();
        private final Label size = new Label();
        private final HBox reps = new HBox(4);
        private final Label chevron = new Label();
        private final TextField editor = new TextField();
        private int cluster;

        HeaderNode() {
            super(10);
            getStyleClass().add("cluster-header");
            setAlignment(Pos.CENTER_LEFT);
            setPadding(new Insets(14, 12, 8, 12));
            name.getStyleClass().addAll(Styles.TITLE_4, "cluster-name");
            size.getStyleClass().add(Styles.TEXT_MUTED);
            Region spacer = new Region();
            HBox.setHgrow(spacer, Priority.ALWAYS);
            Label edit = new Label(null, new FontIcon(MaterialDesignP.PENCIL_OUTLINE));
            edit.getStyleClass().add("header-icon");
            Tooltip.install(edit, new Tooltip("Rename this cluster (or double-click its name)"));
            edit.setOnMouseClicked(e -> startEdit());
            Tooltip.install(chevron, new Tooltip("Collapse or expand this cluster"));
            chevron.getStyleClass().add("header-icon");
            chevron.setOnMouseClicked(e -> {
                if (!collapsed.remove(cluster)) {
                    collapsed.add(cluster);
                }
                rebuild();
            });
            name.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2) {
                    startEdit();
                }
            });
            editor.setPrefColumnCount(16);
            editor.setOnAction(e -> commitEdit());
            editor.setOnKeyPressed(e -> {
                if (e.getCode() == KeyCode.ESCAPE) {
                    getChildren().set(getChildren().indexOf(editor), name);
                    e.consume();
                }
            });
            editor.focusedProperty().addListener((o, a, b) -> {
                if (!b && getChildren().contains(editor)) {
                    commitEdit();
                }
            });
            ContextMenu menu = new ContextMenu();
            MenuItem rename = new MenuItem("Rename\u2026");
            rename.setOnAction(e -> startEdit());
            MenuItem onMap = new MenuItem("Select on map");
            onMap.setOnAction(e -> {
                vm.selectCluster(cluster);
                vm.viewProperty().set(MainViewModel.View.MAP);
            });
            menu.getItems().addAll(rename, onMap);
            addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                if (e.getButton() == MouseButton.SECONDARY) {
                    menu.show(this, e.getScreenX(), e.getScreenY());
                }
            });
            getChildren().addAll(chevron, swatch, name, edit, size, spacer, reps);
        }

        void show(int c) {
            cluster = c;
            setId("cluster-header-" + c);
            swatch.setFill(ClusterPalette.color(c));
            if (getChildren().contains(editor)) {
                getChildren().set(getChildren().indexOf(editor), name);
            }
            name.setText(vm.clusters().name(c));
            int n = vm.clusters().size(c);
            size.setText(String.format("%,d image%s", n, n == 1 ? "" : "s"));
            chevron.setGraphic(new FontIcon(collapsed.contains(c) ? MaterialDesignC.CHEVRON_RIGHT : MaterialDesignC.CHEVRON_DOWN));
            int[] m = vm.clusters().members(c);
            List<Node> kids = new ArrayList<>();
            for (int i = 0; i < Math.min(REPRESENTATIVES, m.length); i++) {
                ImageView iv = new ImageView();
                iv.setFitWidth(36);
                iv.setFitHeight(36);
                iv.setPreserveRatio(true);
                Path p = vm.imagePath(m[i]);
                Image cached = thumbs.getIfPresent(p);
                if (cached != null) {
                    iv.setImage(cached);
                } else {
                    thumbs.request(p, iv::setImage);
                }
                StackPane box = new StackPane(iv);
                box.getStyleClass().add("rep-thumb");
                box.setPrefSize(38, 38);
                kids.add(box);
            }
            reps.getChildren().setAll(kids);
            Tooltip.install(reps, new Tooltip("Representative images: the closest to the cluster centre"));
        }

        private void startEdit() {
            editor.setText(vm.clusters().name(cluster));
            int i = getChildren().indexOf(name);
            if (i >= 0) {
                getChildren().set(i, editor);
            }
            editor.requestFocus();
            editor.selectAll();
        }

        private void commitEdit() {
            int i = getChildren().indexOf(editor);
            if (i >= 0) {
                getChildren().set(i, name);
                vm.renameCluster(cluster, editor.getText());
            }
        }

        Rectangle swatch() {
            return swatch;
        }
    }
}
