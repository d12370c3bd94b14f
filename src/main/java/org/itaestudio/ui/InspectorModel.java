package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Inspection;
import org.itaestudio.pipeline.StudioEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State of the attention inspector: which image, layer and head are shown, how, and the latest inspection.
 * Every change that needs the model (image, layer, ITAE controls, before/after) goes through one
 * {@link LatestWinsRunner}: ITAE control moves are debounced by {@link MainViewModel#CONTROL_DEBOUNCE}, clicks run at
 * once, and only the newest request ever waits.
 */
final class InspectorModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InspectorModel.class);

    /** One inspection to run. {@code layer} < 0 means the last block. */
    public record Request(Path image, int layer, ItaeSettings.Snapshot itae, boolean before, AnalysisSettings settings) {
    }

    /** An inspection with what produced it. {@code config} is null for the ITAE-off ("before") view. */
    public record Result(Request request, Inspection inspection, int depth, ItaeConfig config, long inspectNanos) {
    }

    private final StudioEngine engine;
    private final ItaeSettings itae;
    private final Supplier<AnalysisSettings> settings;
    private final LatestWinsRunner<Request, Result> runner;
    private final ModelDepths depths;

    private final ObjectProperty<Path> image = new SimpleObjectProperty<>(this, "image");
    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", -1);
    private final ReadOnlyIntegerWrapper depth = new ReadOnlyIntegerWrapper(this, "depth", 0);
    private final IntegerProperty head = new SimpleIntegerProperty(this, "head", -1);
    private final ObjectProperty<ColorMap> colorMap = new SimpleObjectProperty<>(this, "colorMap", ColorMap.INFERNO);
    private final DoubleProperty opacity = new SimpleDoubleProperty(this, "opacity", 0.6);
    private final BooleanProperty showBefore = new SimpleBooleanProperty(this, "showBefore", false);
    private final BooleanProperty showGrid = new SimpleBooleanProperty(this, "showGrid", false);
    private final ReadOnlyObjectWrapper<Result> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ReadOnlyObjectWrapper<Result> lastAfter = new ReadOnlyObjectWrapper<>(this, "lastAfter");
    private final ReadOnlyObjectWrapper<String> error = new ReadOnlyObjectWrapper<>(this, "error");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final DoubleProperty lastLatencyMillis = new SimpleDoubleProperty(this, "lastLatencyMillis", Double.NaN);
    private final ReadOnlyObjectWrapper<int[]> outlined = new ReadOnlyObjectWrapper<>(this, "outlined", new int[0]);
    private final ReadOnlyObjectWrapper<String> artifactSummary = new ReadOnlyObjectWrapper<>(this, "artifactSummary", "");

    private boolean adoptingResult;
    private volatile double lastRenderMillis = Double.NaN;
    private Request lastSubmitted;
    private long pendingSubmitNanos;

    /**
     * @param itae     the ITAE panel's controls (a change re-runs the image, debounced)
     * @param settings the model, device and image size inspections use now
     * @param fx       runs outcomes on the FX thread
     */
    InspectorModel(StudioEngine engine, ItaeSettings itae, Supplier<AnalysisSettings> settings, Executor fx) {
        this(engine, itae, settings, fx, LatestWinsRunner.DelayTimer.daemon("inspect-debounce"));
    }

    /** @param debounce where debounced requests wait (see {@link LatestWinsRunner.DelayTimer}) */
    InspectorModel(StudioEngine engine, ItaeSettings itae, Supplier<AnalysisSettings> settings, Executor fx,
                   LatestWinsRunner.DelayTimer debounce) {
        this.engine = engine;
        this.depths = new ModelDepths(engine);
        this.itae = itae;
        this.settings = settings;
        this.runner = new LatestWinsRunner<>("inspect", MainViewModel.CONTROL_DEBOUNCE, debounce, this::work,
                fx::execute, this::onOutcome);
        for (Observable o : itae.all()) {
            o.addListener(x -> refresh(true));
        }
        layer.addListener((o, a, b) -> {
            if (!adoptingResult) {
                refresh(false);
            }
        });
        showBefore.addListener((o, a, b) -> refresh(false));
    }

    private Result work(Request r) throws Exception {
        AnalysisSettings s = r.settings();
        int d = depths.of(s);
        int l = r.layer() < 0 || r.layer() >= d ? d - 1 : r.layer();
        ItaeConfig cfg = r.before() ? null : r.itae().toConfig(d);
        long t0 = System.nanoTime();
        Inspection ins = engine.inspect(r.image(), s, l, cfg);
        return new Result(r, ins, d, cfg, System.nanoTime() - t0);
    }

    private void onOutcome(LatestWinsRunner.Outcome<Request, Result> o) {
        busy.set(runner.busy());
        if (o.failed()) {
            LOG.warn("inspection of {} failed", o.request().image(), o.error());
            error.set(MainViewModel.oneLine(o.error()));
            return;
        }
        if (!o.request().image().equals(image.get())) {
            return; // an image the user has already left
        }
        Result r = o.result();
        error.set(null);
        adoptingResult = true;
        try {
            depth.set(r.depth());
            if (layer.get() < 0 || layer.get() >= r.depth()) {
                layer.set(r.inspection().layer());
                Request q = o.request();
                if (q.equals(lastSubmitted)) {
                    // "last block" is now known by number: the same request, so no re-run for it
                    lastSubmitted = new Request(q.image(), r.inspection().layer(), q.itae(), q.before(), q.settings());
                }
            }
        } finally {
            adoptingResult = false;
        }
        pendingSubmitNanos = System.nanoTime() - o.submitToPublishNanos();
        Result after = o.request().before() ? lastAfter.get() : r;
        outlined.set(outlinedTokens(r, after));
        artifactSummary.set(artifactSummary(r, outlined.get().length, itae.enabledProperty().get()));
        result.set(r);
        lastAfter.set(after);
        LOG.debug("inspect {} layer {}: work {} ms, submit->publish {} ms", r.request().image().getFileName(),
                r.inspection().layer(), o.workNanos() / 1_000_000, o.submitToPublishNanos() / 1_000_000);
    }

    /** Called by the view once the new result is on screen: logs control-to-heatmap latency. */
    public void renderedAfterSubmit(double renderMillis) {
        if (pendingSubmitNanos == 0 || result.get() == null) {
            return;
        }
        double total = (System.nanoTime() - pendingSubmitNanos) / 1e6;
        pendingSubmitNanos = 0;
        lastLatencyMillis.set(total);
        lastRenderMillis = renderMillis;
        LOG.info(String.format(java.util.Locale.ROOT,
                "control-to-heatmap latency %.1f ms (debounce %d ms, inspect %.1f ms, render %.1f ms)", total,
                MainViewModel.CONTROL_DEBOUNCE.toMillis(), result.get().inspectNanos() / 1e6, renderMillis));
    }

    /** Shows another image (immediately, no debounce). */
    public void inspect(Path file) {
        image.set(file);
        refresh(false, true);
    }

    /** Re-runs the current image; debounced for control drags. */
    public void refresh(boolean debounced) {
        refresh(debounced, false);
    }

    private void refresh(boolean debounced, boolean force) {
        Path img = image.get();
        if (img == null) {
            return;
        }
        Request r = new Request(img, layer.get(), itae.snapshot(), showBefore.get(), settings.get());
        if (!force && r.equals(lastSubmitted)) {
            return; // nothing that affects the result changed (e.g. the threshold moved while Auto is on)
        }
        lastSubmitted = r;
        busy.set(true);
        if (debounced) {
            runner.submit(r);
        } else {
            runner.submitNow(r);
        }
    }

    public void clear() {
        lastSubmitted = null;
        image.set(null);
        outlined.set(new int[0]);
        artifactSummary.set("");
        result.set(null);
        lastAfter.set(null);
        error.set(null);
    }

    /**
     * The artifact patches to outline: the result's own, or for an ITAE-off result those of the ITAE-on run of the
     * same image and block (drawn dashed: what ITAE would attenuate).
     */
    static int[] outlinedTokens(Result r, Result lastAfter) {
        if (r.config() != null) {
            return r.inspection().probe().artifacts();
        }
        if (lastAfter != null && lastAfter.inspection().image().equals(r.inspection().image())
                && lastAfter.inspection().layer() == r.inspection().layer()) {
            return lastAfter.inspection().probe().artifacts();
        }
        return new int[0];
    }

    /** The sentence under "Artifact tokens": how many patches are artifacts, and by which rule. */
    static String artifactSummary(Result r, int outlinedCount, boolean itaeEnabled) {
        Inspection ins = r.inspection();
        ItaeConfig cfg = r.config();
        if (cfg == null) {
            return itaeEnabled
                    ? "ITAE off: the plain model. Dashed outlines: the " + outlinedCount + " tokens ITAE would attenuate."
                    : "ITAE is disabled in the panel.";
        }
        if (!cfg.resolveLayers(r.depth()).contains(ins.layer())) {
            return "ITAE acts on " + describeLayers(cfg, r.depth()) + "; block " + ins.layer()
                    + " is not changed. Pick an ITAE block to see its artifacts.";
        }
        double t = ins.probe().threshold().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%d of %d patch tokens are artifacts (%s %s %s%s)", outlinedCount,
                ins.gridH() * ins.gridW(), cfg.component(), cfg.direction() == ItaeConfig.Direction.BELOW ? "\u2264" : "\u2265",
                ItaeSettings.formatNorm(t), cfg.autoThreshold() ? ", auto" : "");
    }

    private static String describeLayers(ItaeConfig cfg, int depth) {
        var l = cfg.resolveLayers(depth);
        return l.size() == 1 ? "block " + l.first() : "blocks " + l.first() + "\u2013" + l.last();
    }

    /** Artifact patch indices the image is outlined with (see {@link #outlinedTokens}). */
    public ReadOnlyObjectProperty<int[]> outlinedProperty() {
        return outlined.getReadOnlyProperty();
    }

    /** Whether the outlines are a preview of what ITAE would do (the result is the ITAE-off view): drawn dashed. */
    public boolean outlinesArePreview() {
        return result.get() != null && result.get().config() == null;
    }

    public ReadOnlyObjectProperty<String> artifactSummaryProperty() {
        return artifactSummary.getReadOnlyProperty();
    }

    public ObjectProperty<Path> imageProperty() {
        return image;
    }

    /** Block shown; -1 until the model's depth is known (then the last block). */
    public IntegerProperty layerProperty() {
        return layer;
    }

    public ReadOnlyIntegerProperty depthProperty() {
        return depth.getReadOnlyProperty();
    }

    /** Head shown large: -1 for the mean over heads. */
    public IntegerProperty headProperty() {
        return head;
    }

    public ObjectProperty<ColorMap> colorMapProperty() {
        return colorMap;
    }

    public DoubleProperty opacityProperty() {
        return opacity;
    }

    /** Shows the plain model (ITAE off) instead of the ITAE result. */
    public BooleanProperty showBeforeProperty() {
        return showBefore;
    }

    public BooleanProperty showGridProperty() {
        return showGrid;
    }

    public ReadOnlyObjectProperty<Result> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** The newest ITAE-on result (its artifacts are drawn dashed in the "before" view). */
    public ReadOnlyObjectProperty<Result> lastAfterProperty() {
        return lastAfter.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<String> errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public DoubleProperty lastLatencyMillisProperty() {
        return lastLatencyMillis;
    }

    /** Milliseconds the view took to draw the last result (heatmap, small multiples, histogram). */
    public double lastRenderMillis() {
        return lastRenderMillis;
    }

    void load(StudioPreferences p) {
        colorMap.set(p.getEnum("inspector.colormap", ColorMap.class));
        opacity.set(Math.max(0, Math.min(1, p.getDouble("inspector.opacity"))));
    }

    void save(StudioPreferences p) {
        p.put("inspector.colormap", colorMap.get().name());
        p.putDouble("inspector.opacity", opacity.get());
    }

    @Override
    public void close() {
        runner.close();
    }
}
