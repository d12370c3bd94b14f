package org.itaestudio.ui;

import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.CustomMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.cluster.Hdbscan;

/**
 * The toolbar's HDBSCAN settings, in place of k while the cluster method is HDBSCAN: a button that says the current
 * settings ("min 10 · UMAP-10") and opens min cluster size, min samples ("auto" = the min cluster size) and the space
 * HDBSCAN runs in, the same three the CLI takes ({@code --min-cluster-size}, {@code --min-samples}, {@code --reduce}).
 * The values live in {@link MainViewModel}; this only binds.
 */
final class HdbscanControls {

    private HdbscanControls() {
    }

    /** How a reduction reads in the app (and its CLI spelling in the tooltip). */
    static String label(Hdbscan.Reduction r) {
        return switch (r) {
            case UMAP_10 -> "UMAP-10";
            case PCA_50 -> "PCA-50";
            case NONE -> "no reduction";
        };
    }

    static MenuButton button(MainViewModel vm, Subscriptions subs) {
        MenuButton b = new MenuButton();
        b.setId("hdbscan-settings");
        b.setMinWidth(Region.USE_PREF_SIZE);
        subs.bind(b.textProperty(), Bindings.createStringBinding(() -> String.format(Locale.ROOT, "min %d \u00b7 %s",
                        vm.minClusterSizeProperty().get(), label(vm.reductionProperty().get())),
                vm.minClusterSizeProperty(), vm.reductionProperty()));
        b.setTooltip(new Tooltip("HDBSCAN: smallest cluster, min samples and the space it runs in "
                + "(UMAP to 10 dimensions, the top 50 principal components, or the embeddings). Press Run to re-cluster"));

        Spinner<Integer> size = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(2, 100_000,
                Math.max(2, vm.minClusterSizeProperty().get())));
        size.setId("hdbscan-min-cluster-size");
        size.setEditable(true);
        size.setPrefWidth(100);
        size.valueProperty().addListener((o, a, v) -> vm.minClusterSizeProperty().set(v));
        subs.onChange(vm.minClusterSizeProperty(), (o, a, v) -> {
            if (!v.equals(size.getValue())) {
                size.getValueFactory().setValue(Math.max(2, v.intValue()));
            }
        });

        SpinnerValueFactory.IntegerSpinnerValueFactory sf = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 100_000,
                Math.max(0, vm.minSamplesProperty().get()));
        sf.setConverter(new AutoZeroConverter());
        Spinner<Integer> samples = new Spinner<>(sf);
        samples.setId("hdbscan-min-samples");
        samples.setEditable(true);
        samples.setPrefWidth(100);
        samples.valueProperty().addListener((o, a, v) -> vm.minSamplesProperty().set(v));
        subs.onChange(vm.minSamplesProperty(), (o, a, v) -> {
            if (!v.equals(samples.getValue())) {
                sf.setValue(Math.max(0, v.intValue()));
            }
        });

        b.getItems().addAll(row("Min cluster size", size, "The smallest group HDBSCAN calls a cluster"),
                row("Min samples", samples, "Neighbours (the image included) that make an image dense; "
                        + "auto = the min cluster size. Higher: more images left unclustered"),
                new SeparatorMenuItem());
        ToggleGroup space = new ToggleGroup();
        for (Hdbscan.Reduction r : Hdbscan.Reduction.values()) {
            RadioMenuItem item = new RadioMenuItem(switch (r) {
                case UMAP_10 -> "Run on UMAP to 10 dimensions";
                case PCA_50 -> "Run on the top 50 principal components";
                case NONE -> "Run on the embeddings (no reduction)";
            });
            item.setId("hdbscan-reduce-" + r.name().toLowerCase(Locale.ROOT));
            item.setToggleGroup(space);
            item.setSelected(r == vm.reductionProperty().get());
            item.setOnAction(e -> vm.reductionProperty().set(r));
            b.getItems().add(item);
        }
        subs.onChange(vm.reductionProperty(), (o, a, r) -> space.getToggles().forEach(t ->
                t.setSelected(((RadioMenuItem) t).getId().equals("hdbscan-reduce-" + r.name().toLowerCase(Locale.ROOT)))));
        subs.bind(b.visibleProperty(), vm.clusterMethodProperty().isEqualTo(ClusterMethod.HDBSCAN));
        subs.bind(b.managedProperty(), b.visibleProperty());
        return b;
    }

    private static CustomMenuItem row(String text, Spinner<Integer> spinner, String tip) {
        Label label = new Label(text);
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox box = new HBox(10, label, gap, spinner);
        box.setAlignment(Pos.CENTER_LEFT);
        box.setPrefWidth(260);
        Tooltip.install(box, new Tooltip(tip));
        return new CustomMenuItem(box, false); // clicks in the spinner keep the menu open
    }
}
