package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.TilePane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.itaestudio.itae.ItaeConfig.Component;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.ImageProbe;
import org.itaestudio.pipeline.Inspection;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignG;
import org.kordamp.ikonli.materialdesign2.MaterialDesignI;

/**
 * The attention inspector: the photo with the CLS-attention heatmap on top (one head or the mean), artifact tokens
 * outlined on the patch grid, small multiples of every head, per-patch norms on hover, and a histogram of the chosen
 * component's norms whose threshold line can be dragged.
 */
final class InspectorView extends BorderPane {

    static final int SMALL = 72;
    static final String PATCH_HINT = "Move the mouse over the image to see a patch's |q|, |k|, |v| norms and its attention.";

    private final MainViewModel vm;
    private final InspectorModel model;
    private final ImageStage stage = new ImageStage();
    private final TilePane heads = new TilePane(6, 6);
    private final Label patchInfo = new Label();
    private final Label artifactCount = new Label();
    private final Label caption = new Label();
    private final NormHistogram histogram = new NormHistogram();
    private final ComboBox<Integer> layerBox = new ComboBox<>();
    private final ToggleButton before = new ToggleButton("ITAE off");
    private final ToggleButton after = new ToggleButton("ITAE on");
    private final ProgressIndicator busy = new ProgressIndicator();
    private final Label placeholder = new Label();
    private final Subscriptions subs = new Subscriptions();
    private final SideBySidePane sideBySide;
    private final ToggleButton compare = new ToggleButton("Norms & fixes");

    private int[] photoRgb;
    private String photoKey;
    private WritableImage photoImage;
    private int[] smallPhoto;
    private int photoW;
    private int photoH;
    private Inspection shown;
    private int hoverPatch = -1;

    InspectorView(MainViewModel vm) {
        this.vm = vm;
        this.model = vm.inspector();
        getStyleClass().add("inspector-view");
        this.sideBySide = new SideBySidePane(vm.sideBySide(), model);
        setTop(buildControls());
        setCenter(buildCentre());
        setRight(buildSide());
        setBottom(sideBySide);
        subs.bind(sideBySide.visibleProperty(), vm.sideBySide().activeProperty());
        subs.bind(sideBySide.managedProperty(), vm.sideBySide().activeProperty());

        subs.onChange(() -> show(model.resultProperty().get()), model.resultProperty(), model.headProperty(),
                model.colorMapProperty(), vm.itae().componentProperty());
        subs.onChange(this::renderHeat, model.opacityProperty());
        subs.onChange(stage::drawOverlay, model.showGridProperty());
        subs.onChange(() -> histogram.artifactsBelowProperty().set(
                vm.itae().directionProperty().get() == ItaeConfig.Direction.BELOW), vm.itae().directionProperty());
        subs.onChange(this::updateThresholdLine, vm.itae().thresholdProperty(), vm.itae().autoThresholdProperty());
        subs.bind(histogram.darkProperty(), vm.darkThemeProperty());
        subs.onChange(this::fillLayers, model.depthProperty());
        subs.onChange(this::updatePlaceholder, model.errorProperty(), model.imageProperty());
        subs.bind(busy.visibleProperty(), model.busyProperty());
        subs.bind(artifactCount.textProperty(), model.artifactSummaryProperty());
        histogram.setOnThresholdDragged(t -> {
            vm.itae().autoThresholdProperty().set(false);
            vm.itae().thresholdProperty().set(t);
        });
        updatePlaceholder();
        show(model.resultProperty().get());
    }

    /** Removes the view's listeners and bindings on the view models. */
    void dispose() {
        subs.close();
        sideBySide.dispose();
    }

