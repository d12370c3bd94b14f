package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.time.Duration;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.itaestudio.progress.Progress;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignA;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;

/** Status line: message, progress with rate and ETA and a cancel button, skipped-file count (clickable). */
final class StatusBar extends HBox {

    private final Label message = new Label();
    private final ProgressBar bar = new ProgressBar();
    private final Label progressText = new Label();
    private final Hyperlink skipped = new Hyperlink();
    private final Label right = new Label();
    private final Subscriptions subs = new Subscriptions();

    StatusBar(MainViewModel vm, Runnable showSkipped) {
        super(10);
        getStyleClass().add("status-bar");
        setId("status-bar");
        setAlignment(Pos.CENTER_LEFT);
        setPadding(new Insets(4, 12, 4, 12));
        message.setId("status-message");
        subs.bind(message.textProperty(), vm.statusProperty());
        message.setMinWidth(120);
        bar.setPrefWidth(180);
        bar.setId("status-progress");
        progressText.setId("status-progress-text");
        progressText.getStyleClass().add(Styles.TEXT_SMALL);
        Button cancel = new Button(null, new FontIcon(MaterialDesignS.STOP_CIRCLE_OUTLINE));
        cancel.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT, Styles.SMALL);
        cancel.setTooltip(new Tooltip("Cancel (Esc)"));
        cancel.setOnAction(e -> vm.cancel());
        HBox progress = new HBox(8, bar, progressText, cancel);
        progress.setAlignment(Pos.CENTER_LEFT);
        subs.bind(progress.visibleProperty(), vm.runningProperty());
        progress.managedProperty().bind(progress.visibleProperty());

        // outlier scores computed on demand ("most unusual first", the view export) run beside folder jobs
        ProgressBar outlierBar = new ProgressBar();
        outlierBar.setId("outlier-progress");
        outlierBar.setPrefWidth(120);
        subs.bind(outlierBar.progressProperty(), vm.explore().outlierProgressProperty());
        Label outlierText = new Label("Outlier scores");
        outlierText.getStyleClass().add(Styles.TEXT_SMALL);
        HBox outliers = new HBox(6, outlierText, outlierBar);
        outliers.setAlignment(Pos.CENTER_LEFT);
        subs.bind(outliers.visibleProperty(), vm.explore().computingOutliersProperty());
        outliers.managedProperty().bind(outliers.visibleProperty());

        skipped.setId("skipped-link");
        skipped.setGraphic(new FontIcon(MaterialDesignA.ALERT_CIRCLE_OUTLINE));
        skipped.setTooltip(new Tooltip("Files that could not be read: click for the list and reasons"));
        skipped.setOnAction(e -> showSkipped.run());
        subs.bind(skipped.textProperty(), Bindings.createStringBinding(() -> {
            int n = (int) vm.skipped().stream().filter(s -> !s.embedded()).count(); // adjusted files are in the results
            Progress p = vm.progressProperty().get();
            if (vm.runningProperty().get() && p != null) {
                n = Math.max(n, p.skipped());
            }
            return String.format("%,d skipped", n);
        }, vm.skipped(), vm.progressProperty(), vm.runningProperty()));
        skipped.visibleProperty().bind(Bindings.createBooleanBinding(() -> !skipped.getText().startsWith("0 "),
                skipped.textProperty()));
        skipped.managedProperty().bind(skipped.visibleProperty());

        right.getStyleClass().addAll(Styles.TEXT_MUTED, Styles.TEXT_SMALL);
        subs.bind(right.textProperty(), Bindings.createStringBinding(() -> {
            String engine = vm.engineDescriptionProperty().get();
            String device = engine != null ? shortDescription(vm.modelProperty().get(), engine)
                    : "device " + vm.deviceProperty().get().name();
            String itae = "ITAE " + (vm.appliedItaeProperty().get() == null ? "off" : "on");
            return device + " \u00b7 " + itae;
        }, vm.analysisProperty(), vm.deviceProperty(), vm.engineDescriptionProperty(), vm.appliedItaeProperty()));

        subs.onChange(vm.progressProperty(), (o, a, p) -> {
            if (p == null) {
                bar.setProgress(-1);
                progressText.setText("Starting\u2026");
                return;
            }
            bar.setProgress(p.fraction());
            progressText.setText(describe(p));
        });
        subs.onChange(vm.runningProperty(), (o, a, b) -> {
            if (b) {
                bar.setProgress(-1);
                progressText.setText("Starting\u2026");
            }
        });

        right.setId("engine-info");
        subs.bind(right.tooltipProperty(), Bindings.createObjectBinding(() -> vm.engineDescriptionProperty().get() == null
                ? null : new Tooltip(vm.engineDescriptionProperty().get()), vm.engineDescriptionProperty()));
        Label cacheWarning = new Label(null, new FontIcon(MaterialDesignA.ALERT_OUTLINE));
        cacheWarning.setId("cache-warning");
        cacheWarning.getStyleClass().addAll(Styles.WARNING, Styles.TEXT_SMALL);
        subs.bind(cacheWarning.textProperty(), Bindings.createStringBinding(() -> vm.cacheWarningProperty().get() == null
                ? null : "Cache problem (runs go on without it)", vm.cacheWarningProperty()));
        subs.bind(cacheWarning.tooltipProperty(), Bindings.createObjectBinding(() -> vm.cacheWarningProperty().get() == null
                ? null : new Tooltip(vm.cacheWarningProperty().get()), vm.cacheWarningProperty()));
        cacheWarning.visibleProperty().bind(vm.cacheWarningProperty().isNotNull());
        cacheWarning.managedProperty().bind(cacheWarning.visibleProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        getChildren().addAll(message, progress, outliers, skipped, cacheWarning, spacer, right);
    }

    /** "dinov2-small on CPU" from the engine's long description ("... on CPU (note)"). */
    static String shortDescription(String model, String description) {
        int on = description.lastIndexOf(" on ");
        String device = on >= 0 ? description.substring(on + 4) : description;
        String name = model;
        if (name != null && (name.contains("/") || name.contains("\\"))) {
            name = java.nio.file.Path.of(name).getFileName().toString();
        }
        return (name == null ? "model" : name) + " on " + device;
    }

    /** e.g. "Embedding 120 / 1,000 · 8.3 images/s · ETA 1:45". */
    static String describe(Progress p) {
        StringBuilder sb = new StringBuilder(p.stage());
        if (p.total() > 0) {
            sb.append(String.format(Locale.ROOT, " %,d / %,d", p.done(), p.total()));
        } else if (p.done() > 0) {
            sb.append(String.format(Locale.ROOT, " %,d", p.done()));
        }
        if (p.itemsPerSecond() > 0) {
            sb.append(String.format(Locale.ROOT, " \u00b7 %.1f images/s", p.itemsPerSecond()));
        }
        if (p.eta() != null) {
            sb.append(" \u00b7 ETA ").append(formatEta(p.eta()));
        }
        return sb.toString();
    }

    static String formatEta(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Removes the bar's listeners and bindings on the view model. */
    void dispose() {
        subs.close();
    }

    String progressText() {
        return progressText.getText();
    }
}
