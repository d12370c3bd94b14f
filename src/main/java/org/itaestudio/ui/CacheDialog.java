package org.itaestudio.ui;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.stage.Window;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.store.CacheBudget;
import org.itaestudio.store.CacheKind;
import org.itaestudio.store.CacheUsage;

/** Cache sizes per kind and the disk budget, with "Clear cache" (which says what it will free first). */
final class CacheDialog {

    /** The app's cache budget preference ("5G"; absent: the default), read when the app starts. */
    static final String MAX_SIZE_PREFERENCE = "cache.maxSize";

    private CacheDialog() {
    }

    /**
     * Checks and stores a budget typed by the user: blank removes the preference (back to the default).
     *
     * @return null when stored, else the one-line reason it was refused
     */
    static String storeBudget(StudioPreferences prefs, String typed) {
        String value = typed == null ? "" : typed.trim();
        if (value.isEmpty()) {
            prefs.node().remove(MAX_SIZE_PREFERENCE);
            return null;
        }
        try {
            CacheBudget.parseSize(value);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        prefs.node().put(MAX_SIZE_PREFERENCE, value);
        return null;
    }

    /** The dialog's text: one line per kind, the total and the budget. */
    static String describe(Optional<CacheUsage> usage, Optional<CacheBudget> budget) {
        if (usage.isEmpty()) {
            return "This session runs without caches.";
        }
        CacheUsage u = usage.get();
        StringBuilder sb = new StringBuilder("Cache directory: " + u.directory() + "\n\n");
        for (CacheKind k : new CacheKind[] {CacheKind.EMBEDDINGS, CacheKind.FILE_HASHES, CacheKind.HIDDEN_STATES, CacheKind.REGISTER_NEURONS}) {
            sb.append(String.format(Locale.ROOT, "%-17s %10s%n", capitalised(k.label()), CacheBudget.format(u.of(k))));
        }
        sb.append(String.format(Locale.ROOT, "%-17s %10s%n", "Total", CacheBudget.format(u.total())));
        budget.ifPresent(b -> sb.append("\nBudget: ").append(CacheBudget.format(b.maxBytes())).append(" (")
                .append(b.origin()).append(").\nHidden states are evicted first, embeddings last."));
        return sb.toString();
    }

    /** What "Clear cache" asks before it runs. */
    static String confirmation(CacheUsage usage) {
        return "Clearing frees about " + CacheBudget.format(usage.total()) + " (embeddings "
                + CacheBudget.format(usage.embeddings()) + ", file hashes " + CacheBudget.format(usage.fileHashes())
                + ", hidden states " + CacheBudget.format(usage.hiddenStates()) + ", register neurons "
                + CacheBudget.format(usage.registerNeurons()) + "). The next run of each folder"
                + " embeds its images again.";
    }

    /** What the status bar says after clearing. */
    static String cleared(CacheUsage freed) {
        return "Cache cleared: freed " + CacheBudget.format(freed.total());
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static void show(Window owner, MainViewModel vm) {
        StudioEngine engine = vm.engine();
        ButtonType clear = new ButtonType("Clear cache\u2026", ButtonBar.ButtonData.LEFT);
        Alert a = new Alert(Alert.AlertType.INFORMATION, null, clear, ButtonType.CLOSE);
        a.initOwner(owner);
        a.setTitle("Caches");
        a.setHeaderText("What the caches take on disk");
        Label body = new Label(describe(engine.cacheUsage(), engine.cacheBudget()));
        body.setId("cache-text");
        body.setStyle("-fx-font-family: monospace");
        javafx.scene.control.TextField budget = new javafx.scene.control.TextField(
                vm.prefs().node().get(MAX_SIZE_PREFERENCE, ""));
        budget.setId("cache-budget");
        budget.setPromptText("default");
        budget.setPrefColumnCount(8);
        Label budgetNote = new Label("Budget (e.g. 5G; empty: the default; used from the next start)");
        javafx.scene.layout.HBox budgetRow = new javafx.scene.layout.HBox(8, budgetNote, budget);
        budgetRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        a.getDialogPane().setContent(new javafx.scene.layout.VBox(12, body, budgetRow));
        a.getDialogPane().lookupButton(clear).setDisable(engine.cacheUsage().isEmpty() || vm.runningProperty().get());
        Optional<ButtonType> answer = a.showAndWait();
        String refused = storeBudget(vm.prefs(), budget.getText());
        if (refused != null) {
            vm.statusProperty().set("Cache budget not changed: " + refused);
        }
        if (answer.isEmpty() || answer.get() != clear) {
            return;
        }
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, confirmation(engine.cacheUsage().orElseThrow()),
                ButtonType.CANCEL, ButtonType.OK);
        confirm.initOwner(owner);
        confirm.setTitle("Clear cache");
        confirm.setHeaderText("Clear every cache?");
        if (confirm.showAndWait().orElse(ButtonType.CANCEL) != ButtonType.OK) {
            return;
        }
        vm.statusProperty().set("Clearing the cache\u2026");
        Thread t = new Thread(() -> {
            String done;
            try {
                done = cleared(engine.clearCache(Set.of()));
            } catch (RuntimeException e) {
                done = "Clearing the cache failed: " + MainViewModel.oneLine(e);
            }
            String text = done;
            Platform.runLater(() -> vm.statusProperty().set(text));
        }, "clear-cache");
        t.setDaemon(true);
        t.start();
    }
}
