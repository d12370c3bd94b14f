package org.itaestudio.ui;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.progress.Progress;

/**
 * Which artifact fix the folder uses (none, ITAE, test-time registers, both) and the register neurons of the open
 * folder: "Calibrate" runs {@link StudioEngine#calibrateRegisters} on a worker (progress in {@link #statusProperty},
 * cancel), the result is kept here and listed by block. Test-time registers need neurons: until a calibration
 * succeeded (or one kept in the cache for this model and folder was loaded, see {@link #loadCached}), {@link #ttr()}
 * is null whatever the choice. The register count R and the patch values are the test-time registers' controls
 * (persisted); they change {@link #ttr()} and so the cache keys of whatever runs with it.
 */
final class ArtifactFixModel {

    /** The fixes a folder can use. */
    enum Fix {
        NONE("No fix"), ITAE("ITAE"), TTR("Test-time registers"), BOTH("ITAE + test-time registers");

        final String label;

        Fix(String label) {
            this.label = label;
        }

        boolean itae() {
            return this == ITAE || this == BOTH;
        }

        boolean ttr() {
            return this == TTR || this == BOTH;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final StudioEngine engine;
    private final Executor worker;
    private final Executor fx;
    private final ObjectProperty<Fix> fix = new SimpleObjectProperty<>(this, "fix", Fix.ITAE);
    private final ReadOnlyObjectWrapper<RegisterNeurons> neurons = new ReadOnlyObjectWrapper<>(this, "neurons");
    private final ReadOnlyBooleanWrapper calibrating = new ReadOnlyBooleanWrapper(this, "calibrating");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "Not calibrated");
    private final ReadOnlyStringWrapper neuronList = new ReadOnlyStringWrapper(this, "neuronList", "");
    private final IntegerProperty count = new SimpleIntegerProperty(this, "count", 1);
    private final ObjectProperty<TestTimeRegisters.PatchValues> patchValues =
            new SimpleObjectProperty<>(this, "patchValues", TestTimeRegisters.PatchValues.ZERO);
    private Cancellation running;
    private long generation; // bumped by clear(): a cache lookup for the previous folder or model is dropped

    /** The register count's range in the app (the paper uses 1; more rarely helps). */
    static final int MIN_COUNT = 1;
    static final int MAX_COUNT = 8;

    /**
     * @param worker runs the calibration (off the FX thread)
     * @param fx     runs results on the FX thread
     */
    ArtifactFixModel(StudioEngine engine, Executor worker, Executor fx) {
        this.engine = Objects.requireNonNull(engine);
        this.worker = Objects.requireNonNull(worker);
        this.fx = Objects.requireNonNull(fx);
        neurons.addListener((o, a, b) -> neuronList.set(b == null ? "" : byBlock(b.neurons())));
        count.addListener((o, a, b) -> {
            int c = Math.max(MIN_COUNT, Math.min(MAX_COUNT, b.intValue()));
            if (c != b.intValue()) {
                count.set(c);
            }
        });
        patchValues.addListener((o, a, b) -> {
            if (b == null) {
                patchValues.set(TestTimeRegisters.PatchValues.ZERO);
            }
        });
    }

    /** Appended registers R, clamped to {@value #MIN_COUNT}..{@value #MAX_COUNT}. */
    IntegerProperty countProperty() {
        return count;
    }

    /** What the patch tokens' register units become. */
    ObjectProperty<TestTimeRegisters.PatchValues> patchValuesProperty() {
        return patchValues;
    }

    void load(StudioPreferences p) {
        count.set(p.getInt("ttr.count"));
        patchValues.set(p.getEnum("ttr.patchValues", TestTimeRegisters.PatchValues.class));
    }

    void save(StudioPreferences p) {
        p.putInt("ttr.count", count.get());
        p.put("ttr.patchValues", patchValues.get().name());
    }

    ObjectProperty<Fix> fixProperty() {
        return fix;
    }

