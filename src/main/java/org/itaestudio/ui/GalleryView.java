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
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.shape.Rectangle;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;

/**
 * The clusters as a virtualised gallery: rows are either a cluster header (colour swatch, name, size,
 * representative images) or one row of thumbnails. Every row's height is known exactly (headers and thumbnail rows
 * have fixed heights), so the gallery virtualises itself: a prefix sum of row offsets finds the visible rows by
 * binary search, and a small pool of row nodes is re-pointed at them - nodes are never re-created or re-parented
 * while scrolling (which is what makes ListView slow with mixed row heights). Thumbnails come from the shared
 * {@link ThumbnailCache}. Click selects (Ctrl toggles, Shift extends), double-click inspects, the context menu moves
 * images to another cluster; double-click a cluster name to rename it.
 */
final class GalleryView extends Region {

    /** A row of the gallery. */
    public sealed interface Row permits Header, Thumbs {
        int cluster();
    }

    public record Header(int cluster) implements Row {
    }

    public record Thumbs(int cluster, int[] images) implements Row {
    }

    static final double TILE = 112;
    static final double GAP = 6;
    static final double HEADER_HEIGHT = 64;
    static final double ROW_HEIGHT = TILE + GAP;
    static final double LEFT = 16;
    static final int REPRESENTATIVES = 6;
    private static final javafx.css.PseudoClass SELECTED = javafx.css.PseudoClass.getPseudoClass("selected");

    private final MainViewModel vm;
    private final ThumbnailCache thumbs;
    private final ScrollBar vbar = new ScrollBar();
    private final Pane viewport = new Pane();
    private final Set<Integer> collapsed = new HashSet<>();
    private final LinkedHashSet<Integer> selected = new LinkedHashSet<>();
    private final List<ThumbTile> allTiles = new ArrayList<>();
    private final java.util.Map<Integer, Node> active = new java.util.HashMap<>(); // row index -> node showing it
    private final List<HeaderNode> headerPool = new ArrayList<>();
    private final List<ThumbRow> rowPool = new ArrayList<>();
    private List<Row> rows = List.of();
    private double[] offsets = {0};
    private int anchor = -1;
    private int columns = 1;
    private final Subscriptions subs = new Subscriptions();

    GalleryView(MainViewModel vm, ThumbnailCache thumbs) {
        this.vm = vm;
        this.thumbs = thumbs;
        getStyleClass().add("gallery-view");
        setId("gallery");
        vbar.setOrientation(Orientation.VERTICAL);
        vbar.valueProperty().addListener(o -> requestLayout());
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(viewport.widthProperty());
        clip.heightProperty().bind(viewport.heightProperty());
        viewport.setClip(clip);
        viewport.getStyleClass().add("gallery-viewport");
        getChildren().addAll(viewport, vbar);
        setFocusTraversable(true);
        addEventHandler(ScrollEvent.SCROLL, e -> {
            scrollBy(-e.getDeltaY() * 1.5);
            e.consume();
        });
        addEventHandler(MouseEvent.MOUSE_PRESSED, e -> requestFocus());
        setOnKeyPressed(e -> {
            switch (e.getCode()) {
                case ENTER -> {
                    if (vm.selectedImageProperty().get() >= 0) {
                        vm.viewProperty().set(MainViewModel.View.INSPECTOR);
                    }
                }
                case PAGE_DOWN -> scrollBy(viewport.getHeight() * 0.9);
                case PAGE_UP -> scrollBy(-viewport.getHeight() * 0.9);
                case DOWN -> scrollBy(ROW_HEIGHT);
                case UP -> scrollBy(-ROW_HEIGHT);
                case HOME -> vbar.setValue(0);
                case END -> vbar.setValue(vbar.getMax());
                default -> {
                    return;
                }
            }
            e.consume();
        });
        widthProperty().addListener((o, a, b) -> {
            int c = columnsFor(b.doubleValue() - vbar.prefWidth(-1));
            if (c != columns) {
                columns = c;
                rebuild();
            }
        });
        subs.onChange(() -> {
            selected.retainAll(validImages());
            rebuild();
        }, vm.clusters().versionProperty());
        subs.onChange(vm.selectionProperty(), (o, a, b) -> {
            if (b != null && b.length > 0) {
                selected.clear();
                for (int i : b) {
                    selected.add(i);
                }
                updateSelectionStyles();
            }
        });
        subs.onChange(vm.selectedImageProperty(), (o, a, b) -> {
            if (b.intValue() >= 0 && !selected.contains(b.intValue())) {
                selected.clear();
                selected.add(b.intValue());
                reveal(b.intValue());
            }
            updateSelectionStyles();
        });
        rebuild();
    }

