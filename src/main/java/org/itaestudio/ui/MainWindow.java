package org.itaestudio.ui;

import atlantafx.base.theme.Styles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.progress.Progress;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignA;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignD;
import org.kordamp.ikonli.materialdesign2.MaterialDesignE;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignH;
import org.kordamp.ikonli.materialdesign2.MaterialDesignI;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;
import org.kordamp.ikonli.materialdesign2.MaterialDesignT;
import org.kordamp.ikonli.materialdesign2.MaterialDesignV;

/**
 * The main window: toolbar, the three views of one selection (clusters, map, inspector), the ITAE panel and the
 * status bar, plus the empty, running, error and no-images states ({@link MainViewModel.Screen}). It builds nodes
 * and binds them to the view model; {@link #dispose()} removes everything it and its views hold on the models.
 */
final class MainWindow extends BorderPane {


    private final MainViewModel vm;
    private final GalleryView gallery;
    private final MapView map;
    private final InspectorView inspector;
    private final TransferView transfer;
    private final ItaePanel itaePanel;
    private final ExportController export;
    private final ExploreMenu explore;
    private final StatusBar status;
    private final StackPane centre = new StackPane();
    private final VBox statePane = new VBox(14);
    private final ToggleGroup viewGroup = new ToggleGroup();
    private final ScrollPane itaeScroll;
    /** What the window holds on the view model. */
    private final Subscriptions subs = new Subscriptions();
    /** What the state screen shown now holds (replaced with the screen). */
    private final Subscriptions stateSubs = new Subscriptions();

    MainWindow(MainViewModel vm, ThumbnailCache thumbs) {
        this.vm = vm;
        getStyleClass().add("main-window");
        gallery = new GalleryView(vm, thumbs);
        map = new MapView(vm, thumbs);
        inspector = new InspectorView(vm);
        transfer = new TransferView(vm.transfer());
        itaePanel = new ItaePanel(vm);
        export = new ExportController(vm);
        explore = new ExploreMenu(vm, thumbs, export, () -> getScene().getWindow());
        itaePanel.setOnCompare(explore::showFixComparison);
        status = new StatusBar(vm, this::showSkipped);
        itaeScroll = new ScrollPane(itaePanel);
        setTop(buildToolbar());
        layoutViews();

        subs.onChange(this::updateCentre, vm.screenProperty(), vm.viewProperty(), vm.folderProperty());
        subs.onChange(vm.modelMissingProperty(), (o, a, b) -> {
            if (b != null) {
                vm.clearModelMissing();
                showModelDialog(b);
            }
        });
        installDragAndDrop();
        updateCentre();
    }

    private void layoutViews() {
        statePane.setId("state-pane");
        statePane.setAlignment(Pos.CENTER);
        statePane.setMaxWidth(560);
        statePane.getStyleClass().add("state-pane");
        centre.getChildren().addAll(gallery, map, inspector, transfer, statePane);
        subs.bind(centre.disableProperty(), vm.explore().splittingProperty()); // no edits while a split is worked out
        setCenter(centre);
        itaeScroll.setFitToWidth(true);
        itaeScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        itaeScroll.getStyleClass().add("itae-scroll");
        itaeScroll.setPrefViewportWidth(300);
        setRight(itaeScroll);
        setBottom(status);
    }

    /** Removes every listener and binding this window and its views hold on the view models. */
    void dispose() {
        stateSubs.close();
        subs.close();
        gallery.dispose();
        map.dispose();
        inspector.dispose();
        transfer.dispose();
        itaePanel.dispose();
        status.dispose();
        explore.dispose();
    }

    /** Listeners and bindings the window holds now (its own and the state screen's; tests). */
    int subscriptionCount() {
        return subs.size() + stateSubs.size();
    }

    // ------------------------------------------------------------------ toolbar

