package org.itaestudio.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableSet;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.hub.ModelCatalog;
import org.itaestudio.model.transfer.AttentionComparison;
import org.itaestudio.model.transfer.StudentArch;
import org.itaestudio.model.transfer.TransferMode;
import org.itaestudio.model.transfer.TransferSession;
import org.itaestudio.model.transfer.TransferSettings;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.transfer.EpochMetrics;
import org.itaestudio.transfer.RunFolder;
import org.itaestudio.transfer.TransferRun;
import org.itaestudio.transfer.TransferRunRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Transfer screen's behaviour: the settings of a new attention-transfer run, starting, cancelling and resuming
 * it on a background worker, the curves of the live and finished runs, the table of runs under a runs folder, the
 * warning when ITAE on the teacher cannot reach a transferred block, and the teacher's and a student's attention on
 * one validation image. Runs are folders the {@code transfer} command reads and writes too
 * ({@link TransferRun}).
 */
final class TransferViewModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransferViewModel.class);

    /** Where the current (or last) run stands. */
    enum State { IDLE, RUNNING, CANCELLED, FINISHED, FAILED }

    /**
     * One run folder as the table shows it.
     *
     * @param request what it was started with, or null when its run.json could not be read
     * @param metrics its finished epochs
     * @param problem why it cannot be read, or null
     */
    record RunSummary(Path dir, TransferRunRequest request, List<EpochMetrics> metrics, String problem) {

        String name() {
            return dir.getFileName().toString();
        }

        int epochsDone() {
            return metrics.size();
        }

        boolean complete() {
            return request != null && metrics.size() >= request.epochs();
        }

        boolean resumable() {
            return request != null && !complete() && Files.isRegularFile(new RunFolder(dir).checkpoint());
        }

        /** The last epoch's validation top-1, NaN before any. */
        double valTop1() {
            return metrics.isEmpty() ? Double.NaN : metrics.get(metrics.size() - 1).valTop1();
        }

        String modeText() {
            return request == null ? "?" : request.mode().name().toLowerCase(Locale.ROOT);
        }

        String itaeText() {
            return request == null ? "?" : request.itae() == null ? "off" : "on";
        }

        String archText() {
            return request == null ? "?" : request.shape().arch().name().toLowerCase(Locale.ROOT);
        }

        /** The legend's text: name, then mode, ITAE and student arch. */
        String label() {
            return request == null ? name() : name() + " (" + modeText() + ", ITAE " + itaeText() + ", " + archText() + ")";
        }
    }

    /** A run's curve points for the charts. */
    record Curve(String label, TransferMode mode, List<EpochMetrics> points, boolean live) {
    }

    /** A comparison of the teacher's and the student's attention on a validation image, with the pixels it saw. */
    record Comparison(Path run, String image, AttentionComparison.Result result, float[] pixels, int side) {
    }

    private final ItaeSettings itae;
    private final Executor fx;
    private final Executor worker;
    private final Executor inspectWorker;
    private final List<ExecutorService> owned = new ArrayList<>();

    // ---- settings of a new run
    private final StringProperty teacher = new SimpleStringProperty(this, "teacher", "dinov2-small");
    private final BooleanProperty itaeOn = new SimpleBooleanProperty(this, "itaeOn", false);
    private final ObjectProperty<TransferMode> mode = new SimpleObjectProperty<>(this, "mode", TransferMode.DISTILL);
    private final ObjectProperty<StudentArch> arch = new SimpleObjectProperty<>(this, "arch", StudentArch.NATIVE);
    private final ObjectProperty<Integer> studentDepth = new SimpleObjectProperty<>(this, "studentDepth");
    private final ObjectProperty<Integer> studentDim = new SimpleObjectProperty<>(this, "studentDim");
    private final ObjectProperty<Integer> studentHeads = new SimpleObjectProperty<>(this, "studentHeads");
    private final ObjectProperty<Integer> studentPatch = new SimpleObjectProperty<>(this, "studentPatch");
    private final ObjectProperty<Path> folder = new SimpleObjectProperty<>(this, "folder");
    private final IntegerProperty epochs = new SimpleIntegerProperty(this, "epochs", 10);
    private final IntegerProperty batchSize = new SimpleIntegerProperty(this, "batchSize", 32);
    private final DoubleProperty lr = new SimpleDoubleProperty(this, "lr", 1e-3);
    private final IntegerProperty imageSize = new SimpleIntegerProperty(this, "imageSize", 256);
    private final IntegerProperty crop = new SimpleIntegerProperty(this, "crop", 224);
    private final ObjectProperty<DeviceChoice> device = new SimpleObjectProperty<>(this, "device", DeviceChoice.AUTO);
    private final ObjectProperty<Path> runsRoot = new SimpleObjectProperty<>(this, "runsRoot",
            Path.of(System.getProperty("user.home"), "itae-studio", "runs"));

    // ---- the run
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.IDLE);
    private final ReadOnlyObjectWrapper<Progress> progress = new ReadOnlyObjectWrapper<>(this, "progress");
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper(this, "progressText", "");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper(this, "warning", "");
    private final ReadOnlyObjectWrapper<Path> currentRun = new ReadOnlyObjectWrapper<>(this, "currentRun");
    private final ObservableList<RunSummary> runs = FXCollections.observableArrayList();
    private final ObservableSet<Path> hidden = FXCollections.observableSet();
    private final ObservableList<Curve> curves = FXCollections.observableArrayList();
    private final ObjectProperty<RunSummary> selectedRun = new SimpleObjectProperty<>(this, "selectedRun");
    private Job job;

    // ---- attention of a validation image
    private final ObservableList<String> valImages = FXCollections.observableArrayList();
    private final IntegerProperty valImage = new SimpleIntegerProperty(this, "valImage", 0);
    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    private final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    private final ReadOnlyObjectWrapper<Integer> layerCount = new ReadOnlyObjectWrapper<>(this, "layerCount", 1);
    private final ReadOnlyObjectWrapper<Integer> headCount = new ReadOnlyObjectWrapper<>(this, "headCount", 1);
    private final ReadOnlyObjectWrapper<Comparison> comparison = new ReadOnlyObjectWrapper<>(this, "comparison");
    private final ReadOnlyStringWrapper comparisonText = new ReadOnlyStringWrapper(this, "comparisonText", "");
    /** Decoded data of runs whose images were listed (the folder is read once per run). */
    private final Map<Path, TransferRun.Data> dataCache = new HashMap<>();
    private final AtomicReference<Object> latestCompare = new AtomicReference<>();

    /** Test seam: runs on the training thread after each epoch's files are written (a test may hold it there). */
    Consumer<EpochMetrics> afterEpoch = m -> { };

    private record Job(Path dir, AtomicBoolean cancel, long startedNanos) {
    }

    /** The app's: background threads of its own for training and for attention comparisons. */
    TransferViewModel(ItaeSettings itae, Executor fx) {
        this(itae, fx, null, null);
    }

    /**
     * @param fx            runs results on the FX thread (tests: {@code Runnable::run})
     * @param worker        runs training, or null for a thread of its own
     * @param inspectWorker runs folder reads and attention comparisons, or null for a thread of its own
     */
    TransferViewModel(ItaeSettings itae, Executor fx, Executor worker, Executor inspectWorker) {
        this.itae = Objects.requireNonNull(itae, "itae");
        this.fx = Objects.requireNonNull(fx, "fx");
        this.worker = worker != null ? worker : own("transfer-train");
        this.inspectWorker = inspectWorker != null ? inspectWorker : own("transfer-inspect");
        List<Observable> warningInputs = new ArrayList<>(List.of(teacher, itaeOn, mode, studentDepth));
        warningInputs.addAll(List.of(itae.all()));
        Observable[] inputs = warningInputs.toArray(Observable[]::new);
        for (Observable o : inputs) {
            o.addListener(x -> updateWarning());
        }
        runs.addListener((javafx.collections.ListChangeListener<RunSummary>) c -> updateCurves());
        hidden.addListener((javafx.collections.SetChangeListener<Path>) c -> updateCurves());
        selectedRun.addListener((o, a, b) -> {
            if (b == null || a == null || !a.dir().equals(b.dir())) {
                listImages(b);
            }
        });
        updateWarning();
    }

    private ExecutorService own(String name) {
        ExecutorService e = Executors.newSingleThreadExecutor(LatestWinsRunner.daemon(name));
        owned.add(e);
        return e;
    }

    // ------------------------------------------------------------------ properties

    StringProperty teacherProperty() {
        return teacher;
    }

    BooleanProperty itaeOnProperty() {
        return itaeOn;
    }

    ObjectProperty<TransferMode> modeProperty() {
        return mode;
    }

    ObjectProperty<StudentArch> archProperty() {
        return arch;
    }

    /** Student blocks; null takes the teacher's. */
    ObjectProperty<Integer> studentDepthProperty() {
        return studentDepth;
    }

    ObjectProperty<Integer> studentDimProperty() {
        return studentDim;
    }

    ObjectProperty<Integer> studentHeadsProperty() {
        return studentHeads;
    }

    ObjectProperty<Integer> studentPatchProperty() {
        return studentPatch;
    }

    /** The labelled folder (class sub-folders). */
    ObjectProperty<Path> folderProperty() {
        return folder;
    }

    IntegerProperty epochsProperty() {
        return epochs;
    }

    IntegerProperty batchSizeProperty() {
        return batchSize;
    }

    DoubleProperty lrProperty() {
        return lr;
    }

    IntegerProperty imageSizeProperty() {
        return imageSize;
    }

    IntegerProperty cropProperty() {
        return crop;
    }

    ObjectProperty<DeviceChoice> deviceProperty() {
        return device;
    }

    /** Where new runs go; the table lists its run folders. */
    ObjectProperty<Path> runsRootProperty() {
        return runsRoot;
    }

    ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    boolean running() {
        return state.get() == State.RUNNING;
    }

    ReadOnlyObjectProperty<Progress> progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** e.g. "Training epoch 3: step 120 of 400, about 2 min left". */
    ReadOnlyStringProperty progressTextProperty() {
        return progressText.getReadOnlyProperty();
    }

    /** The outcome of the last command, one line. */
    ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Why ITAE on the teacher changes nothing for this run, or empty. */
    ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    /** The folder of the run that is training (or last trained here). */
    ReadOnlyObjectProperty<Path> currentRunProperty() {
        return currentRun.getReadOnlyProperty();
    }

    ObservableList<RunSummary> runs() {
        return runs;
    }

    /** Runs whose curves are not drawn. */
    ObservableSet<Path> hiddenRuns() {
        return hidden;
    }

    /** Curves of every run with at least one epoch that is not hidden, the live run included. */
    ObservableList<Curve> curves() {
        return curves;
    }

    ObjectProperty<RunSummary> selectedRunProperty() {
        return selectedRun;
    }

    /** The selected run's validation images (relative paths). */
    ObservableList<String> valImages() {
        return valImages;
    }

    IntegerProperty valImageProperty() {
        return valImage;
    }

    IntegerProperty layerProperty() {
        return layer;
    }

    IntegerProperty headProperty() {
        return head;
    }

    /** Blocks both models of the selected run have. */
    ReadOnlyObjectProperty<Integer> layerCountProperty() {
        return layerCount.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<Integer> headCountProperty() {
        return headCount.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<Comparison> comparisonProperty() {
        return comparison.getReadOnlyProperty();
    }

    /** The agreement sentence, or why there is no comparison. */
    ReadOnlyStringProperty comparisonTextProperty() {
        return comparisonText.getReadOnlyProperty();
    }

    // ------------------------------------------------------------------ the request

    /** The run the settings describe. */
    TransferRunRequest request() {
        if (folder.get() == null) {
            throw new IllegalArgumentException("choose a labelled folder (one sub-folder per class)");
        }
        if (teacher.get() == null || teacher.get().isBlank()) {
            throw new IllegalArgumentException("choose a teacher model");
        }
        TransferRunRequest r = TransferRunRequest.defaults(teacher.get().strip(), mode.get(), folder.get())
                .withShape(new TransferSession.StudentShape(studentDepth.get(), studentDim.get(), studentHeads.get(),
                        studentPatch.get(), arch.get()))
                .withSchedule(epochs.get(), batchSize.get(), lr.get())
                .withInput(imageSize.get(), crop.get())
                .withDevice(device.get());
        return r.withItae(itaeOn.get() ? teacherItae() : null);
    }

    /** The ITAE panel's settings, switched on, for the teacher's depth. */
    private ItaeConfig teacherItae() {
        ItaeSettings.Snapshot s = itae.snapshot();
        if (!s.enabled()) {
            s = new ItaeSettings.Snapshot(true, itae.componentProperty().get(),
                    itae.autoThresholdProperty().get() ? Double.NaN : itae.thresholdProperty().get(),
                    itae.autoThresholdProperty().get(), itae.directionProperty().get(), itae.strengthProperty().get(),
                    itae.lastLayerOnlyProperty().get(), itae.layerFromProperty().get(), itae.layerToProperty().get(),
                    itae.rowsProperty().get());
        }
        return s.toConfig(teacherDepth().orElse(Integer.MAX_VALUE));
    }

    /** The teacher's depth when it can be known without loading it: a catalogue name or a local checkpoint. */
    private OptionalInt teacherDepth() {
        DinoV2Config c = teacherConfig(teacher.get());
        return c == null ? OptionalInt.empty() : OptionalInt.of(c.depth());
    }

    private static DinoV2Config teacherConfig(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        var named = ModelCatalog.byName(spec.strip());
        if (named.isPresent()) {
            return named.get().config();
        }
        try {
            Path p = Path.of(spec.strip());
            return Files.exists(p) ? TransferSession.readConfig(p) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void updateWarning() {
        warning.set(itaeOn.get() ? itaeWarning(mode.get(), teacherItae(), teacherDepth(),
                studentDepth.get()) : "");
    }

    /**
     * Why ITAE on the teacher cannot change what the student learns, or empty: scratch uses no teacher, and ITAE in
     * blocks that are not transferred changes no transferred map (the paper's ITAE, last block and CLS row, lies
     * outside the default transferred blocks, every block but the last 3).
     *
     * @param teacherDepth the teacher's blocks when known
     * @param studentDepth the student's blocks, or null for the teacher's
     */
    static String itaeWarning(TransferMode mode, ItaeConfig itae, OptionalInt teacherDepth, Integer studentDepth) {
        if (itae == null) {
            return "";
        }
        if (mode == TransferMode.SCRATCH) {
            return "Scratch learns from the labels alone: ITAE on the teacher changes nothing.";
        }
        if (teacherDepth.isEmpty()) {
            return "";
        }
        int depth = teacherDepth.getAsInt();
        SortedSet<Integer> transferred = TransferSettings.defaultLayers(studentDepth != null ? studentDepth : depth);
        SortedSet<Integer> engineered = itae.layers() instanceof ItaeConfig.Blocks.Listed l
                ? l.indices() : new TreeSet<>(List.of(depth - 1));
        if (transferred.stream().noneMatch(engineered::contains)) {
            return "ITAE acts on " + blocks(engineered) + ", but " + (transferred.isEmpty() ? "no block"
                    : blocks(transferred)) + (transferred.size() == 1 ? " is" : " are") + " transferred: the student "
                    + "learns exactly what it would with ITAE off. Choose earlier ITAE layers in the ITAE panel.";
        }
        return "";
    }

    private static String blocks(SortedSet<Integer> s) {
        if (s.size() == 1) {
            return "block " + s.first();
        }
        boolean range = s.last() - s.first() + 1 == s.size();
        return "blocks " + (range ? s.first() + "-" + s.last()
                : String.join(", ", s.stream().map(String::valueOf).toList()));
    }

    // ------------------------------------------------------------------ commands

    /** Starts a new run in a fresh folder under the runs folder. */
    void start() {
        if (running()) {
            return;
        }
        TransferRunRequest r;
        try {
            r = request();
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        Path dir = freshRunDir(r);
        launch(r, dir, false, "Started " + dir.getFileName());
    }

    /** Continues the selected run (or the last one trained here) from its last checkpoint. */
    void resume() {
        if (running()) {
            return;
        }
        RunSummary s = selectedRun.get();
        if (s == null && currentRun.get() != null) {
            s = runs.stream().filter(x -> x.dir().equals(currentRun.get())).findFirst().orElse(null);
        }
        if (s == null || !s.resumable()) {
            fail(s == null ? "select a run to resume" : s.complete() ? s.name() + " has finished all its epochs"
                    : s.name() + " has no checkpoint to resume from");
            return;
        }
        launch(s.request(), s.dir(), true, "Resumed " + s.name() + " after epoch " + s.epochsDone());
    }

    /** Stops the run after the current step; the checkpoint of the last finished epoch stays. */
    void cancel() {
        Job j = job;
        if (j != null && running()) {
            j.cancel().set(true);
            message.set("Cancelling after the current step\u2026");
        }
    }

    private void launch(TransferRunRequest r, Path dir, boolean resume, String started) {
        Job j = new Job(dir, new AtomicBoolean(), System.nanoTime());
        job = j;
        currentRun.set(dir);
        state.set(State.RUNNING);
        progress.set(null);
        progressText.set("Reading " + r.train().getFileName() + " and loading the teacher\u2026");
        message.set(started);
        hidden.remove(dir);
        upsert(summary(dir));
        ProgressListener listener = throttled(j);
        worker.execute(() -> {
            try {
                TransferRun.Outcome out = TransferRun.train(r, new RunFolder(dir), resume, listener,
                        j.cancel()::get, (m, history) -> {
                            fx.execute(() -> upsert(new RunSummary(dir, r, history, null)));
                            afterEpoch.accept(m);
                        });
                fx.execute(() -> finished(j, out));
            } catch (Exception | LinkageError e) {
                LOG.warn("transfer run {} failed", dir, e);
                fx.execute(() -> {
                    if (job == j) {
                        job = null;
                        if (Files.isRegularFile(new RunFolder(dir).runJson())) {
                            upsert(summary(dir));
                        } else {
                            runs.removeIf(x -> x.dir().equals(dir)); // nothing was written: no run to list
                        }
                        fail(MainViewModel.oneLine(e));
                    }
                });
            }
        });
    }

    private void finished(Job j, TransferRun.Outcome out) {
        if (job != j) {
            return;
        }
        job = null;
        upsert(summary(j.dir()));
        List<EpochMetrics> h = out.history();
        String top1 = h.isEmpty() || Double.isNaN(h.get(h.size() - 1).valTop1()) ? ""
                : String.format(Locale.ROOT, ", val top-1 %.3f", h.get(h.size() - 1).valTop1());
        if (out.cancelled()) {
            state.set(State.CANCELLED);
            message.set("Cancelled " + j.dir().getFileName() + " after epoch " + h.size()
                    + (h.isEmpty() ? " (nothing to resume)" : "; Resume continues from its checkpoint"));
        } else {
            state.set(State.FINISHED);
            message.set("Finished " + j.dir().getFileName() + ": " + h.size() + " epochs" + top1 + " on " + out.device());
        }
        progressText.set("");
    }

    private void fail(String why) {
        state.set(State.FAILED);
        progressText.set("");
        message.set(why);
    }

    /** Progress from the worker, published on the FX thread at most once per pulse, with a linear ETA. */
    private ProgressListener throttled(Job j) {
        AtomicReference<Progress> latest = new AtomicReference<>();
        long[] first = {-1, 0};                                    // the first step seen in this job, and when
        return p -> {
            if (first[0] < 0) {
                first[0] = p.done();
                first[1] = System.nanoTime();
            }
            long doneHere = p.done() - first[0];
            Duration eta = doneHere <= 0 ? null
                    : Duration.ofNanos((long) ((System.nanoTime() - first[1]) / (double) doneHere * (p.total() - p.done())));
            Progress withEta = new Progress(p.stage(), p.done(), p.total(), p.itemsPerSecond(), eta, p.skipped());
            if (latest.getAndSet(withEta) == null) {
                fx.execute(() -> {
                    Progress newest = latest.getAndSet(null);
                    if (job == j && newest != null) {
                        progress.set(newest);
                        progressText.set(progressLine(newest));
                    }
                });
            }
        };
    }

    static String progressLine(Progress p) {
        String eta = p.eta() == null ? "" : ", about " + duration(p.eta()) + " left";
        return String.format(Locale.ROOT, "%s: step %,d of %,d%s", p.stage(), p.done(), p.total(), eta);
    }

    private static String duration(Duration d) {
        long s = Math.max(1, d.toSeconds());
        return s < 90 ? s + " s" : s < 5400 ? Math.round(s / 60.0) + " min" : String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }

    /** {@code <mode>[-itae][-standard]-NN}, the first number not taken under the runs folder. */
    private Path freshRunDir(TransferRunRequest r) {
        String base = r.mode().name().toLowerCase(Locale.ROOT) + (r.itae() != null ? "-itae" : "")
                + (r.shape().arch() == StudentArch.STANDARD ? "-standard" : "");
        for (int i = 1; ; i++) {
            Path p = runsRoot.get().resolve(String.format(Locale.ROOT, "%s-%02d", base, i));
            if (!Files.exists(p)) {
                return p;
            }
        }
    }

    // ------------------------------------------------------------------ the runs table

    /** Lists the run folders under the runs folder again (sorted by name). */
    void refreshRuns() {
        Path root = runsRoot.get();
        List<RunSummary> found = new ArrayList<>();
        if (root != null && Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                dirs.filter(d -> Files.isRegularFile(d.resolve("run.json"))).sorted()
                        .forEach(d -> found.add(summary(d)));
            } catch (IOException e) {
                message.set("cannot list " + root + ": " + e.getMessage());
            }
        }
        Path live = job != null ? job.dir() : null;
        if (live != null && found.stream().noneMatch(s -> s.dir().equals(live))) {
            found.add(summary(live));
        }
        runs.setAll(found);
    }

    /** What a run folder holds now. */
    static RunSummary summary(Path dir) {
        RunFolder f = new RunFolder(dir);
        try {
            TransferRunRequest r = Files.isRegularFile(f.runJson()) ? TransferRun.recorded(f) : null;
            return new RunSummary(dir, r, f.readMetrics(Integer.MAX_VALUE), null);
        } catch (IOException | RuntimeException e) {
            return new RunSummary(dir, null, List.of(), MainViewModel.oneLine(e));
        }
    }

    private void upsert(RunSummary s) {
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).dir().equals(s.dir())) {
                if (s.request() == null && runs.get(i).request() != null && s.problem() == null) {
                    return; // the live run before its run.json exists: keep what is known
                }
                runs.set(i, s);
                if (selectedRun.get() != null && selectedRun.get().dir().equals(s.dir())) {
                    selectedRun.set(s);
                }
                return;
            }
        }
        runs.add(s);
    }

    private void updateCurves() {
        Path live = job != null ? job.dir() : null;
        List<Curve> out = new ArrayList<>();
        for (RunSummary s : runs) {
            if (!s.metrics().isEmpty() && !hidden.contains(s.dir()) && s.request() != null) {
                out.add(new Curve(s.name(), s.request().mode(), s.metrics(), s.dir().equals(live)));
            }
        }
        curves.setAll(out);
    }

    // ------------------------------------------------------------------ attention of a validation image

    private void listImages(RunSummary s) {
        valImages.clear();
        comparison.set(null);
        comparisonText.set(s == null ? "" : "Reading the validation images of " + s.name() + "\u2026");
        if (s == null || s.request() == null) {
            comparisonText.set(s == null ? "" : s.problem());
            return;
        }
        inspectWorker.execute(() -> {
            try {
                TransferRun.Data data = data(s);
                DinoV2Config t = TransferSession.readConfig(TransferRun.teacherFile(s.request()));
                int depth = Math.min(t.depth(), TransferRun.studentDepth(s.request(), TransferRun.teacherFile(s.request())));
                List<String> names = data.val().paths();
                fx.execute(() -> {
                    if (selectedRun.get() != null && selectedRun.get().dir().equals(s.dir())) {
                        layerCount.set(depth);
                        headCount.set(t.numHeads());
                        layer.set(Math.min(layer.get(), depth - 1));
                        head.set(Math.min(head.get(), t.numHeads() - 1));
                        valImages.setAll(names);
                        valImage.set(0);
                        comparisonText.set(names.isEmpty() ? "No validation images" : "");
                    }
                });
            } catch (Exception e) {
                fx.execute(() -> comparisonText.set("Cannot read the run's images: " + MainViewModel.oneLine(e)));
            }
        });
    }

    private TransferRun.Data data(RunSummary s) throws IOException {
        synchronized (dataCache) {
            TransferRun.Data d = dataCache.get(s.dir());
            if (d == null) {
                d = TransferRun.data(s.request());
                dataCache.put(s.dir(), d);
            }
            return d;
        }
    }

    /** Compares the teacher's and the selected run's student's attention on the chosen image, block and head. */
    void compare() {
        RunSummary s = selectedRun.get();
        if (s == null || s.request() == null || valImages.isEmpty()) {
            comparisonText.set(s == null ? "Select a run in the table" : "The run has no validation images listed yet");
            return;
        }
        if (s.epochsDone() == 0) {
            comparisonText.set(s.name() + " has no checkpoint yet (no epoch finished)");
            return;
        }
        int image = Math.max(0, Math.min(valImages.size() - 1, valImage.get()));
        int l = layer.get();
        int h = head.get();
        Object token = new Object();
        latestCompare.set(token);
        comparisonText.set("Computing\u2026");
        inspectWorker.execute(() -> {
            try {
                TransferRun.Data data = data(s);
                AttentionComparison.Result result = TransferRun.compare(s.request(), new RunFolder(s.dir()), data,
                        image, l, h);
                Comparison c = new Comparison(s.dir(), data.val().paths().get(image), result,
                        data.valImages().pixels()[image], data.valImages().size());
                fx.execute(() -> {
                    if (latestCompare.get() == token) {
                        comparison.set(c);
                        comparisonText.set(agreement(result));
                    }
                });
            } catch (Exception e) {
                fx.execute(() -> {
                    if (latestCompare.get() == token) {
                        comparison.set(null);
                        comparisonText.set(MainViewModel.oneLine(e));
                    }
                });
            }
        });
    }

    static String agreement(AttentionComparison.Result r) {
        String s = String.format(Locale.ROOT, "Block %d, head %d: KL(teacher || student) of the CLS row %.4f nats; "
                + "mean over all heads and rows %.4f.", r.layer(), r.head(), r.headClsKl(), r.meanKl());
        return r.studentUsesTeacher() ? s + " A copy student attends with the teacher's map in this block; the "
                + "student's map shown is its own q\u00b7k, which it does not use here." : s;
    }

    @Override
    public void close() {
        Job j = job;
        if (j != null) {
            j.cancel().set(true);
        }
        owned.forEach(ExecutorService::shutdown); // daemon threads: a cancelled run stops at its next step
    }
}
