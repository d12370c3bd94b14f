package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.itaestudio.cluster.ClusterMethod;
import org.itaestudio.cluster.Hdbscan;
import org.itaestudio.cluster.LabelMatching;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.pipeline.JobResults;
import org.itaestudio.pipeline.ModelService;
import org.itaestudio.pipeline.SkippedFile;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's state and actions. Everything here runs on the FX thread; work goes to the {@link StudioEngine} on
 * background threads (a single folder-task thread, and a latest-wins inspection runner), and results come back
 * through the FX executor ({@link Platform#runLater} in the app; tests pass executors that run at once, so the
 * behaviour is testable without the toolkit).
 */
final class MainViewModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MainViewModel.class);

    /** The centre's views; TRANSFER (attention-transfer runs) needs no analysed folder. */
    public enum View { CLUSTERS, MAP, INSPECTOR, TRANSFER }

    /** What the centre of the window shows. */
    public enum Screen {
        /** No folder analysed yet: the welcome screen. */
        EMPTY,
        /** A folder is being analysed and there is nothing to show yet. */
        RUNNING,
        /** The last run failed and there is nothing to show. */
        ERROR,
        /** The folder holds no readable image. */
        NO_IMAGES,
        /** The clusters, map or inspector of an analysis. */
        RESULTS
    }

    /** The model is not on this machine; the window answers with the model dialog. */
    public static final class ModelMissingException extends IOException {
        private final String model;
        private final ModelService.Status status;

        public ModelMissingException(String model, ModelService.Status status) {
            super(status.explanation());
            this.model = model;
            this.status = status;
        }

        public String model() {
            return model;
        }

        public ModelService.Status status() {
            return status;
        }
    }

    /** What "Apply to folder" changed: how many images moved cluster (after aligning cluster numbers). */
    public record ChangeSummary(FolderAnalysis before, int[] beforeLabels, FolderAnalysis after, int changed,
                                int compared, boolean[] changedMask, ItaeConfig itae) {
    }

    private final StudioEngine engine;
    private final ModelService models;
    private final StudioPreferences prefs;
    /** Runs back on the FX thread. */
    private final Executor fx;
    /** Runs folder work (analyse, re-cluster, describe the engine) one job at a time, in order. */
    private final Executor folderWorker;
    /** The worker's thread pool when this view model made it (shut down on close). */
    private final ExecutorService ownedWorker;

    private final ObjectProperty<Path> folder = new SimpleObjectProperty<>(this, "folder");
    private final StringProperty model = new SimpleStringProperty(this, "model", "dinov2-small");
    private final ObjectProperty<DeviceChoice> device = new SimpleObjectProperty<>(this, "device", DeviceChoice.AUTO);
    private final BooleanProperty jpegDraft = new SimpleBooleanProperty(this, "jpegDraft", false);
    private final IntegerProperty k = new SimpleIntegerProperty(this, "k", 0);
    private final ObjectProperty<MapMethod> mapMethod = new SimpleObjectProperty<>(this, "mapMethod", MapMethod.TSNE);
    private final ObjectProperty<ClusterMethod> clusterMethod =
            new SimpleObjectProperty<>(this, "clusterMethod", ClusterMethod.KMEANS);
    private final IntegerProperty minClusterSize = new SimpleIntegerProperty(this, "minClusterSize",
            Hdbscan.Settings.DEFAULTS.minClusterSize());
    private final IntegerProperty minSamples = new SimpleIntegerProperty(this, "minSamples", 0);
    private final ObjectProperty<Hdbscan.Reduction> reduction =
            new SimpleObjectProperty<>(this, "reduction", Hdbscan.Settings.DEFAULTS.reduction());
    private final ReadOnlyObjectWrapper<String> engineDescription = new ReadOnlyObjectWrapper<>(this, "engineDescription");
    private final TransferViewModel transfer;
    private final ObjectProperty<View> view = new SimpleObjectProperty<>(this, "view", View.CLUSTERS);
    private final BooleanProperty darkTheme = new SimpleBooleanProperty(this, "darkTheme", false);

    private final ReadOnlyObjectWrapper<FolderAnalysis> analysis = new ReadOnlyObjectWrapper<>(this, "analysis");
    private final ClusterModel clusters = new ClusterModel();
    private final ObservableList<SkippedFile> skipped = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Progress> progress = new ReadOnlyObjectWrapper<>(this, "progress");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final StringProperty status = new SimpleStringProperty(this, "status", "");
    /** The latest cache warning (the run went on without that cache); null when none. */
    private final StringProperty cacheWarning = new SimpleStringProperty(this, "cacheWarning");
    private final ReadOnlyObjectWrapper<String> error = new ReadOnlyObjectWrapper<>(this, "error");
    private final ReadOnlyObjectWrapper<ModelMissingException> modelMissing = new ReadOnlyObjectWrapper<>(this, "modelMissing");
    private final ReadOnlyObjectWrapper<ItaeConfig> appliedItae = new ReadOnlyObjectWrapper<>(this, "appliedItae");
    private final ReadOnlyObjectWrapper<ChangeSummary> change = new ReadOnlyObjectWrapper<>(this, "change");
    private final ReadOnlyObjectWrapper<Screen> screen = new ReadOnlyObjectWrapper<>(this, "screen", Screen.EMPTY);
    private final ReadOnlyStringWrapper changeText = new ReadOnlyStringWrapper(this, "changeText", "");

    private final IntegerProperty selectedImage = new SimpleIntegerProperty(this, "selectedImage", -1);
    private final ObjectProperty<int[]> selection = new SimpleObjectProperty<>(this, "selection", new int[0]);

    private final ItaeSettings itae = new ItaeSettings();
    private final ArtifactFixModel fixes;
    private final FixComparisonModel comparison;
    private final ReadOnlyObjectWrapper<TestTimeRegisters> appliedTtr = new ReadOnlyObjectWrapper<>(this, "appliedTtr");
    private final InspectorModel inspector;
    private final SideBySideModel sideBySide;
    private final MapModel map;
    private final ExploreModel explore;
    /** Exploration work (outlier scores, duplicates, "more like this") when no worker was given. */
    private final ExecutorService ownedExploreWorker;

    /** The folder job whose outcome the window waits for; null when none runs. */
    private FolderJob currentJob;

    /** A folder job: its cancellation flag, and its identity (a cancelled job's late outcome is dropped). */
    private record FolderJob(Cancellation cancel) {
    }

    /** The app's view model: results come back through {@link Platform#runLater}. */
    MainViewModel(StudioEngine engine, ModelService models, StudioPreferences prefs) {
        this(engine, models, prefs, Platform::runLater, null);
    }

    /**
     * @param fx           runs a result on the FX thread (tests: {@code Runnable::run})
     * @param folderWorker runs folder work in order, or null for a background thread of its own
     */
    MainViewModel(StudioEngine engine, ModelService models, StudioPreferences prefs, Executor fx, Executor folderWorker) {
        this(engine, models, prefs, fx, folderWorker, LatestWinsRunner.DelayTimer.daemon("inspect-debounce"));
    }

    /** @param debounce where debounced inspections wait: tests pass a timer they advance by hand */
    MainViewModel(StudioEngine engine, ModelService models, StudioPreferences prefs, Executor fx, Executor folderWorker,
                  LatestWinsRunner.DelayTimer debounce) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.models = models;
        this.prefs = prefs;
        this.fx = Objects.requireNonNull(fx, "fx");
        this.ownedWorker = folderWorker == null
                ? Executors.newSingleThreadExecutor(LatestWinsRunner.daemon("folder-task")) : null;
        this.folderWorker = folderWorker != null ? folderWorker : ownedWorker;
        this.inspector = new InspectorModel(engine, itae, this::settings, fx, debounce);
        this.fixes = new ArtifactFixModel(engine, this.folderWorker, fx);
        this.sideBySide = new SideBySideModel(engine, inspector.imageProperty(), inspector.layerProperty(), itae,
                fixes.neuronsProperty(), n -> n.registers(fixes.countProperty().get(), fixes.patchValuesProperty().get()), this::settings, fx,
                LatestWinsRunner.DelayTimer.daemon("side-by-side-debounce"));
        // the fix choice drives ITAE's switch; test-time registers come from the calibrated neurons
        fixes.fixProperty().addListener((o, a, b) -> itae.enabledProperty().set(b.itae()));
        this.comparison = new FixComparisonModel(engine, this.folderWorker, fx);
        folder.addListener((o, a, b) -> {
            comparison.clear();
            fixes.clear();
            fixes.loadCached(b, settings(), modelAvailable(model.get()));
        });
        model.addListener((o, a, b) -> {
            comparison.clear();
            fixes.clear();
            fixes.loadCached(folder.get(), settings(), modelAvailable(b));
        });
        this.transfer = new TransferViewModel(itae, fx);
        this.map = new MapModel(analysis.getReadOnlyProperty(), change.getReadOnlyProperty(), clusters);
        // a thread per exploration job (few, started by the user): a split's k-means does not wait behind a
        // 90-second near-duplicates search
        this.ownedExploreWorker = folderWorker == null
                ? Executors.newCachedThreadPool(LatestWinsRunner.daemon("explore-task")) : null;
        this.explore = new ExploreModel(analysis.getReadOnlyProperty(), clusters, fx,
                folderWorker != null ? folderWorker : ownedExploreWorker);
        model.set(prefs.get("model"));
        device.set(choice(prefs.get("device"), DeviceChoice::parse, DeviceChoice.AUTO));
        jpegDraft.set(prefs.getBoolean("jpegDraft"));
        k.set(Math.max(0, prefs.getInt("k")));
        mapMethod.set(choice(prefs.get("mapMethod"), MainViewModel::mapMethodOf, MapMethod.TSNE));
        clusterMethod.set(choice(prefs.get("clusterMethod"),
                id -> ClusterMethod.valueOf(id.strip().toUpperCase(Locale.ROOT)), ClusterMethod.KMEANS));
        minClusterSize.set(Math.max(2, prefs.getInt("hdbscan.minClusterSize")));
        minSamples.set(Math.max(0, prefs.getInt("hdbscan.minSamples")));
        reduction.set(prefs.getEnum("hdbscan.reduction", Hdbscan.Reduction.class));
        darkTheme.set(prefs.darkTheme());
        itae.load(prefs);
        fixes.load(prefs);
        fixes.fixProperty().set(itae.enabledProperty().get() ? ArtifactFixModel.Fix.ITAE : ArtifactFixModel.Fix.NONE);
        itae.enabledProperty().addListener((o, a, on) -> {
            ArtifactFixModel.Fix f = fixes.fixProperty().get();
            if (f.itae() != on) {
                fixes.fixProperty().set(switch (f) {
                    case NONE, ITAE -> on ? ArtifactFixModel.Fix.ITAE : ArtifactFixModel.Fix.NONE;
                    case TTR, BOTH -> on ? ArtifactFixModel.Fix.BOTH : ArtifactFixModel.Fix.TTR;
                });
            }
        });
        inspector.load(prefs);
        transfer.teacherProperty().set(model.get());
        model.addListener((o, a, b) -> transfer.teacherProperty().set(b)); // the teacher follows the app's model
        model.addListener(o -> engineDescription.set(null));
        device.addListener(o -> engineDescription.set(null));
        selectedImage.addListener((o, a, b) -> {
            FolderAnalysis fa = analysis.get();
            if (fa != null && b.intValue() >= 0 && b.intValue() < fa.size()) {
                inspector.inspect(imagePath(b.intValue()));
            }
        });
        // another map method recomputes only the map (no model)
        mapMethod.addListener(o -> {
            if (analysis.get() != null && !running.get()) {
                run();
            }
        });
        screen.bind(Bindings.createObjectBinding(this::currentScreen, analysis, running, error));
        changeText.bind(Bindings.createStringBinding(() -> change.get() == null ? ""
                : String.format(Locale.ROOT, "%,d of %,d images changed cluster. See the Map's before/after.",
                change.get().changed(), change.get().compared()), change));
        inspector.resultProperty().addListener((o, a, b) -> itae.adaptTo(b));
        itae.componentProperty().addListener(o -> itae.adaptTo(inspector.resultProperty().get()));
    }

    private Screen currentScreen() {
        FolderAnalysis a = analysis.get();
        if (a != null && a.size() > 0) {
            return Screen.RESULTS;
        }
        if (running.get()) {
            return Screen.RUNNING;
        }
        if (error.get() != null) {
            return Screen.ERROR;
        }
        return a != null ? Screen.NO_IMAGES : Screen.EMPTY;
    }

    // ------------------------------------------------------------------ properties

    public StudioEngine engine() {
        return engine;
    }

    public ModelService models() {
        return models;
    }

    public StudioPreferences prefs() {
        return prefs;
    }

    public ObjectProperty<Path> folderProperty() {
        return folder;
    }

    public StringProperty modelProperty() {
        return model;
    }

    /** Fast JPEG decoding (Pillow's draft mode): takes effect at the next run (F5). */
    public BooleanProperty jpegDraftProperty() {
        return jpegDraft;
    }

    public ObjectProperty<DeviceChoice> deviceProperty() {
        return device;
    }

    public IntegerProperty kProperty() {
        return k;
    }

    /** t-SNE, UMAP or PCA. */
    public ObjectProperty<MapMethod> mapMethodProperty() {
        return mapMethod;
    }

    /** k-means (with k) or HDBSCAN (finds the clusters, leaves some images unclustered); applies at the next Run. */
    public ObjectProperty<ClusterMethod> clusterMethodProperty() {
        return clusterMethod;
    }

    /** HDBSCAN's smallest group called a cluster (>= 2; the CLI's --min-cluster-size); applies at the next Run. */
    public IntegerProperty minClusterSizeProperty() {
        return minClusterSize;
    }

    /** HDBSCAN's min samples (the CLI's --min-samples); 0 means "the min cluster size". */
    public IntegerProperty minSamplesProperty() {
        return minSamples;
    }

    /** The space HDBSCAN runs in (the CLI's --reduce umap10|pca50|none). */
    public ObjectProperty<Hdbscan.Reduction> reductionProperty() {
        return reduction;
    }

    /** HDBSCAN's settings as the next Run uses them (whatever the cluster method, so they survive a switch). */
    public Hdbscan.Settings densitySettings() {
        return new Hdbscan.Settings(Math.max(2, minClusterSize.get()), Math.max(0, minSamples.get()),
                reduction.get() == null ? Hdbscan.Settings.DEFAULTS.reduction() : reduction.get());
    }

    /** What the engine says it runs (model and device, e.g. "DINOv2 ViT-S/14 on CPU"), once known. */
    public ReadOnlyObjectProperty<String> engineDescriptionProperty() {
        return engineDescription.getReadOnlyProperty();
    }

    public ObjectProperty<View> viewProperty() {
        return view;
    }

    public BooleanProperty darkThemeProperty() {
        return darkTheme;
    }

    public ReadOnlyObjectProperty<FolderAnalysis> analysisProperty() {
        return analysis.getReadOnlyProperty();
    }

    public FolderAnalysis analysis() {
        return analysis.get();
    }

    public ClusterModel clusters() {
        return clusters;
    }

    public ObservableList<SkippedFile> skipped() {
        return skipped;
    }

    public ReadOnlyObjectProperty<Progress> progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public StringProperty statusProperty() {
        return status;
    }

    public StringProperty cacheWarningProperty() {
        return cacheWarning;
    }

    /** The last failure, as one line for the user; null when the last run worked. */
    public ReadOnlyObjectProperty<String> errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** Set when a run found the model missing; the window shows the model dialog and clears it. */
    public ReadOnlyObjectProperty<ModelMissingException> modelMissingProperty() {
        return modelMissing.getReadOnlyProperty();
    }

    public void clearModelMissing() {
        modelMissing.set(null);
    }

    /** The ITAE configuration the current folder analysis was made with (null: plain model). */
    public ReadOnlyObjectProperty<ItaeConfig> appliedItaeProperty() {
        return appliedItae.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ChangeSummary> changeProperty() {
        return change.getReadOnlyProperty();
    }

    /** Which screen the centre shows: results, or the empty, running, error or no-images state. */
    public ReadOnlyObjectProperty<Screen> screenProperty() {
        return screen.getReadOnlyProperty();
    }

    /** What the last "Apply to folder" changed, as one sentence for the ITAE panel; empty when nothing to compare. */
    public ReadOnlyStringProperty changeTextProperty() {
        return changeText.getReadOnlyProperty();
    }

    /** The map's before/after state. */
    public MapModel map() {
        return map;
    }

    public IntegerProperty selectedImageProperty() {
        return selectedImage;
    }

    public ObjectProperty<int[]> selectionProperty() {
        return selection;
    }

    public ItaeSettings itae() {
        return itae;
    }

    /**
     * Splits a cluster in two (an undoable edit): k-means off the FX thread, the views disabled meanwhile
     * ({@link ExploreModel#splittingProperty()}); a cluster that cannot be split says why in the status line.
     */
    public void splitCluster(int cluster) {
        status.set("Splitting " + clusters.name(cluster) + "\u2026");
        explore.splitInBackground(cluster, status::set);
    }

    /** More like this, near-duplicates, outlier scores. */
    public ExploreModel explore() {
        return explore;
    }

    ArtifactFixModel fixes() {
        return fixes;
    }

    /** Whether a model is on this machine (true without a model service: test engines need none). */
    private java.util.function.BooleanSupplier modelAvailable(String spec) {
        return () -> models == null || models.status(spec).available();
    }

    FixComparisonModel comparison() {
        return comparison;
    }

    /** Compares no fix, ITAE and (once calibrated) test-time registers and both on the open folder. */
    public void compareFixes() {
        comparison.run(folder.get(), settings(), itae.snapshot(), fixes.registers());
    }

    /** Selects the images of the open analysis with these relative paths (those it has). */
    void selectPaths(java.util.Collection<String> paths) {
        FolderAnalysis fa = analysis.get();
        if (fa == null) {
            return;
        }
        java.util.Set<String> wanted = new java.util.HashSet<>(paths);
        selection.set(java.util.stream.IntStream.range(0, fa.size()).filter(i -> wanted.contains(fa.paths().get(i)))
                .toArray());
    }

    /** Calibrates register neurons on the open folder (the "Artifact fix" panel's Calibrate). */
    public void calibrateRegisters() {
        fixes.calibrate(folder.get(), settings());
    }

    /** The Transfer view's model (attention-transfer runs). */
    public TransferViewModel transfer() {
        return transfer;
    }

    public InspectorModel inspector() {
        return inspector;
    }

    /** The inspector's token norm map and fixes side by side. */
    SideBySideModel sideBySide() {
        return sideBySide;
    }

    public Path imagePath(int index) {
        FolderAnalysis fa = analysis.get();
        return fa.folder().resolve(fa.paths().get(index));
    }

    /** The settings a run uses now (folder analysis, and the model/device/size of inspections). */
    public AnalysisSettings settings() {
        AnalysisSettings d = AnalysisSettings.defaults(model.get());
        return d.with(b -> {
            b.device = device.get();
            b.jpegDraft = jpegDraft.get();
            b.itae = appliedItae.get();
            b.ttr = appliedTtr.get();
            b.k = k.get();
            b.mapMethod = mapMethod.get();
            b.clusterMethod = clusterMethod.get();
            b.density = densitySettings();
        });
    }

    private static MapMethod mapMethodOf(String id) {
        return MapMethod.valueOf(id.strip().toUpperCase(Locale.ROOT));
    }

    /** A stored choice read back; a value this version does not know (an edited preference) gives the default. */
    private static <T> T choice(String text, java.util.function.Function<String, T> parse, T dflt) {
        try {
            return text == null ? dflt : parse.apply(text);
        } catch (IllegalArgumentException e) {
            return dflt;
        }
    }

    // ------------------------------------------------------------------ actions

    /** Opens a folder and analyses it. */
    public void openFolder(Path dir) {
        if (dir == null) {
            return;
        }
        cancel();
        folder.set(dir.toAbsolutePath().normalize());
        prefs.addRecentFolder(folder.get());
        analysis.set(null);
        clusters.clear();
        skipped.clear();
        change.set(null);
        selectedImage.set(-1);
        selection.set(new int[0]);
        inspector.clear();
        run();
    }

    /**
     * Opens the output folder of {@code itae-studio spark embed-cluster}: its clusters and embeddings, with images read
     * from the job's input where this machine reaches it. Any folder opened with {@link #openFolder} that holds a
     * finished job's output opens the same way.
     */
    public void openResults(Path dir) {
        if (dir == null) {
            return;
        }
        if (!JobResults.isJobOutput(dir)) {
            error.set("Not a finished Spark job's output (needs job.json, labels.csv and embeddings.csv): " + dir);
            return;
        }
        openFolder(dir);
    }

    /** F5: analyses the folder, or only re-clusters when nothing but k changed. */
    public void run() {
        Path dir = folder.get();
        if (dir == null || running.get()) {
            return;
        }
        error.set(null);
        AnalysisSettings s = settings();
        FolderAnalysis current = analysis.get();
        if (current != null && JobResults.isJobOutput(dir)) {
            // a Spark job's results: the embeddings are the job's, so a run only re-clusters and re-maps them
            startRecluster(current, s, clustersChange(current.settings(), s));
            return;
        }
        if (current != null && current.folder().equals(dir) && sameEmbedding(current.settings(), s)) {
            // only the clustering or the map changed: no model needed; "what moved" only when clusters can move
            startRecluster(current, s, clustersChange(current.settings(), s));
        } else {
            startAnalysis(dir, s, null);
        }
    }

    /** "Apply to folder": re-embeds with the panel's ITAE settings, re-clusters, and reports what changed. */
    public void applyItaeToFolder() {
        Path dir = folder.get();
        if (dir == null || running.get()) {
            return;
        }
        int depth = inspector.depthProperty().get();
        ItaeConfig cfg = itae.toConfig(depth > 0 ? depth : Integer.MAX_VALUE);
        if (cfg != null && depth <= 0 && cfg.layers() instanceof ItaeConfig.Blocks.Listed) {
            cfg = cfg.withLayers(ItaeConfig.Blocks.LAST);
        }
        AnalysisSettings s = settings().withItae(cfg).withTtr(fixes.ttr());
        startAnalysis(dir, s, analysis.get());
    }

    /** Whether going from {@code a} to {@code b} can move images between clusters (k, method, HDBSCAN's settings). */
    private static boolean clustersChange(AnalysisSettings a, AnalysisSettings b) {
        return a.k() != b.k() || !Objects.equals(a.clusterMethod(), b.clusterMethod())
                || b.clusterMethod() == ClusterMethod.HDBSCAN && !Objects.equals(a.density(), b.density());
    }

    private static boolean sameEmbedding(AnalysisSettings a, AnalysisSettings b) {
        return Objects.equals(a.model(), b.model()) && Objects.equals(a.device(), b.device()) && a.resize() == b.resize()
                && Objects.equals(a.crop(), b.crop()) && a.jpegDraft() == b.jpegDraft() && a.pooling() == b.pooling()
                && Objects.equals(a.itae() == null ? null : a.itae().key(), b.itae() == null ? null : b.itae().key())
                && Objects.equals(a.ttr() == null ? null : a.ttr().key(), b.ttr() == null ? null : b.ttr().key());
    }

    /** Work that produces a folder analysis on the folder worker. */
    @FunctionalInterface
    private interface FolderWork {
        FolderAnalysis call(ProgressListener progress, Cancellation cancel) throws Exception;
    }

    private void startAnalysis(Path dir, AnalysisSettings s, FolderAnalysis before) {
        if (before == null && JobResults.isJobOutput(dir)) { // a Spark job's output: its results, no model needed
            status.set("Opening the Spark job's results in " + dir.getFileName() + "\u2026");
            launch((listener, cancel) -> JobResults.open(dir, s, listener, cancel), result -> {
                publish(result, null, false);
                LOG.info("opened Spark job results {}: {} images from {}, k={}", dir, result.size(), result.folder(),
                        result.k());
            });
            return;
        }
        status.set((before != null ? "Applying ITAE to " : "Analysing ") + dir.getFileName() + "\u2026");
        launch((listener, cancel) -> {
            if (models != null) {
                ModelService.Status st = models.status(s.model());
                if (!st.available()) {
                    throw new ModelMissingException(s.model(), st);
                }
            }
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + ": not a folder");
            }
            return engine.analyze(dir, s, listener, cancel);
        }, result -> {
            ItaeConfig previousItae = appliedItae.get();
            appliedItae.set(s.itae());
            appliedTtr.set(s.ttr());
            if (before != null && before.size() > 0 && result.size() > 0) {
                publishWithChange(before, result);
            } else {
                publish(result, null, false);
            }
            describeEngine(s);
            LOG.info("analysed {}: {} images, {} skipped, k={}, ITAE {} (was {})", dir, result.size(),
                    result.skipped().size(), result.k(), ItaeSettings.describe(s.itae()), ItaeSettings.describe(previousItae));
        });
    }

    private void startRecluster(FolderAnalysis current, AnalysisSettings s, boolean reportChange) {
        status.set(reportChange ? "Re-clustering\u2026" : "Computing the map\u2026");
        launch((listener, cancel) -> engine.recluster(current, s, listener, cancel), result -> {
            if (reportChange) {
                publishWithChange(current, result);
            } else {
                // same clusters: keep the user's edits and names, swap in the new map
                int[] labels = clusters.imageCount() == result.size() ? clusters.labels() : null;
                ChangeSummary keep = change.get();
                publish(result, labels, true);
                change.set(keep);
            }
        });
    }

    /** Runs {@code work} on the folder worker; its outcome comes back on the FX thread unless cancelled first. */
    private void launch(FolderWork work, Consumer<FolderAnalysis> onDone) {
        FolderJob job = new FolderJob(new Cancellation());
        currentJob = job;
        running.set(true);
        progress.set(null);
        ProgressListener listener = throttled(job);
        folderWorker.execute(() -> {
            FolderAnalysis result = null;
            Throwable failure = null;
            try {
                result = work.call(listener, job.cancel());
            } catch (Throwable t) {
                failure = t;
            }
            FolderAnalysis r = result;
            Throwable f = failure;
            fx.execute(() -> finish(job, r, f, onDone));
        });
    }

    private void finish(FolderJob job, FolderAnalysis result, Throwable failure, Consumer<FolderAnalysis> onDone) {
        if (currentJob != job) {
            return; // cancelled (already reported) or replaced
        }
        currentJob = null;
        running.set(false);
        if (failure == null) {
            onDone.accept(result);
        } else if (failure instanceof CancellationException || job.cancel().isCancelled()) {
            status.set("Cancelled");
        } else if (failure instanceof ModelMissingException mm) {
            status.set("Model not available");
            modelMissing.set(mm);
        } else {
            LOG.warn("run failed", failure);
            error.set(oneLine(failure));
            status.set("Failed: " + oneLine(failure));
        }
    }

    static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && (root.getMessage() == null || root instanceof RuntimeException
                && root.getMessage().startsWith(root.getCause().getClass().getName()))) {
            root = root.getCause();
        }
        String m = root.getMessage();
        if (m == null || m.isBlank()) {
            m = root.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    /** Asks the engine (off the FX thread) what it runs on, for the status bar. */
    private void describeEngine(AnalysisSettings s) {
        folderWorker.execute(() -> {
            try {
                engine.describe(s).ifPresent(d -> fx.execute(() -> engineDescription.set(d)));
            } catch (IOException | RuntimeException e) {
                LOG.debug("no engine description", e);
            }
        });
    }

    /**
     * Esc: stops the running folder job. The window is free at once ("Cancelled"); the worker stops at the
     * engine's next check of the flag and its outcome is dropped.
     */
    public void cancel() {
        FolderJob job = currentJob;
        if (job == null) {
            return;
        }
        job.cancel().cancel();
        currentJob = null;
        running.set(false);
        status.set("Cancelled");
    }

    private void publish(FolderAnalysis result, int[] labels, boolean keepNames) {
        // everything the views read goes in before the analysis itself, which is what they listen to
        skipped.setAll(result.skipped());
        clusters.reset(result, labels, keepNames);
        analysis.set(result);
        if (selectedImage.get() >= result.size()) {
            selectedImage.set(-1);
        }
        selection.set(new int[0]);
        status.set(result.size() == 0
                ? "No readable images in " + result.folder().getFileName()
                : String.format("%,d images in %d clusters", result.size(), result.k()));
    }

    private void publishWithChange(FolderAnalysis before, FolderAnalysis after) {
        if (!before.paths().equals(after.paths())) {
            // different images (files added/removed): no per-image comparison, but still align colours by path
            publish(after, null, false);
            change.set(null);
            return;
        }
        int[] beforeLabels = clusters.imageCount() == before.size() ? clusters.labels() : before.labels();
        int kBefore = Math.max(clusters.clusterCount(), before.k());
        LabelMatching.Change c = LabelMatching.compare(beforeLabels, kBefore, after.labels(), after.k());
        publish(after, c.alignedLabels(), true);
        change.set(new ChangeSummary(before, beforeLabels, after, c.changed(), c.compared(), c.changedMask(),
                after.settings().itae()));
        status.set(String.format("%,d of %,d images changed cluster", c.changed(), c.compared()));
    }

    /** Progress from the worker, delivered to the FX thread at most once per pulse, while {@code job} is current. */
    private ProgressListener throttled(FolderJob job) {
        AtomicReference<Progress> latest = new AtomicReference<>();
        return p -> {
            if (latest.getAndSet(p) == null) {
                fx.execute(() -> {
                    Progress newest = latest.getAndSet(null);
                    if (currentJob == job) {
                        progress.set(newest);
                    }
                });
            }
        };
    }

    // ------------------------------------------------------------------ edits

    public void renameCluster(int cluster, String name) {
        clusters.rename(cluster, name);
    }

    public void moveImages(int[] images, int cluster) {
        clusters.move(images, cluster);
        status.set(images.length + (images.length == 1 ? " image" : " images") + " moved to " + clusters.name(cluster));
    }

    public void selectCluster(int cluster) {
        selection.set(clusters.members(cluster).clone());
    }

    /** Stores everything the next start should restore. */
    public void savePreferences() {
        prefs.put("model", model.get());
        prefs.put("device", device.get().id());
        prefs.putBoolean("jpegDraft", jpegDraft.get());
        prefs.putInt("k", k.get());
        prefs.put("mapMethod", mapMethod.get().id());
        prefs.put("clusterMethod", clusterMethod.get().id());
        Hdbscan.Settings d = densitySettings();
        prefs.putInt("hdbscan.minClusterSize", d.minClusterSize());
        prefs.putInt("hdbscan.minSamples", d.minSamples());
        prefs.put("hdbscan.reduction", d.reduction().name());
        prefs.setDarkTheme(darkTheme.get());
        itae.save(prefs);
        fixes.save(prefs);
        inspector.save(prefs);
        prefs.flush();
    }

    public List<Path> recentFolders() {
        return prefs.recentFolders();
    }

    @Override
    public void close() {
        cancel();
        inspector.close();
        sideBySide.close();
        if (ownedExploreWorker != null) {
            ownedExploreWorker.shutdownNow();
        }
        transfer.close();
        if (ownedWorker != null) {
            ownedWorker.shutdownNow();
        }
    }

    /** Debounce used for ITAE control changes. */
    public static final Duration CONTROL_DEBOUNCE = Duration.ofMillis(100);
}
