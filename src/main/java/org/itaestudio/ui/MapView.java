package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.util.StringConverter;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.pipeline.FolderAnalysis;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignH;
import org.kordamp.ikonli.materialdesign2.MaterialDesignL;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * The map view: {@link MapCanvas} with a toolbar (pan / box / lasso, fit, before/after), a legend (click a cluster
 * to select it) and a hover card with the thumbnail and file name of the point under the mouse. What it draws comes
 * from {@link MapModel}.
 */
final class MapView extends BorderPane {

    private final MainViewModel vm;
    private final MapModel model;
    private final ThumbnailCache thumbs;
    private final MapCanvas canvas = new MapCanvas();
    private final VBox legend = new VBox(4);
    private final VBox hoverCard = new VBox(4);
    private final ImageView hoverImage = new ImageView();
    private final Label hoverName = new Label();
    private final Label info = new Label();
    private final Label noMap = new Label();
    private final Subscriptions subs = new Subscriptions();
    private Path hoverPath;

    MapView(MainViewModel vm, ThumbnailCache thumbs) {
        this.vm = vm;
        this.model = vm.map();
        this.thumbs = thumbs;
        getStyleClass().add("map-view");
        canvas.setId("map-canvas");
        ToggleGroup modes = new ToggleGroup();
        setTop(buildToolbar(modes));
        setCenter(new StackPane(canvas, buildNoMap(), buildLegend(), buildHoverOverlay()));
        canvas.modeProperty().bind(Bindings.createObjectBinding(() -> {
            var t = modes.getSelectedToggle();
            return t == null ? MapCanvas.Mode.PAN : (MapCanvas.Mode) t.getUserData();
        }, modes.selectedToggleProperty()));
        wireCanvas();
        wireModels();
        applyTheme();
        reload(true);
    }

    /** Removes the view's listeners on the view models. */
    void dispose() {
        subs.close();
    }

