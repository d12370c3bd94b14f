package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.value.ObservableIntegerValue;
import javafx.beans.value.ObservableValue;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeuronSelection;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Inspection;
import org.itaestudio.pipeline.StudioEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inspector's evidence for picking an artifact fix, for the inspected image: the token norm map of one block
 * (the L2 norm of every patch token at the block's output, plain model: the quantity test-time registers detect),
 * its outlier tokens and the appended registers' norms apart; and the same block's CLS attention under each fix
 * side by side (no fix, ITAE with the panel's settings, test-time registers and both when calibrated).
 *
 * <p>One background job per image and block runs one inspection per fix through a {@link LatestWinsRunner} (only the
 * newest request waits; ITAE control drags are debounced), and only while {@link #activeProperty} is on. The norm
 * block and the head only re-derive from the last result: every block's norms come with the plain inspection.
 */
final class SideBySideModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SideBySideModel.class);

    /** Shown instead of the test-time-register map while no neurons are calibrated. */
    static final String CALIBRATE_HINT = "Calibrate test-time registers to compare";

    /**
     * One comparison to run. {@code layer} < 0 means the last block (until the depth is known).
     *
     * @param neurons   the calibrated register neurons, or null (then only no fix and ITAE run)
     * @param registers the test-time registers made from them, or null
     * @param settings  the plain model's settings (no ITAE, no registers: each fix adds its own)
     */
    record Request(Path image, int layer, ItaeSettings.Snapshot itae, RegisterNeurons neurons,
                   TestTimeRegisters registers, AnalysisSettings settings) {
    }

    /** The inspections of one request, by fix ({@code TTR} and {@code BOTH} only with neurons). */
    record Result(Request request, int depth, int layer, ItaeConfig itae, Map<ArtifactFixModel.Fix, Inspection> byFix) {

        Inspection plain() {
            return byFix.get(ArtifactFixModel.Fix.NONE);
        }
    }

    /**
     * One small heatmap of the side-by-side.
     *
     * @param attention   [head][patch] CLS attention of the block, or null when {@code placeholder} is shown instead
     * @param placeholder why there is no map (e.g. {@link #CALIBRATE_HINT}), or null
     */
    record Panel(ArtifactFixModel.Fix fix, String title, float[][] attention, String placeholder) {
    }

    /**
     * The token norm map of one block.
     *
     * @param patchNorms    [patch] L2 norms of the patch tokens at the block's output (plain model), row-major
     * @param threshold     outliers are patches with a norm above it
     * @param thresholdRule where the threshold comes from, in words
     * @param outliers      ascending patch indices above the threshold
     * @param registerNorms [r] norms of the appended test-time registers at the same block, or null without them
     */
    record NormMap(int layer, int gridH, int gridW, float[] patchNorms, float min, float max, double threshold,
                   String thresholdRule, int[] outliers, float[] registerNorms) {
    }

    private final StudioEngine engine;
    private final ObservableValue<Path> image;
    private final ObservableIntegerValue layer;
    private final ItaeSettings itae;
    private final ObservableValue<RegisterNeurons> neurons;
    private final Function<RegisterNeurons, TestTimeRegisters> registers;
    private final Supplier<AnalysisSettings> settings;
    private final LatestWinsRunner<Request, Result> runner;
    private final ModelDepths depths;

    private final BooleanProperty active = new SimpleBooleanProperty(this, "active", false);
    private final IntegerProperty normLayer = new SimpleIntegerProperty(this, "normLayer", -1);
    private final ReadOnlyObjectWrapper<Result> result = new ReadOnlyObjectWrapper<>(this, "result");
    private final ReadOnlyObjectWrapper<NormMap> normMap = new ReadOnlyObjectWrapper<>(this, "normMap");
    private final ReadOnlyObjectWrapper<List<Panel>> panels = new ReadOnlyObjectWrapper<>(this, "panels", List.of());
    private final ReadOnlyObjectWrapper<String> error = new ReadOnlyObjectWrapper<>(this, "error");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private Request lastSubmitted;

    /**
     * @param image     the inspected image (null: nothing to show)
     * @param layer     the inspector's block ({@code < 0}: the last one)
     * @param itae      the ITAE panel's controls: the ITAE map uses them even while the chosen fix is another one
     * @param neurons   the folder's calibrated register neurons, or null
     * @param registers how the fix panel turns neurons into test-time registers (count, patch values)
     * @param settings  the model, device and image size inspections use now (ITAE and registers are dropped)
     * @param fx        runs outcomes on the FX thread
     * @param debounce  where debounced requests wait
     */
    SideBySideModel(StudioEngine engine, ObservableValue<Path> image, ObservableIntegerValue layer, ItaeSettings itae,
                    ObservableValue<RegisterNeurons> neurons, Function<RegisterNeurons, TestTimeRegisters> registers,
                    Supplier<AnalysisSettings> settings, Executor fx, LatestWinsRunner.DelayTimer debounce) {
        this.engine = Objects.requireNonNull(engine);
        this.depths = new ModelDepths(engine);
        this.image = image;
        this.layer = layer;
        this.itae = itae;
        this.neurons = neurons;
        this.registers = registers;
        this.settings = settings;
        this.runner = new LatestWinsRunner<>("side-by-side", MainViewModel.CONTROL_DEBOUNCE, debounce, this::work,
                fx::execute, this::onOutcome);
        // change listeners: they fire on every change even while the comparison is hidden and reads nothing
        image.addListener((o, a, b) -> refresh(false));
        layer.addListener((o, a, b) -> refresh(false));
        neurons.addListener((o, a, b) -> {
            if (a == null && b != null) {
                active.set(true); // a fresh calibration: show what it changes (this runs the comparison)
            }
            refresh(false);
        });
        for (Observable o : itae.all()) {
            o.addListener(x -> refresh(true));
        }
        normLayer.addListener(o -> derive());
        active.addListener(o -> refresh(false));
    }

    private Result work(Request r) throws Exception {
        AnalysisSettings s = r.settings();
        int d = depths.of(s);
        int l = r.layer() < 0 || r.layer() >= d ? d - 1 : r.layer();
        ItaeConfig cfg = r.itae().toConfig(d);
        Map<ArtifactFixModel.Fix, Inspection> byFix = new EnumMap<>(ArtifactFixModel.Fix.class);
        byFix.put(ArtifactFixModel.Fix.NONE, engine.inspect(r.image(), s, l, null));
        byFix.put(ArtifactFixModel.Fix.ITAE, engine.inspect(r.image(), s, l, cfg));
        if (r.registers() != null) {
            AnalysisSettings t = s.withTtr(r.registers());
            byFix.put(ArtifactFixModel.Fix.TTR, engine.inspect(r.image(), t, l, null));
            byFix.put(ArtifactFixModel.Fix.BOTH, engine.inspect(r.image(), t, l, cfg));
        }
        return new Result(r, d, l, cfg, Collections.unmodifiableMap(byFix));
    }

    private void onOutcome(LatestWinsRunner.Outcome<Request, Result> o) {
        busy.set(runner.busy());
        if (o.failed()) {
            LOG.warn("side-by-side of {} failed", o.request().image(), o.error());
            error.set(MainViewModel.oneLine(o.error()));
            return;
        }
        if (!o.request().image().equals(image.getValue())) {
            return; // an image the user has already left
        }
        error.set(null);
        result.set(o.result());
        derive(o.result());
    }

    /** Re-runs the comparison for the current image and block; debounced for ITAE control drags. */
    void refresh(boolean debounced) {
        Path img = image.getValue();
        if (!active.get()) {
            lastSubmitted = null; // shown again later: run then
            return;
        }
        if (img == null) {
            lastSubmitted = null;
            result.set(null);
            derive(null);
            return;
        }
        AnalysisSettings s = settings.get().withItae(null).withTtr(null);
        int l = layer.get();
        OptionalInt d = depths.known(s.model());
        if (d.isPresent() && (l < 0 || l >= d.getAsInt())) {
            l = d.getAsInt() - 1; // "last block" by number, so that learning the depth does not re-run the same request
        }
        RegisterNeurons n = neurons.getValue();
        Request r = new Request(img, l, itaeAlwaysOn(), n, n == null ? null : registers.apply(n), s);
        if (r.equals(lastSubmitted)) {
            return;
        }
        lastSubmitted = r;
        busy.set(true);
        if (debounced) {
            runner.submit(r);
        } else {
            runner.submitNow(r);
        }
    }

    /** The panel's ITAE settings as if ITAE were switched on: the comparison shows what it would do. */
    private ItaeSettings.Snapshot itaeAlwaysOn() {
        boolean last = itae.lastLayerOnlyProperty().get();
        boolean auto = itae.autoThresholdProperty().get();
        return new ItaeSettings.Snapshot(true, itae.componentProperty().get(), auto ? Double.NaN : itae.thresholdProperty().get(),
                auto, itae.directionProperty().get(), itae.strengthProperty().get(), last,
                last ? 0 : itae.layerFromProperty().get(), last ? 0 : itae.layerToProperty().get(), itae.rowsProperty().get());
    }

    private void derive() {
        derive(result.get());
    }

    /**
     * Sets the maps of {@code r} (the current result): the norm map, then the panels last, so that whoever watches a
     * map sees the result it came from in {@link #resultProperty}.
     */
    private void derive(Result r) {
        if (r == null) {
            normMap.set(null);
            panels.set(List.of());
            return;
        }
        normMap.set(normMap(r, normLayer.get()));
        panels.set(panels(r));
    }

    /** The block the norm map shows for {@code requested} (< 0: the calibration's detect layer, else second to last). */
    static int normLayerOf(Result r, int requested) {
        int d = r.depth();
        if (requested >= 0 && requested < d) {
            return requested;
        }
        RegisterNeurons n = r.request().neurons();
        return n != null ? n.settings().resolveDetectLayer(d) : Math.max(0, d - 2);
    }

    /**
     * The norm map of block {@code requested} (see {@link #normLayerOf}); null when the engine reported no norms.
     * The threshold is the calibration's at its detect layer, else {@link RegisterNeuronSelection#autoThreshold}
     * over this image's patch norms of the block.
     */
    static NormMap normMap(Result r, int requested) {
        Inspection plain = r.plain();
        int l = normLayerOf(r, requested);
        if (plain.blockNorms() == null || plain.blockNorms()[l] == null) {
            return null;
        }
        float[] tokens = plain.blockNorms()[l];
        int prefix = 1 + plain.registers();
        float[] patches = Arrays.copyOfRange(tokens, prefix, tokens.length);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : patches) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        RegisterNeurons n = r.request().neurons();
        double threshold;
        String rule;
        if (n != null && n.settings().resolveDetectLayer(r.depth()) == l) {
            threshold = n.threshold();
            rule = String.format(Locale.ROOT, "the calibration's threshold (block %d, %d images)", l, n.imagesSampled());
        } else {
            threshold = RegisterNeuronSelection.autoThreshold(List.of(patches));
            rule = n == null ? "auto: Otsu split of ln(norm) over this image's patches"
                    : "auto over this image (the calibration's threshold is for block "
                    + n.settings().resolveDetectLayer(r.depth()) + ")";
        }
        boolean[] flags = RegisterNeuronSelection.outliers(tokens, prefix, threshold);
        List<Integer> out = new ArrayList<>();
        for (int t = prefix; t < flags.length; t++) {
            if (flags[t]) {
                out.add(t - prefix);
            }
        }
        Inspection ttr = r.byFix().get(ArtifactFixModel.Fix.TTR);
        float[] registerNorms = ttr == null || ttr.appendedNorms() == null ? null : ttr.appendedNorms()[l];
        return new NormMap(l, plain.gridH(), plain.gridW(), patches, min, max, threshold, rule,
                out.stream().mapToInt(Integer::intValue).toArray(), registerNorms);
    }

    /** No fix, ITAE, and test-time registers (a placeholder until calibrated), plus both when calibrated. */
    static List<Panel> panels(Result r) {
        List<Panel> out = new ArrayList<>();
        for (ArtifactFixModel.Fix f : ArtifactFixModel.Fix.values()) {
            Inspection ins = r.byFix().get(f);
            if (ins != null) {
                out.add(new Panel(f, title(f, r), ins.probe().clsAttention(), null));
            } else if (f == ArtifactFixModel.Fix.TTR) {
                out.add(new Panel(f, f.label, null, CALIBRATE_HINT));
            }
        }
        return List.copyOf(out);
    }

    private static String title(ArtifactFixModel.Fix f, Result r) {
        if (f.itae() && r.itae() != null && !r.itae().resolveLayers(r.depth()).contains(r.layer())) {
            return f.label + " (ITAE not at block " + r.layer() + ")";
        }
        return f.label;
    }

    /** Largest |a[i] - b[i]|: how much a fix moves one head's attention. */
    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** The values of one head ({@code head} < 0 or out of range: the mean over heads). */
    static float[] headValues(float[][] attention, int head) {
        return head >= 0 && head < attention.length ? attention[head] : HeatmapRenderer.headMean(attention);
    }

    /**
     * Whether the comparison is shown: nothing runs while it is not (each comparison costs one inspection per fix),
     * and showing it runs the current image.
     */
    BooleanProperty activeProperty() {
        return active;
    }

    /** Block of the norm map; -1: the calibration's detect layer, else the second to last. */
    IntegerProperty normLayerProperty() {
        return normLayer;
    }

    ReadOnlyObjectProperty<Result> resultProperty() {
        return result.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<NormMap> normMapProperty() {
        return normMap.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<List<Panel>> panelsProperty() {
        return panels.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<String> errorProperty() {
        return error.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    @Override
    public void close() {
        runner.close();
    }
}
