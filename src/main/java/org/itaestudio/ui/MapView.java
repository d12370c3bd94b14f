package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.itaestudio.pipeline.FolderAnalysis;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignH;
import org.kordamp.ikonli.materialdesign2.MaterialDesignL;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/**
 * The map view: {@link MapCanvas} with a toolbar (pan / box / lasso, fit, before/after), a legend (click a cluster
 * to select it) and a hover card with the thumbnail and file name of the point under the mouse.
 */
public final class MapView extends BorderPane {

    private final MainViewModel vm;
    private final ThumbnailCache thumbs;
    private final MapCanvas canvas = new MapCanvas();
    private final VBox legend = new VBox(4);
    private final VBox hoverCard = new VBox(4);
    private final ImageView hoverImage = new ImageView();
    private final Label hoverName = new Label();
    private final Pane overlay = new Pane();
    private final ToggleButton beforeToggle = new ToggleButton("Before");
    private final ToggleButton afterToggle = new ToggleButton("After");
    private final HBox compare;
    private final Label info = new Label();
    private final Label noMap = new Label();
    private boolean showingBefore;
    private Path hoverPath;

    public MapView(MainViewModel vm, ThumbnailCache thumbs) {
        this.vm = vm;
        this.thumbs = thumbs;
        getStyleClass().add("map-view");
        canvas.setId("map-canvas");

        ToggleGroup modes = new ToggleGroup();
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

        ToggleGroup ba = new ToggleGroup();
        beforeToggle.setToggleGroup(ba);
        afterToggle.setToggleGroup(ba);
        beforeToggle.setId("map-before");
        afterToggle.setId("map-after");
        beforeToggle.getStyleClass().add(Styles.LEFT_PILL);
        afterToggle.getStyleClass().add(Styles.RIGHT_PILL);
        beforeToggle.setTooltip(new Tooltip("The map and clusters before the last \u201cApply to folder\u201d"));
        afterToggle.setTooltip(new Tooltip("The map and clusters now; ringed points changed cluster"));
        afterToggle.setSelected(true);
        ba.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true);
            } else {
                showingBefore = b == beforeToggle;
                reload(true);
            }
        });
        compare = new HBox(beforeToggle, afterToggle);
        compare.visibleProperty().bind(vm.changeProperty().isNotNull());
        compare.managedProperty().bind(compare.visibleProperty());

        javafx.scene.control.ComboBox<String> method = new javafx.scene.control.ComboBox<>();
        method.setId("map-method");
        method.getItems().addAll("tsne", "pca");
        method.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(String m) {
                return m == null ? "" : m.equals("pca") ? "PCA" : "t-SNE";
            }

            @Override
            public String fromString(String s) {
                return s.equalsIgnoreCase("PCA") ? "pca" : "tsne";
            }
        });
        method.valueProperty().bindBidirectional(vm.mapMethodProperty());
        method.setTooltip(new Tooltip("How the embeddings are laid out in 2-D: t-SNE keeps neighbours together, "
                + "PCA keeps global directions"));
        vm.mapMethodProperty().addListener((o, a, b) -> {
            if (vm.analysis() != null && !vm.runningProperty().get()) {
                vm.run(); // only the map is recomputed: no model
            }
        });
        noMap.setId("map-empty");
        noMap.getStyleClass().add(Styles.TEXT_MUTED);
        noMap.setWrapText(true);
        noMap.setMaxWidth(420);
        noMap.setVisible(false);
        info.getStyleClass().add(Styles.TEXT_MUTED);
        info.setId("map-info");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, new HBox(pan, box, lasso), fit, clear, method, compare, spacer, info);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(8, 12, 8, 12));
        bar.getStyleClass().add("view-toolbar");
        setTop(bar);

        legend.setId("map-legend");
        legend.getStyleClass().add("map-legend");
        legend.setPadding(new Insets(8, 10, 8, 10));
        ScrollPane legendScroll = new ScrollPane(legend);
        legendScroll.getStyleClass().add("legend-scroll");
        legendScroll.setFitToWidth(true);
        legendScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        // as tall as its rows, up to 360 px (then it scrolls)
        legendScroll.prefViewportHeightProperty().bind(javafx.beans.binding.Bindings.min(legend.heightProperty(), 340));
        legendScroll.setMaxHeight(Region.USE_PREF_SIZE);
        legendScroll.setMaxWidth(220);
        legendScroll.setPrefViewportWidth(190);
        StackPane.setAlignment(legendScroll, Pos.TOP_RIGHT);
        StackPane.setMargin(legendScroll, new Insets(12));
        legendScroll.visibleProperty().bind(vm.analysisProperty().isNotNull());

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
        overlay.getChildren().add(hoverCard);
        overlay.setMouseTransparent(true);
        overlay.setPickOnBounds(false);

        StackPane stack = new StackPane(canvas, noMap, legendScroll, overlay);
        setCenter(stack);

        canvas.modeProperty().bind(javafx.beans.binding.Bindings.createObjectBinding(() -> {
            var t = modes.getSelectedToggle();
            return t == null ? MapCanvas.Mode.PAN : (MapCanvas.Mode) t.getUserData();
        }, modes.selectedToggleProperty()));
        canvas.hoveredProperty().addListener((o, a, b) -> showHover(b.intValue()));
        canvas.addEventHandler(javafx.scene.input.MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() == javafx.scene.input.MouseButton.SECONDARY && !showingBefore && vm.analysis() != null) {
                contextMenu(canvas.pick(e.getX(), e.getY())).show(canvas, e.getScreenX(), e.getScreenY());
            }
        });
        canvas.focusedPointProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0 && !showingBefore) {
                vm.selectedImageProperty().set(b.intValue());
            }
        });
        vm.selectedImageProperty().addListener((o, a, b) -> canvas.focusedPointProperty().set(b.intValue()));
        canvas.selectionProperty().addListener((o, a, b) -> {
            if (vm.selectionProperty().get() != b) {
                vm.selectionProperty().set(b);
            }
            updateInfo();
        });
        vm.selectionProperty().addListener((o, a, b) -> {
            if (canvas.selectionProperty().get() != b) {
                canvas.selectionProperty().set(b);
            }
        });
        vm.analysisProperty().addListener((o, a, b) -> {
            showingBefore = false;
            afterToggle.setSelected(true);
            // keep the user's zoom when only the colours change (new k: same map); a new map (ITAE applied, other
            // method) is fitted, or its points could lie outside the view
            reload(a == null || b == null || a.size() != b.size() || !a.folder().equals(b.folder())
                    || (a.map() != b.map() && !java.util.Arrays.deepEquals(a.map(), b.map())));
        });
        vm.clusters().versionProperty().addListener(o -> {
            if (!showingBefore && canvas.pointCount() == vm.clusters().imageCount()) {
                canvas.setLabels(vm.clusters().labels());
                buildLegend(vm.clusters().labels());
            }
        });
        vm.changeProperty().addListener(o -> reload(false));
        vm.darkThemeProperty().addListener(o -> applyTheme());
        applyTheme();
        reload(true);
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
        FolderAnalysis a = vm.analysis();
        var change = vm.changeProperty().get();
        int[] keepSelection = vm.selectionProperty().get();
        boolean hasMap = a != null && a.map() != null && a.map().length == a.size() && a.size() > 0;
        noMap.setVisible(a != null && !hasMap);
        noMap.setText(a == null ? "" : "This analysis has no map (" + a.settings().mapMethod().id() + "). Pick t-SNE or PCA above.");
        if (!hasMap) {
            canvas.setData(new double[0][], new int[0], true);
            legend.getChildren().clear();
            updateInfo();
            return;
        }
        if (showingBefore && change != null) {
            canvas.setData(change.before().map(), change.beforeLabels(), refit);
            canvas.setHighlight(change.changedMask());
            buildLegend(change.beforeLabels());
        } else {
            int[] labels = vm.clusters().imageCount() == a.size() ? vm.clusters().labels() : a.labels();
            canvas.setData(a.map(), labels, refit);
            canvas.setHighlight(change != null ? change.changedMask() : null);
            buildLegend(labels);
        }
        canvas.focusedPointProperty().set(vm.selectedImageProperty().get());
        canvas.selectionProperty().set(keepSelection);
        updateInfo();
    }

    /** Right-click: inspect the point under the mouse; move the selection to a cluster; clear the selection. */
    private javafx.scene.control.ContextMenu contextMenu(int point) {
        javafx.scene.control.ContextMenu menu = new javafx.scene.control.ContextMenu();
        if (point >= 0) {
            javafx.scene.control.MenuItem inspect = new javafx.scene.control.MenuItem("Inspect " + vm.analysis().paths().get(point));
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
            javafx.scene.control.MenuItem clear = new javafx.scene.control.MenuItem("Clear the selection");
            clear.setOnAction(e -> vm.selectionProperty().set(new int[0]));
            menu.getItems().add(clear);
        }
        return menu;
    }

    private void buildLegend(int[] labels) {
        int k = 0;
        for (int l : labels) {
            k = Math.max(k, l + 1);
        }
        int[] counts = new int[k];
        for (int l : labels) {
            if (l >= 0) {
                counts[l]++;
            }
        }
        List<Node> rows = new ArrayList<>();
        Label title = new Label(showingBefore ? "Clusters (before)" : "Clusters");
        title.getStyleClass().add(Styles.TEXT_BOLD);
        rows.add(title);
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) {
                continue;
            }
            Label name = new Label(vm.clusters().name(c));
            name.setMaxWidth(120);
            Label n = new Label(String.format("%,d", counts[c]));
            n.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
            Region sp = new Region();
            HBox.setHgrow(sp, Priority.ALWAYS);
            HBox row = new HBox(6, GalleryView.swatch(c, 12), name, sp, n);
            row.setAlignment(Pos.CENTER_LEFT);
            row.getStyleClass().add("legend-row");
            row.setId("legend-" + c);
            int cluster = c;
            row.setOnMouseClicked(e -> {
                int[] members = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == cluster).toArray();
                vm.selectionProperty().set(members);
            });
            Tooltip.install(row, new Tooltip("Select the images of " + vm.clusters().name(c)));
            rows.add(row);
        }
        legend.getChildren().setAll(rows);
    }

    private void updateInfo() {
        int n = canvas.pointCount();
        int s = canvas.selectionProperty().get().length;
        String method = vm.analysis() == null ? "" : vm.analysis().settings().mapMethod().label();
        String text = n == 0 ? "" : String.format("%s \u00b7 %,d points", method, n) + (s > 0 ? String.format(" \u00b7 %,d selected", s) : "");
        var change = vm.changeProperty().get();
        if (change != null) {
            text += String.format(" \u00b7 %,d changed cluster (ringed)", change.changed());
        }
        info.setText(text);
    }

    private void showHover(int i) {
        FolderAnalysis a = vm.analysis();
        if (i < 0 || a == null || i >= a.size()) {
            hoverCard.setVisible(false);
            hoverPath = null;
            return;
        }
        String rel = (showingBefore && vm.changeProperty().get() != null ? vm.changeProperty().get().before() : a).paths().get(i);
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

    public MapCanvas canvas() {
        return canvas;
    }

    public VBox legend() {
        return legend;
    }

    public VBox hoverCard() {
        return hoverCard;
    }

    public String hoverText() {
        return hoverName.getText();
    }
}
