package org.itaestudio.ui;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.application.Platform;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelBuffer;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;

/**
 * A scatter plot of the map (t-SNE/PCA) coloured by cluster, for tens of thousands of points: the points are
 * rasterised into one int[] pixel buffer shown through a {@link PixelBuffer} (no Node per point), and a small
 * overlay Canvas draws the hover ring, focus and the selection shape. A {@link PointIndex} answers hover, click,
 * box and lasso queries.
 *
 * <p>Mouse: wheel zooms about the cursor; drag pans (PAN mode); Shift+drag or BOX mode selects a box; Alt+drag or
 * LASSO mode draws a lasso; a click picks the nearest point (within {@link #PICK_RADIUS_PX}) or clears the
 * selection.
 */
final class MapCanvas extends Region {

    public enum Mode { PAN, BOX, LASSO }

    public static final double PICK_RADIUS_PX = 8;

    private final ImageView raster = new ImageView();
    private final Canvas overlay = new Canvas();
    private final ReadOnlyIntegerWrapper hovered = new ReadOnlyIntegerWrapper(this, "hovered", -1);
    private final IntegerProperty focused = new SimpleIntegerProperty(this, "focusedPoint", -1);
    private final ObjectProperty<int[]> selection = new SimpleObjectProperty<>(this, "selection", new int[0]);
    private final ObjectProperty<Mode> mode = new SimpleObjectProperty<>(this, "mode", Mode.PAN);
    private final ObjectProperty<Color> background = new SimpleObjectProperty<>(this, "plotBackground", Color.WHITE);

    private double[] xs = new double[0];
    private double[] ys = new double[0];
    private int[] labels = new int[0];
    private int[] colours = new int[0]; // per point, from ClusterPalette (computed when labels change)
    private int noiseCluster = -1; // drawn grey, like labels below 0
    private boolean[] highlight; // drawn with a ring (e.g. "changed cluster"), may be null
    private boolean[] selectedMask = new boolean[0];
    private PointIndex index = new PointIndex(new double[0], new double[0]);

    private double scale = 1;
    private double tx;
    private double ty;
    private boolean fitted;
    private boolean fitPending;

    private int[] pixels = new int[0];
    /** Logical size of the view the buffer was made for. */
    private int bufW;
    private int bufH;
    /** Device pixels per logical pixel (2 on a HiDPI screen): the buffer has bufW x pixelScale columns. */
    private double pixelScale = 1;
    /** The window's render scale (HiDPI), 1 while the canvas is in no window. */
    private final javafx.beans.value.ObservableValue<Double> renderScale = sceneProperty()
            .flatMap(javafx.scene.Scene::windowProperty)
            .flatMap(javafx.stage.Window::renderScaleXProperty)
            .map(s -> Math.max(1, s.doubleValue()))
            .orElse(1.0);
    private PixelBuffer<IntBuffer> pixelBuffer;
    private boolean renderQueued;
    private long lastFrameNanos;

    // gesture state
    private double pressX;
    private double pressY;
    private double lastX;
    private double lastY;
    private Mode gesture;
    private double[] lassoX = new double[0];
    private double[] lassoY = new double[0];
    private int lassoN;
    private boolean dragged;

    public MapCanvas() {
        getStyleClass().add("map-canvas");
        raster.setManaged(false);
        raster.setSmooth(false);
        overlay.setManaged(false);
        overlay.setMouseTransparent(true);
        getChildren().addAll(raster, overlay);
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        setClip(clip);
        setMinSize(100, 100);
        setPrefSize(800, 600);
        setFocusTraversable(true);
        // a new render scale (the window moved to a HiDPI screen) means a new buffer: layoutChildren compares it
        renderScale.addListener(o -> requestLayout());

        background.addListener((o, a, b) -> requestRender());
        selection.addListener((o, a, b) -> {
            selectedMask = new boolean[xs.length];
            for (int i : b) {
                if (i >= 0 && i < selectedMask.length) {
                    selectedMask[i] = true;
                }
            }
            requestRender();
        });
        focused.addListener((o, a, b) -> drawOverlay());
        hovered.addListener((o, a, b) -> drawOverlay());

        addEventHandler(ScrollEvent.SCROLL, this::onScroll);
        addEventHandler(MouseEvent.MOUSE_PRESSED, this::onPressed);
        addEventHandler(MouseEvent.MOUSE_DRAGGED, this::onDragged);
        addEventHandler(MouseEvent.MOUSE_RELEASED, this::onReleased);
        addEventHandler(MouseEvent.MOUSE_MOVED, e -> hovered.set(pick(e.getX(), e.getY())));
        addEventHandler(MouseEvent.MOUSE_EXITED, e -> hovered.set(-1));
    }

