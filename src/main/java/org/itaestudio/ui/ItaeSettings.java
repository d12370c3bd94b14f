package org.itaestudio.ui;

import java.util.Locale;
import java.util.TreeSet;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import org.itaestudio.itae.ItaeConfig.Component;
import org.itaestudio.itae.ItaeConfig.Direction;
import org.itaestudio.itae.ItaeConfig.Rows;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.ImageProbe;

/**
 * The ITAE panel's state as JavaFX properties, convertible to an {@link ItaeConfig}. Defaults are the paper's rule
 * (V norms, below the threshold, strength 1, last block, CLS row) with an automatic threshold. Also the threshold
 * control's state: the slider's range (the current image's norms, always holding the threshold), the automatic
 * value of the current image, and the text of the threshold field.
 */
final class ItaeSettings {

    private final BooleanProperty enabled = new SimpleBooleanProperty(this, "enabled", true);
    private final ObjectProperty<Component> component = new SimpleObjectProperty<>(this, "component", Component.V);
    private final DoubleProperty threshold = new SimpleDoubleProperty(this, "threshold", 0);
    private final BooleanProperty autoThreshold = new SimpleBooleanProperty(this, "autoThreshold", true);
    private final ObjectProperty<Direction> direction = new SimpleObjectProperty<>(this, "direction", Direction.BELOW);
    private final DoubleProperty strength = new SimpleDoubleProperty(this, "strength", 1.0);
    private final BooleanProperty lastLayerOnly = new SimpleBooleanProperty(this, "lastLayerOnly", true);
    private final IntegerProperty layerFrom = new SimpleIntegerProperty(this, "layerFrom", 0);
    private final IntegerProperty layerTo = new SimpleIntegerProperty(this, "layerTo", 0);
    private final ObjectProperty<Rows> rows = new SimpleObjectProperty<>(this, "rows", Rows.CLS);

    private final ReadOnlyDoubleWrapper sliderMin = new ReadOnlyDoubleWrapper(this, "sliderMin", 0);
    private final ReadOnlyDoubleWrapper sliderMax = new ReadOnlyDoubleWrapper(this, "sliderMax", 1);
    private final ReadOnlyDoubleWrapper autoValue = new ReadOnlyDoubleWrapper(this, "autoValue", Double.NaN);
    private final ReadOnlyStringWrapper thresholdText = new ReadOnlyStringWrapper(this, "thresholdText", "");

    ItaeSettings() {
        // an invalidation listener added first: the range holds a new threshold before a bound slider sees it (a
        // slider clamps its value into its range)
        threshold.addListener(o -> {
            includeInRange(threshold.get());
            refreshThresholdText();
        });
    }

    public BooleanProperty enabledProperty() {
        return enabled;
    }

    public ObjectProperty<Component> componentProperty() {
        return component;
    }

    public DoubleProperty thresholdProperty() {
        return threshold;
    }

    public BooleanProperty autoThresholdProperty() {
        return autoThreshold;
    }

    public ObjectProperty<Direction> directionProperty() {
        return direction;
    }

    public DoubleProperty strengthProperty() {
        return strength;
    }

    public BooleanProperty lastLayerOnlyProperty() {
        return lastLayerOnly;
    }

    public IntegerProperty layerFromProperty() {
        return layerFrom;
    }

    public IntegerProperty layerToProperty() {
        return layerTo;
    }

    public ObjectProperty<Rows> rowsProperty() {
        return rows;
    }

    /** Lowest value of the threshold slider: the current image's smallest norm, or the threshold if lower. */
    public ReadOnlyDoubleProperty sliderMinProperty() {
        return sliderMin.getReadOnlyProperty();
    }

    /** Highest value of the threshold slider: the current image's largest norm, or the threshold if higher. */
    public ReadOnlyDoubleProperty sliderMaxProperty() {
        return sliderMax.getReadOnlyProperty();
    }

    /** The automatic threshold of the last inspected image; NaN until an inspection reported one. */
    public ReadOnlyDoubleProperty autoValueProperty() {
        return autoValue.getReadOnlyProperty();
    }

    /** What the threshold field shows: the threshold, or nothing (its prompt says "auto") before an automatic value is known. */
    public ReadOnlyStringProperty thresholdTextProperty() {
        return thresholdText.getReadOnlyProperty();
    }

    /** Takes a typed threshold; text that is not a finite number leaves the threshold as it was. */
    public void commitThresholdText(String text) {
        try {
            double v = Double.parseDouble(text.strip());
            if (Double.isFinite(v)) {
                threshold.set(v);
            }
        } catch (NumberFormatException e) {
            // keep the old value
        }
        refreshThresholdText();
    }

    /**
     * Fits the slider to an inspection's norms of the chosen component (patch tokens only). Under Auto the threshold
     * follows the image's automatic value, so unticking Auto starts from it.
     */
    public void adaptTo(InspectorModel.Result r) {
        if (r == null) {
            return;
        }
        ImageProbe p = r.inspection().probe();
        float[] n = p.norms(component.get());
        double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        for (int i = 1 + r.inspection().registers(); i < n.length; i++) {
            mn = Math.min(mn, n[i]);
            mx = Math.max(mx, n[i]);
        }
        if (!(mx > mn)) {
            return;
        }
        double t = threshold.get();
        sliderMin.set(Math.min(mn, t));
        sliderMax.set(Math.max(mx, t));
        double at = p.threshold().orElse(Double.NaN);
        if (autoThreshold.get() && Double.isFinite(at)) {
            autoValue.set(at);
            threshold.set(at);
            refreshThresholdText();
        }
    }

