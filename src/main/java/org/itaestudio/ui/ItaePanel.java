package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
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
import javafx.util.StringConverter;
import org.itaestudio.itae.ItaeConfig.Component;
import org.itaestudio.itae.ItaeConfig.Direction;
import org.itaestudio.itae.ItaeConfig.Rows;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;

/**
 * The ITAE controls. Every control is bound to an {@link ItaeSettings} property (the threshold slider's range and
 * the field's text too); the inspector re-runs the current image on each change (debounced, latest wins). "Apply to
 * folder" re-embeds the folder with these settings.
 */
final class ItaePanel extends VBox {

    private final MainViewModel vm;
    private final ItaeSettings s;
    private final Slider threshold = new Slider(0, 1, 0);
    private final TextField thresholdField = new TextField();
    private final Subscriptions subs = new Subscriptions();
    private Runnable onCompare = () -> { };

    ItaePanel(MainViewModel vm) {
        this.vm = vm;
        this.s = vm.itae();
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
        subs.bindBidirectional(enabled.selectedProperty(), s.enabledProperty());
        enabled.setTooltip(new Tooltip("Off: the plain model everywhere"));

        getChildren().addAll(fixSection(), new Separator());
        getChildren().addAll(title, subtitle, enabled, controlGrid(), new Separator());
        getChildren().addAll(applySection());
    }

    /** Artifact fix: which fix "Apply to folder" uses, and the register neurons of test-time registers. */
    private Node fixSection() {
        ArtifactFixModel f = vm.fixes();
        Label title = new Label("Artifact fix");
        title.getStyleClass().addAll(Styles.TITLE_4);
        ComboBox<ArtifactFixModel.Fix> choice = new ComboBox<>();
        choice.getItems().setAll(ArtifactFixModel.Fix.values());
        choice.setId("artifact-fix");
        choice.setMaxWidth(Double.MAX_VALUE);
        choice.setMinWidth(120);
        subs.bindBidirectional(choice.valueProperty(), f.fixProperty());
        Button calibrate = new Button("Calibrate");
        calibrate.setId("calibrate-registers");
        calibrate.setTooltip(new Tooltip("Find the register neurons of this model on 200 images of the folder "
                + "(test-time registers need them)"));
        calibrate.setOnAction(e -> vm.calibrateRegisters());
        calibrate.setMinWidth(Region.USE_PREF_SIZE); // the choice box shrinks, never the button's label
        subs.bind(calibrate.disableProperty(), f.calibratingProperty().or(vm.folderProperty().isNull()));
        Label status = new Label();
        status.setWrapText(true);
        status.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        subs.bind(status.textProperty(), f.statusProperty());
        Label neurons = new Label();
        neurons.setId("register-neurons");
        neurons.setWrapText(true);
        neurons.getStyleClass().add(Styles.TEXT_SMALL);
        subs.bind(neurons.textProperty(), f.neuronListProperty());
        Button load = new Button("Load\u2026");
        load.setId("load-register-neurons");
        load.setTooltip(new Tooltip("Use a neuron file written by calibrate-registers (it must be for this model)"));
        load.setMinWidth(Region.USE_PREF_SIZE);
        load.setOnAction(e -> {
            javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
            chooser.setTitle("Register-neuron file");
            chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("Neuron files (*.json)", "*.json"));
            java.io.File file = chooser.showOpenDialog(getScene() == null ? null : getScene().getWindow());
            if (file != null) {
                f.loadFile(file.toPath(), vm.settings());
            }
        });
        subs.bind(load.disableProperty(), f.calibratingProperty());
        HBox row = new HBox(6, choice, calibrate);
        HBox.setHgrow(choice, Priority.ALWAYS);

        Spinner<Integer> count = new Spinner<>(ArtifactFixModel.MIN_COUNT, ArtifactFixModel.MAX_COUNT,
                f.countProperty().get());
        count.setId("ttr-count");
        count.setPrefWidth(80);
        count.getValueFactory().valueProperty().addListener((o, a, b) -> {
            if (b != null) {
                f.countProperty().set(b);
            }
        });
        subs.onChange(f.countProperty(), (o, a, b) -> count.getValueFactory().setValue(b.intValue()));
        count.setTooltip(new Tooltip("Test-time registers appended after the patch tokens (the paper uses 1)"));
        ComboBox<org.itaestudio.itae.TestTimeRegisters.PatchValues> values = new ComboBox<>();
        values.setId("ttr-patch-values");
        values.getItems().setAll(org.itaestudio.itae.TestTimeRegisters.PatchValues.values());
        subs.bindBidirectional(values.valueProperty(), f.patchValuesProperty());
        values.setConverter(new StringConverter<>() {
            @Override
            public String toString(org.itaestudio.itae.TestTimeRegisters.PatchValues v) {
                return v == null ? "" : switch (v) {
                    case ZERO -> "zero";
                    case MEAN -> "mean";
                    case ONLY_OUTLIERS -> "only outliers";
                };
            }

            @Override
            public org.itaestudio.itae.TestTimeRegisters.PatchValues fromString(String str) {
                return org.itaestudio.itae.TestTimeRegisters.PatchValues.valueOf(
                        str.strip().replace(' ', '_').toUpperCase(Locale.ROOT));
            }
        });
        values.setTooltip(new Tooltip("What the patch tokens' register neurons become: 0 (paper), their mean, or the "
                + "mean only where above mean + 1 std"));
        GridPane ttrGrid = new GridPane();
        ttrGrid.setHgap(8);
        ttrGrid.setVgap(8);
        ttrGrid.addRow(0, muted("Registers"), count);
        ttrGrid.addRow(1, muted("Patches"), values);
        // shown once neurons exist: before that they do nothing, and the panel keeps "Apply to folder" in view
        subs.bind(ttrGrid.visibleProperty(), f.neuronsProperty().isNotNull());
        subs.bind(ttrGrid.managedProperty(), f.neuronsProperty().isNotNull());