    private Node buildToolbar() {
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        // a plain HBox, not a ToolBar: AtlantaFX flattens buttons inside tool bars, and Run should stand out
        HBox bar = new HBox(6);
        bar.getChildren().addAll(folderControls());
        bar.getChildren().add(new Separator(Orientation.VERTICAL));
        bar.getChildren().addAll(modelControls());
        bar.getChildren().addAll(kControls());
        bar.getChildren().addAll(runButton(), exportMenu(), explore.button(), spacer, viewSwitch(), new Separator(Orientation.VERTICAL));
        bar.getChildren().addAll(windowButtons());
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setId("main-toolbar");
        // a window narrower than the toolbar clips the toolbar's right end instead of pushing the whole layout (and the
        // side panel) past the window's edge
        bar.setMinWidth(0);
        javafx.scene.shape.Rectangle clip = new javafx.scene.shape.Rectangle();
        clip.widthProperty().bind(bar.widthProperty());
        clip.heightProperty().bind(bar.heightProperty());
        bar.setClip(clip);
        return bar;
    }

    /** Open, recent folders, and the folder's name. */
    private List<Node> folderControls() {
        Button open = iconButton(new FontIcon(MaterialDesignF.FOLDER_OPEN_OUTLINE), "Open a folder of images (Ctrl+O)");
        open.setId("open-folder");
        open.setOnAction(e -> chooseFolder());
        MenuButton recent = new MenuButton(null, new FontIcon(MaterialDesignH.HISTORY));
        recent.setId("recent-folders");
        recent.setTooltip(new Tooltip("Recent folders"));
        recent.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        recent.setOnShowing(e -> fillRecent(recent));
        fillRecent(recent);
        Label folderName = new Label();
        folderName.setId("folder-name");
        folderName.getStyleClass().add(Styles.TEXT_BOLD);
        folderName.setMaxWidth(220);
        subs.bind(folderName.textProperty(), Bindings.createStringBinding(() -> {
            Path f = vm.folderProperty().get();
            return f == null ? "No folder" : f.getFileName() == null ? f.toString() : f.getFileName().toString();
        }, vm.folderProperty()));
        subs.bind(folderName.tooltipProperty(), Bindings.createObjectBinding(() -> vm.folderProperty().get() == null
                ? null : new Tooltip(vm.folderProperty().get().toString()), vm.folderProperty()));
        return List.of(open, recent, folderName);
    }

    /** Model (name or checkpoint), device, fast JPEG decoding. */
    private List<Node> modelControls() {
        ComboBox<String> model = new ComboBox<>();
        model.setId("model-box");
        model.setEditable(true);
        model.getItems().addAll(ModelCatalog.names());
        model.setValue(vm.modelProperty().get());
        model.setPrefWidth(130);
        model.setTooltip(new Tooltip("DINOv2 model: a name (downloaded once, or found in the Hugging Face cache) or a local checkpoint"));
        model.valueProperty().addListener((o, a, b) -> {
            if (b != null && !b.isBlank()) {
                vm.modelProperty().set(b.strip());
            }
        });
        subs.onChange(vm.modelProperty(), (o, a, b) -> model.setValue(b));
        Button pickModel = iconButton(new FontIcon(MaterialDesignF.FILE_SEARCH_OUTLINE), "Use a local checkpoint (.safetensors, .pth)");
        pickModel.setOnAction(e -> chooseModelFile());
        Label deviceIcon = new Label(null, new FontIcon(MaterialDesignC.CHIP));
        deviceIcon.setTooltip(new Tooltip("Device"));
        return List.of(model, pickModel, deviceIcon, deviceBox(), jpegDraftToggle());
    }

