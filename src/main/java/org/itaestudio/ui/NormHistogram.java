package org.itaestudio.ui;

import java.util.Locale;
import java.util.function.DoubleConsumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.geometry.VPos;
import javafx.scene.Cursor;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * Histogram of the chosen component's token norms (patch tokens) with the ITAE threshold as a vertical line. The
 * bars on the artifact side of the line are tinted. Dragging (or clicking) moves the line and reports the new
 * threshold through {@link #setOnThresholdDragged}; the line follows {@link #thresholdProperty()} otherwise.
 */
final class NormHistogram extends Region {

    static final int BINS = 40;
    private static final double PAD_L = 8, PAD_R = 8, PAD_T = 18, PAD_B = 20;

    private final Canvas canvas = new Canvas();
    private final DoubleProperty threshold = new SimpleDoubleProperty(this, "threshold", Double.NaN);
    private final BooleanProperty artifactsBelow = new SimpleBooleanProperty(this, "artifactsBelow", true);
    private final BooleanProperty dark = new SimpleBooleanProperty(this, "dark", false);
    private float[] values = new float[0];
    private double lo = 0;
    private double hi = 1;
    private int[] counts = new int[BINS];
    private DoubleConsumer onThresholdDragged = t -> { };
    private String caption = "";

    public NormHistogram() {
        getStyleClass().add("norm-histogram");
        getChildren().add(canvas);
        setMinHeight(110);
        setPrefHeight(140);
        setPrefWidth(300);
        threshold.addListener((o, a, b) -> draw());
        artifactsBelow.addListener((o, a, b) -> draw());
        dark.addListener((o, a, b) -> draw());
        canvas.setOnMousePressed(this::drag);
        canvas.setOnMouseDragged(this::drag);
        canvas.setOnMouseMoved(e -> canvas.setCursor(Math.abs(e.getX() - valueToX(threshold.get())) < 6
                ? Cursor.H_RESIZE : Cursor.DEFAULT));
    }

    private void drag(MouseEvent e) {
        if (values.length == 0) {
            return;
        }
        double t = xToValue(Math.max(PAD_L, Math.min(getWidth() - PAD_R, e.getX())));
        threshold.set(t);
        onThresholdDragged.accept(t);
        e.consume();
    }

    /** Values to show (the patch tokens' norms) and a caption such as "V norms, block 11". */
    public void setValues(float[] v, String caption) {
        this.values = v == null ? new float[0] : v.clone();
        this.caption = caption == null ? "" : caption;
        double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        for (float f : values) {
            mn = Math.min(mn, f);
            mx = Math.max(mx, f);
        }
        if (values.length == 0) {
            mn = 0;
            mx = 1;
        }
        double pad = Math.max((mx - mn) * 0.05, 1e-6);
        lo = mn - pad;
        hi = mx + pad;
        counts = new int[BINS];
        for (float f : values) {
            counts[bin(f)]++;
        }
        draw();
    }

    int bin(double v) {
        return (int) Math.max(0, Math.min(BINS - 1, Math.floor((v - lo) / (hi - lo) * BINS)));
    }

    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public BooleanProperty artifactsBelowProperty() {
        return artifactsBelow;
    }

    public BooleanProperty darkProperty() {
        return dark;
    }

    /** Called with the threshold under the mouse while the user drags the line. */
    public void setOnThresholdDragged(DoubleConsumer c) {
        onThresholdDragged = c == null ? t -> { } : c;
    }

    /** Horizontal position of a value, in this node's coordinates. */
    public double valueToX(double v) {
        double w = Math.max(1, getWidth() - PAD_L - PAD_R);
        return PAD_L + (v - lo) / (hi - lo) * w;
    }

    public double xToValue(double x) {
        double w = Math.max(1, getWidth() - PAD_L - PAD_R);
        return lo + (x - PAD_L) / w * (hi - lo);
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        draw();
    }

    private void draw() {
        double w = canvas.getWidth(), h = canvas.getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        if (w <= 0 || h <= 0) {
            return;
        }
        boolean dk = dark.get();
        Color text = dk ? Color.web("#c9d1d9") : Color.web("#57606a");
        Color bar = dk ? Color.web("#6e7681") : Color.web("#afb8c1");
        Color artifactBar = Color.web("#e15759");
        Color line = dk ? Color.web("#f0f6fc") : Color.web("#1f2328");
        g.setFont(Font.font(11));
        g.setFill(text);
        g.setTextBaseline(VPos.TOP);
        g.setTextAlign(TextAlignment.LEFT);
        g.fillText(caption, PAD_L, 2);
        if (values.length == 0) {
            g.fillText("no data", PAD_L, h / 2);
            return;
        }
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        double plotH = h - PAD_T - PAD_B;
        double binW = (w - PAD_L - PAD_R) / BINS;
        double t = threshold.get();
        for (int b = 0; b < BINS; b++) {
            if (counts[b] == 0) {
                continue;
            }
            double bh = Math.max(1, counts[b] / (double) max * plotH);
            double centre = lo + (b + 0.5) / BINS * (hi - lo);
            boolean art = Double.isFinite(t) && (artifactsBelow.get() ? centre <= t : centre >= t);
            g.setFill(art ? artifactBar : bar);
            g.fillRect(PAD_L + b * binW + 0.5, PAD_T + plotH - bh, Math.max(1, binW - 1), bh);
        }
        g.setStroke(bar);
        g.setLineWidth(1);
        g.strokeLine(PAD_L, PAD_T + plotH + 0.5, w - PAD_R, PAD_T + plotH + 0.5);
        g.setFill(text);
        g.setTextBaseline(VPos.TOP);
        g.fillText(ItaeSettings.formatNorm(lo), PAD_L, PAD_T + plotH + 3);
        g.setTextAlign(TextAlignment.RIGHT);
        g.fillText(ItaeSettings.formatNorm(hi), w - PAD_R, PAD_T + plotH + 3);
        if (Double.isFinite(t)) {
            double x = Math.round(valueToX(t)) + 0.5;
            g.setStroke(line);
            g.setLineWidth(2);
            g.strokeLine(x, PAD_T - 4, x, PAD_T + plotH);
            g.setFill(line);
            g.fillPolygon(new double[] {x - 5, x + 5, x}, new double[] {PAD_T - 8, PAD_T - 8, PAD_T - 2}, 3);
            g.setTextAlign(x > w / 2 ? TextAlignment.RIGHT : TextAlignment.LEFT);
            g.setTextBaseline(VPos.TOP);
            g.fillText("threshold " + ItaeSettings.formatNorm(t), x + (x > w / 2 ? -8 : 8), PAD_T);
        }
    }
}
