package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.itaestudio.pipeline.Inspection;

/**
 * The strip under the inspector's image: the token norm map of one block (heatmap over the photo, min/max scale,
 * outlier tokens outlined, the appended test-time registers' norms as bars apart) and the same block and head's CLS
 * attention with each fix side by side. Builds nodes and binds to {@link SideBySideModel}; no behaviour of its own.
 */
final class SideBySidePane extends HBox {

    /** Long side of the norm map, pixels. */
    static final int NORM_SIZE = 168;
    /** Long side of each fix's map, pixels. */
    static final int FIX_SIZE = 150;

    private final SideBySideModel model;
    private final InspectorModel inspector;
    private final Subscriptions subs = new Subscriptions();
    private final Spinner<Integer> normBlock = new Spinner<>();
    private final ImageView normImage = new ImageView();
    private final Canvas normOutlines = new Canvas();
    private final Label normMin = new Label();
    private final Label normMax = new Label();
    private final ImageView scaleBar = new ImageView();
    private final Label normSummary = new Label();
    private final VBox registerBars = new VBox(3);
    private final Label fixesTitle = new Label();
    private final HBox tiles = new HBox(10);
    private final Label status = new Label();
    private final ProgressIndicator busy = new ProgressIndicator();
    private boolean syncingSpinner;

    SideBySidePane(SideBySideModel model, InspectorModel inspector) {
        super(18);
        this.model = model;
        this.inspector = inspector;
        setId("side-by-side-pane");
        getStyleClass().add("side-by-side-pane");
        setPadding(new Insets(6, 12, 10, 12));
        getChildren().addAll(buildNorms(), buildFixes());

        // the maps are set after the result they come from: redraw on them, never on the result alone
        subs.onChange(this::showNorms, model.normMapProperty(), model.panelsProperty(), inspector.colorMapProperty(),
                inspector.opacityProperty());
        subs.onChange(this::showFixes, model.panelsProperty(), inspector.headProperty(), inspector.colorMapProperty());
        subs.onChange(this::showStatus, model.errorProperty(), model.busyProperty(), model.resultProperty());
        subs.bind(busy.visibleProperty(), model.busyProperty());
        showNorms();
        showFixes();
        showStatus();
    }

    void dispose() {
        subs.close();
    }

