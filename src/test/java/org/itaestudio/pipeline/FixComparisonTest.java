package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import javax.imageio.ImageIO;
import org.itaestudio.Fixtures;
import org.itaestudio.cluster.MapMethod;
import org.itaestudio.itae.ItaeConfig;
import org.itaestudio.itae.TestTimeRegisters;
import org.itaestudio.model.DeviceChoice;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fix comparison's measures on constructed clusterings, and one real run on a tiny model and folder. */
class FixComparisonTest {

    @TempDir
    Path tmp;

    static final List<String> PATHS = List.of("cat/a.png", "cat/b.png", "dog/c.png", "dog/d.png", "fox/e.png", "fox/f.png");

    /** Embeddings in three tight groups, so the silhouette of the true grouping is high. */
    static float[][] grouped(int[] groups) {
        float[][] x = new float[groups.length][];
        for (int i = 0; i < groups.length; i++) {
            x[i] = new float[] {groups[i] == 0 ? 1 : 0.01f * i, groups[i] == 1 ? 1 : 0.01f, groups[i] == 2 ? 1 : 0.02f};
        }
        return x;
    }

    static FolderAnalysis analysis(List<String> paths, int[] labels, int k, float[][] x) {
        return new FolderAnalysis(Path.of("f"), paths, x, labels, k, new double[labels.length], null, List.of(), null);
    }

    static FixComparison.Variant variant(String name) {
        return new FixComparison.Variant(name, null, null);
    }

    @Test
    void theReferenceAgainstItselfHasAriOneAndNoChangesAndRenumberingIsNoChange() {
        int[] ref = {0, 0, 1, 1, 2, 2};
        float[][] x = grouped(ref);
        FixComparison.Result r = FixComparison.compare(Path.of("f"), List.of(variant("No fix"), variant("Same, renumbered")),
                List.of(analysis(PATHS, ref, 3, x), analysis(PATHS, new int[] {2, 2, 0, 0, 1, 1}, 3, x)), 1);
        for (FixComparison.Row row : r.rows()) {
            assertEquals(1.0, row.ariVsReference(), 1e-12);
            assertEquals(0, row.changed());
            assertArrayEquals(ref, row.labels(), "labels renumbered to the reference's");
            assertEquals(3, row.k());
            assertTrue(row.silhouette() > 0.9, "tight groups: " + row.silhouette());
            FixComparison.ClassScores c = row.classes().orElseThrow();
            assertEquals(1.0, c.acc(), 1e-12);
            assertEquals(1.0, c.nmi(), 1e-12);
            assertEquals(1.0, c.ari(), 1e-12);
        }
        assertEquals(List.of("cat", "cat", "dog", "dog", "fox", "fox"), r.classes().orElseThrow());
    }