    private Region buildControls() {
        layerBox.setId("layer-box");
        layerBox.setTooltip(new Tooltip("Transformer block whose attention is shown"));
        layerBox.setCellFactory(l -> new LayerCell());
        layerBox.setButtonCell(new LayerCell());
        layerBox.valueProperty().addListener((o, a, b) -> {
            if (b != null && b != model.layerProperty().get()) {
                model.layerProperty().set(b);
            }
        });
        subs.onChange(model.layerProperty(), (o, a, b) -> {
            if (b.intValue() >= 0 && !Integer.valueOf(b.intValue()).equals(layerBox.getValue())) {
                layerBox.setValue(b.intValue());
            }
        });

        ToggleGroup ba = new ToggleGroup();
        before.setToggleGroup(ba);
        after.setToggleGroup(ba);
        before.setId("before-toggle");
        after.setId("after-toggle");
        before.getStyleClass().add(Styles.LEFT_PILL);
        after.getStyleClass().add(Styles.RIGHT_PILL);
        before.setTooltip(new Tooltip("Before: the plain model (ITAE off)"));
        after.setTooltip(new Tooltip("After: with the ITAE settings of the panel"));
        after.setSelected(!model.showBeforeProperty().get());
        before.setSelected(model.showBeforeProperty().get());
        ba.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true); // one of the two is always on
            } else {
                model.showBeforeProperty().set(b == before);
            }
        });
        subs.onChange(model.showBeforeProperty(), (o, a, b) -> (b ? before : after).setSelected(true));

        ComboBox<ColorMap> maps = new ComboBox<>();
        maps.getItems().addAll(ColorMap.values());
        subs.bindBidirectional(maps.valueProperty(), model.colorMapProperty());
        maps.setTooltip(new Tooltip("Colour map of the heatmap"));
        Slider opacity = new Slider(0, 1, model.opacityProperty().get());
        opacity.setId("opacity-slider");
        subs.bindBidirectional(opacity.valueProperty(), model.opacityProperty());
        opacity.setPrefWidth(110);
        opacity.setTooltip(new Tooltip("Heatmap opacity"));
        ToggleButton grid = new ToggleButton(null, new FontIcon(MaterialDesignG.GRID));
        subs.bindBidirectional(grid.selectedProperty(), model.showGridProperty());
        grid.setTooltip(new Tooltip("Show the patch grid"));
        grid.getStyleClass().add(Styles.BUTTON_ICON);
        busy.setPrefSize(18, 18);
        busy.setMaxSize(18, 18);

        // icon only, as on the map's toolbar: with the Norms & fixes toggle a labelled button would squeeze the labels
        Button like = new Button(null, new FontIcon(org.kordamp.ikonli.materialdesign2.MaterialDesignI.IMAGE_SEARCH_OUTLINE));
        like.setId("inspector-similar");
        like.setAccessibleText("More like this");
        like.getStyleClass().add(Styles.BUTTON_ICON);
        like.setTooltip(new Tooltip("More like this: the images most similar to this one (Ctrl+L)"));
        like.setOnAction(e -> vm.explore().showSimilar(vm.selectedImageProperty().get()));
        subs.bind(like.disableProperty(), vm.selectedImageProperty().lessThan(0).or(vm.analysisProperty().isNull()));
        compare.setId("compare-toggle");
        compare.setTooltip(new Tooltip("Token norm map per block, and this block's attention with no fix, ITAE and "
                + "test-time registers side by side"));
        subs.bindBidirectional(compare.selectedProperty(), vm.sideBySide().activeProperty());

        HBox bar = new HBox(8, label("Block"), layerBox, gap(), new HBox(before, after), gap(), label("Colours"), maps,
                label("Opacity"), opacity, grid, gap(), compare, spacer(), busy, like);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(8, 12, 8, 12));
        bar.getStyleClass().add("view-toolbar");
        return bar;
    }

    private static Label label(String s) {
        Label l = new Label(s);
        l.getStyleClass().add(Styles.TEXT_MUTED);
        return l;
    }

    private static Region gap() {
        Region r = new Region();
        r.setPrefWidth(8);
        return r;
    }

    private static Region spacer() {
        Region r = new Region();
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }

    private Region buildCentre() {
        placeholder.setId("inspector-placeholder");
        placeholder.setWrapText(true);
        placeholder.setMaxWidth(420);
        placeholder.getStyleClass().add(Styles.TEXT_MUTED);
        placeholder.setGraphic(new FontIcon(MaterialDesignI.IMAGE_SEARCH_OUTLINE));
        caption.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        caption.setId("inspector-caption");
        StackPane centre = new StackPane(stage, placeholder);
        VBox box = new VBox(6, centre, caption);
        VBox.setVgrow(centre, Priority.ALWAYS);
        box.setPadding(new Insets(8, 12, 12, 12));
        return box;
    }

    private Region buildSide() {
        heads.setId("head-multiples");
        heads.setPrefColumns(4);
        heads.setPrefTileWidth(SMALL);
        Label headsTitle = title("Heads");
        Label help = new Label("Click a head to show it large; \u201cmean\u201d averages all heads.");
        help.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        help.setWrapText(true);
        artifactCount.setId("artifact-count");
        artifactCount.setWrapText(true);
        patchInfo.setId("patch-info");
        patchInfo.setText(PATCH_HINT);
        patchInfo.setWrapText(true);
        patchInfo.getStyleClass().add(Styles.TEXT_SMALL);
        patchInfo.setMinHeight(34);
        histogram.setId("norm-histogram");
        VBox side = new VBox(8, headsTitle, help, heads, title("Artifact tokens"), artifactCount, histogram,
                title("Patch under the mouse"), patchInfo);
        side.setPadding(new Insets(8, 14, 12, 12));
        side.setPrefWidth(4 * SMALL + 3 * 6 + 30);
        ScrollPane sp = new ScrollPane(side);
        sp.setFitToWidth(true);
        sp.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        sp.getStyleClass().add("side-scroll");
        sp.setPrefWidth(side.getPrefWidth() + 14);
        return sp;
    }

    private static Label title(String s) {
        Label l = new Label(s);
        l.getStyleClass().addAll(Styles.TEXT_BOLD, "section-title");
        return l;
    }

    private void fillLayers() {
        int d = model.depthProperty().get();
        if (layerBox.getItems().size() != d) {
            List<Integer> items = new ArrayList<>();
            for (int i = 0; i < d; i++) {
                items.add(i);
            }
            layerBox.getItems().setAll(items);
        }
        if (model.layerProperty().get() >= 0) {
            layerBox.setValue(model.layerProperty().get());
        }
    }

    private final class LayerCell extends ListCell<Integer> {
        @Override
        protected void updateItem(Integer item, boolean empty) {
            super.updateItem(item, empty);
            if (empty || item == null) {
                setText(null);
                return;
            }
            int d = model.depthProperty().get();
            ItaeConfig c = vm.itae().toConfig(Math.max(1, d));
            boolean itaeHere = c != null && d > 0 && c.resolveLayers(d).contains(item);
            setText(item + (item == d - 1 ? " (last)" : "") + (itaeHere ? "  \u2022 ITAE" : ""));
        }
    }

    private void updatePlaceholder() {
        String err = model.errorProperty().get();
        if (err != null) {
            placeholder.setText("Could not inspect this image: " + err);
            placeholder.setVisible(true);
            stage.setVisible(shown != null);
            return;
        }
        if (model.imageProperty().get() == null) {
            placeholder.setText("Double-click an image in Clusters, or click a point on the Map, to see where the "
                    + "model looks and which tokens are artifacts.");
            placeholder.setVisible(true);
            stage.setVisible(false);
            return;
        }
        placeholder.setVisible(shown == null);
        if (shown == null) {
            placeholder.setText("Running the model on " + model.imageProperty().get().getFileName() + "\u2026");
        }
        stage.setVisible(shown != null);
    }

    // ------------------------------------------------------------------ rendering

    private void show(InspectorModel.Result r) {
        long t0 = System.nanoTime();
        if (r == null) {
            shown = null;
            photoKey = null;
            heads.getChildren().clear();
            stage.setImages(null, null);
            histogram.setValues(null, "");
            updatePlaceholder();
            return;
        }
        Inspection ins = r.inspection();
        // the photo only changes with the image: a slider move re-renders the heatmaps, not the photo
        String key = ins.image() + "|" + ins.width() + "x" + ins.height();
        if (!key.equals(photoKey)) {
            photoKey = key;
            photoRgb = ins.rgb();
            photoW = ins.width();
            photoH = ins.height();
            photoImage = HeatmapRenderer.toImage(photoRgb, photoW, photoH, true);
            smallPhoto = null;
            stage.setImages(photoImage, null);
        }
        shown = ins;
        updatePlaceholder();
        ImageProbe p = ins.probe();
        renderHeat();
        renderHeads(p);
        updateHistogram(r);
        caption.setText(String.format(Locale.ROOT, "%s  \u00b7  %d\u00d7%d px, %d\u00d7%d patches, %d register%s  \u00b7  block %d  \u00b7  %s",
                ins.image().getFileName(), ins.width(), ins.height(), ins.gridH(), ins.gridW(), ins.registers(),
                ins.registers() == 1 ? "" : "s", ins.layer(),
                r.config() == null ? "ITAE off" : "ITAE " + ItaeSettings.describe(r.config())));
        stage.drawOverlay();
        layerBox.setButtonCell(new LayerCell());
        model.renderedAfterSubmit((System.nanoTime() - t0) / 1e6);
    }

    private float[] shownValues() {
        float[][] maps = shown.probe().clsAttention();
        int h = model.headProperty().get();
        return h >= 0 && h < maps.length ? maps[h] : HeatmapRenderer.headMean(maps);
    }

    private void renderHeat() {
        if (shown == null) {
            return;
        }
        stage.heat.setImage(HeatmapRenderer.render(shownValues(), shown.gridH(), shown.gridW(), shown.width(),
                shown.height(), model.colorMapProperty().get(), model.opacityProperty().get()));
    }

    private void renderHeads(ImageProbe p) {
        float[][] maps = p.clsAttention();
        int sw = SMALL;
        int shh = Math.max(1, (int) Math.round(SMALL * (double) photoH / photoW));
        if (smallPhoto == null) {
            smallPhoto = HeatmapRenderer.resizeNearest(photoRgb, photoW, photoH, sw, shh);
        }
        int[] small = smallPhoto;
        List<VBox> tiles = new ArrayList<>();
        for (int h = -1; h < maps.length; h++) {
            float[] v = h < 0 ? HeatmapRenderer.headMean(maps) : maps[h];
            int[] heat = HeatmapRenderer.heatArgb(v, shown.gridH(), shown.gridW(), sw, shh, model.colorMapProperty().get(), 0.75);
            ImageView iv = new ImageView(HeatmapRenderer.toImage(HeatmapRenderer.composite(small, heat), sw, shh, false));
            Label l = new Label(h < 0 ? "mean" : "head " + h);
            l.getStyleClass().add(Styles.TEXT_SMALL);
            VBox tile = new VBox(2, iv, l);
            tile.setAlignment(Pos.CENTER);
            tile.getStyleClass().add("head-tile");
            if (h == model.headProperty().get()) {
                tile.getStyleClass().add("selected");
            }
            int head = h;
            tile.setOnMouseClicked(e -> model.headProperty().set(head));
            Tooltip.install(tile, new Tooltip(h < 0 ? "Mean of all heads" : "Head " + h + " of " + maps.length));
            tiles.add(tile);
        }
        heads.getChildren().setAll(tiles);
    }

    private float[] componentNorms(ImageProbe p, Component c) {
        float[] all = p.norms(c);
        int prefix = 1 + shown.registers();
        float[] patches = new float[all.length - prefix];
        System.arraycopy(all, prefix, patches, 0, patches.length);
        return patches;
    }

    private void updateHistogram(InspectorModel.Result r) {
        Component c = vm.itae().componentProperty().get();
        histogram.setValues(componentNorms(shown.probe(), c), c + " norms of patch tokens, block " + shown.layer());
        histogram.artifactsBelowProperty().set(vm.itae().directionProperty().get() == ItaeConfig.Direction.BELOW);
        updateThresholdLine();
    }

    /** The threshold the line shows: the probe's (auto finds one per image), else the panel's manual value. */
    double displayedThreshold() {
        InspectorModel.Result r = model.resultProperty().get();
        if (!vm.itae().autoThresholdProperty().get()) {
            return vm.itae().thresholdProperty().get();
        }
        InspectorModel.Result src = r != null && r.config() != null ? r : model.lastAfterProperty().get();
        if (src != null && src.inspection().layer() == (shown == null ? -1 : shown.layer())) {
            return src.inspection().probe().threshold().orElse(Double.NaN);
        }
        return Double.NaN;
    }

    private void updateThresholdLine() {
        histogram.thresholdProperty().set(displayedThreshold());
    }

    /** Text shown in the artifact label (tests read it). */
    String artifactText() {
        return artifactCount.getText();
    }

    SideBySidePane sideBySide() {
        return sideBySide;
    }

    NormHistogram histogram() {
        return histogram;
    }

    // ------------------------------------------------------------------ the image stage

    /** Photo, heatmap and outline overlay, scaled together to fit. */
    final class ImageStage extends Region {
        final ImageView photo = new ImageView();
        final ImageView heat = new ImageView();
        final Canvas overlay = new Canvas();
        double scale = 1;
        double ox;
        double oy;

        ImageStage() {
            getStyleClass().add("image-stage");
            photo.setSmooth(true);
            heat.setSmooth(false);
            getChildren().addAll(photo, heat, overlay);
            setMinSize(200, 200);
            overlay.setOnMouseMoved(this::hover);
            overlay.setOnMouseExited(e -> {
                hoverPatch = -1;
                patchInfo.setText(PATCH_HINT);
                drawOverlay();
            });
        }

        void setImages(WritableImage p, WritableImage h) {
            photo.setImage(p);
            heat.setImage(h);
            requestLayout();
        }

        @Override
        protected void layoutChildren() {
            if (shown == null) {
                return;
            }
            double w = getWidth(), h = getHeight();
            scale = Math.min(w / shown.width(), h / shown.height());
            double dw = shown.width() * scale, dh = shown.height() * scale;
            ox = Math.floor((w - dw) / 2);
            oy = Math.floor((h - dh) / 2);
            for (ImageView iv : new ImageView[] {photo, heat}) {
                iv.setFitWidth(dw);
                iv.setFitHeight(dh);
                iv.relocate(ox, oy);
            }
            overlay.setWidth(w);
            overlay.setHeight(h);
            overlay.relocate(0, 0);
            drawOverlay();
        }

        /** Patch index under a point of this node, or -1. */
        int patchAt(double x, double y) {
            if (shown == null) {
                return -1;
            }
            double px = (x - ox) / scale, py = (y - oy) / scale;
            if (px < 0 || py < 0 || px >= shown.width() || py >= shown.height()) {
                return -1;
            }
            int c = (int) (px * shown.gridW() / shown.width());
            int r = (int) (py * shown.gridH() / shown.height());
            return r * shown.gridW() + c;
        }

        private void hover(MouseEvent e) {
            int p = patchAt(e.getX(), e.getY());
            if (p != hoverPatch) {
                hoverPatch = p;
                patchInfo.setText(p < 0 ? PATCH_HINT : describePatch(p));
                drawOverlay();
            }
        }

        void drawOverlay() {
            GraphicsContext g = overlay.getGraphicsContext2D();
            g.clearRect(0, 0, overlay.getWidth(), overlay.getHeight());
            if (shown == null) {
                return;
            }
            double cw = shown.width() * scale / shown.gridW();
            double ch = shown.height() * scale / shown.gridH();
            if (model.showGridProperty().get()) {
                g.setStroke(Color.rgb(255, 255, 255, 0.25));
                g.setLineWidth(1);
                for (int c = 1; c < shown.gridW(); c++) {
                    double x = Math.round(ox + c * cw) + 0.5;
                    g.strokeLine(x, oy, x, oy + shown.height() * scale);
                }
                for (int r = 1; r < shown.gridH(); r++) {
                    double y = Math.round(oy + r * ch) + 0.5;
                    g.strokeLine(ox, y, ox + shown.width() * scale, y);
                }
            }
            int gw = shown.gridW(), gh = shown.gridH();
            boolean[] mask = new boolean[gw * gh];
            for (int a : model.outlinedProperty().get()) {
                if (a >= 0 && a < mask.length) {
                    mask[a] = true;
                }
            }
            drawOutlines(g, mask, gw, gh, ox, oy, cw, ch, model.outlinesArePreview());
            if (hoverPatch >= 0) {
                int r = hoverPatch / shown.gridW(), c = hoverPatch % shown.gridW();
                g.setStroke(Color.WHITE);
                g.setLineWidth(2);
                g.strokeRect(ox + c * cw, oy + r * ch, cw, ch);
            }
        }
    }

    /**
     * Outlines the regions of flagged patches (edges between a flagged patch and an unflagged one), lightly tinted:
     * how artifact and outlier tokens are drawn everywhere in the inspector.
     *
     * @param ox     left of the grid on the canvas
     * @param cw     width of one patch on the canvas
     * @param dashed a preview (tokens a fix would act on) rather than the result's own
     */
    static void drawOutlines(GraphicsContext g, boolean[] mask, int gw, int gh, double ox, double oy, double cw,
                             double ch, boolean dashed) {
        g.setFill(Color.rgb(0, 229, 255, 0.10));
        for (int p = 0; p < mask.length; p++) {
            if (mask[p]) {
                g.fillRect(ox + (p % gw) * cw, oy + (p / gw) * ch, cw, ch);
            }
        }
        g.setLineDashes(dashed ? new double[] {4, 3} : null);
        for (int pass = 0; pass < 2; pass++) {
            g.setStroke(pass == 0 ? Color.rgb(0, 0, 0, 0.6) : Color.web("#00e5ff"));
            g.setLineWidth(pass == 0 ? 3.5 : 1.6);
            for (int p = 0; p < mask.length; p++) {
                if (!mask[p]) {
                    continue;
                }
                int r = p / gw, c = p % gw;
                double x0 = ox + c * cw, y0 = oy + r * ch, x1 = x0 + cw, y1 = y0 + ch;
                if (r == 0 || !mask[p - gw]) {
                    g.strokeLine(x0, y0, x1, y0);
                }
                if (r == gh - 1 || !mask[p + gw]) {
                    g.strokeLine(x0, y1, x1, y1);
                }
                if (c == 0 || !mask[p - 1]) {
                    g.strokeLine(x0, y0, x0, y1);
                }
                if (c == gw - 1 || !mask[p + 1]) {
                    g.strokeLine(x1, y0, x1, y1);
                }
            }
        }
        g.setLineDashes((double[]) null);
    }

    private String describePatch(int p) {
        ImageProbe probe = shown.probe();
        int token = 1 + shown.registers() + p;
        float[] v = shownValues();
        int r = p / shown.gridW(), c = p % shown.gridW();
        boolean art = false;
        for (int a : model.outlinedProperty().get()) {
            art |= a == p;
        }
        int head = model.headProperty().get();
        return String.format(Locale.ROOT, "row %d, col %d (patch %d)%s%n|q| %s   |k| %s   |v| %s%nattention %.4f (%s)", r, c, p,
                art ? "  \u2022 artifact" : "", ItaeSettings.formatNorm(probe.qNorm()[token]),
                ItaeSettings.formatNorm(probe.kNorm()[token]), ItaeSettings.formatNorm(probe.vNorm()[token]), v[p],
                head < 0 ? "mean of heads" : "head " + head);
    }

    /** Scene coordinates helper for tests: the centre of a patch in this view's image stage. */
    javafx.geometry.Point2D patchCentreOnScreen(int patch) {
        double cw = shown.width() * stage.scale / shown.gridW();
        double ch = shown.height() * stage.scale / shown.gridH();
        int r = patch / shown.gridW(), c = patch % shown.gridW();
        return stage.localToScreen(stage.ox + (c + 0.5) * cw, stage.oy + (r + 0.5) * ch);
    }

    String patchInfoText() {
        return patchInfo.getText();
    }
}
