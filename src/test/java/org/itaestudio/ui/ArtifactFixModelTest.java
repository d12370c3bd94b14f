package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.FolderAnalysis;
import org.itaestudio.pipeline.FolderEmbeddings;
import org.itaestudio.pipeline.Inspection;
import org.itaestudio.pipeline.StudioEngine;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.Test;

/** The artifact-fix choice and the calibration flow, without the toolkit (work and results run inline). */
class ArtifactFixModelTest {

    /** Calibrates to a fixed result (or fails), reporting one progress step; records the settings it got. */
    static final class CalibratingEngine implements StudioEngine {
        final List<AnalysisSettings> calls = new ArrayList<>();
        RuntimeException failure;

        @Override
        public RegisterNeurons calibrateRegisters(Path folder, AnalysisSettings settings, CalibrationSettings calibration,
                                                  ProgressListener progress, Cancellation cancel) {
            calls.add(settings);
            progress.onProgress(Progress.of("Calibrating: token norms", 3, 200));
            if (failure != null) {
                throw failure;
            }
            return new RegisterNeurons("m", "print", "arch", calibration, 42.0, "auto", 200, 57, 300,
                    List.of(new RegisterNeurons.Scored(7, 300, 2.0), new RegisterNeurons.Scored(3, 12, 1.5),
                            new RegisterNeurons.Scored(7, 12, 1.0)));
        }

        @Override
        public FolderEmbeddings embed(Path f, AnalysisSettings s, ProgressListener p, Cancellation c) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FolderAnalysis analyze(Path f, AnalysisSettings s, ProgressListener p, Cancellation c) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FolderAnalysis recluster(FolderAnalysis a, AnalysisSettings s, ProgressListener p, Cancellation c) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Inspection inspect(Path image, AnalysisSettings s, int layer, ItaeConfig itae) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int depth(AnalysisSettings s) {
            return 12;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void testTimeRegistersNeedACalibrationAndFollowTheChoice() {
        CalibratingEngine engine = new CalibratingEngine();
        ArtifactFixModel m = new ArtifactFixModel(engine, Runnable::run, Runnable::run);
        m.fixProperty().set(ArtifactFixModel.Fix.TTR);
        assertNull(m.ttr(), "no neurons yet");
        AnalysisSettings withItae = AnalysisSettings.defaults("dinov2-small").withItae(ItaeConfig.paperDefault(3.0));
        m.calibrate(Path.of("photos"), withItae);
        assertNull(engine.calls.get(0).itae(), "calibration runs the plain model");
        assertFalse(m.calibratingProperty().get());
        assertEquals("3 neurons; 57 of 200 images with outliers (norm > 42.0)", m.statusProperty().get());
        assertEquals("block 3: 12\nblock 7: 12, 300", m.neuronListProperty().get());
        TestTimeRegisters t = m.ttr();
        assertNotNull(t);
        assertEquals(1, t.count());
        assertEquals("print", t.calibratedFor());
        m.fixProperty().set(ArtifactFixModel.Fix.ITAE);
        assertNull(m.ttr(), "ITAE alone: no registers");
        m.fixProperty().set(ArtifactFixModel.Fix.BOTH);
        assertNotNull(m.ttr());
        m.clear();
        assertNull(m.ttr(), "another folder forgets the neurons");
    }

    @Test
    void aFailedCalibrationSaysWhyInOneLineAndKeepsNothing() {
        CalibratingEngine engine = new CalibratingEngine();
        engine.failure = new IllegalArgumentException("no image has an outlier token at norm threshold 100\nsecond line");
        ArtifactFixModel m = new ArtifactFixModel(engine, Runnable::run, Runnable::run);
        m.fixProperty().set(ArtifactFixModel.Fix.BOTH);
        m.calibrate(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"));
        assertEquals("Calibration failed: no image has an outlier token at norm threshold 100", m.statusProperty().get());
        assertNull(m.neuronsProperty().get());
        assertNull(m.ttr());
        assertTrue(m.neuronListProperty().get().isEmpty());
    }

    @Test
    void progressIsShownWhileItRuns() {
        CalibratingEngine engine = new CalibratingEngine();
        List<Runnable> later = new ArrayList<>();
        ArtifactFixModel m = new ArtifactFixModel(engine, later::add, Runnable::run);
        m.calibrate(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"));
        assertTrue(m.calibratingProperty().get());
        m.calibrate(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"));
        assertEquals(1, later.size(), "a second click while one runs is ignored");
        List<String> seen = new ArrayList<>();
        m.statusProperty().addListener((o, a, b) -> seen.add(b));
        later.get(0).run();
        assertEquals("Calibrating: token norms 3/200", seen.get(0));
        assertFalse(m.calibratingProperty().get());
    }
}