    private ComboBox<DeviceChoice> deviceBox() {
        ComboBox<DeviceChoice> device = new ComboBox<>();
        device.setId("device-box");
        device.getItems().addAll(DeviceChoice.AUTO, DeviceChoice.CPU, DeviceChoice.GPU);
        subs.bindBidirectional(device.valueProperty(), vm.deviceProperty());
        device.setConverter(new StringConverter<>() {
            @Override
            public String toString(DeviceChoice d) {
                return d == null ? "" : d == DeviceChoice.AUTO ? "Auto" : d.name();
            }

            @Override
            public DeviceChoice fromString(String s) {
                return DeviceChoice.parse(s);
            }
        });
        device.setTooltip(new Tooltip("Device the model runs on: CPU, GPU, or the GPU when there is one"));
        device.setMinWidth(Region.USE_PREF_SIZE);
        return device;
    }

    private ToggleButton jpegDraftToggle() {
        ToggleButton draft = new ToggleButton(null, new FontIcon(MaterialDesignF.FLASH_OUTLINE));
        draft.setId("jpeg-draft");
        draft.getStyleClass().addAll(Styles.BUTTON_ICON);
        subs.bindBidirectional(draft.selectedProperty(), vm.jpegDraftProperty());
        draft.setTooltip(new Tooltip("Fast JPEG decoding: decode large JPEGs at 1/2 to 1/8 size inside the decoder, "
                + "like Pillow's draft mode.\nSeveral times faster on camera photos; embeddings differ slightly from a "
                + "full decode. Applies at the next Run (F5)."));
        return draft;
    }