    private Node buildToolbar(ToggleGroup modes) {
        ToggleButton pan = modeButton(modes, MapCanvas.Mode.PAN, new FontIcon(MaterialDesignH.HAND_BACK_LEFT_OUTLINE),
                "Pan: drag to move, wheel to zoom, click a point to inspect it");
        ToggleButton box = modeButton(modes, MapCanvas.Mode.BOX, new FontIcon(MaterialDesignS.SELECTION_DRAG),
                "Box select: drag a rectangle (or Shift+drag in any mode)");
        ToggleButton lasso = modeButton(modes, MapCanvas.Mode.LASSO, new FontIcon(MaterialDesignL.LASSO),
                "Lasso select: draw around points (or Alt+drag in any mode)");
        pan.setSelected(true);
        pan.getStyleClass().add(Styles.LEFT_PILL);
        box.getStyleClass().add(Styles.CENTER_PILL);
        lasso.getStyleClass().add(Styles.RIGHT_PILL);
        Button fit = new Button(null, new FontIcon(MaterialDesignF.FIT_TO_PAGE_OUTLINE));
        fit.setId("map-fit");
        fit.getStyleClass().add(Styles.BUTTON_ICON);
        fit.setTooltip(new Tooltip("Fit all points (Ctrl+F)"));
        fit.setOnAction(e -> canvas.fit());
        Button clear = new Button(null, new FontIcon(MaterialDesignC.CLOSE_CIRCLE_OUTLINE));
        clear.getStyleClass().add(Styles.BUTTON_ICON);
        clear.setTooltip(new Tooltip("Clear the selection"));
        clear.setOnAction(e -> vm.selectionProperty().set(new int[0]));
        Button like = new Button(null, new FontIcon(org.kordamp.ikonli.materialdesign2.MaterialDesignI.IMAGE_SEARCH_OUTLINE));
        like.setId("map-similar");
        like.getStyleClass().add(Styles.BUTTON_ICON);
        like.setTooltip(new Tooltip("More like this: the images most similar to the selected one (Ctrl+L)"));
        like.setOnAction(e -> {
            int target = MapModel.similarTarget(vm.selectionProperty().get(), vm.selectedImageProperty().get());
            if (target >= 0) {
                vm.explore().showSimilar(target);
            }
        });
        subs.bind(like.disableProperty(), javafx.beans.binding.Bindings.createBooleanBinding(() -> !model.pointsActive()
                || MapModel.similarTarget(vm.selectionProperty().get(), vm.selectedImageProperty().get()) < 0,
                vm.selectionProperty(), vm.selectedImageProperty(), model.showingBeforeProperty()));
        info.getStyleClass().add(Styles.TEXT_MUTED);
        info.setId("map-info");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, new HBox(pan, box, lasso), fit, clear, like, methodBox(), beforeAfterSwitch(), spacer, info);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(8, 12, 8, 12));
        bar.getStyleClass().add("view-toolbar");
        return bar;
    }

    /** Before / After of the last "Apply to folder"; shown only when there is something to compare. */
    private Node beforeAfterSwitch() {
        ToggleButton beforeToggle = new ToggleButton("Before");
        ToggleButton afterToggle = new ToggleButton("After");
        ToggleGroup ba = new ToggleGroup();
        beforeToggle.setToggleGroup(ba);
        afterToggle.setToggleGroup(ba);
        beforeToggle.setId("map-before");
        afterToggle.setId("map-after");
        beforeToggle.getStyleClass().add(Styles.LEFT_PILL);
        afterToggle.getStyleClass().add(Styles.RIGHT_PILL);
        beforeToggle.setTooltip(new Tooltip("The map and clusters before the last \u201cApply to folder\u201d"));
        afterToggle.setTooltip(new Tooltip("The map and clusters now; ringed points changed cluster"));
        (model.showingBeforeProperty().get() ? beforeToggle : afterToggle).setSelected(true);
        ba.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true);
            } else {
                model.showingBeforeProperty().set(b == beforeToggle);
            }
        });
        subs.onChange(model.showingBeforeProperty(), (o, a, b) -> {
            (b ? beforeToggle : afterToggle).setSelected(true);
            reload(true);
        });
        HBox compare = new HBox(beforeToggle, afterToggle);
        subs.bind(compare.visibleProperty(), model.compareAvailableProperty());
        compare.managedProperty().bind(compare.visibleProperty());
        return compare;
    }

    private ComboBox<MapMethod> methodBox() {
        ComboBox<MapMethod> method = new ComboBox<>();
        method.setId("map-method");
        method.getItems().addAll(MapMethod.TSNE, MapMethod.UMAP, MapMethod.PCA);
        method.setConverter(new StringConverter<>() {
            @Override
            public String toString(MapMethod m) {
                return m == null ? "" : m.label();
            }

            @Override
            public MapMethod fromString(String s) {
                return s.equalsIgnoreCase("PCA") ? MapMethod.PCA : s.equalsIgnoreCase("UMAP") ? MapMethod.UMAP : MapMethod.TSNE;
            }
        });
        subs.bindBidirectional(method.valueProperty(), vm.mapMethodProperty());
        method.setTooltip(new Tooltip("How the embeddings are laid out in 2-D: t-SNE keeps neighbours together, "
                + "UMAP too and is faster on large folders, PCA keeps global directions"));
        return method;
    }

    private Node buildNoMap() {
        noMap.setId("map-empty");
        noMap.getStyleClass().add(Styles.TEXT_MUTED);
        noMap.setWrapText(true);
        noMap.setMaxWidth(420);
        noMap.setVisible(false);
        return noMap;
    }

    private Node buildLegend() {
        legend.setId("map-legend");
        legend.getStyleClass().add("map-legend");
        legend.setPadding(new Insets(8, 10, 8, 10));
        ScrollPane legendScroll = new ScrollPane(legend);
        legendScroll.getStyleClass().add("legend-scroll");
        legendScroll.setFitToWidth(true);
        legendScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        // as tall as its rows, up to 360 px (then it scrolls)
        legendScroll.prefViewportHeightProperty().bind(Bindings.min(legend.heightProperty(), 340));
        legendScroll.setMaxHeight(Region.USE_PREF_SIZE);
        legendScroll.setMaxWidth(220);
        legendScroll.setPrefViewportWidth(190);
        StackPane.setAlignment(legendScroll, Pos.TOP_RIGHT);
        StackPane.setMargin(legendScroll, new Insets(12));
        subs.bind(legendScroll.visibleProperty(), vm.analysisProperty().isNotNull());
        return legendScroll;
    }

    private Node buildHoverOverlay() {
        hoverImage.setFitWidth(128);
        hoverImage.setFitHeight(128);
        hoverImage.setPreserveRatio(true);
        hoverName.getStyleClass().add(Styles.TEXT_SMALL);
        hoverName.setMaxWidth(180);
        hoverCard.getChildren().addAll(hoverImage, hoverName);
        hoverCard.getStyleClass().add("hover-card");
        hoverCard.setId("map-hover-card");
        hoverCard.setPadding(new Insets(6));
        hoverCard.setVisible(false);
        hoverCard.setManaged(false);
        hoverCard.setMouseTransparent(true);
        Pane overlay = new Pane(hoverCard);
        overlay.setMouseTransparent(true);
        overlay.setPickOnBounds(false);
        return overlay;
    }

    /** Hover, right-click, focus and selection of the canvas (its own properties: no removal needed). */
    private void wireCanvas() {
        canvas.hoveredProperty().addListener((o, a, b) -> showHover(b.intValue()));
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() == MouseButton.SECONDARY && model.pointsActive() && vm.analysis() != null) {
                contextMenu(canvas.pick(e.getX(), e.getY())).show(canvas, e.getScreenX(), e.getScreenY());
            }
        });
        canvas.focusedPointProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0 && model.pointsActive()) {
                vm.selectedImageProperty().set(b.intValue());
            }
        });
        canvas.selectionProperty().addListener((o, a, b) -> {
            if (vm.selectionProperty().get() != b) {
                vm.selectionProperty().set(b);
            }
            updateInfo();
        });
    }

    /** What the view follows on the view models (removed by {@link #dispose()}). */
    private void wireModels() {
        subs.onChange(vm.selectedImageProperty(), (o, a, b) -> canvas.focusedPointProperty().set(b.intValue()));
        subs.onChange(vm.selectionProperty(), (o, a, b) -> {
            if (canvas.selectionProperty().get() != b) {
                canvas.selectionProperty().set(b);
            }
        });
        subs.onChange(vm.analysisProperty(), (o, a, b) -> reload(MapModel.needsRefit(a, b)));
        subs.onChange(() -> {
            if (model.pointsActive() && canvas.pointCount() == vm.clusters().imageCount()) {
                canvas.setLabels(vm.clusters().labels(), vm.clusters().noiseCluster());
                buildLegend(vm.clusters().labels(), vm.clusters().noiseCluster());
            }
        }, vm.clusters().versionProperty());
        subs.onChange(() -> reload(false), vm.changeProperty());
        subs.onChange(this::applyTheme, vm.darkThemeProperty());
    }

    private ToggleButton modeButton(ToggleGroup g, MapCanvas.Mode m, Node icon, String tip) {
        ToggleButton b = new ToggleButton(null, icon);
        b.setToggleGroup(g);
        b.setUserData(m);
        b.setTooltip(new Tooltip(tip));
        b.setId("map-mode-" + m.name().toLowerCase(Locale.ROOT));
        return b;
    }

    private void applyTheme() {
        canvas.plotBackgroundProperty().set(vm.darkThemeProperty().get() ? Color.web("#0d1117") : Color.web("#ffffff"));
    }

    /** Shows the current analysis (or the one before the last apply) on the canvas. */
    private void reload(boolean refit) {
        int[] keepSelection = vm.selectionProperty().get();
        noMap.setVisible(vm.analysis() != null && !model.hasMap());
        noMap.setText(model.noMapText());
        MapModel.Frame f = model.frame();
        canvas.setData(f.points(), f.labels(), f.noiseCluster(), refit || !model.hasMap());
        if (!model.hasMap()) {
            legend.getChildren().clear();
            updateInfo();
            return;
        }
        canvas.setHighlight(f.highlight());
        buildLegend(f.labels(), f.noiseCluster());
        canvas.focusedPointProperty().set(vm.selectedImageProperty().get());
        canvas.selectionProperty().set(keepSelection);
        updateInfo();
    }

    /** Right-click: inspect the point under the mouse; move the selection to a cluster; clear the selection. */
    private ContextMenu contextMenu(int point) {
        ContextMenu menu = new ContextMenu();
        if (point >= 0) {
            MenuItem inspect = new MenuItem("Inspect " + vm.analysis().paths().get(point));
            inspect.setOnAction(e -> {
                vm.selectedImageProperty().set(point);
                vm.viewProperty().set(MainViewModel.View.INSPECTOR);
            });
            menu.getItems().add(inspect);
        }
        int[] sel = vm.selectionProperty().get();
        int[] targets = sel.length > 0 ? sel.clone() : point >= 0 ? new int[] {point} : new int[0];
        if (targets.length > 0) {
            menu.getItems().add(GalleryView.moveMenu(vm, targets));
        }
        if (sel.length > 0) {
            MenuItem clear = new MenuItem("Clear the selection");
            clear.setOnAction(e -> vm.selectionProperty().set(new int[0]));
            menu.getItems().add(clear);
        }
        return menu;
    }

    private void buildLegend(int[] labels, int noiseCluster) {
        List<Node> rows = new ArrayList<>();
        Label title = new Label(model.legendTitle());
        title.getStyleClass().add(Styles.TEXT_BOLD);
        rows.add(title);
        for (MapModel.LegendEntry entry : MapModel.legend(labels)) {
            int c = entry.cluster();
            Label name = new Label(vm.clusters().name(c));
            name.setMaxWidth(120);
            Label n = new Label(String.format("%,d", entry.count()));
            n.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
            Region sp = new Region();
            HBox.setHgrow(sp, Priority.ALWAYS);
            HBox row = new HBox(6, GalleryView.swatch(ClusterPalette.color(c, noiseCluster), 12), name, sp, n);
            row.setAlignment(Pos.CENTER_LEFT);
            row.getStyleClass().add("legend-row");
            row.setId("legend-" + c);
            row.setOnMouseClicked(e -> vm.selectionProperty().set(
                    IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray()));
            Tooltip.install(row, new Tooltip("Select the images of " + vm.clusters().name(c)));
            rows.add(row);
        }
        legend.getChildren().setAll(rows);
    }

    private void updateInfo() {
        info.setText(model.infoText(canvas.pointCount(), canvas.selectionProperty().get().length));
    }

    private void showHover(int i) {
        FolderAnalysis a = vm.analysis();
        if (i < 0 || a == null || i >= a.size()) {
            hoverCard.setVisible(false);
            hoverPath = null;
            return;
        }
        String rel = model.pointPath(i);
        Path p = a.folder().resolve(rel);
        hoverPath = p;
        hoverName.setText(rel);
        Image cached = thumbs.getIfPresent(p);
        hoverImage.setImage(cached);
        if (cached == null) {
            thumbs.request(p, img -> {
                if (p.equals(hoverPath)) {
                    hoverImage.setImage(img);
                    hoverCard.autosize();
                }
            });
        }
        double sx = canvas.toScreenX(canvas.index().x(i));
        double sy = canvas.toScreenY(canvas.index().y(i));
        hoverCard.autosize();
        double w = Math.max(hoverCard.getWidth(), 140), h = Math.max(hoverCard.getHeight(), 160);
        double x = sx + 14 + w > canvas.getWidth() ? sx - 14 - w : sx + 14;
        double y = Math.max(4, Math.min(sy - h / 2, canvas.getHeight() - h - 4));
        hoverCard.relocate(x, y);
        hoverCard.setVisible(true);
    }

    MapCanvas canvas() {
        return canvas;
    }

    VBox legend() {
        return legend;
    }

    VBox hoverCard() {
        return hoverCard;
    }

    String hoverText() {
        return hoverName.getText();
    }
}