    ReadOnlyObjectProperty<RegisterNeurons> neuronsProperty() {
        return neurons.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty calibratingProperty() {
        return calibrating.getReadOnlyProperty();
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The neurons by block, one line per block: "block 7: 12, 300, 1021". */
    ReadOnlyStringProperty neuronListProperty() {
        return neuronList.getReadOnlyProperty();
    }

    /** Test-time registers for the chosen fix (R registers, the chosen patch values), or null. */
    TestTimeRegisters ttr() {
        return fix.get().ttr() ? registers() : null;
    }

    /** Test-time registers with the calibrated neurons and the current controls whatever the fix, or null. */
    TestTimeRegisters registers() {
        RegisterNeurons n = neurons.get();
        return n == null ? null : n.registers(count.get(), patchValues.get());
    }

    /** Forgets the neurons (another folder or model). */
    void clear() {
        cancelCalibration();
        generation++;
        neurons.set(null);
        status.set("Not calibrated");
    }

    /**
     * Looks for neurons calibrated earlier on this folder with this model (the engine's cache) and takes them, so
     * reopening a folder does not calibrate again. Quiet when there are none.
     *
     * @param modelAvailable asked on the worker first: the lookup loads the model, and a model that is not on this
     *                       machine must not be downloaded behind the user's back (the analysis asks first)
     */
    void loadCached(Path folder, AnalysisSettings settings, java.util.function.BooleanSupplier modelAvailable) {
        // an engine without caches has nothing kept: no worker task (it would queue behind the folder's analysis)
        if (folder == null || calibrating.get() || !engine.hasCaches()) {
            return;
        }
        long gen = generation;
        AnalysisSettings plain = settings.withItae(null).withTtr(null);
        worker.execute(() -> {
            RegisterNeurons found;
            try {
                found = modelAvailable.getAsBoolean() ? engine.cachedRegisters(folder, plain).orElse(null) : null;
            } catch (Exception e) {
                found = null; // no model yet or a broken one: the folder's analysis reports that
            }
            RegisterNeurons f = found;
            fx.execute(() -> {
                if (f != null && gen == generation && neurons.get() == null && !calibrating.get()) {
                    neurons.set(f);
                    status.set("From the cache: " + summary(f));
                }
            });
        });
    }

    /**
     * Reads a neuron file ({@code calibrate-registers} output) for the settings' model; a file for another model,
     * or one naming units the model does not have, is refused with one line in {@link #statusProperty}.
     */
    void loadFile(Path file, AnalysisSettings settings) {
        if (file == null || calibrating.get()) {
            return;
        }
        long gen = generation;
        AnalysisSettings plain = settings.withItae(null).withTtr(null);
        worker.execute(() -> {
            RegisterNeurons result = null;
            String failure = null;
            try {
                RegisterNeurons n = RegisterNeurons.parse(java.nio.file.Files.readString(file),
                        String.valueOf(file.getFileName()));
                engine.checkRegisters(n, plain);
                result = n;
            } catch (java.io.IOException e) {
                failure = "Cannot read " + file.getFileName() + ": " + MainViewModel.oneLine(e);
            } catch (Exception e) {
                failure = "Refused: " + MainViewModel.oneLine(e);
            }
            RegisterNeurons r = result;
            String f = failure;
            fx.execute(() -> {
                if (gen != generation || calibrating.get()) {
                    return;
                }
                if (f != null) {
                    status.set(f);
                } else {
                    neurons.set(r);
                    status.set("From " + file.getFileName() + ": " + summary(r));
                }
            });
        });
    }

    /** Calibrates on the folder with the plain model of {@code settings}; ignored while one runs. */
    void calibrate(Path folder, AnalysisSettings settings) {
        if (folder == null || calibrating.get()) {
            return;
        }
        Cancellation cancel = new Cancellation();
        running = cancel;
        calibrating.set(true);
        status.set("Calibrating\u2026");
        AnalysisSettings plain = settings.withItae(null).withTtr(null);
        worker.execute(() -> {
            RegisterNeurons result = null;
            String failure = null;
            try {
                result = engine.calibrateRegisters(folder, plain, CalibrationSettings.defaults(),
                        p -> fx.execute(() -> showProgress(cancel, p)), cancel);
            } catch (CancellationException e) {
                failure = "Calibration cancelled";
            } catch (Exception e) {
                failure = "Calibration failed: " + MainViewModel.oneLine(e);
            }
            RegisterNeurons r = result;
            String f = failure;
            fx.execute(() -> finish(cancel, r, f));
        });
    }

    void cancelCalibration() {
        if (running != null) {
            running.cancel();
        }
    }

    private void showProgress(Cancellation job, Progress p) {
        if (running == job && p.total() > 0) {
            status.set(p.stage() + " " + p.done() + "/" + p.total());
        }
    }

    private void finish(Cancellation job, RegisterNeurons result, String failure) {
        if (running != job) {
            return;
        }
        running = null;
        calibrating.set(false);
        if (failure != null) {
            status.set(failure);
            return;
        }
        neurons.set(result);
        status.set(summary(result));
    }

    static String summary(RegisterNeurons r) {
        return String.format(java.util.Locale.ROOT, "%d neurons; %d of %d images with outliers (norm > %.3g)",
                r.neurons().size(), r.imagesWithOutliers(), r.imagesSampled(), r.threshold());
    }

    static String byBlock(List<RegisterNeurons.Scored> list) {
        Map<Integer, List<Integer>> blocks = new TreeMap<>();
        for (RegisterNeurons.Scored s : list) {
            blocks.computeIfAbsent(s.block(), b -> new java.util.ArrayList<>()).add(s.unit());
        }
        return blocks.entrySet().stream()
                .map(e -> "block " + e.getKey() + ": " + e.getValue().stream().sorted().map(String::valueOf)
                        .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
    }
}
