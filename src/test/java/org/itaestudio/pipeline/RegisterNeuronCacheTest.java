package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.itaestudio.Fixtures;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.progress.ProgressListener;
import org.itaestudio.store.CacheKind;
import org.itaestudio.store.CacheUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A calibration is kept per model and folder, found again by a new session, counted, cleared, and model-checked. */
class RegisterNeuronCacheTest {

    @TempDir
    Path tmp;

    static AnalysisSettings settings(String fixture) {
        return AnalysisSettings.defaults(Fixtures.path(fixture).toString()).with(b -> {
            b.device = DeviceChoice.CPU;
            b.resize = 56;
            b.crop = 56;
            b.mapMethod = MapMethod.NONE;
        });
    }

    static final CalibrationSettings SMALL = new CalibrationSettings(6, 1, -2, ItaeConfig.Threshold.AUTO, null, 5, false);

    @Test
    void aCalibrationIsFoundAgainForTheSameModelAndFolderOnly() throws Exception {
        Path folder = FixComparisonTest.labelledFolder(tmp.resolve("photos"));
        Path other = FixComparisonTest.labelledFolder(tmp.resolve("other"));
        Path cache = tmp.resolve("cache");
        AnalysisSettings s = settings("swiglu_reg4/hf");
        RegisterNeurons calibrated;
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) {
            assertTrue(e.cachedRegisters(folder, s).isEmpty(), "nothing before a calibration");
            calibrated = e.calibrateRegisters(folder, s, SMALL, ProgressListener.NONE, Cancellation.none());
            assertEquals(calibrated.toJson(), e.cachedRegisters(folder, s).orElseThrow().toJson());
        }
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) { // a new session
            assertEquals(calibrated.toJson(), e.cachedRegisters(folder, s).orElseThrow().toJson());
            assertTrue(e.cachedRegisters(other, s).isEmpty(), "another folder has no calibration");
            assertTrue(e.cachedRegisters(folder, settings("reg4/hf")).isEmpty(), "another model has none");
            CacheUsage usage = e.cacheUsage().orElseThrow();
            assertTrue(usage.registerNeurons() > 0, "counted: " + usage);
            assertEquals(usage.embeddings() + usage.fileHashes() + usage.hiddenStates() + usage.registerNeurons(),
                    usage.total());
            CacheUsage freed = e.clearCache(EnumSet.of(CacheKind.REGISTER_NEURONS));
            assertTrue(freed.registerNeurons() > 0);
            assertTrue(e.cachedRegisters(folder, s).isEmpty(), "cleared");
            assertEquals(0, e.cacheUsage().orElseThrow().registerNeurons());
        }
    }

    @Test
    void aFileForAnotherModelIsRefusedInOneLine() throws Exception {
        Path folder = FixComparisonTest.labelledFolder(tmp.resolve("photos"));
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache"), new ModelResolver())) {
            RegisterNeurons n = e.calibrateRegisters(folder, settings("swiglu_reg4/hf"), SMALL, ProgressListener.NONE,
                    Cancellation.none());
            e.checkRegisters(n, settings("swiglu_reg4/hf")); // its own model: fine
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> e.checkRegisters(n, settings("reg4/hf")));
            assertTrue(x.getMessage().startsWith("the register neurons were calibrated for another model"), x.getMessage());
            assertFalse(x.getMessage().contains("\n"));

            RegisterNeurons outOfRange = new RegisterNeurons(n.modelSpec(), n.fingerprint(), n.architecture(),
                    n.settings(), n.threshold(), n.thresholdRule(), n.imagesSampled(), n.imagesWithOutliers(),
                    n.outlierTokens(), List.of(new RegisterNeurons.Scored(0, 1_000_000, 1.0)));
            IllegalArgumentException y = assertThrows(IllegalArgumentException.class,
                    () -> e.checkRegisters(outOfRange, settings("swiglu_reg4/hf")));
            assertTrue(y.getMessage().contains("out of range"), y.getMessage());
        }
    }

    @Test
    void aDamagedCachedFileIsIgnored() throws Exception {
        Path folder = FixComparisonTest.labelledFolder(tmp.resolve("photos"));
        Path cache = tmp.resolve("cache");
        AnalysisSettings s = settings("swiglu_reg4/hf");
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) {
            e.calibrateRegisters(folder, s, SMALL, ProgressListener.NONE, Cancellation.none());
        }
        try (var files = Files.list(cache.resolve(org.itaestudio.store.RegisterNeuronFiles.DIR_NAME))) {
            for (Path p : files.toList()) {
                Files.writeString(p, "{\"format\": \"itae");
            }
        }
        try (DefaultStudioEngine e = new DefaultStudioEngine(cache, new ModelResolver())) {
            assertTrue(e.cachedRegisters(folder, s).isEmpty());
        }
    }
}