    private Region buildNorms() {
        normBlock.setId("norm-layer-spinner");
        normBlock.setPrefWidth(76);
        normBlock.setEditable(true);
        normBlock.setTooltip(new Tooltip("Block whose output token norms are shown (default: the calibration's "
                + "detect layer, else the second to last)"));
        normBlock.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0));
        normBlock.valueProperty().addListener((o, a, b) -> {
            if (!syncingSpinner && b != null) {
                model.normLayerProperty().set(b);
            }
        });
        HBox head = new HBox(8, title("Token norms"), muted("block"), normBlock);
        head.setAlignment(Pos.CENTER_LEFT);

        normImage.setId("norm-map");
        StackPane stage = new StackPane(normImage, normOutlines);
        stage.setAlignment(Pos.TOP_LEFT);
        stage.setMinSize(NORM_SIZE, NORM_SIZE);
        stage.setMaxSize(NORM_SIZE, NORM_SIZE);
        Tooltip.install(stage, new Tooltip("L2 norm of every patch token at the block's output (plain model); "
                + "outlined: outlier tokens above the threshold"));

        normMin.getStyleClass().add(Styles.TEXT_SMALL);
        normMax.getStyleClass().add(Styles.TEXT_SMALL);
        HBox scale = new HBox(4, normMin, scaleBar, normMax);
        scale.setId("norm-scale");
        scale.setAlignment(Pos.CENTER_LEFT);

        normSummary.setId("norm-summary");
        normSummary.setWrapText(true);
        normSummary.getStyleClass().add(Styles.TEXT_SMALL);
        normSummary.setMaxWidth(NORM_SIZE + 150);
        registerBars.setId("register-norms");

        VBox right = new VBox(6, scale, normSummary, registerBars);
        right.setMaxWidth(NORM_SIZE + 40);
        HBox body = new HBox(10, stage, right);
        VBox box = new VBox(6, head, body);
        box.setMinWidth(Region.USE_PREF_SIZE);
        return box;
    }

    private Region buildFixes() {
        fixesTitle.setId("side-by-side-title");
        fixesTitle.getStyleClass().addAll(Styles.TEXT_BOLD, "section-title");
        tiles.setId("side-by-side");
        status.setId("side-by-side-status");
        status.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        status.setWrapText(true);
        busy.setPrefSize(16, 16);
        busy.setMaxSize(16, 16);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox head = new HBox(8, fixesTitle, spacer, busy);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(6, head, tiles, status);
        HBox.setHgrow(box, Priority.ALWAYS);
        return box;
    }

    private static Label title(String s) {
        Label l = new Label(s);
        l.getStyleClass().addAll(Styles.TEXT_BOLD, "section-title");
        return l;
    }

    private static Label muted(String s) {
        Label l = new Label(s);
        l.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        return l;
    }

    /** Width and height of a map whose long side is {@code size}, with the photo's aspect. */
    private static int[] fit(Inspection ins, int size) {
        double s = (double) size / Math.max(ins.width(), ins.height());
        return new int[] {Math.max(1, (int) Math.round(ins.width() * s)), Math.max(1, (int) Math.round(ins.height() * s))};
    }

    private void showNorms() {
        SideBySideModel.NormMap m = model.normMapProperty().get();
        SideBySideModel.Result r = model.resultProperty().get();
        var g = normOutlines.getGraphicsContext2D();
        g.clearRect(0, 0, normOutlines.getWidth(), normOutlines.getHeight());
        registerBars.getChildren().clear();
        if (m == null || r == null) {
            normImage.setImage(null);
            scaleBar.setImage(null);
            normMin.setText("");
            normMax.setText("");
            normSummary.setText(r == null ? "" : "The engine reported no token norms for this image.");
            return;
        }
        syncingSpinner = true;
        try {
            normBlock.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, r.depth() - 1, m.layer()));
        } finally {
            syncingSpinner = false;
        }
        Inspection plain = r.plain();
        int[] wh = fit(plain, NORM_SIZE);
        int w = wh[0], h = wh[1];
        ColorMap cmap = inspector.colorMapProperty().get();
        int[] photo = HeatmapRenderer.resizeNearest(plain.rgb(), plain.width(), plain.height(), w, h);
        // the norms are the point of this map (the photo only places them): never fainter than 0.75
        double opacity = Math.max(0.75, inspector.opacityProperty().get());
        int[] heat = HeatmapRenderer.heatArgb(m.patchNorms(), m.gridH(), m.gridW(), w, h, cmap, opacity);
        normImage.setImage(HeatmapRenderer.toImage(HeatmapRenderer.composite(photo, heat), w, h, false));
        normOutlines.setWidth(w);
        normOutlines.setHeight(h);
        boolean[] mask = new boolean[m.gridH() * m.gridW()];
        for (int p : m.outliers()) {
            mask[p] = true;
        }
        InspectorView.drawOutlines(g, mask, m.gridW(), m.gridH(), 0, 0, (double) w / m.gridW(), (double) h / m.gridH(), false);

        int sw = 110, sh = 10;
        int[] bar = new int[sw * sh];
        for (int x = 0; x < sw; x++) {
            int c = 0xFF000000 | (cmap.rgb(x / (double) (sw - 1)) & 0xFFFFFF);
            for (int y = 0; y < sh; y++) {
                bar[y * sw + x] = c;
            }
        }
        scaleBar.setImage(HeatmapRenderer.toImage(bar, sw, sh, true));
        normMin.setText(ItaeSettings.formatNorm(m.min()));
        normMax.setText(ItaeSettings.formatNorm(m.max()));
        normSummary.setText(String.format(Locale.ROOT, "%d of %d patch tokens above %s (%s).", m.outliers().length,
                m.patchNorms().length, ItaeSettings.formatNorm(m.threshold()), m.thresholdRule()));

        if (m.registerNorms() != null) {
            Label t = muted("Appended test-time registers at block " + m.layer() + " (not in the map):");
            t.setWrapText(true);
            registerBars.getChildren().add(t);
            double top = Math.max(m.max(), max(m.registerNorms()));
            for (int i = 0; i < m.registerNorms().length; i++) {
                float v = m.registerNorms()[i];
                Region fill = new Region();
                fill.getStyleClass().add("register-bar");
                fill.setStyle("-fx-background-color: " + css(cmap.rgb(top > 0 ? v / top : 0)) + ";");
                double len = top > 0 ? 110 * v / top : 0;
                fill.setMinSize(len, 8);
                fill.setMaxSize(len, 8);
                Label l = new Label("reg " + i + "  " + ItaeSettings.formatNorm(v));
                l.getStyleClass().add(Styles.TEXT_SMALL);
                HBox row = new HBox(6, l, fill);
                row.setAlignment(Pos.CENTER_LEFT);
                registerBars.getChildren().add(row);
            }
        } else if (r.request().neurons() == null) {
            Label hint = muted("Calibrate test-time registers to see their norms here.");
            hint.setWrapText(true);
            registerBars.getChildren().add(hint);
        }
    }

    private static float max(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static String css(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }

    private void showFixes() {
        List<SideBySideModel.Panel> panels = model.panelsProperty().get();
        SideBySideModel.Result r = model.resultProperty().get();
        if (r == null || panels.isEmpty()) {
            tiles.getChildren().clear();
            fixesTitle.setText("Attention with each fix");
            return;
        }
        int head = inspector.headProperty().get();
        fixesTitle.setText(String.format(Locale.ROOT, "Block %d, %s: CLS attention with each fix", r.layer(),
                head < 0 ? "mean of heads" : "head " + head));
        Inspection plain = r.plain();
        int[] wh = fit(plain, FIX_SIZE);
        int w = wh[0], h = wh[1];
        int[] photo = HeatmapRenderer.resizeNearest(plain.rgb(), plain.width(), plain.height(), w, h);
        ColorMap cmap = inspector.colorMapProperty().get();
        List<VBox> out = new ArrayList<>();
        float[] none = SideBySideModel.headValues(panels.get(0).attention(), head);
        for (SideBySideModel.Panel p : panels) {
            Label t = new Label(p.title());
            t.getStyleClass().add(Styles.TEXT_SMALL);
            t.setMaxWidth(w);
            StackPane box = new StackPane();
            box.setMinSize(w, h);
            box.setMaxSize(w, h);
            box.getStyleClass().add("fix-map");
            if (p.attention() != null) {
                float[] v = SideBySideModel.headValues(p.attention(), head);
                int[] heat = HeatmapRenderer.heatArgb(v, plain.gridH(), plain.gridW(), w, h, cmap, 0.75);
                box.getChildren().add(new ImageView(HeatmapRenderer.toImage(HeatmapRenderer.composite(photo, heat), w, h, false)));
            } else {
                Label ph = new Label(p.placeholder());
                ph.setWrapText(true);
                ph.setAlignment(Pos.CENTER);
                ph.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL, "fix-placeholder");
                ph.setMaxWidth(w - 16);
                box.getChildren().add(ph);
                box.getStyleClass().add("empty");
            }
            VBox tile = new VBox(3, t, box);
            if (p.attention() != null && p.fix() != ArtifactFixModel.Fix.NONE) {
                float[] v = SideBySideModel.headValues(p.attention(), head);
                Label d = new Label(String.format(Locale.ROOT, "max |\u0394| vs no fix %.2g", SideBySideModel.maxAbsDiff(none, v)));
                d.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL, "fix-delta");
                Tooltip.install(d, new Tooltip("Largest change of a patch's attention from the no-fix map (this head)"));
                tile.getChildren().add(d);
            }
            tile.setId("fix-tile-" + p.fix().name().toLowerCase(Locale.ROOT));
            tile.getStyleClass().add("fix-tile");
            out.add(tile);
        }
        tiles.getChildren().setAll(out);
    }

    private void showStatus() {
        String err = model.errorProperty().get();
        if (err != null) {
            status.setText("Could not compare the fixes: " + err);
        } else if (model.resultProperty().get() == null) {
            status.setText(model.busyProperty().get() ? "Running the model once per fix\u2026" : "");
        } else {
            status.setText("Each map is scaled to its own min\u2013max. ITAE uses the panel's settings even when "
                    + "another fix is chosen.");
        }
    }

    /** Text of the norm summary (tests read it). */
    String normSummaryText() {
        return normSummary.getText();
    }
}