    /** The "k" label and spinner ("auto" for 0). */
    private List<Node> kControls() {
        Spinner<Integer> k = new Spinner<>();
        k.setId("k-spinner");
        SpinnerValueFactory.IntegerSpinnerValueFactory kf = new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 200, vm.kProperty().get());
        kf.setConverter(new AutoZeroConverter());
        k.setValueFactory(kf);
        k.setEditable(true);
        k.setPrefWidth(90);
        k.setMinWidth(Region.USE_PREF_SIZE); // a squeezed spinner hides the value
        kf.valueProperty().addListener((o, a, b) -> vm.kProperty().set(b == null ? 0 : b));
        subs.onChange(vm.kProperty(), (o, a, b) -> {
            if (!b.equals(kf.getValue())) {
                kf.setValue(b.intValue());
            }
        });
        k.setTooltip(new Tooltip("Number of clusters k; \u201cauto\u201d picks k by silhouette. Press Run to re-cluster"));
        Label kLabel = new Label("k");
        kLabel.getStyleClass().add(Styles.TEXT_MUTED);
        ComboBox<ClusterMethod> method = new ComboBox<>();
        method.setId("cluster-method");
        method.setMinWidth(Region.USE_PREF_SIZE);
        method.getItems().addAll(ClusterMethod.KMEANS, ClusterMethod.HDBSCAN);
        method.setConverter(new StringConverter<>() {
            @Override
            public String toString(ClusterMethod m) {
                return m == ClusterMethod.HDBSCAN ? "HDBSCAN" : m == null ? "" : "k-means";
            }

            @Override
            public ClusterMethod fromString(String s) {
                return "HDBSCAN".equalsIgnoreCase(s) ? ClusterMethod.HDBSCAN : ClusterMethod.KMEANS;
            }
        });
        subs.bindBidirectional(method.valueProperty(), vm.clusterMethodProperty());
        method.setTooltip(new Tooltip("k-means splits every image into k clusters; HDBSCAN finds dense groups by itself "
                + "and puts the rest in \u201cUnclustered\u201d. Press Run to re-cluster"));
        // HDBSCAN finds the number of clusters: its own settings take k's place
        for (Node n : List.of(kLabel, k)) {
            subs.bind(n.visibleProperty(), vm.clusterMethodProperty().isNotEqualTo(ClusterMethod.HDBSCAN));
            subs.bind(n.managedProperty(), n.visibleProperty());
        }
        return List.of(method, kLabel, k, HdbscanControls.button(vm, subs));
    }

    /** Run, or Cancel while running; with no folder it asks for one. */
    private Button runButton() {
        Button run = new Button();
        run.setId("run-button");
        run.setMinWidth(Region.USE_PREF_SIZE);
        subs.bind(run.textProperty(), Bindings.when(vm.runningProperty()).then("Cancel").otherwise("Run"));
        subs.bind(run.graphicProperty(), Bindings.when(vm.runningProperty()).<Node>then(new FontIcon(MaterialDesignS.STOP))
                .otherwise(new FontIcon(MaterialDesignP.PLAY)));
        run.setTooltip(new Tooltip("Analyse the folder: embed, cluster, map (F5). While running: cancel (Esc)"));
        run.getStyleClass().add(Styles.ACCENT);
        run.setOnAction(e -> {
            if (vm.runningProperty().get()) {
                vm.cancel();
            } else if (vm.folderProperty().get() == null) {
                chooseFolder();
            } else {
                vm.run();
            }
        });
        return run;
    }

    private MenuButton exportMenu() {
        MenuButton exportBtn = new MenuButton("Export", new FontIcon(MaterialDesignE.EXPORT_VARIANT));
        exportBtn.setId("export-menu");
        exportBtn.setMinWidth(Region.USE_PREF_SIZE);
        exportBtn.setTooltip(new Tooltip("Export labels or embeddings as CSV (Ctrl+E)"));
        MenuItem labels = new MenuItem("Cluster labels (CSV)\u2026", new FontIcon(MaterialDesignF.FILE_DELIMITED_OUTLINE));
        labels.setAccelerator(new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN));
        labels.setOnAction(e -> export.export(getScene().getWindow(), ExportController.Kind.LABELS));
        MenuItem emb = new MenuItem("Embeddings (CSV)\u2026", new FontIcon(MaterialDesignT.TABLE_ARROW_RIGHT));
        emb.setOnAction(e -> export.export(getScene().getWindow(), ExportController.Kind.EMBEDDINGS));
        MenuItem npy = new MenuItem("Embeddings (NumPy .npy + paths.csv)\u2026", new FontIcon(MaterialDesignT.TABLE_ARROW_RIGHT));
        npy.setOnAction(e -> export.export(getScene().getWindow(), ExportController.Kind.NUMPY));
        MenuItem view = new MenuItem("Current view (path, cluster, x, y, outlier score)\u2026",
                new FontIcon(MaterialDesignF.FILE_DELIMITED_OUTLINE));
        view.setOnAction(e -> export.export(getScene().getWindow(), ExportController.Kind.VIEW));
        exportBtn.getItems().addAll(labels, emb, npy, view);
        subs.bind(exportBtn.disableProperty(), vm.analysisProperty().isNull());
        return exportBtn;
    }

    /** Clusters / Map / Inspector: one is always selected, and it follows the view model's view. */
    private Node viewSwitch() {
        ToggleButton clusters = viewButton("Clusters", new FontIcon(MaterialDesignV.VIEW_GRID_OUTLINE), MainViewModel.View.CLUSTERS, "Images grouped by cluster (1)");
        ToggleButton mapB = viewButton("Map", new FontIcon(MaterialDesignS.SCATTER_PLOT_OUTLINE), MainViewModel.View.MAP, "t-SNE map of the embeddings (2)");
        ToggleButton insp = viewButton("Inspector", new FontIcon(MaterialDesignE.EYE_OUTLINE), MainViewModel.View.INSPECTOR, "Attention and artifacts of one image (3)");
        ToggleButton transferB = viewButton("Transfer", new FontIcon(MaterialDesignS.SCHOOL_OUTLINE), MainViewModel.View.TRANSFER, "Train a student with a teacher's attention (4)");
        clusters.getStyleClass().add(Styles.LEFT_PILL);
        mapB.getStyleClass().add(Styles.CENTER_PILL);
        insp.getStyleClass().add(Styles.CENTER_PILL);
        transferB.getStyleClass().add(Styles.RIGHT_PILL);
        viewGroup.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true);
            } else {
                vm.viewProperty().set((MainViewModel.View) b.getUserData());
            }
        });
        subs.onChange(vm.viewProperty(), (o, a, b) -> viewGroup.getToggles().forEach(t -> t.setSelected(t.getUserData() == b)));
        viewGroup.getToggles().forEach(t -> t.setSelected(t.getUserData() == vm.viewProperty().get()));
        // below COMPACT_WIDTH the view buttons show only their icons (their tooltips name them), so the toolbar fits
        for (ToggleButton b : List.of(clusters, mapB, insp, transferB)) {
            subs.bind(b.contentDisplayProperty(), Bindings.when(widthProperty().lessThan(COMPACT_WIDTH))
                    .then(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY).otherwise(javafx.scene.control.ContentDisplay.LEFT));
        }
        return new HBox(clusters, mapB, insp, transferB);
    }

    /** Window width below which the toolbar's view buttons drop their labels. */
    static final double COMPACT_WIDTH = 1650;

    /** ITAE panel toggle, theme, about. */
    private List<Node> windowButtons() {
        ToggleButton tune = new ToggleButton(null, new FontIcon(MaterialDesignT.TUNE_VARIANT));
        tune.setId("itae-toggle");
        tune.getStyleClass().add(Styles.BUTTON_ICON);
        tune.setTooltip(new Tooltip("Show or hide the ITAE panel"));
        tune.setSelected(true);
        tune.selectedProperty().addListener((o, a, b) -> setRight(b ? itaeScroll : null));
        Button theme = iconButton(new FontIcon(MaterialDesignT.THEME_LIGHT_DARK), "Switch between light and dark theme");
        theme.setId("theme-toggle");
        theme.setOnAction(e -> vm.darkThemeProperty().set(!vm.darkThemeProperty().get()));
        Button about = iconButton(new FontIcon(MaterialDesignI.INFORMATION_OUTLINE),
                "About ITAE Studio: version, log file and cache locations (F1)");
        about.setId("about");
        about.setOnAction(e -> AboutDialog.show(getScene().getWindow(), vm.engineDescriptionProperty().get()));
        Button caches = iconButton(new FontIcon(MaterialDesignD.DATABASE_OUTLINE),
                "Caches: size per kind, disk budget, clear cache");
        caches.setId("caches");
        caches.setOnAction(e -> CacheDialog.show(getScene().getWindow(), vm));
        return List.of(tune, theme, caches, about);
    }

    private ToggleButton viewButton(String text, Node icon, MainViewModel.View v, String tip) {
        ToggleButton b = new ToggleButton(text, icon);
        b.setUserData(v);
        b.setToggleGroup(viewGroup);
        b.setTooltip(new Tooltip(tip));
        b.setId("view-" + v.name().toLowerCase(Locale.ROOT));
        b.setMinWidth(Region.USE_PREF_SIZE); // the model box gives way first on a narrow window
        return b;
    }

    private static Button iconButton(Node icon, String tip) {
        Button b = new Button(null, icon);
        b.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        b.setTooltip(new Tooltip(tip));
        return b;
    }

    private void fillRecent(MenuButton recent) {
        recent.getItems().clear();
        List<Path> folders = vm.recentFolders();
        if (folders.isEmpty()) {
            MenuItem none = new MenuItem("No recent folders");
            none.setDisable(true);
            recent.getItems().add(none);
        }
        for (Path p : folders) {
            MenuItem mi = new MenuItem(p.toString());
            mi.setOnAction(e -> vm.openFolder(p));
            mi.setDisable(!Files.isDirectory(p));
            recent.getItems().add(mi);
        }
        MenuItem results = new MenuItem("Open Spark job results\u2026", new FontIcon(MaterialDesignF.FOLDER_TABLE_OUTLINE));
        results.setId("open-results");
        results.setOnAction(e -> chooseResults());
        recent.getItems().addAll(new SeparatorMenuItem(), results);
    }

    // ------------------------------------------------------------------ actions

    public void chooseFolder() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Open a folder of images");
        Path last = vm.prefs().lastFolder();
        if (last != null && Files.isDirectory(last)) {
            dc.setInitialDirectory(last.toFile());
        }
        File f = dc.showDialog(getScene().getWindow());
        if (f != null) {
            vm.openFolder(f.toPath());
        }
    }

    /** A Spark job's output folder (job.json, labels.csv, embeddings.csv): opened like a folder, without a model. */
    private void chooseResults() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Open the output folder of 'itae-studio spark embed-cluster'");
        File f = dc.showDialog(getScene().getWindow());
        if (f != null) {
            vm.openResults(f.toPath());
        }
    }

    private void chooseModelFile() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Choose a DINOv2 checkpoint");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Checkpoints", "*.safetensors", "*.pth"));
        File f = fc.showOpenDialog(getScene().getWindow());
        if (f != null) {
            vm.modelProperty().set(f.getAbsolutePath());
        }
    }

    public void showSkipped() {
        if (!vm.skipped().isEmpty()) {
            new SkippedFilesDialog(getScene().getWindow(), List.copyOf(vm.skipped())).show();
        }
    }

    /** Opens the model dialog; a chosen model re-runs the folder. */
    ModelDialog showModelDialog(MainViewModel.ModelMissingException missing) {
        ModelDialog d = new ModelDialog(getScene() == null ? null : getScene().getWindow(), missing.model(),
                missing.status(), vm.models());
        d.setOnHidden(e -> {
            String spec = d.getResult();
            if (spec != null) {
                vm.modelProperty().set(spec);
                vm.run();
            }
        });
        d.show();
        return d;
    }

    public ExportController exportController() {
        return export;
    }

    public GalleryView gallery() {
        return gallery;
    }

    public MapView map() {
        return map;
    }

    public InspectorView inspector() {
        return inspector;
    }

    public ItaePanel itaePanel() {
        return itaePanel;
    }

    ExploreMenu exploreMenu() {
        return explore;
    }

    public StatusBar statusBar() {
        return status;
    }

    /** Ctrl+O, Ctrl+E, F5, Esc, 1/2/3/4, Ctrl+F (installed on the scene). */
    public void installShortcuts(Scene scene) {
        var acc = scene.getAccelerators();
        acc.put(new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN), this::chooseFolder);
        acc.put(new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN),
                () -> export.export(scene.getWindow(), ExportController.Kind.LABELS));
        acc.put(new KeyCodeCombination(KeyCode.F5), vm::run);
        // redo is Ctrl+Shift+Z on the Explore menu's item, and Ctrl+Y as on Windows
        acc.put(new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN), () -> vm.clusters().redo());
        acc.put(new KeyCodeCombination(KeyCode.F1),
                () -> AboutDialog.show(getScene().getWindow(), vm.engineDescriptionProperty().get()));
        acc.put(new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN), () -> {
            vm.viewProperty().set(MainViewModel.View.MAP);
            map.canvas().fit();
        });
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE && vm.runningProperty().get()) {
                vm.cancel();
                e.consume();
                return;
            }
            // 1/2/3/4 switch views unless the user is typing in a field
            if (e.getTarget() instanceof javafx.scene.control.TextInputControl || e.isShortcutDown() || e.isAltDown()) {
                return;
            }
            MainViewModel.View v = switch (e.getCode()) {
                case DIGIT1, NUMPAD1 -> MainViewModel.View.CLUSTERS;
                case DIGIT2, NUMPAD2 -> MainViewModel.View.MAP;
                case DIGIT3, NUMPAD3 -> MainViewModel.View.INSPECTOR;
                case DIGIT4, NUMPAD4 -> MainViewModel.View.TRANSFER;
                default -> null;
            };
            if (v != null) {
                vm.viewProperty().set(v);
                e.consume();
            }
        });
    }

    private void installDragAndDrop() {
        setOnDragOver(e -> {
            if (e.getDragboard().hasFiles() && e.getDragboard().getFiles().size() == 1
                    && e.getDragboard().getFiles().get(0).isDirectory()) {
                e.acceptTransferModes(TransferMode.COPY, TransferMode.LINK);
            }
            e.consume();
        });
        setOnDragDropped(e -> {
            boolean ok = false;
            if (e.getDragboard().hasFiles() && e.getDragboard().getFiles().get(0).isDirectory()) {
                vm.openFolder(e.getDragboard().getFiles().get(0).toPath());
                ok = true;
            }
            e.setDropCompleted(ok);
            e.consume();
        });
    }

    // ------------------------------------------------------------------ states

    private void updateCentre() {
        MainViewModel.Screen screen = vm.screenProperty().get();
        boolean results = screen == MainViewModel.Screen.RESULTS;
        MainViewModel.View v = vm.viewProperty().get();
        gallery.setVisible(results && v == MainViewModel.View.CLUSTERS);
        map.setVisible(results && v == MainViewModel.View.MAP);
        inspector.setVisible(results && v == MainViewModel.View.INSPECTOR);
        // the Transfer view needs no analysed folder: it shows over any state
        transfer.setVisible(v == MainViewModel.View.TRANSFER);
        statePane.setVisible(!results && v != MainViewModel.View.TRANSFER);
        stateSubs.close();
        statePane.getChildren().clear();
        switch (screen) {
            case RUNNING -> statePane.getChildren().addAll(runningState());
            case ERROR -> statePane.getChildren().addAll(errorState());
            case NO_IMAGES -> statePane.getChildren().addAll(noImagesState());
            case EMPTY -> statePane.getChildren().addAll(emptyState());
            case RESULTS -> { }
        }
    }

    private String folderName(String none) {
        Path folder = vm.folderProperty().get();
        return folder == null ? none : String.valueOf(folder.getFileName());
    }

    private List<Node> runningState() {
        return List.of(bigIcon(new FontIcon(MaterialDesignI.IMAGE_MULTIPLE_OUTLINE)),
                title("Analysing " + folderName("")),
                runningProgress(),
                muted("Every image is embedded with DINOv2 (cached for next time), then clustered and mapped. "
                        + "You can cancel at any time with Esc."));
    }

    private List<Node> errorState() {
        Button retry = new Button("Try again", new FontIcon(MaterialDesignP.PLAY));
        retry.getStyleClass().add(Styles.ACCENT);
        retry.setOnAction(e -> vm.run());
        Button other = new Button("Open another folder\u2026", new FontIcon(MaterialDesignF.FOLDER_OPEN_OUTLINE));
        other.setOnAction(e -> chooseFolder());
        Label err = new Label(vm.errorProperty().get());
        err.setId("state-error");
        err.setWrapText(true);
        err.getStyleClass().add(Styles.DANGER);
        return List.of(bigIcon(new FontIcon(MaterialDesignA.ALERT_CIRCLE_OUTLINE)),
                title("Could not analyse " + folderName("the folder")), err, centred(new HBox(8, retry, other)));
    }

    private List<Node> noImagesState() {
        int skipped = vm.skipped().size();
        Button list = new Button("Show the " + skipped + " skipped files", new FontIcon(MaterialDesignA.ALERT_CIRCLE_OUTLINE));
        list.setId("state-show-skipped");
        list.setOnAction(e -> showSkipped());
        list.setVisible(skipped > 0);
        list.setManaged(list.isVisible());
        Button other = new Button("Open another folder\u2026", new FontIcon(MaterialDesignF.FOLDER_OPEN_OUTLINE));
        other.getStyleClass().add(Styles.ACCENT);
        other.setOnAction(e -> chooseFolder());
        return List.of(bigIcon(new FontIcon(MaterialDesignI.IMAGE_BROKEN_VARIANT)),
                title("No readable images in " + folderName("")),
                muted(skipped == 0
                        ? "The folder (and its sub-folders) holds no JPEG, PNG, BMP, GIF, TIFF or WebP files."
                        : skipped + (skipped == 1 ? " file was" : " files were") + " found, but none could be read."),
                centred(new HBox(8, other, list)));
    }

    private List<Node> emptyState() {
        Button open = new Button("Open folder\u2026", new FontIcon(MaterialDesignF.FOLDER_OPEN_OUTLINE));
        open.setId("empty-open");
        open.getStyleClass().addAll(Styles.ACCENT, Styles.LARGE);
        open.setOnAction(e -> chooseFolder());
        VBox recent = new VBox(4);
        recent.setAlignment(Pos.CENTER);
        List<Path> folders = vm.recentFolders();
        for (Path p : folders.subList(0, Math.min(4, folders.size()))) {
            Hyperlink h = new Hyperlink(p.toString());
            h.setOnAction(e -> vm.openFolder(p));
            h.setDisable(!Files.isDirectory(p));
            recent.getChildren().add(h);
        }
        if (!recent.getChildren().isEmpty()) {
            recent.getChildren().add(0, muted("Recent folders"));
        }
        Label hint = muted("Ctrl+O open \u00b7 F5 run \u00b7 Esc cancel \u00b7 1-4 switch views \u00b7 Ctrl+E export");
        hint.getStyleClass().add(Styles.TEXT_SMALL);
        return List.of(bigIcon(new FontIcon(MaterialDesignF.FOLDER_IMAGE)),
                title("Open a folder of images to begin"),
                muted("ITAE Studio embeds every photo with DINOv2, groups them into clusters and draws a map. "
                        + "Inspect any image to see where the model looks, which tokens are attention artifacts, "
                        + "and how ITAE fixes them. You can also drop a folder onto this window."),
                open, recent, hint);
    }

    private static HBox centred(HBox box) {
        box.setAlignment(Pos.CENTER);
        return box;
    }

    /** The running screen's progress bar, text and Cancel; its listener goes with the screen. */
    private Node runningProgress() {
        ProgressBar bar = new ProgressBar(-1);
        bar.setPrefWidth(360);
        Label text = new Label("Starting\u2026");
        text.getStyleClass().add(Styles.TEXT_MUTED);
        stateSubs.onChange(vm.progressProperty(), (o, a, p) -> update(bar, text, p));
        update(bar, text, vm.progressProperty().get());
        Button cancel = new Button("Cancel", new FontIcon(MaterialDesignS.STOP));
        cancel.setTooltip(new Tooltip("Stop the analysis (Esc)"));
        cancel.setOnAction(e -> vm.cancel());
        VBox box = new VBox(8, bar, text, cancel);
        box.setAlignment(Pos.CENTER);
        return box;
    }

    private static void update(ProgressBar bar, Label text, Progress p) {
        if (p != null) {
            bar.setProgress(p.fraction());
            text.setText(StatusBar.describe(p));
        }
    }

    private static Node bigIcon(FontIcon icon) {
        icon.setIconSize(56);
        icon.getStyleClass().add("state-icon");
        return icon;
    }

    private static Label title(String s) {
        Label l = new Label(s);
        l.getStyleClass().add(Styles.TITLE_2);
        l.setId("state-title");
        l.setWrapText(true);
        return l;
    }

    private static Label muted(String s) {
        Label l = new Label(s);
        l.getStyleClass().add(Styles.TEXT_MUTED);
        l.setWrapText(true);
        l.setAlignment(Pos.CENTER);
        l.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
        l.setPadding(new Insets(0, 8, 0, 8));
        return l;
    }
}