    // ---------------------------------------------------------------- data

    /**
     * Shows a new point set. {@code coords} is [n][2]; labels colour the points through {@link ClusterPalette}.
     * Keeps the current view unless {@code refit}.
     */
    public void setData(double[][] coords, int[] labels, boolean refit) {
        setData(coords, labels, -1, refit);
    }

    /** As {@link #setData(double[][], int[], boolean)}, with the cluster number drawn grey as "Unclustered" (or -1). */
    public void setData(double[][] coords, int[] labels, int noiseCluster, boolean refit) {
        int n = coords.length;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = coords[i][0];
            y[i] = coords[i][1];
        }
        setData(x, y, labels, noiseCluster, refit);
    }

    public void setData(double[] x, double[] y, int[] labels, boolean refit) {
        setData(x, y, labels, -1, refit);
    }

    public void setData(double[] x, double[] y, int[] labels, int noiseCluster, boolean refit) {
        if (x.length != y.length || x.length != labels.length) {
            throw new IllegalArgumentException("map data: " + x.length + " x, " + y.length + " y, " + labels.length + " labels");
        }
        this.xs = x.clone();
        this.ys = y.clone();
        this.labels = labels.clone();
        this.noiseCluster = noiseCluster;
        this.colours = coloursOf(this.labels, noiseCluster);
        this.index = new PointIndex(xs, ys);
        this.highlight = null;
        this.selectedMask = new boolean[xs.length];
        hovered.set(-1);
        if (focused.get() >= xs.length) {
            focused.set(-1);
        }
        selection.set(new int[0]);
        if (refit || !fitted) {
            if (getWidth() > 0 && getHeight() > 0) {
                fit();
            } else {
                fitPending = true; // fit once the real size is known
            }
        }
        requestRender();
    }

    /** New colours for the same points (a renamed/moved cluster, a different labelling). */
    public void setLabels(int[] newLabels) {
        setLabels(newLabels, -1);
    }

    /** New colours, with the cluster number drawn grey as "Unclustered" (or -1). */
    public void setLabels(int[] newLabels, int noiseCluster) {
        if (newLabels.length != xs.length) {
            throw new IllegalArgumentException("labels for " + newLabels.length + " points, map has " + xs.length);
        }
        this.labels = newLabels.clone();
        this.noiseCluster = noiseCluster;
        this.colours = coloursOf(this.labels, noiseCluster);
        requestRender();
    }

    private static int[] coloursOf(int[] labels, int noiseCluster) {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        int[] lut = new int[max + 1];
        for (int c = 0; c <= max; c++) {
            lut[c] = ClusterPalette.argb(c, noiseCluster);
        }
        int[] out = new int[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[i] < 0 ? ClusterPalette.argb(-1, noiseCluster) : lut[labels[i]];
        }
        return out;
    }

    /** Points to draw with a ring on top (null: none). */
    public void setHighlight(boolean[] mask) {
        this.highlight = mask == null ? null : mask.clone();
        requestRender();
    }

    /** The cluster number drawn grey as "Unclustered", or -1. */
    public int noiseCluster() {
        return noiseCluster;
    }

    public int pointCount() {
        return xs.length;
    }

    public PointIndex index() {
        return index;
    }

    // ---------------------------------------------------------------- view transform

    public double toScreenX(double x) {
        return tx + x * scale;
    }

    public double toScreenY(double y) {
        return ty - y * scale;
    }

    public double toDataX(double sx) {
        return (sx - tx) / scale;
    }

    public double toDataY(double sy) {
        return (ty - sy) / scale;
    }

    public double scale() {
        return scale;
    }

    /** Fits every point into the view with a margin (Ctrl+F). */
    public void fit() {
        double w = viewWidth();
        double h = viewHeight();
        if (xs.length == 0) {
            scale = 1;
            tx = w / 2;
            ty = h / 2;
            requestRender();
            return;
        }
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < xs.length; i++) {
            x0 = Math.min(x0, xs[i]);
            x1 = Math.max(x1, xs[i]);
            y0 = Math.min(y0, ys[i]);
            y1 = Math.max(y1, ys[i]);
        }
        double margin = 24;
        double dx = Math.max(x1 - x0, 1e-9);
        double dy = Math.max(y1 - y0, 1e-9);
        scale = Math.min((w - 2 * margin) / dx, (h - 2 * margin) / dy);
        if (!(scale > 0) || Double.isInfinite(scale)) {
            scale = 1;
        }
        tx = w / 2 - (x0 + x1) / 2 * scale;
        ty = h / 2 + (y0 + y1) / 2 * scale;
        fitted = w > 0 && h > 0;
        requestRender();
    }

    /** Zooms by {@code factor} keeping the data point under (sx, sy) fixed. */
    public void zoom(double factor, double sx, double sy) {
        double dx = toDataX(sx);
        double dy = toDataY(sy);
        scale = Math.max(1e-9, scale * factor);
        tx = sx - dx * scale;
        ty = sy + dy * scale;
        requestRender();
    }

    public void pan(double dxPx, double dyPx) {
        tx += dxPx;
        ty += dyPx;
        requestRender();
    }

    private double viewWidth() {
        return getWidth() > 0 ? getWidth() : getPrefWidth();
    }

    private double viewHeight() {
        return getHeight() > 0 ? getHeight() : getPrefHeight();
    }

    // ---------------------------------------------------------------- queries

    /** The point under a screen position (within {@link #PICK_RADIUS_PX}), or -1. */
    public int pick(double sx, double sy) {
        if (xs.length == 0) {
            return -1;
        }
        return index.nearest(toDataX(sx), toDataY(sy), PICK_RADIUS_PX / scale);
    }

    /** Points inside a screen rectangle. */
    public int[] pickRect(double sx0, double sy0, double sx1, double sy1) {
        return index.inRect(toDataX(sx0), toDataY(sy0), toDataX(sx1), toDataY(sy1));
    }

    /** Points inside a screen polygon. */
    public int[] pickPolygon(double[] sx, double[] sy, int n) {
        double[] dx = new double[n];
        double[] dy = new double[n];
        for (int i = 0; i < n; i++) {
            dx[i] = toDataX(sx[i]);
            dy[i] = toDataY(sy[i]);
        }
        return index.inPolygon(dx, dy);
    }

    // ---------------------------------------------------------------- properties

    public ReadOnlyIntegerProperty hoveredProperty() {
        return hovered.getReadOnlyProperty();
    }

    /** The clicked point (the one being inspected), -1 for none. */
    public IntegerProperty focusedPointProperty() {
        return focused;
    }

    /** Selected points (box/lasso/legend), ascending indices. */
    public ObjectProperty<int[]> selectionProperty() {
        return selection;
    }

    public ObjectProperty<Mode> modeProperty() {
        return mode;
    }

    public ObjectProperty<Color> plotBackgroundProperty() {
        return background;
    }

    /** Milliseconds of the last rasterisation (all points into the pixel buffer, and the buffer update). */
    public double lastFrameMillis() {
        return lastFrameNanos / 1e6;
    }

    // ---------------------------------------------------------------- mouse

    private void onScroll(ScrollEvent e) {
        double f = Math.exp(e.getDeltaY() * 0.0025);
        zoom(f, e.getX(), e.getY());
        e.consume();
    }

    private void onPressed(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY) {
            return;
        }
        requestFocus();
        pressX = lastX = e.getX();
        pressY = lastY = e.getY();
        dragged = false;
        if (e.isShiftDown() || mode.get() == Mode.BOX) {
            gesture = Mode.BOX;
        } else if (e.isAltDown() || mode.get() == Mode.LASSO) {
            gesture = Mode.LASSO;
            lassoN = 0;
            addLassoPoint(e.getX(), e.getY());
        } else {
            gesture = Mode.PAN;
        }
    }

    private void onDragged(MouseEvent e) {
        if (gesture == null) {
            return;
        }
        if (Math.hypot(e.getX() - pressX, e.getY() - pressY) > 3) {
            dragged = true;
        }
        switch (gesture) {
            case PAN -> {
                pan(e.getX() - lastX, e.getY() - lastY);
                setCursor(javafx.scene.Cursor.CLOSED_HAND);
            }
            case LASSO -> addLassoPoint(e.getX(), e.getY());
            case BOX -> { }
        }
        lastX = e.getX();
        lastY = e.getY();
        drawOverlay();
    }

    private void onReleased(MouseEvent e) {
        if (gesture == null) {
            return;
        }
        Mode g = gesture;
        gesture = null;
        setCursor(null);
        if (!dragged) {
            int p = pick(e.getX(), e.getY());
            if (p >= 0) {
                focused.set(p);
            } else {
                selection.set(new int[0]);
            }
        } else if (g == Mode.BOX) {
            selection.set(pickRect(pressX, pressY, e.getX(), e.getY()));
        } else if (g == Mode.LASSO) {
            addLassoPoint(e.getX(), e.getY());
            selection.set(pickPolygon(lassoX, lassoY, lassoN));
        }
        lassoN = 0;
        drawOverlay();
    }

    private void addLassoPoint(double x, double y) {
        if (lassoN == lassoX.length) {
            lassoX = Arrays.copyOf(lassoX, Math.max(64, lassoN * 2));
            lassoY = Arrays.copyOf(lassoY, Math.max(64, lassoN * 2));
        }
        lassoX[lassoN] = x;
        lassoY[lassoN] = y;
        lassoN++;
    }

    // ---------------------------------------------------------------- drawing

    @Override
    protected void layoutChildren() {
        int w = (int) Math.ceil(getWidth());
        int h = (int) Math.ceil(getHeight());
        double scale = renderScale.getValue();
        if (w > 0 && h > 0 && (w != bufW || h != bufH || scale != pixelScale)) {
            if (!fitted || fitPending) {
                fitPending = false;
                fit();
            } else if (bufW > 0 && bufH > 0) {
                // keep the centre where it was when the view resizes
                tx += (w - bufW) / 2.0;
                ty += (h - bufH) / 2.0;
            }
            allocate(w, h, scale);
            renderNow();
        }
    }

    /** The buffer gets one cell per device pixel, so points stay sharp on HiDPI screens; the view shows it at w x h. */
    private void allocate(int w, int h, double scale) {
        bufW = w;
        bufH = h;
        pixelScale = scale;
        int dw = (int) Math.ceil(w * scale);
        int dh = (int) Math.ceil(h * scale);
        pixels = new int[dw * dh];
        pixelBuffer = new PixelBuffer<>(dw, dh, IntBuffer.wrap(pixels), PixelFormat.getIntArgbPreInstance());
        raster.setImage(new WritableImage(pixelBuffer));
        raster.setFitWidth(w);
        raster.setFitHeight(h);
        raster.relocate(0, 0);
        overlay.setWidth(w);
        overlay.setHeight(h);
        overlay.relocate(0, 0);
    }

    /** Coalesces redraws into one per pulse. */
    public void requestRender() {
        if (renderQueued) {
            return;
        }
        renderQueued = true;
        Platform.runLater(() -> {
            renderQueued = false;
            renderNow();
        });
    }

    /** Rasterises every point now (FX thread). */
    public void renderNow() {
        if (pixelBuffer == null) {
            return;
        }
        long t0 = System.nanoTime();
        rasterise(pixels, pixelBuffer.getWidth(), pixelBuffer.getHeight(), pixelScale);
        pixelBuffer.updateBuffer(b -> null);
        lastFrameNanos = System.nanoTime() - t0;
        drawOverlay();
    }

    /** Draws all points into an opaque ARGB buffer. Package-private so tests and the benchmark can call it. */
    void rasterise(int[] px, int w, int h) {
        rasterise(px, w, h, 1);
    }

    /**
     * Draws all points into an opaque ARGB buffer of {@code w x h} device pixels, {@code dpr} device pixels per
     * logical pixel (view coordinates, point sizes and rings are logical and scaled here).
     */
    void rasterise(int[] px, int w, int h, double dpr) {
        Color bg = background.get();
        int bgArgb = 0xFF000000 | ((int) Math.round(bg.getRed() * 255) << 16)
                | ((int) Math.round(bg.getGreen() * 255) << 8) | (int) Math.round(bg.getBlue() * 255);
        Arrays.fill(px, 0, w * h, bgArgb);
        int n = xs.length;
        if (n == 0) {
            return;
        }
        if (n >= BINNED_FROM && rasteriseBinned(px, w, h, dpr, bgArgb)) {
            return;
        }
        lastFrameBinned = false;
        double radius = pointRadius(n) * dpr;
        Sprite sprite = Sprite.disc(radius);
        int[] offsets = sprite.offsets(w);
        boolean anySelected = false;
        for (boolean b : selectedMask) {
            if (b) {
                anySelected = true;
                break;
            }
        }
        // pass 1: everything (dimmed when a selection exists); pass 2: selected and highlighted on top
        int[] base = sprite.weights(anySelected ? 0.18 : 0.85);
        int[] full = sprite.weights(1.0);
        double s = scale * dpr;
        double ox = tx * dpr;
        double oy = ty * dpr;
        for (int i = 0; i < n; i++) {
            if (anySelected && selectedMask[i]) {
                continue;
            }
            stamp(px, w, h, sprite, base, offsets, ox + xs[i] * s, oy - ys[i] * s, colours[i]);
        }
        if (anySelected) {
            for (int i = 0; i < n; i++) {
                if (selectedMask[i]) {
                    stamp(px, w, h, sprite, full, offsets, ox + xs[i] * s, oy - ys[i] * s, colours[i]);
                }
            }
        }
        if (highlight != null) {
            Sprite ring = Sprite.ring(radius + 2.5 * dpr, 1.3 * dpr);
            int[] ringW = ring.weights(0.9);
            int[] ringO = ring.offsets(w);
            int ringColour = luminance(bgArgb) > 0.5 ? 0xFF202020 : 0xFFF0F0F0;
            for (int i = 0; i < n; i++) {
                if (highlight[i]) {
                    double sx = ox + xs[i] * s, sy = oy - ys[i] * s;
                    stamp(px, w, h, ring, ringW, ringO, sx, sy, ringColour);
                    stamp(px, w, h, sprite, full, offsets, sx, sy, colours[i]);
                }
            }
        }
    }

    /** From this many points on, frames are drawn from per-pixel bins whenever that many are in view. */
    static final int BINNED_FROM = 200_000;

    private int[] binCount = new int[0];
    private int[] binColour = new int[0];
    private int[] binSelCount = new int[0];
    private int[] binSelColour = new int[0];
    private boolean lastFrameBinned;

    /** Whether the last frame was drawn from pixel bins (many points in view) rather than one dot per point. */
    boolean lastFrameBinned() {
        return lastFrameBinned;
    }

    /**
     * Large maps: each (logical) pixel collects the points that fall in it (count and the colour of the last one, as
     * painting dot over dot would show), then each occupied pixel is drawn once as a small disc whose opacity grows
     * with its count. The cost is one pass over the points plus one small stamp per occupied pixel, however many points
     * share it; zoomed in until fewer than {@link #BINNED_FROM} points are in view, it returns false and the points are
     * drawn one by one. Selected points go to their own bins, drawn on top at full strength.
     */
    private boolean rasteriseBinned(int[] px, int w, int h, double dpr, int bgArgb) {
        // bins are logical pixels: on a HiDPI screen a bin covers dpr x dpr device pixels, so the cost stays that of scale 1
        int bw = (int) Math.ceil(w / dpr), bh = (int) Math.ceil(h / dpr);
        int n = xs.length, size = bw * bh;
        if (binCount.length < size) {
            binCount = new int[size];
            binColour = new int[size];
            binSelCount = new int[size];
            binSelColour = new int[size];
        }
        int[] count = binCount, colour = binColour, selCount = binSelCount, selColour = binSelColour;
        Arrays.fill(count, 0, size, 0);
        boolean anySelected = false;
        for (boolean b : selectedMask) {
            if (b) {
                anySelected = true;
                break;
            }
        }
        if (anySelected) {
            Arrays.fill(selCount, 0, size, 0);
        }
        int visible = 0;
        for (int i = 0; i < n; i++) {
            double fx = tx + xs[i] * scale, fy = ty - ys[i] * scale;
            if (!(fx >= 0 && fy >= 0 && fx < bw && fy < bh)) {
                continue;
            }
            int idx = (int) fy * bw + (int) fx;
            visible++;
            if (anySelected && selectedMask[i]) {
                selCount[idx]++;
                selColour[idx] = colours[i];
            } else {
                count[idx]++;
                colour[idx] = colours[i];
            }
        }
        if (visible < BINNED_FROM) {
            lastFrameBinned = false;
            return false;
        }
        lastFrameBinned = true;
        Sprite sprite = Sprite.disc(BIN_RADIUS * dpr);
        int[] offsets = sprite.offsets(w);
        // opacity by count: 1 - (1 - a)^count for a per-point opacity a, in 16 steps of weights
        double a = anySelected ? 0.12 : 0.45;
        int[][] byCount = new int[BIN_LEVELS][];
        for (int c = 1; c < BIN_LEVELS; c++) {
            byCount[c] = sprite.weights(1 - Math.pow(1 - a, c));
        }
        int[][] selByCount = new int[BIN_LEVELS][];
        if (anySelected) {
            for (int c = 1; c < BIN_LEVELS; c++) {
                selByCount[c] = sprite.weights(1 - Math.pow(1 - 0.6, c));
            }
        }
        for (int idx = 0; idx < size; idx++) {
            int c = count[idx];
            if (c > 0) {
                stamp(px, w, h, sprite, byCount[Math.min(c, BIN_LEVELS - 1)], offsets, (idx % bw + 0.5) * dpr,
                        (idx / bw + 0.5) * dpr, colour[idx]);
            }
        }
        if (anySelected) {
            for (int idx = 0; idx < size; idx++) {
                int c = selCount[idx];
                if (c > 0) {
                    stamp(px, w, h, sprite, selByCount[Math.min(c, BIN_LEVELS - 1)], offsets, (idx % bw + 0.5) * dpr,
                            (idx / bw + 0.5) * dpr, selColour[idx]);
                }
            }
        }
        if (highlight != null) {
            Sprite ring = Sprite.ring(BIN_RADIUS * dpr + 2.5 * dpr, 1.3 * dpr);
            int[] ringW = ring.weights(0.9);
            int[] ringO = ring.offsets(w);
            int ringColour = luminance(bgArgb) > 0.5 ? 0xFF202020 : 0xFFF0F0F0;
            for (int i = 0; i < n; i++) {
                if (highlight[i]) {
                    stamp(px, w, h, ring, ringW, ringO, (tx + xs[i] * scale) * dpr, (ty - ys[i] * scale) * dpr, ringColour);
                }
            }
        }
        return true;
    }

    /** Radius (logical pixels) of a pixel bin's disc: a bin is drawn a little larger than its pixel so sparse areas stay visible. */
    private static final double BIN_RADIUS = 1.0;
    private static final int BIN_LEVELS = 16;

    private static double luminance(int argb) {
        return (0.2126 * ((argb >> 16) & 0xFF) + 0.7152 * ((argb >> 8) & 0xFF) + 0.0722 * (argb & 0xFF)) / 255;
    }

    /** Smaller dots for denser maps. */
    static double pointRadius(int n) {
        if (n <= 300) {
            return 6.0;
        }
        if (n <= 2_000) {
            return 4.0;
        }
        if (n <= 10_000) {
            return 3.0;
        }
        return 2.2;
    }

    /**
     * Blends one sprite into the buffer. {@code weights} are the sprite's non-zero cells' coverage x alpha in
     * 1/256 units (precomputed per pass); inside the buffer the cells are addressed by precomputed offsets.
     */
    private static void stamp(int[] px, int w, int h, Sprite s, int[] weights, int[] offsets, double cx, double cy,
                              int argb) {
        int x0 = (int) Math.floor(cx) - s.half;
        int y0 = (int) Math.floor(cy) - s.half;
        if (x0 + s.size <= 0 || y0 + s.size <= 0 || x0 >= w || y0 >= h) {
            return;
        }
        int sr = (argb >> 16) & 0xFF, sg = (argb >> 8) & 0xFF, sb = argb & 0xFF;
        boolean inside = x0 >= 0 && y0 >= 0 && x0 + s.size <= w && y0 + s.size <= h;
        int base = y0 * w + x0;
        for (int k = 0; k < weights.length; k++) {
            int idx;
            if (inside) {
                idx = base + offsets[k];
            } else {
                int x = x0 + s.cellX[k], y = y0 + s.cellY[k];
                if (x < 0 || y < 0 || x >= w || y >= h) {
                    continue;
                }
                idx = y * w + x;
            }
            int a = weights[k];
            int d = px[idx];
            int dr = (d >> 16) & 0xFF, dg = (d >> 8) & 0xFF, db = d & 0xFF;
            dr += ((sr - dr) * a) >> 8;
            dg += ((sg - dg) * a) >> 8;
            db += ((sb - db) * a) >> 8;
            px[idx] = 0xFF000000 | (dr << 16) | (dg << 8) | db;
        }
    }

    /** Anti-aliased coverage masks, cached by size; only the non-zero cells are kept. */
    private static final class Sprite {
        final int size;
        final int half;
        final int[] cellX;
        final int[] cellY;
        final float[] coverage;
        private static final java.util.Map<String, Sprite> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        private Sprite(int size, int[] cellX, int[] cellY, float[] coverage) {
            this.size = size;
            this.half = size / 2;
            this.cellX = cellX;
            this.cellY = cellY;
            this.coverage = coverage;
        }

        static Sprite disc(double r) {
            return CACHE.computeIfAbsent("d" + r, k -> build(r, -1));
        }

        static Sprite ring(double r, double width) {
            return CACHE.computeIfAbsent("r" + r + "/" + width, k -> build(r, width));
        }

        /** Coverage x alpha in 1/256 units, per non-zero cell. */
        int[] weights(double alpha) {
            int[] wts = new int[coverage.length];
            for (int k = 0; k < wts.length; k++) {
                wts[k] = (int) (coverage[k] * alpha * 256);
            }
            return wts;
        }

        /** Buffer offsets of the cells for a buffer {@code width} pixels wide. */
        int[] offsets(int width) {
            int[] o = new int[cellX.length];
            for (int k = 0; k < o.length; k++) {
                o[k] = cellY[k] * width + cellX[k];
            }
            return o;
        }

        private static Sprite build(double r, double ringWidth) {
            int size = 2 * (int) Math.ceil(r + 1) + 1;
            double c = size / 2; // the point sits at the centre pixel
            List<float[]> cells = new ArrayList<>();
            for (int j = 0; j < size; j++) {
                for (int i = 0; i < size; i++) {
                    double d = Math.hypot(i - c, j - c);
                    double inside = clamp01(r + 0.5 - d);
                    if (ringWidth > 0) {
                        inside = Math.min(inside, clamp01(d - (r - ringWidth) + 0.5));
                    }
                    if (inside > 0) {
                        cells.add(new float[] {i, j, (float) inside});
                    }
                }
            }
            int[] xs = new int[cells.size()], ys = new int[cells.size()];
            float[] cov = new float[cells.size()];
            for (int k = 0; k < cov.length; k++) {
                xs[k] = (int) cells.get(k)[0];
                ys[k] = (int) cells.get(k)[1];
                cov[k] = cells.get(k)[2];
            }
            return new Sprite(size, xs, ys, cov);
        }

        private static double clamp01(double v) {
            return v < 0 ? 0 : Math.min(1, v);
        }
    }

    private void drawOverlay() {
        GraphicsContext g = overlay.getGraphicsContext2D();
        g.clearRect(0, 0, overlay.getWidth(), overlay.getHeight());
        boolean dark = background.get().getBrightness() < 0.5;
        Color ink = dark ? Color.web("#f0f3f6") : Color.web("#1f2328");
        double r = pointRadius(xs.length);
        int f = focused.get();
        if (f >= 0 && f < xs.length) {
            g.setStroke(ink);
            g.setLineWidth(2);
            g.strokeOval(toScreenX(xs[f]) - r - 4, toScreenY(ys[f]) - r - 4, 2 * r + 8, 2 * r + 8);
        }
        int hv = hovered.get();
        if (hv >= 0 && hv < xs.length) {
            g.setStroke(ink.deriveColor(0, 1, 1, 0.7));
            g.setLineWidth(1.5);
            g.strokeOval(toScreenX(xs[hv]) - r - 3, toScreenY(ys[hv]) - r - 3, 2 * r + 6, 2 * r + 6);
        }
        if (gesture == Mode.BOX && dragged) {
            g.setFill(Color.web("#0969da", 0.12));
            g.setStroke(Color.web("#0969da"));
            g.setLineWidth(1);
            double x = Math.min(pressX, lastX), y = Math.min(pressY, lastY);
            g.fillRect(x, y, Math.abs(lastX - pressX), Math.abs(lastY - pressY));
            g.strokeRect(x, y, Math.abs(lastX - pressX), Math.abs(lastY - pressY));
        } else if (gesture == Mode.LASSO && lassoN > 1) {
            g.setFill(Color.web("#0969da", 0.12));
            g.setStroke(Color.web("#0969da"));
            g.setLineWidth(1.2);
            g.fillPolygon(lassoX, lassoY, lassoN);
            g.strokePolyline(lassoX, lassoY, lassoN);
        }
    }
}
