package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import org.itaestudio.image.ModelInput;
import org.itaestudio.image.Preprocessor;
import org.itaestudio.image.RgbImage;
import org.itaestudio.itae.CalibrationSettings;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.RegisterNeuronSelection;
import org.itaestudio.itae.RegisterNeurons;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.ForwardResult;
import org.itaestudio.model.Pooling;
import org.itaestudio.model.TtrFixtures;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.Cancellation;
import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.Inspection;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspector's token norm map and side-by-side of fixes on the real engine, with the tiny S/14-shaped checkpoint
 * of the test-time-register goldens (4 blocks, random weights with register neurons planted in block 1) and photos
 * of {@code sample-data/}. Every map is checked against a forward of the same weights run here, outside the UI and
 * the engine: norms with {@link DinoV2#outputNorms}, attention with the fix's own {@link ForwardRequest}.
 */
class SideBySideModelTest {

    private static final Path PHOTOS = Path.of("sample-data", "everyday");
    private static final int DEPTH = 4;
    private static final float TOL = 1e-4f;

    @TempDir
    Path tmp;

    DefaultStudioEngine engine;
    AnalysisSettings settings;
    final ObjectProperty<Path> image = new SimpleObjectProperty<>();
    final IntegerProperty layer = new SimpleIntegerProperty(-1);
    final ObjectProperty<RegisterNeurons> neurons = new SimpleObjectProperty<>();
    final ItaeSettings itae = new ItaeSettings();
    final BlockingQueue<SideBySideModel.Result> results = new LinkedBlockingQueue<>();
    SideBySideModel model;
    DinoV2 reference;

    @BeforeEach
    void start() throws IOException {
        engine = new DefaultStudioEngine(null, new ModelResolver());
        settings = AnalysisSettings.defaults(TtrFixtures.path("s14_tiny.safetensors").toString())
                .with(b -> b.device = DeviceChoice.CPU);
        model = new SideBySideModel(engine, image, layer, itae, neurons,
                n -> n.registers(1, TestTimeRegisters.PatchValues.ZERO), () -> settings, Runnable::run,
                LatestWinsRunner.DelayTimer.daemon("test-debounce"));
        model.panelsProperty().addListener((o, a, b) -> { // set last, after the result and the norm map
            if (!b.isEmpty()) {
                results.add(model.resultProperty().get());
            }
        });
        reference = TtrFixtures.model("s14_tiny");
    }

    @AfterEach
    void stop() {
        model.close();
        engine.close();
    }

    SideBySideModel.Result next(Predicate<SideBySideModel.Result> wanted) throws InterruptedException {
        while (true) {
            SideBySideModel.Result r = results.poll(60, TimeUnit.SECONDS);
            assertNotNull(r, "no matching comparison was published");
            if (wanted.test(r)) {
                return r;
            }
        }
    }

    /** The photo as the model saw it, rebuilt from the inspection's pixels. */
    static ModelInput input(Inspection ins) {
        byte[] rgb = new byte[ins.width() * ins.height() * 3];
        for (int i = 0; i < ins.rgb().length; i++) {
            int p = ins.rgb()[i];
            rgb[3 * i] = (byte) (p >> 16);
            rgb[3 * i + 1] = (byte) (p >> 8);
            rgb[3 * i + 2] = (byte) p;
        }
        return Preprocessor.toModelInput(new RgbImage(ins.width(), ins.height(), rgb));
    }

    ForwardResult forward(Inspection ins, int l, ItaeConfig cfg, TestTimeRegisters ttr) {
        ModelInput in = input(ins);
        return reference.forward(in.chw(), 1, in.height(), in.width(),
                ForwardRequest.embedding(cfg, Pooling.CLS).withProbes(Set.of(l), false).withTtr(ttr));
    }

    static void assertClose(float[] expected, float[] actual, float tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            float scale = Math.max(1f, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol * scale, what + " [" + i + "]");
        }
    }

    static void assertClose(float[][] expected, float[][] actual, float tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int h = 0; h < expected.length; h++) {
            assertClose(expected[h], actual[h], tol, what + " head " + h);
        }
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int h = 0; h < a.length; h++) {
            for (int i = 0; i < a[h].length; i++) {
                m = Math.max(m, Math.abs(a[h][i] - b[h][i]));
            }
        }
        return m;
    }

    /** The panel's ITAE settings switched on (what the ITAE map shows). */
    ItaeConfig itaeOn() {
        boolean was = itae.enabledProperty().get();
        itae.enabledProperty().set(true);
        ItaeConfig c = itae.toConfig(DEPTH);
        itae.enabledProperty().set(was);
        return c;
    }

    static void assertOutliersAreAboveTheThreshold(SideBySideModel.NormMap m) {
        int k = 0;
        for (int p = 0; p < m.patchNorms().length; p++) {
            boolean above = m.patchNorms()[p] > (float) m.threshold();
            boolean listed = k < m.outliers().length && m.outliers()[k] == p;
            assertEquals(above, listed, "patch " + p + " norm " + m.patchNorms()[p] + " vs " + m.threshold());
            if (listed) {
                k++;
            }
        }
        assertEquals(m.outliers().length, k, "outliers are ascending patch indices");
    }

    @Test
    void theNormMapIsTheModelsOutputNormsWithItsOutliersAndNothingRunsWhileHidden() throws Exception {
        Path photo = PHOTOS.resolve("coffee.png");
        image.set(photo);
        assertNull(results.poll(300, TimeUnit.MILLISECONDS), "hidden: nothing runs");
        model.activeProperty().set(true);
        SideBySideModel.Result r = next(x -> true);
        assertEquals(DEPTH - 1, r.layer(), "the inspector's \u201clast block\u201d");

        SideBySideModel.NormMap m = model.normMapProperty().get();
        assertEquals(DEPTH - 2, m.layer(), "no calibration: the second-to-last block");
        Inspection plain = r.plain();
        ModelInput in = input(plain);
        for (int l : new int[] {DEPTH - 2, 0}) {
            model.normLayerProperty().set(l);
            m = model.normMapProperty().get();
            assertEquals(l, m.layer());
            float[] tokens = reference.outputNorms(in.chw(), 1, in.height(), in.width(), l)[0];
            float[] patches = java.util.Arrays.copyOfRange(tokens, 1, tokens.length);
            assertClose(patches, m.patchNorms(), TOL, "norms of block " + l);
            assertEquals(plain.gridH() * plain.gridW(), m.patchNorms().length);
            assertEquals(RegisterNeuronSelection.autoThreshold(List.of(m.patchNorms())), m.threshold(), 1e-9,
                    "no calibration: the auto rule over this image");
            assertOutliersAreAboveTheThreshold(m);
            assertTrue(m.outliers().length > 0 && m.outliers().length < m.patchNorms().length,
                    "the split flags some patches, not all: " + m.outliers().length);
            assertNull(m.registerNorms(), "no test-time registers without a calibration");
        }
        assertSame(r, model.resultProperty().get(), "the norm block re-derives, it does not re-run the model");

        List<SideBySideModel.Panel> panels = model.panelsProperty().get();
        assertEquals(List.of(ArtifactFixModel.Fix.NONE, ArtifactFixModel.Fix.ITAE, ArtifactFixModel.Fix.TTR),
                panels.stream().map(SideBySideModel.Panel::fix).toList(), "no \u201cboth\u201d before a calibration");
        assertNull(panels.get(2).attention());
        assertEquals(SideBySideModel.CALIBRATE_HINT, panels.get(2).placeholder());
    }

    @Test
    void eachFixsMapIsThatFixsForwardAndALayerChangeRecomputesThemAll() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("photos"));
        for (String f : new String[] {"coffee.png", "chelsea.png", "camera.png", "clock_motion.png"}) {
            Files.copy(PHOTOS.resolve(f), folder.resolve(f));
        }
        RegisterNeurons n = engine.calibrateRegisters(folder, settings,
                new CalibrationSettings(4, 42, -2, ItaeConfig.Threshold.AUTO, null, 12, false), ProgressListener.NONE,
                Cancellation.none());
        TestTimeRegisters ttr = n.registers(1, TestTimeRegisters.PatchValues.ZERO);
        image.set(folder.resolve("coffee.png"));
        neurons.set(n); // a fresh calibration shows the comparison
        assertTrue(model.activeProperty().get());
        SideBySideModel.Result r = next(x -> x.byFix().containsKey(ArtifactFixModel.Fix.BOTH));
        int l = DEPTH - 1;
        assertEquals(l, r.layer());

        List<SideBySideModel.Panel> panels = model.panelsProperty().get();
        assertEquals(List.of(ArtifactFixModel.Fix.values()), panels.stream().map(SideBySideModel.Panel::fix).toList());
        Inspection plain = r.plain();
        ItaeConfig cfg = itaeOn();
        float[][] none = forward(plain, l, null, null).probes().get(l).image(0).clsAttention();
        ForwardResult itaeRun = forward(plain, l, cfg, null);
        float[][] itaeMap = itaeRun.probes().get(l).image(0).clsAttention();
        float[][] ttrMap = forward(plain, l, null, ttr).probes().get(l).image(0).clsAttention();
        float[][] bothMap = forward(plain, l, cfg, ttr).probes().get(l).image(0).clsAttention();
        assertClose(none, panels.get(0).attention(), TOL, "no fix");
        assertClose(itaeMap, panels.get(1).attention(), TOL, "ITAE");
        assertClose(ttrMap, panels.get(2).attention(), TOL, "test-time registers");
        assertClose(bothMap, panels.get(3).attention(), TOL, "both");
        assertTrue(itaeRun.probes().get(l).image(0).artifacts().length > 0, "ITAE engineers some rows here");
        assertTrue(maxAbsDiff(none, panels.get(1).attention()) > 1e-3, "ITAE changes the map where it acts");
        assertTrue(maxAbsDiff(none, panels.get(2).attention()) > 1e-3, "test-time registers change the map");
        assertTrue(maxAbsDiff(panels.get(1).attention(), panels.get(3).attention()) > 1e-3, "both is not ITAE alone");

        // the norm map: the calibration's block and threshold, the appended register's norm apart
        SideBySideModel.NormMap m = model.normMapProperty().get();
        int detect = n.settings().resolveDetectLayer(DEPTH);
        assertEquals(detect, m.layer());
        assertEquals(n.threshold(), m.threshold(), 0);
        assertTrue(m.thresholdRule().startsWith("the calibration's threshold"), m.thresholdRule());
        assertOutliersAreAboveTheThreshold(m);
        assertEquals(plain.gridH() * plain.gridW(), m.patchNorms().length, "registers are never in the patch grid");
        assertEquals(1, m.registerNorms().length);
        // the register's norm, independently: the hidden state entering the next block, its last (appended) token
        ModelInput in = input(plain);
        float[] hidden = reference.forward(in.chw(), 1, in.height(), in.width(),
                ForwardRequest.embedding(null, Pooling.CLS).withTtr(ttr).withCapture(detect + 1)).captured()[0];
        int dim = hidden.length / (1 + plain.gridH() * plain.gridW() + 1);
        double sq = 0;
        for (int i = hidden.length - dim; i < hidden.length; i++) {
            sq += (double) hidden[i] * hidden[i];
        }
        assertEquals(Math.sqrt(sq), m.registerNorms()[0], TOL * Math.sqrt(sq), "the appended register's norm");

        // another block: every fix runs again there (ITAE, last block only, leaves block 1 as it is)
        layer.set(1);
        SideBySideModel.Result r1 = next(x -> x.layer() == 1);
        panels = model.panelsProperty().get();
        assertClose(forward(plain, 1, null, null).probes().get(1).image(0).clsAttention(), panels.get(0).attention(),
                TOL, "no fix, block 1");
        assertClose(forward(plain, 1, null, ttr).probes().get(1).image(0).clsAttention(), panels.get(2).attention(),
                TOL, "test-time registers, block 1");
        assertClose(panels.get(0).attention(), panels.get(1).attention(), 1e-6f, "ITAE does not act on block 1");
        assertTrue(panels.get(1).title().contains("not at block 1"), panels.get(1).title());
        assertTrue(maxAbsDiff(none, panels.get(0).attention()) > 1e-3, "block 1 is not block 3");
        assertEquals(detect, model.normMapProperty().get().layer(), "the norm block is its own control");
        assertEquals(r.plain().blockNorms()[detect].length, r1.plain().blockNorms()[detect].length);
    }

    @Test
    void aResumedInspectionStillReportsEveryBlocksNorms() throws Exception {
        Path photo = PHOTOS.resolve("coffee.png");
        Inspection full = engine.inspect(photo, settings, DEPTH - 1, null);     // keeps the states entering block 3
        Inspection resumed = engine.inspect(photo, settings, DEPTH - 1, itaeOn()); // runs block 3 only
        assertNotNull(resumed.blockNorms());
        for (int l = 0; l < DEPTH - 1; l++) {
            assertArrayEquals(full.blockNorms()[l], resumed.blockNorms()[l], "block " + l + " runs before ITAE");
        }
        ModelInput in = input(full);
        float[] last = reference.outputNorms(in.chw(), 1, in.height(), in.width(), DEPTH - 1)[0];
        assertClose(last, full.blockNorms()[DEPTH - 1], TOL, "the plain last block");
        assertNull(full.appendedNorms(), "no appended registers without test-time registers");
    }
}
