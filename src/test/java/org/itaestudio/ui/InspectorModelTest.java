package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.itaestudio.pipeline.AnalysisSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspector's model over the fake engine (patch p has V norm p + 1; the automatic threshold is 4.5), results
 * delivered on the runner's thread: which tokens are outlined and what the artifact sentence says.
 */
class InspectorModelTest {

    @TempDir
    Path tmp;

    final FakeStudioEngine engine = new FakeStudioEngine();
    final ItaeSettings itae = new ItaeSettings();
    final BlockingQueue<InspectorModel.Result> results = new LinkedBlockingQueue<>();
    InspectorModel model;
    Path image;

    @BeforeEach
    void start() throws IOException {
        model = new InspectorModel(engine, itae, () -> AnalysisSettings.defaults("stand-in"), Runnable::run);
        model.resultProperty().addListener((o, a, b) -> {
            if (b != null) {
                results.add(b);
            }
        });
        image = Files.writeString(tmp.resolve("a.png"), "the fake engine only checks that it exists");
    }

    @AfterEach
    void stop() {
        model.close();
    }

    /** Waits for the first published result that matches. */
    InspectorModel.Result next(Predicate<InspectorModel.Result> wanted) throws InterruptedException {
        while (true) {
            InspectorModel.Result r = results.poll(20, TimeUnit.SECONDS);
            assertNotNull(r, "no matching inspection was published");
            if (wanted.test(r)) {
                return r;
            }
        }
    }

    @Test
    void itaeOnOutlinesTheArtifactsOfTheLastBlock() throws InterruptedException {
        model.inspect(image);
        InspectorModel.Result r = next(x -> true);
        assertEquals(FakeStudioEngine.DEPTH - 1, r.inspection().layer());
        assertEquals(FakeStudioEngine.DEPTH - 1, model.layerProperty().get(), "the last block is known by number now");
        assertEquals(FakeStudioEngine.DEPTH, model.depthProperty().get());
        assertArrayEquals(new int[] {0, 1, 2, 3}, model.outlinedProperty().get());
        assertFalse(model.outlinesArePreview());
        assertEquals("4 of 16 patch tokens are artifacts (V \u2264 4.50, auto)", model.artifactSummaryProperty().get());
    }

    @Test
    void theItaeOffViewPreviewsTheSameTokensDashed() throws InterruptedException {
        model.inspect(image);
        next(x -> x.config() != null);
        model.showBeforeProperty().set(true);
        InspectorModel.Result off = next(x -> x.config() == null);
        assertEquals(FakeStudioEngine.DEPTH - 1, off.inspection().layer());
        assertArrayEquals(new int[] {0, 1, 2, 3}, model.outlinedProperty().get());
        assertTrue(model.outlinesArePreview());
        assertEquals("ITAE off: the plain model. Dashed outlines: the 4 tokens ITAE would attenuate.",
                model.artifactSummaryProperty().get());
        assertEquals(4, model.lastAfterProperty().get().inspection().probe().artifacts().length);
    }

    @Test
    void aBlockItaeLeavesAloneSaysSo() throws InterruptedException {
        model.inspect(image);
        next(x -> true);
        model.layerProperty().set(1);
        next(x -> x.inspection().layer() == 1);
        assertEquals(0, model.outlinedProperty().get().length);
        assertEquals("ITAE acts on block 3; block 1 is not changed. Pick an ITAE block to see its artifacts.",
                model.artifactSummaryProperty().get());
    }

    @Test
    void aManualThresholdChangesTheOutlines() throws InterruptedException {
        model.inspect(image);
        next(x -> true);
        itae.autoThresholdProperty().set(false);
        itae.thresholdProperty().set(7); // patches with V norm <= 7: 0..6
        InspectorModel.Result r = next(x -> x.config() != null && !x.config().autoThreshold() && x.config().fixedThreshold() == 7);
        assertEquals(7, model.outlinedProperty().get().length);
        assertEquals("7 of 16 patch tokens are artifacts (V \u2264 7.00)", model.artifactSummaryProperty().get());
        assertEquals(7.0, r.config().fixedThreshold());
    }

    @Test
    void withItaeDisabledTheSentenceSaysSo() throws InterruptedException {
        itae.enabledProperty().set(false);
        model.inspect(image);
        next(x -> true);
        assertEquals("ITAE is disabled in the panel.", model.artifactSummaryProperty().get());
        assertEquals(0, model.outlinedProperty().get().length);
    }

    @Test
    void clearForgetsTheImage() throws InterruptedException {
        model.inspect(image);
        next(x -> true);
        model.clear();
        assertNull(model.imageProperty().get());
        assertNull(model.resultProperty().get());
        assertEquals(0, model.outlinedProperty().get().length);
        assertEquals("", model.artifactSummaryProperty().get());
    }

    @Test
    void aFailedInspectionReportsOneLine() throws InterruptedException {
        model.inspect(tmp.resolve("missing.png"));
        BlockingQueue<String> errors = new LinkedBlockingQueue<>();
        model.errorProperty().addListener((o, a, b) -> {
            if (b != null) {
                errors.add(b);
            }
        });
        String e = model.errorProperty().get() != null ? model.errorProperty().get() : errors.poll(20, TimeUnit.SECONDS);
        assertNotNull(e);
        assertTrue(e.endsWith("missing.png: no such file"), e);
    }
}