    private void includeInRange(double t) {
        if (t < sliderMin.get()) {
            sliderMin.set(t);
        }
        if (t > sliderMax.get()) {
            sliderMax.set(t);
        }
    }

    private void refreshThresholdText() {
        boolean autoUnknown = autoThreshold.get() && Double.isNaN(autoValue.get());
        thresholdText.set(autoUnknown ? "" : formatNorm(threshold.get()));
    }

    /** A norm or threshold as shown to the user: 3 significant digits for small values, none past 100. */
    static String formatNorm(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    /** Every property, for one listener that reacts to any change. */
    public Observable[] all() {
        return new Observable[] {enabled, component, threshold, autoThreshold, direction, strength, lastLayerOnly,
                layerFrom, layerTo, rows};
    }

    /** An immutable copy of the controls, safe to hand to a worker thread. */
    public record Snapshot(boolean enabled, Component component, double threshold, boolean autoThreshold,
                           Direction direction, double strength, boolean lastLayerOnly, int layerFrom, int layerTo,
                           Rows rows) {

        /** The configuration for a model of {@code depth} blocks, or null when ITAE is off. */
        public ItaeConfig toConfig(int depth) {
            if (!enabled) {
                return null;
            }
            TreeSet<Integer> layers = new TreeSet<>();
            if (!lastLayerOnly && depth > 0) {
                int a = clamp(Math.min(layerFrom, layerTo), depth);
                int b = clamp(Math.max(layerFrom, layerTo), depth);
                for (int l = a; l <= b; l++) {
                    layers.add(l);
                }
            }
            ItaeConfig.Threshold t = autoThreshold || !Double.isFinite(threshold)
                    ? ItaeConfig.Threshold.AUTO : ItaeConfig.Threshold.fixed(threshold);
            return new ItaeConfig(component, t, direction, Math.max(0, Math.min(1, strength)), ItaeConfig.Blocks.of(layers), rows);
        }

        private static int clamp(int l, int depth) {
            return Math.max(0, Math.min(depth - 1, l));
        }
    }

    /**
     * An immutable copy, normalised so that settings which cannot change the result compare equal (a threshold
     * under Auto, a block range under "last block only", anything while ITAE is off).
     */
    public Snapshot snapshot() {
        if (!enabled.get()) {
            return new Snapshot(false, Component.V, Double.NaN, true, Direction.BELOW, 1, true, 0, 0, Rows.CLS);
        }
        boolean last = lastLayerOnly.get();
        return new Snapshot(true, component.get(), autoThreshold.get() ? Double.NaN : threshold.get(),
                autoThreshold.get(), direction.get(), strength.get(), last, last ? 0 : layerFrom.get(),
                last ? 0 : layerTo.get(), rows.get());
    }

    /** The configuration for a model of {@code depth} blocks, or null when ITAE is off. */
    public ItaeConfig toConfig(int depth) {
        return snapshot().toConfig(depth);
    }

    /** A short human description, e.g. "V <= auto, strength 1, last block, CLS row". */
    public static String describe(ItaeConfig c) {
        if (c == null) {
            return "off";
        }
        String t = c.autoThreshold() ? "auto" : String.format(Locale.ROOT, "%.3g", c.fixedThreshold());
        String op = c.direction() == Direction.BELOW ? "\u2264" : "\u2265";
        String layers = !(c.layers() instanceof ItaeConfig.Blocks.Listed listed) ? "last block"
                : listed.indices().size() == 1 ? "block " + listed.indices().first()
                : "blocks " + listed.indices().first() + "\u2013" + listed.indices().last();
        return String.format(Locale.ROOT, "%s %s %s, strength %.2f, %s, %s", c.component(), op, t, c.strength(), layers,
                c.rows() == Rows.CLS ? "CLS row" : "all rows");
    }

    public void load(StudioPreferences p) {
        enabled.set(p.getBoolean("itae.enabled"));
        component.set(p.getEnum("itae.component", Component.class));
        threshold.set(p.getDouble("itae.threshold"));
        autoThreshold.set(p.getBoolean("itae.auto"));
        direction.set(p.getEnum("itae.direction", Direction.class));
        strength.set(Math.max(0, Math.min(1, p.getDouble("itae.strength"))));
        lastLayerOnly.set(p.getBoolean("itae.lastOnly"));
        layerFrom.set(Math.max(0, p.getInt("itae.layerFrom")));
        layerTo.set(Math.max(0, p.getInt("itae.layerTo")));
        rows.set(p.getEnum("itae.rows", Rows.class));
        refreshThresholdText();
    }

    public void save(StudioPreferences p) {
        p.putBoolean("itae.enabled", enabled.get());
        p.put("itae.component", component.get().name());
        p.putDouble("itae.threshold", threshold.get());
        p.putBoolean("itae.auto", autoThreshold.get());
        p.put("itae.direction", direction.get().name());
        p.putDouble("itae.strength", strength.get());
        p.putBoolean("itae.lastOnly", lastLayerOnly.get());
        p.putInt("itae.layerFrom", layerFrom.get());
        p.putInt("itae.layerTo", layerTo.get());
        p.put("itae.rows", rows.get().name());
    }
}
