package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.itaestudio.itae.ItaeConfig.Component;
import org.itaestudio.itae.ItaeConfig.Direction;
import org.itaestudio.itae.ItaeConfig.Rows;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;

/**
 * The ITAE controls. Every control writes an {@link ItaeSettings} property; the inspector re-runs the current image
 * on each change (debounced, latest wins). "Apply to folder" re-embeds the folder with these settings.
 */
public final class ItaePanel extends VBox {

    private final MainViewModel vm;
    private final Slider threshold = new Slider(0, 1, 0);
    private final TextField thresholdField = new TextField();
    /** Whether the field holds an automatic threshold computed for the current image (else it shows "auto"). */
    private boolean autoValueShown;
    private final Label changeSummary = new Label();
    private boolean syncing;

    public ItaePanel(MainViewModel vm) {
        this.vm = vm;
        ItaeSettings s = vm.itae();
        getStyleClass().add("itae-panel");
        setSpacing(10);
        setPadding(new Insets(12, 14, 14, 14));
        setPrefWidth(300);
        setMinWidth(280);

        Label title = new Label("ITAE");
        title.getStyleClass().addAll(Styles.TITLE_4);
        Label subtitle = new Label("Find artifact tokens by their norm and attenuate the attention paid to them.");
        subtitle.setWrapText(true);
        subtitle.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);

        CheckBox enabled = new CheckBox("Enable ITAE");
        enabled.setId("itae-enabled");
        enabled.selectedProperty().bindBidirectional(s.enabledProperty());
        enabled.setTooltip(new Tooltip("Off: the plain model everywhere"));

        ComboBox<Component> component = new ComboBox<>();
        component.setId("itae-component");
        component.getItems().addAll(Component.V, Component.Q, Component.K);
        component.valueProperty().bindBidirectional(s.componentProperty());
        component.setTooltip(new Tooltip("Which projection's L2 norm scores a token (the paper uses V)"));

