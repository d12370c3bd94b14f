package org.itaestudio.ui;

import java.util.function.Supplier;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.stage.Window;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignI;
import org.kordamp.ikonli.materialdesign2.MaterialDesignR;
import org.kordamp.ikonli.materialdesign2.MaterialDesignU;

/**
 * The toolbar's Explore menu: "More like this" for the selected image (selected in the gallery, the map or the
 * inspector), near-duplicates, the gallery order (representatives or most unusual first) and undo of cluster edits.
 * Owns the two exploration windows; the "more like this" window opens whenever a new image's neighbours are asked
 * for (also from the gallery's context menu).
 */
final class ExploreMenu {
    private final MainViewModel vm;
    private final ThumbnailCache thumbs;
    private final ExportController export;
    private final Supplier<Window> owner;
    private final MenuButton button;
    private final Subscriptions subs = new Subscriptions();
    private SimilarDialog similarDialog;
    private DuplicatesDialog duplicatesDialog;
    private FixComparisonView comparisonView;

    ExploreMenu(MainViewModel vm, ThumbnailCache thumbs, ExportController export, Supplier<Window> owner) {
        this.vm = vm;
        this.thumbs = thumbs;
        this.export = export;
        this.owner = owner;
        // icon only: the toolbar is full at 1440 px
        button = new MenuButton(null, new FontIcon(MaterialDesignC.COMPASS_OUTLINE));
        button.setId("explore-menu");
        button.setTooltip(new Tooltip("Explore: more like this (Ctrl+L), near-duplicates (Ctrl+D), most unusual first, "
                + "undo and redo cluster edits (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y)"));
        MenuItem like = new MenuItem("More like this (selected image)", new FontIcon(MaterialDesignI.IMAGE_SEARCH_OUTLINE));
        like.setId("explore-similar");
        like.setAccelerator(new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN));
        like.setOnAction(e -> {
            int i = vm.selectedImageProperty().get();
            if (i >= 0) {
                vm.explore().showSimilar(i);
            } else {
                vm.statusProperty().set("Select an image first, then More like this");
            }
        });
        MenuItem dups = new MenuItem("Near-duplicates\u2026", new FontIcon(MaterialDesignC.CONTENT_DUPLICATE));
        dups.setId("explore-duplicates");
        dups.setAccelerator(new KeyCodeCombination(KeyCode.D, KeyCombination.SHORTCUT_DOWN));
        dups.setOnAction(e -> showDuplicates());
        ToggleGroup order = new ToggleGroup();
        RadioMenuItem reps = new RadioMenuItem("Gallery: representatives first");
        reps.setId("order-representatives");
        RadioMenuItem unusual = new RadioMenuItem("Gallery: most unusual first");
        unusual.setId("order-unusual");
        reps.setToggleGroup(order);
        unusual.setToggleGroup(order);
        reps.setSelected(vm.clusters().order() == ClusterModel.Order.REPRESENTATIVES_FIRST);
        unusual.setSelected(!reps.isSelected());
        reps.setOnAction(e -> {
            vm.clusters().setOrder(ClusterModel.Order.REPRESENTATIVES_FIRST);
            vm.statusProperty().set("Gallery: representatives (closest to the cluster centre) first");
        });
        unusual.setOnAction(e -> {
            vm.clusters().setOrder(ClusterModel.Order.MOST_UNUSUAL_FIRST);
            vm.viewProperty().set(MainViewModel.View.CLUSTERS);
            // scores are computed now if not known yet (progress in the status bar); the order follows them
            vm.explore().requestOutlierScores(() -> vm.statusProperty().set(
                    "Gallery: most unusual first (mean cosine distance to the 10 nearest images)"));
        });
        MenuItem compare = new MenuItem("Compare artifact fixes\u2026");
        compare.setId("explore-compare-fixes");
        compare.setOnAction(e -> showFixComparison());
        MenuItem undo = new MenuItem("Undo", new FontIcon(MaterialDesignU.UNDO));
        undo.setId("explore-undo");
        undo.setAccelerator(new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN));
        undo.setOnAction(e -> vm.clusters().undo());
        subs.bind(undo.textProperty(), vm.clusters().undoTextProperty());
        subs.bind(undo.disableProperty(), vm.clusters().canUndoProperty().not());
        MenuItem redo = new MenuItem("Redo", new FontIcon(MaterialDesignR.REDO));
        redo.setId("explore-redo");
        redo.setAccelerator(new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN));
        redo.setOnAction(e -> vm.clusters().redo());
        subs.bind(redo.textProperty(), vm.clusters().redoTextProperty());
        subs.bind(redo.disableProperty(), vm.clusters().canRedoProperty().not());
        button.getItems().addAll(like, dups, compare, new SeparatorMenuItem(), reps, unusual, new SeparatorMenuItem(), undo, redo);
        subs.bind(button.disableProperty(), vm.analysisProperty().isNull());
        subs.onChange(vm.explore().messageProperty(), (o, a, b) -> {
            if (b != null && !b.isEmpty()) {
                vm.statusProperty().set(b);
            }
        });
        subs.onChange(vm.explore().similarSourceProperty(), (o, a, b) -> {
            if (b.intValue() >= 0) {
                showSimilar();
            }
        });
    }

    MenuButton button() {
        return button;
    }

    void showSimilar() {
        if (similarDialog == null || !similarDialog.isShowing()) {
            similarDialog = new SimilarDialog(owner.get(), vm, thumbs);
            similarDialog.show();
        }
        similarDialog.toFront();
    }

    void showDuplicates() {
        if (duplicatesDialog == null || !duplicatesDialog.isShowing()) {
            duplicatesDialog = new DuplicatesDialog(owner.get(), vm, thumbs, export);
            duplicatesDialog.show();
        }
        duplicatesDialog.toFront();
    }

    /** The fix comparison window (one at a time). */
    void showFixComparison() {
        if (comparisonView == null || !comparisonView.isShowing()) {
            comparisonView = new FixComparisonView(owner.get(), vm, thumbs);
            comparisonView.show();
        }
        comparisonView.toFront();
    }

    FixComparisonView comparisonView() {
        return comparisonView;
    }

    SimilarDialog similarDialog() {
        return similarDialog;
    }

    DuplicatesDialog duplicatesDialog() {
        return duplicatesDialog;
    }

    void dispose() {
        subs.close();
        if (similarDialog != null) {
            similarDialog.close();
        }
        if (duplicatesDialog != null) {
            duplicatesDialog.close();
        }
    }
}
