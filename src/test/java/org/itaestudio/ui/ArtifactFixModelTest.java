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
    static class CalibratingEngine implements StudioEngine {
        final List<AnalysisSettings> calls = new ArrayList<>();
        RuntimeException failure;
        RegisterNeurons cached;
        String acceptedFingerprint = "print";

        @Override
        public boolean hasCaches() {
            return true;
        }

        @Override
        public java.util.Optional<RegisterNeurons> cachedRegisters(Path folder, AnalysisSettings settings) {
            calls.add(settings);
            return java.util.Optional.ofNullable(cached);
        }

        @Override
        public void checkRegisters(RegisterNeurons neurons, AnalysisSettings settings) {
            neurons.checkModel(acceptedFingerprint, "this arch");
        }

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

    static RegisterNeurons neurons(String fingerprint) {
        return new RegisterNeurons("m", fingerprint, "arch", CalibrationSettings.defaults(), 42.0, "auto", 200, 57, 300,
                List.of(new RegisterNeurons.Scored(7, 300, 2.0), new RegisterNeurons.Scored(3, 12, 1.5)));
    }

    @Test
    void registerCountAndPatchValuesReachTheRegistersAndTheirKeyAndArePersisted() {
        CalibratingEngine engine = new CalibratingEngine();
        ArtifactFixModel m = new ArtifactFixModel(engine, Runnable::run, Runnable::run);
        m.fixProperty().set(ArtifactFixModel.Fix.TTR);
        m.calibrate(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"));
        String before = m.ttr().key();
        m.countProperty().set(4);
        m.patchValuesProperty().set(TestTimeRegisters.PatchValues.ONLY_OUTLIERS);
        assertEquals(4, m.ttr().count());
        assertEquals(TestTimeRegisters.PatchValues.ONLY_OUTLIERS, m.ttr().patchValues());
        assertTrue(m.ttr().key().startsWith("ttr:4:only_outliers:"), m.ttr().key());
        assertFalse(before.equals(m.ttr().key()), "another key: cached embeddings are not reused across settings");
        m.countProperty().set(0);
        assertEquals(ArtifactFixModel.MIN_COUNT, m.countProperty().get());
        m.countProperty().set(99);
        assertEquals(ArtifactFixModel.MAX_COUNT, m.countProperty().get());

        StudioPreferences prefs = new StudioPreferences(java.util.prefs.Preferences.userRoot()
                .node("itae-studio-test/" + java.util.UUID.randomUUID()));
        try {
            ArtifactFixModel fresh = new ArtifactFixModel(engine, Runnable::run, Runnable::run);
            fresh.load(prefs);
            assertEquals(1, fresh.countProperty().get(), "default: one register (the paper)");
            assertEquals(TestTimeRegisters.PatchValues.ZERO, fresh.patchValuesProperty().get());
            m.countProperty().set(3);
            m.save(prefs);
            fresh.load(prefs);
            assertEquals(3, fresh.countProperty().get());
            assertEquals(TestTimeRegisters.PatchValues.ONLY_OUTLIERS, fresh.patchValuesProperty().get());
        } finally {
            try {
                prefs.node().removeNode();
            } catch (java.util.prefs.BackingStoreException e) {
                // a test node left behind does no harm
            }
        }
    }

    @Test
    void aCachedCalibrationIsLoadedWhenTheFolderOpensAgain() {
        CalibratingEngine engine = new CalibratingEngine();
        engine.cached = neurons("print");
        ArtifactFixModel m = new ArtifactFixModel(engine, Runnable::run, Runnable::run);
        m.fixProperty().set(ArtifactFixModel.Fix.BOTH);
        m.loadCached(Path.of("photos"), AnalysisSettings.defaults("dinov2-small").withItae(ItaeConfig.paperDefault(3.0)),
                () -> true);
        assertNull(engine.calls.get(0).itae(), "looked up for the plain model");
        assertNotNull(m.ttr());
        assertTrue(m.statusProperty().get().startsWith("From the cache: 2 neurons"), m.statusProperty().get());
        assertEquals("block 3: 12\nblock 7: 300", m.neuronListProperty().get());

        engine.cached = null;
        m.clear();
        m.loadCached(Path.of("elsewhere"), AnalysisSettings.defaults("dinov2-small"), () -> true);
        assertNull(m.ttr(), "nothing cached for that folder");
        assertEquals("Not calibrated", m.statusProperty().get());

        // a model that is not on this machine is not loaded (nor downloaded) for a lookup
        int asked = engine.calls.size();
        m.clear();
        m.loadCached(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"), () -> false);
        assertEquals(asked, engine.calls.size(), "the engine was not asked");
        assertNull(m.ttr());

        // a lookup that finishes after the folder changed again is dropped
        engine.cached = neurons("print");
        List<Runnable> later = new ArrayList<>();
        ArtifactFixModel slow = new ArtifactFixModel(engine, later::add, Runnable::run);
        slow.loadCached(Path.of("photos"), AnalysisSettings.defaults("dinov2-small"), () -> true);
        slow.clear();
        later.get(0).run();
        assertNull(slow.neuronsProperty().get());
    }

    @Test
    void aNeuronFileForAnotherModelIsRefusedInOneLine(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CalibratingEngine engine = new CalibratingEngine();
        ArtifactFixModel m = new ArtifactFixModel(engine, Runnable::run, Runnable::run);
        m.fixProperty().set(ArtifactFixModel.Fix.TTR);
        Path foreign = tmp.resolve("foreign.json");
        java.nio.file.Files.writeString(foreign, neurons("someone-else").toJson());
        m.loadFile(foreign, AnalysisSettings.defaults("dinov2-small"));
        assertTrue(m.statusProperty().get().startsWith("Refused: the register neurons were calibrated for another model"),
                m.statusProperty().get());
        assertFalse(m.statusProperty().get().contains("\n"));
        assertNull(m.ttr());

        Path own = tmp.resolve("own.json");
        java.nio.file.Files.writeString(own, neurons("print").toJson());
        m.loadFile(own, AnalysisSettings.defaults("dinov2-small"));
        assertNotNull(m.ttr());
        assertTrue(m.statusProperty().get().startsWith("From own.json: 2 neurons"), m.statusProperty().get());

        java.nio.file.Files.writeString(foreign, "not json at all {");
        m.loadFile(foreign, AnalysisSettings.defaults("dinov2-small"));
        assertTrue(m.statusProperty().get().startsWith("Refused: foreign.json is not"), m.statusProperty().get());
        assertNotNull(m.ttr(), "a refused file keeps the neurons there were");
    }
}