        ComboBox<Direction> direction = new ComboBox<>();
        direction.getItems().addAll(Direction.values());
        direction.valueProperty().bindBidirectional(s.directionProperty());
        direction.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Direction d) {
                return d == null ? "" : d == Direction.BELOW ? "norm \u2264 threshold" : "norm \u2265 threshold";
            }

            @Override
            public Direction fromString(String str) {
                return str.contains("\u2265") ? Direction.ABOVE : Direction.BELOW;
            }
        });
        direction.setTooltip(new Tooltip("Artifacts have norms below (paper) or above the threshold"));

        threshold.setId("itae-threshold-slider");
        threshold.setTooltip(new Tooltip("Artifact threshold on the chosen norm; drag the line in the histogram too"));
        thresholdField.setId("itae-threshold-field");
        thresholdField.setPrefColumnCount(6);
        thresholdField.setPromptText("auto"); // shown until an inspection reports the automatic value
        thresholdField.setTooltip(new Tooltip("Type an exact threshold and press Enter"));
        CheckBox auto = new CheckBox("Auto");
        auto.setMinWidth(Region.USE_PREF_SIZE);
        auto.setId("itae-auto");
        auto.selectedProperty().bindBidirectional(s.autoThresholdProperty());
        auto.setTooltip(new Tooltip("Per-image automatic split of the bimodal norm distribution (Otsu)"));
        threshold.disableProperty().bind(s.autoThresholdProperty());
        thresholdField.disableProperty().bind(s.autoThresholdProperty());
        threshold.valueProperty().addListener((o, a, b) -> {
            if (!syncing) {
                s.thresholdProperty().set(b.doubleValue());
            }
        });
        s.thresholdProperty().addListener((o, a, b) -> syncThreshold());
        thresholdField.setOnAction(e -> commitField());
        thresholdField.focusedProperty().addListener((o, a, b) -> {
            if (!b) {
                commitField();
            }
        });
        vm.inspector().resultProperty().addListener((o, a, b) -> adaptRange(b));
        s.componentProperty().addListener(o -> adaptRange(vm.inspector().resultProperty().get()));
        syncThreshold();

        Slider strength = new Slider(0, 1, s.strengthProperty().get());
        strength.setId("itae-strength");
        strength.valueProperty().bindBidirectional(s.strengthProperty());
        strength.setTooltip(new Tooltip("0 leaves attention unchanged; 1 sets artifact logits to the patch minimum (paper)"));
        Label strengthValue = new Label();
        strengthValue.textProperty().bind(Bindings.format(Locale.ROOT, "%.2f", s.strengthProperty()));
        strengthValue.getStyleClass().add(Styles.TEXT_MUTED);
        strengthValue.setMinWidth(Region.USE_PREF_SIZE);

        CheckBox lastOnly = new CheckBox("Last block only");
        lastOnly.setId("itae-last-only");
        lastOnly.selectedProperty().bindBidirectional(s.lastLayerOnlyProperty());
        lastOnly.setTooltip(new Tooltip("The paper's setting; untick to choose a range of blocks"));
        Spinner<Integer> from = layerSpinner(s.layerFromProperty().get());
        Spinner<Integer> to = layerSpinner(s.layerToProperty().get());
        from.setId("itae-layer-from");
        to.setId("itae-layer-to");
        from.getValueFactory().valueProperty().addListener((o, a, b) -> s.layerFromProperty().set(b));
        to.getValueFactory().valueProperty().addListener((o, a, b) -> s.layerToProperty().set(b));
        from.disableProperty().bind(s.lastLayerOnlyProperty());
        to.disableProperty().bind(s.lastLayerOnlyProperty());
        from.setTooltip(new Tooltip("First block ITAE acts on"));
        to.setTooltip(new Tooltip("Last block ITAE acts on"));
        vm.inspector().depthProperty().addListener((o, a, b) -> {
            int max = Math.max(0, b.intValue() - 1);
            ((SpinnerValueFactory.IntegerSpinnerValueFactory) from.getValueFactory()).setMax(max);
            ((SpinnerValueFactory.IntegerSpinnerValueFactory) to.getValueFactory()).setMax(max);
            if (s.layerToProperty().get() == 0 && s.layerFromProperty().get() == 0) {
                from.getValueFactory().setValue(max);
                to.getValueFactory().setValue(max);
            }
        });

        ComboBox<Rows> rows = new ComboBox<>();
        rows.getItems().addAll(Rows.values());
        rows.valueProperty().bindBidirectional(s.rowsProperty());
        rows.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Rows r) {
                return r == null ? "" : r == Rows.CLS ? "CLS query row" : "All query rows";
            }

            @Override
            public Rows fromString(String str) {
                return str.startsWith("All") ? Rows.ALL : Rows.CLS;
            }
        });
        rows.setTooltip(new Tooltip("Attenuate only the CLS query's attention (paper) or every query's"));

        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        int r = 0;
        grid.addRow(r++, muted("Component"), component);
        grid.addRow(r++, muted("Artifacts"), direction);
        HBox tRow = new HBox(6, thresholdField, auto);
        tRow.setAlignment(Pos.CENTER_LEFT);
        grid.addRow(r++, muted("Threshold"), tRow);
        grid.add(threshold, 0, r++, 2, 1);
        HBox sRow = new HBox(6, strength, strengthValue);
        HBox.setHgrow(strength, Priority.ALWAYS);
        sRow.setAlignment(Pos.CENTER_LEFT);
        grid.addRow(r++, muted("Strength"), sRow);
        grid.add(lastOnly, 0, r++, 2, 1);
        HBox lRow = new HBox(6, from, new Label("to"), to);
        lRow.setAlignment(Pos.CENTER_LEFT);
        grid.addRow(r++, muted("Blocks"), lRow);
        grid.addRow(r, muted("Rows"), rows);
        grid.disableProperty().bind(s.enabledProperty().not());
        GridPane.setHgrow(threshold, Priority.ALWAYS);

        Button apply = new Button("Apply to folder", new FontIcon(MaterialDesignF.FOLDER_SYNC_OUTLINE));
        apply.setId("apply-to-folder");
        apply.getStyleClass().add(Styles.ACCENT);
        apply.setMaxWidth(Double.MAX_VALUE);
        apply.setTooltip(new Tooltip("Re-embed every image with these settings, re-cluster, and show what moved"));
        apply.disableProperty().bind(vm.runningProperty().or(vm.analysisProperty().isNull()));
        apply.setOnAction(e -> vm.applyItaeToFolder());

        Label applied = new Label();
        applied.setWrapText(true);
        applied.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        applied.textProperty().bind(Bindings.createStringBinding(
                () -> "Folder analysed with ITAE " + ItaeSettings.describe(vm.appliedItaeProperty().get()),
                vm.appliedItaeProperty()));
        changeSummary.setId("change-summary");
        changeSummary.setWrapText(true);
        changeSummary.getStyleClass().add(Styles.TEXT_SMALL);
        vm.changeProperty().addListener((o, a, b) -> changeSummary.setText(b == null ? ""
                : String.format(Locale.ROOT, "%,d of %,d images changed cluster. See the Map's before/after.",
                b.changed(), b.compared())));

        getChildren().addAll(title, subtitle, enabled, grid, new Separator(), apply, applied, changeSummary);
    }

    private static Label muted(String s) {
        Label l = new Label(s);
        l.getStyleClass().add(Styles.TEXT_MUTED);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    private static Spinner<Integer> layerSpinner(int value) {
        Spinner<Integer> sp = new Spinner<>(0, 63, value);
        sp.setPrefWidth(72);
        sp.setEditable(true);
        return sp;
    }

    private void commitField() {
        String txt = thresholdField.getText().trim();
        try {
            double v = Double.parseDouble(txt);
            if (Double.isFinite(v)) {
                vm.itae().thresholdProperty().set(v);
                if (v < threshold.getMin() || v > threshold.getMax()) {
                    syncing = true;
                    threshold.setMin(Math.min(threshold.getMin(), v));
                    threshold.setMax(Math.max(threshold.getMax(), v));
                    syncing = false;
                }
            }
        } catch (NumberFormatException e) {
            // leave the old value in place
        }
        syncThreshold();
    }

    private void syncThreshold() {
        syncing = true;
        double t = vm.itae().thresholdProperty().get();
        if (t < threshold.getMin()) {
            threshold.setMin(t);
        }
        if (t > threshold.getMax()) {
            threshold.setMax(t);
        }
        threshold.setValue(t);
        boolean autoUnknown = vm.itae().autoThresholdProperty().get() && !autoValueShown;
        thresholdField.setText(autoUnknown ? "" : NormHistogram.fmt(t));
        syncing = false;
    }

    /** Slider range follows the current image's norms of the chosen component. */
    private void adaptRange(InspectorModel.Result r) {
        if (r == null) {
            return;
        }
        float[] n = r.inspection().probe().norms(vm.itae().componentProperty().get());
        double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        for (int i = 1 + r.inspection().registers(); i < n.length; i++) {
            mn = Math.min(mn, n[i]);
            mx = Math.max(mx, n[i]);
        }
        if (!(mx > mn)) {
            return;
        }
        double t = vm.itae().thresholdProperty().get();
        syncing = true;
        threshold.setMin(Math.min(mn, t));
        threshold.setMax(Math.max(mx, t));
        if (vm.itae().autoThresholdProperty().get() && r.inspection().probe().threshold().isPresent()) {
            // in auto mode the slider shows the automatic value, so unticking Auto starts from it
            double at = r.inspection().probe().threshold().getAsDouble();
            autoValueShown = true;
            threshold.setValue(at);
            thresholdField.setText(NormHistogram.fmt(at));
            vm.itae().thresholdProperty().set(at);
        }
        syncing = false;
    }

    public Slider thresholdSlider() {
        return threshold;
    }
}
