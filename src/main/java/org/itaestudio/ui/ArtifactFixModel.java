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
 * succeeded, {@link #ttr()} is null whatever the choice.
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
    private Cancellation running;

    /**
     * @param worker runs the calibration (off the FX thread)
     * @param fx     runs results on the FX thread
     */
    ArtifactFixModel(StudioEngine engine, Executor worker, Executor fx) {
        this.engine = Objects.requireNonNull(engine);
        this.worker = Objects.requireNonNull(worker);
        this.fx = Objects.requireNonNull(fx);
        neurons.addListener((o, a, b) -> neuronList.set(b == null ? "" : byBlock(b.neurons())));
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

    /** Test-time registers for the chosen fix (one register, patches' units to 0), or null. */
    TestTimeRegisters ttr() {
        RegisterNeurons n = neurons.get();
        return fix.get().ttr() && n != null ? n.registers(1, TestTimeRegisters.PatchValues.ZERO) : null;
    }

    /** Forgets the neurons (another folder or model). */
    void clear() {
        cancelCalibration();
        neurons.set(null);
        status.set("Not calibrated");
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
        status.set(String.format(java.util.Locale.ROOT, "%d neurons; %d of %d images with outliers (norm > %.3g)",
                result.neurons().size(), result.imagesWithOutliers(), result.imagesSampled(), result.threshold()));
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