    @Test
    void changedImagesMatchAHandCountAfterMatching() {
        int[] ref = {0, 0, 1, 1, 2, 2};
        // new cluster 1 = old 0, new 0 = old 1 (with image 5, which was in old 2), new 2 = old 2: image 5 alone moved
        int[] moved = {1, 1, 0, 0, 2, 0};
        FixComparison.Result r = FixComparison.compare(Path.of("f"), List.of(variant("No fix"), variant("ITAE")),
                List.of(analysis(PATHS, ref, 3, grouped(ref)), analysis(PATHS, moved, 3, grouped(ref))), 1);
        FixComparison.Row row = r.rows().get(1);
        assertEquals(1, row.changed());
        assertArrayEquals(new int[] {5}, row.changedImages());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 1}, row.labels());
        assertTrue(row.ariVsReference() < 1 && row.ariVsReference() > 0, "one image moved: " + row.ariVsReference());
        assertEquals(5.0 / 6, row.classes().orElseThrow().acc(), 1e-12);
    }

    @Test
    void imagesMissingFromOneRunAreLeftOutOfAllAndFlatFoldersHaveNoClasses() {
        List<String> flat = List.of("a.png", "b.png", "c.png", "d.png");
        int[] ref = {0, 0, 1, 1};
        FixComparison.Result r = FixComparison.compare(Path.of("f"), List.of(variant("No fix"), variant("TTR")),
                List.of(analysis(flat, ref, 2, grouped(ref)),
                        analysis(flat.subList(0, 3), new int[] {0, 1, 1}, 2, grouped(new int[] {0, 1, 1}))), 1);
        assertEquals(flat.subList(0, 3), r.paths());
        assertTrue(r.classes().isEmpty());
        assertTrue(r.rows().get(0).classes().isEmpty());
        assertEquals(1, r.rows().get(1).changed(), "b.png moved from a's cluster to c's");
    }

    @Test
    void classesNeedEveryImageInASubFolderAndTwoClasses() {
        assertTrue(FixComparison.classesOf(List.of("cat/a.png", "b.png")).isEmpty());
        assertTrue(FixComparison.classesOf(List.of("cat/a.png", "cat/b.png")).isEmpty());
        assertEquals(List.of("cat", "dog"), FixComparison.classesOf(List.of("cat/x/a.png", "dog/b.png")).orElseThrow());
    }

    @Test
    void theSilhouetteSampleIsSeededAndCoversAllImagesWhenFew() {
        assertArrayEquals(new int[] {0, 1, 2}, FixComparison.sample(3, 10, 7));
        int[] a = FixComparison.sample(5000, 100, 7);
        assertEquals(100, a.length);
        assertArrayEquals(a, FixComparison.sample(5000, 100, 7));
        assertFalse(java.util.Arrays.equals(a, FixComparison.sample(5000, 100, 8)));
        assertEquals(100, java.util.Arrays.stream(a).distinct().count());
    }

    /** Two classes of three noisy images each: a warm and a cool colour field. */
    static Path labelledFolder(Path root) throws Exception {
        Random rnd = new Random(3);
        for (String cls : new String[] {"warm", "cool"}) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < 3; i++) {
                BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 56; y++) {
                    for (int x = 0; x < 56; x++) {
                        int n = rnd.nextInt(60);
                        int rgb = cls.equals("warm") ? ((190 + n) << 16) | ((60 + n) << 8) | (20 + x)
                                : ((20 + y) << 16) | ((80 + n) << 8) | (180 + n);
                        img.setRGB(x, y, rgb);
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void aRealRunComparesEveryFixOnATinyModelWithProgressAndCancel() throws Exception {
        Path folder = labelledFolder(tmp.resolve("photos"));
        AnalysisSettings s = AnalysisSettings.defaults(Fixtures.path("swiglu_reg4/hf").toString()).with(b -> {
            b.device = DeviceChoice.CPU;
            b.resize = 56;
            b.crop = 56;
            b.k = 2;
            b.mapMethod = MapMethod.TSNE; // the comparison must not compute a map anyway
        });
        ItaeConfig itae = ItaeConfig.paperDefault(ItaeConfig.Threshold.AUTO);
        TestTimeRegisters ttr = TestTimeRegisters.of(List.of(new TestTimeRegisters.Neuron(0, 3),
                new TestTimeRegisters.Neuron(1, 5)));
        List<FixComparison.Variant> variants = List.of(variant("No fix"), new FixComparison.Variant("ITAE", itae, null),
                new FixComparison.Variant("TTR", null, ttr), new FixComparison.Variant("Both", itae, ttr),
                variant("No fix again"));
        List<Progress> seen = new ArrayList<>();
        try (DefaultStudioEngine e = new DefaultStudioEngine(tmp.resolve("cache"), new ModelResolver())) {
            FixComparison.Result r = FixComparison.run(e, folder, s, variants, seen::add, Cancellation.none());
            assertEquals(6, r.paths().size());
            assertEquals(List.of("cool", "cool", "cool", "warm", "warm", "warm"), r.classes().orElseThrow());
            assertEquals(5, r.rows().size());
            FixComparison.Row ref = r.rows().get(0);
            assertEquals(1.0, ref.ariVsReference(), 1e-12);
            assertEquals(0, ref.changed());
            FixComparison.Row again = r.rows().get(4);
            assertEquals(1.0, again.ariVsReference(), 1e-12, "the same fix clusters the same way");
            assertEquals(0, again.changed());
            for (FixComparison.Row row : r.rows()) {
                assertEquals(2, row.k());
                assertEquals(row.changed(), row.changedImages().length);
                assertTrue(row.classes().isPresent());
                assertTrue(Double.isFinite(row.silhouette()) && row.silhouette() <= 1, row.variant().name());
            }
            assertTrue(seen.stream().anyMatch(p -> p.stage().startsWith("TTR (3/5): ")), seen.toString());

            // the fixes really change the embeddings: the runs differ from the plain one
            FolderEmbeddings plain = e.embed(folder, s, ProgressListener.NONE, Cancellation.none());
            FolderEmbeddings withTtr = e.embed(folder, s.withTtr(ttr), ProgressListener.NONE, Cancellation.none());
            assertNotEquals(plain.embeddings()[0][0], withTtr.embeddings()[0][0]);
            assertEquals(6, withTtr.fromCache(), "the comparison's embeddings were cached");

            Cancellation cancel = new Cancellation();
            cancel.cancel();
            assertThrows(CancellationException.class,
                    () -> FixComparison.run(e, folder, s, variants, ProgressListener.NONE, cancel));
        }
        assertThrows(IllegalArgumentException.class,
                () -> FixComparison.run(null, folder, s, List.of(), ProgressListener.NONE, Cancellation.none()));
    }
}