        Button compare = new Button("Compare fixes\u2026");
        compare.setId("compare-fixes");
        compare.setMinWidth(Region.USE_PREF_SIZE);
        compare.setTooltip(new Tooltip("Cluster the folder with each fix and compare: clusters, silhouette, ARI, "
                + "images that moved, and ACC/NMI against class sub-folders"));
        compare.setOnAction(e -> onCompare.run());
        subs.bind(compare.disableProperty(), vm.folderProperty().isNull());
        HBox actions = new HBox(6, load, compare);
        return new VBox(6, title, row, status, neurons, ttrGrid, actions);
    }

    /** What "Compare fixes" opens (the window that owns the comparison view sets it). */
    void setOnCompare(Runnable action) {
        onCompare = java.util.Objects.requireNonNull(action);
    }

    /** Removes the panel's bindings to the settings and the view model. */
    void dispose() {
        subs.close();
    }

    private GridPane controlGrid() {
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        int r = 0;
        grid.addRow(r++, muted("Component"), componentBox());
        grid.addRow(r++, muted("Artifacts"), directionBox());
        HBox tRow = new HBox(6, thresholdField(), autoBox());
        tRow.setAlignment(Pos.CENTER_LEFT);
        grid.addRow(r++, muted("Threshold"), tRow);
        grid.add(buildThresholdSlider(), 0, r++, 2, 1);
        grid.addRow(r++, muted("Strength"), strengthRow());
        CheckBox lastOnly = new CheckBox("Last block only");
        lastOnly.setId("itae-last-only");
        subs.bindBidirectional(lastOnly.selectedProperty(), s.lastLayerOnlyProperty());
        lastOnly.setTooltip(new Tooltip("The paper's setting; untick to choose a range of blocks"));
        grid.add(lastOnly, 0, r++, 2, 1);
        grid.addRow(r++, muted("Blocks"), blockRange());
        grid.addRow(r, muted("Rows"), rowsBox());
        subs.bind(grid.disableProperty(), s.enabledProperty().not());
        GridPane.setHgrow(threshold, Priority.ALWAYS);
        return grid;
    }

    private ComboBox<Component> componentBox() {
        ComboBox<Component> component = new ComboBox<>();
        component.setId("itae-component");
        component.getItems().addAll(Component.V, Component.Q, Component.K);
        subs.bindBidirectional(component.valueProperty(), s.componentProperty());
        component.setTooltip(new Tooltip("Which projection's L2 norm scores a token (the paper uses V)"));
        return component;
    }

    private ComboBox<Direction> directionBox() {
        ComboBox<Direction> direction = new ComboBox<>();
        direction.getItems().addAll(Direction.values());
        subs.bindBidirectional(direction.valueProperty(), s.directionProperty());
        direction.setConverter(new StringConverter<>() {
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
        return direction;
    }

    private TextField thresholdField() {
        thresholdField.setId("itae-threshold-field");
        thresholdField.setPrefColumnCount(6);
        thresholdField.setPromptText("auto"); // shown until an inspection reports the automatic value
        thresholdField.setTooltip(new Tooltip("Type an exact threshold and press Enter"));
        subs.bind(thresholdField.disableProperty(), s.autoThresholdProperty());
        thresholdField.setText(s.thresholdTextProperty().get());
        subs.onChange(s.thresholdTextProperty(), (o, a, b) -> thresholdField.setText(b));
        thresholdField.setOnAction(e -> commitField());
        thresholdField.focusedProperty().addListener((o, a, b) -> {
            if (!b) {
                commitField();
            }
        });
        return thresholdField;
    }

    private void commitField() {
        s.commitThresholdText(thresholdField.getText());
        thresholdField.setText(s.thresholdTextProperty().get()); // also when the text was not a number
    }

    private CheckBox autoBox() {
        CheckBox auto = new CheckBox("Auto");
        auto.setMinWidth(Region.USE_PREF_SIZE);
        auto.setId("itae-auto");
        subs.bindBidirectional(auto.selectedProperty(), s.autoThresholdProperty());
        auto.setTooltip(new Tooltip("Per-image automatic split of the bimodal norm distribution (Otsu)"));
        return auto;
    }

    /** The slider's range follows the current image's norms and always holds the threshold (see ItaeSettings). */
    private Slider buildThresholdSlider() {
        threshold.setId("itae-threshold-slider");
        threshold.setTooltip(new Tooltip("Artifact threshold on the chosen norm; drag the line in the histogram too"));
        subs.bind(threshold.disableProperty(), s.autoThresholdProperty());
        subs.bind(threshold.minProperty(), s.sliderMinProperty());
        subs.bind(threshold.maxProperty(), s.sliderMaxProperty());
        subs.bindBidirectional(threshold.valueProperty(), s.thresholdProperty());
        return threshold;
    }

    private HBox strengthRow() {
        Slider strength = new Slider(0, 1, s.strengthProperty().get());
        strength.setId("itae-strength");
        subs.bindBidirectional(strength.valueProperty(), s.strengthProperty());
        strength.setTooltip(new Tooltip("0 leaves attention unchanged; 1 sets artifact logits to the patch minimum (paper)"));
        Label strengthValue = new Label();
        subs.bind(strengthValue.textProperty(), Bindings.format(Locale.ROOT, "%.2f", s.strengthProperty()));
        strengthValue.getStyleClass().add(Styles.TEXT_MUTED);
        strengthValue.setMinWidth(Region.USE_PREF_SIZE);
        HBox sRow = new HBox(6, strength, strengthValue);
        HBox.setHgrow(strength, Priority.ALWAYS);
        sRow.setAlignment(Pos.CENTER_LEFT);
        return sRow;
    }

    /** From / to block spinners; their maximum follows the model's depth. */
    private HBox blockRange() {
        Spinner<Integer> from = layerSpinner(s.layerFromProperty().get());
        Spinner<Integer> to = layerSpinner(s.layerToProperty().get());
        from.setId("itae-layer-from");
        to.setId("itae-layer-to");
        from.getValueFactory().valueProperty().addListener((o, a, b) -> s.layerFromProperty().set(b));
        to.getValueFactory().valueProperty().addListener((o, a, b) -> s.layerToProperty().set(b));
        subs.bind(from.disableProperty(), s.lastLayerOnlyProperty());
        subs.bind(to.disableProperty(), s.lastLayerOnlyProperty());
        from.setTooltip(new Tooltip("First block ITAE acts on"));
        to.setTooltip(new Tooltip("Last block ITAE acts on"));
        subs.onChange(vm.inspector().depthProperty(), (o, a, b) -> {
            int max = Math.max(0, b.intValue() - 1);
            ((SpinnerValueFactory.IntegerSpinnerValueFactory) from.getValueFactory()).setMax(max);
            ((SpinnerValueFactory.IntegerSpinnerValueFactory) to.getValueFactory()).setMax(max);
            if (s.layerToProperty().get() == 0 && s.layerFromProperty().get() == 0) {
                from.getValueFactory().setValue(max);
                to.getValueFactory().setValue(max);
            }
        });
        HBox lRow = new HBox(6, from, new Label("to"), to);
        lRow.setAlignment(Pos.CENTER_LEFT);
        return lRow;
    }

    private ComboBox<Rows> rowsBox() {
        ComboBox<Rows> rows = new ComboBox<>();
        rows.getItems().addAll(Rows.values());
        subs.bindBidirectional(rows.valueProperty(), s.rowsProperty());
        rows.setConverter(new StringConverter<>() {
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
        return rows;
    }

    /** "Apply to folder", what the folder was analysed with, and what the last apply changed. */
    private List<Node> applySection() {
        Button apply = new Button("Apply to folder", new FontIcon(MaterialDesignF.FOLDER_SYNC_OUTLINE));
        apply.setId("apply-to-folder");
        apply.getStyleClass().add(Styles.ACCENT);
        apply.setMaxWidth(Double.MAX_VALUE);
        apply.setTooltip(new Tooltip("Re-embed every image with these settings, re-cluster, and show what moved"));
        subs.bind(apply.disableProperty(), vm.runningProperty().or(vm.analysisProperty().isNull()));
        apply.setOnAction(e -> vm.applyItaeToFolder());

        Label applied = new Label();
        applied.setWrapText(true);
        applied.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        subs.bind(applied.textProperty(), Bindings.createStringBinding(
                () -> "Folder analysed with ITAE " + ItaeSettings.describe(vm.appliedItaeProperty().get()),
                vm.appliedItaeProperty()));
        Label changeSummary = new Label();
        changeSummary.setId("change-summary");
        changeSummary.setWrapText(true);
        changeSummary.getStyleClass().add(Styles.TEXT_SMALL);
        subs.bind(changeSummary.textProperty(), vm.changeTextProperty());
        return List.of(apply, applied, changeSummary);
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

    Slider thresholdSlider() {
        return threshold;
    }
}