    /** Removes the view's listeners on the view model. */
    void dispose() {
        subs.close();
    }

    private Set<Integer> validImages() {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < vm.clusters().imageCount(); i++) {
            s.add(i);
        }
        return s;
    }

    static int columnsFor(double width) {
        return Math.max(1, (int) ((width - LEFT - 12) / (TILE + GAP)));
    }

    /** Recomputes the rows (clusters, sizes, column count) and their offsets. */
    public void rebuild() {
        ClusterModel cm = vm.clusters();
        List<Row> r = new ArrayList<>();
        for (int c : cm.nonEmptyClusters()) {
            r.add(new Header(c));
            if (collapsed.contains(c)) {
                continue;
            }
            int[] m = cm.members(c);
            for (int i = 0; i < m.length; i += columns) {
                r.add(new Thumbs(c, Arrays.copyOfRange(m, i, Math.min(m.length, i + columns))));
            }
        }
        rows = List.copyOf(r);
        offsets = new double[rows.size() + 1];
        for (int i = 0; i < rows.size(); i++) {
            offsets[i + 1] = offsets[i] + (rows.get(i) instanceof Header ? HEADER_HEIGHT : ROW_HEIGHT);
        }
        releaseAll();
        updateScrollRange();
        requestLayout();
    }

    public List<Row> rows() {
        return rows;
    }

    public int rowCount() {
        return rows.size();
    }

    /** Scrolls so that a row is at the top (clamped). */
    public void scrollToRow(int row) {
        if (rows.isEmpty()) {
            return;
        }
        vbar.setValue(Math.min(vbar.getMax(), offsets[Math.max(0, Math.min(row, rows.size() - 1))]));
    }

    private void scrollBy(double dy) {
        vbar.setValue(Math.max(0, Math.min(vbar.getMax(), vbar.getValue() + dy)));
    }

    private void updateScrollRange() {
        double total = offsets[offsets.length - 1];
        double view = Math.max(1, viewport.getHeight());
        vbar.setMin(0);
        vbar.setMax(Math.max(0, total - view));
        vbar.setVisibleAmount(vbar.getMax() <= 0 ? 1 : view * vbar.getMax() / total); // thumb = view / total
        vbar.setUnitIncrement(ROW_HEIGHT / 2);
        vbar.setBlockIncrement(view * 0.9);
        vbar.setDisable(vbar.getMax() <= 0);
        if (vbar.getValue() > vbar.getMax()) {
            vbar.setValue(vbar.getMax());
        }
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth(), h = getHeight();
        double bw = vbar.prefWidth(-1);
        vbar.resizeRelocate(w - bw, 0, bw, h);
        viewport.resizeRelocate(0, 0, w - bw, h);
        updateScrollRange();
        double top = vbar.getValue();
        int idx = Arrays.binarySearch(offsets, top);
        int first = idx >= 0 ? idx : -idx - 2; // the row whose span holds the top edge
        first = Math.max(0, Math.min(first, rows.size() - 1));
        int last = first;
        while (last + 1 < rows.size() && offsets[last + 1] < top + h) {
            last++;
        }
        // free the nodes of rows that left the screen, then give the new rows nodes
        for (var it = active.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey() < first || e.getKey() > last || rows.isEmpty()) {
                release(e.getValue());
                it.remove();
            }
        }
        if (!rows.isEmpty()) {
            for (int i = first; i <= last; i++) {
                Node n = active.get(i);
                Row row = rows.get(i);
                if (n == null) {
                    n = acquire(row);
                    active.put(i, n);
                }
                double rh = offsets[i + 1] - offsets[i];
                n.resizeRelocate(0, Math.floor(offsets[i] - top), w - bw, rh);
            }
        }
    }

    private Node acquire(Row row) {
        if (row instanceof Header hd) {
            HeaderNode n = headerPool.isEmpty() ? newHeader() : headerPool.remove(headerPool.size() - 1);
            n.show(hd.cluster());
            n.setVisible(true);
            return n;
        }
        Thumbs t = (Thumbs) row;
        ThumbRow n = rowPool.isEmpty() ? newRow() : rowPool.remove(rowPool.size() - 1);
        n.show(t.images());
        n.setVisible(true);
        return n;
    }

    private HeaderNode newHeader() {
        HeaderNode n = new HeaderNode();
        n.setManaged(false);
        viewport.getChildren().add(n);
        return n;
    }

    private ThumbRow newRow() {
        ThumbRow n = new ThumbRow();
        n.setManaged(false);
        viewport.getChildren().add(n);
        return n;
    }

    private void release(Node n) {
        n.setVisible(false);
        if (n instanceof HeaderNode h) {
            headerPool.add(h);
        } else if (n instanceof ThumbRow r) {
            r.clear();
            rowPool.add(r);
        }
    }

    private void releaseAll() {
        active.values().forEach(this::release);
        active.clear();
    }

    /** Selected images, in selection order. */
    public int[] selectedImages() {
        return selected.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Scrolls so the row holding an image is visible (only when it is not already). */
    public void reveal(int image) {
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r) instanceof Thumbs t) {
                for (int i : t.images()) {
                    if (i == image) {
                        double top = vbar.getValue(), h = viewport.getHeight();
                        if (offsets[r] < top || offsets[r + 1] > top + h) {
                            scrollToRow(Math.max(0, r - 1));
                        }
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
            t.pseudoClassStateChanged(SELECTED, selected.contains(t.image()));
        }
    }

    private void selectRange(int from, int to) {
        // range in display order
        List<Integer> order = new ArrayList<>();
        for (Row r : rows) {
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
        Menu move = moveMenu(vm, sel);
        MenuItem onMap = new MenuItem("Show on map");
        onMap.setOnAction(e -> {
            vm.selectionProperty().set(sel.clone());
            vm.viewProperty().set(MainViewModel.View.MAP);
        });
        MenuItem like = new MenuItem("More like this");
        like.setOnAction(e -> vm.explore().showSimilar(sel[sel.length - 1]));
        menu.getItems().addAll(inspect, like, move, onMap);
        return menu;
    }

    /** "Merge into": every other non-empty cluster, in its colour; the clicked cluster's images move there. */
    static List<MenuItem> mergeItems(MainViewModel vm, int from) {
        List<MenuItem> items = new ArrayList<>();
        ClusterModel cm = vm.clusters();
        for (int c : cm.nonEmptyClusters()) {
            if (c == from) {
                continue;
            }
            MenuItem mi = new MenuItem(cm.name(c), swatch(cm.color(c), 10));
            int into = c;
            mi.setOnAction(e -> cm.merge(into, from));
            items.add(mi);
        }
        return items;
    }

    /** "Move to cluster" with every cluster (in its colour) and "New cluster"; shared by the gallery and the map. */
    static Menu moveMenu(MainViewModel vm, int[] images) {
        Menu move = new Menu(images.length == 1 ? "Move to cluster" : "Move " + images.length + " images to cluster");
        ClusterModel cm = vm.clusters();
        for (int c = 0; c < cm.clusterCount(); c++) {
            MenuItem mi = new MenuItem(cm.name(c), swatch(cm.color(c), 10));
            int target = c;
            mi.setOnAction(e -> vm.moveImages(images, target));
            move.getItems().add(mi);
        }
        move.getItems().add(new SeparatorMenuItem());
        MenuItem fresh = new MenuItem("New cluster");
        fresh.setOnAction(e -> vm.moveImages(images, cm.newCluster()));
        move.getItems().add(fresh);
        return move;
    }

    /** A cluster's colour chip; the colour comes from {@link ClusterModel#color} (grey for "Unclustered"). */
    static Rectangle swatch(javafx.scene.paint.Color fill, double size) {
        Rectangle r = new Rectangle(size, size, fill);
        r.setArcWidth(size / 3);
        r.setArcHeight(size / 3);
        r.getStyleClass().add("cluster-swatch");
        return r;
    }

    // ------------------------------------------------------------------ row nodes

    /** One row of thumbnails; its tiles stay its children and are re-pointed (extra ones hidden). */
    private final class ThumbRow extends Pane {
        private final List<ThumbTile> tiles = new ArrayList<>();

        ThumbRow() {
            getStyleClass().add("thumb-row");
        }

        void show(int[] images) {
            while (tiles.size() < images.length) {
                ThumbTile tile = new ThumbTile();
                tile.setManaged(false);
                tiles.add(tile);
                getChildren().add(tile);
            }
            for (int i = 0; i < tiles.size(); i++) {
                ThumbTile tile = tiles.get(i);
                boolean used = i < images.length;
                if (used) {
                    tile.show(images[i]);
                    tile.resizeRelocate(LEFT + i * (TILE + GAP), 0, TILE, TILE);
                } else {
                    tile.image = -1;
                }
                tile.setVisible(used);
            }
        }

        void clear() {
            tiles.forEach(t -> t.image = -1);
        }
    }

    /** One thumbnail. Cheap to re-point at another image: no restyling, the tooltip text is set when it shows. */
    final class ThumbTile extends StackPane {
        private final ImageView view = new ImageView();
        int image = -1;
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
            Tooltip tip = new Tooltip();
            tip.setOnShowing(e -> tip.setText(image >= 0 && vm.analysis() != null ? vm.analysis().paths().get(image) : ""));
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
            pseudoClassStateChanged(SELECTED, selected.contains(index));
            Path p = vm.imagePath(index);
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

        boolean hasThumbnail() {
            return view.getImage() != null;
        }
    }

    /** The visible tile showing an image, if any (tests click it). */
    public java.util.Optional<Node> tileFor(int image) {
        return allTiles.stream().filter(t -> t.image() == image && shown(t)).map(t -> (Node) t).findFirst();
    }

    /** The colour swatch of a cluster's header while it is on screen (tests compare colours). */
    public java.util.Optional<Rectangle> headerSwatch(int cluster) {
        return active.values().stream().filter(n -> n instanceof HeaderNode h && h.cluster() == cluster)
                .map(n -> ((HeaderNode) n).swatch()).findFirst();
    }

    /** Headers on screen. */
    public long visibleHeaders() {
        return active.values().stream().filter(n -> n instanceof HeaderNode).count();
    }

    /** True when every visible tile has its thumbnail. */
    public boolean visibleThumbnailsLoaded() {
        return allTiles.stream().filter(GalleryView::shown).allMatch(ThumbTile::hasThumbnail);
    }

    /** Visible with all its ancestors (cells parked by the virtual flow are hidden). */
    private static boolean shown(Node n) {
        if (n.getScene() == null) {
            return false;
        }
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** A cluster's header row. */
    final class HeaderNode extends HBox {
        private final Rectangle swatch = GalleryView.swatch(ClusterPalette.color(0), 18);
        private final Label name = new Label();
        private final Label size = new Label();
        private final HBox reps = new HBox(4);
        private final Label chevron = new Label();
        private final TextField editor = new TextField();
        private final ImageView[] repViews = new ImageView[REPRESENTATIVES];
        private final FontIcon chevronDown = new FontIcon(MaterialDesignC.CHEVRON_DOWN);
        private final FontIcon chevronRight = new FontIcon(MaterialDesignC.CHEVRON_RIGHT);
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
            Menu mergeInto = new Menu("Merge into");
            MenuItem split = new MenuItem("Split in two");
            split.setOnAction(e -> vm.splitCluster(cluster));
            menu.setOnShowing(e -> {
                mergeInto.getItems().setAll(mergeItems(vm, cluster));
                split.setDisable(vm.clusters().size(cluster) < 2);
            });
            menu.getItems().addAll(rename, onMap, new SeparatorMenuItem(), mergeInto, split);
            addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                if (e.getButton() == MouseButton.SECONDARY) {
                    menu.show(this, e.getScreenX(), e.getScreenY());
                }
            });
            for (int i = 0; i < REPRESENTATIVES; i++) {
                ImageView iv = new ImageView();
                iv.setFitWidth(36);
                iv.setFitHeight(36);
                iv.setPreserveRatio(true);
                StackPane box = new StackPane(iv);
                box.getStyleClass().add("rep-thumb");
                box.setPrefSize(38, 38);
                repViews[i] = iv;
                reps.getChildren().add(box);
            }
            Tooltip.install(reps, new Tooltip("Representative images: the closest to the cluster centre"));
            getChildren().addAll(chevron, swatch, name, edit, size, spacer, reps);
        }

        void show(int c) {
            cluster = c;
            swatch.setFill(vm.clusters().color(c));
            swatch.setUserData(c);
            if (getChildren().contains(editor)) {
                getChildren().set(getChildren().indexOf(editor), name);
            }
            name.setText(vm.clusters().name(c));
            int n = vm.clusters().size(c);
            size.setText(String.format("%,d image%s", n, n == 1 ? "" : "s"));
            chevron.setGraphic(collapsed.contains(c) ? chevronRight : chevronDown);
            int[] m = vm.clusters().representatives(c);
            for (int i = 0; i < REPRESENTATIVES; i++) {
                ImageView iv = repViews[i];
                boolean used = i < m.length;
                iv.getParent().setVisible(used);
                iv.getParent().setManaged(used);
                if (!used) {
                    continue;
                }
                Path p = vm.imagePath(m[i]);
                iv.setUserData(p);
                Image cached = thumbs.getIfPresent(p);
                iv.setImage(cached);
                if (cached == null) {
                    thumbs.request(p, img -> {
                        if (p.equals(iv.getUserData())) {
                            iv.setImage(img);
                        }
                    });
                }
            }
        }

        int cluster() {
            return cluster;
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
