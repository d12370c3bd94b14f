package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.itaestudio.Fixtures;
import org.itaestudio.TestData;
import org.itaestudio.cluster.NearDuplicates;
import org.itaestudio.model.Pooling;
import org.itaestudio.model.hub.ModelResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Near-duplicate quality on real photos with planted copies: eight photos from ../shared/data each get three copies
 * (JPEG re-encoded at quality 70, resized to half, cropped by 5%: 2.5% off every side), mixed with the other photos
 * and twenty Tiny-ImageNet images as distinct images; embedded through the real pipeline, grouped by
 * {@link NearDuplicates}. Pair-level recall (planted pairs that end in one set) and precision (pairs in one set
 * that are planted) are printed for a sweep of thresholds and asserted at the chosen one.
 *
 * <p>What this can and cannot show: no pretrained DINOv2 weights exist on these machines, so the embeddings come
 * from the tests' tiny random-weight DINOv2 (D = 128, depth 2; tests/resources/fixtures). It checks the whole path
 * (decode, preprocessing, model, cosine, union-find, marks) on real image edits; it says nothing about where a real
 * DINOv2's copies and distinct images fall, so the default threshold is not calibrated by it (README).
 */
class NearDuplicatesQualityTest {

    static final String[] PLANTED = {"skimage_cc0_pd/astronaut.png", "skimage_cc0_pd/chelsea.png",
            "skimage_cc0_pd/coffee.png", "skimage_cc0_pd/rocket.jpg", "sklearn_ccby2/china.jpg",
            "sklearn_ccby2/flower.jpg", "cameratrap_cdla/african_elephants.jpg", "cameratrap_cdla/ocelot.jpg"};

    @TempDir
    static Path tmp;
    static Path folder;
    /** Relative path -> planted set id (only originals and their copies). */
    static final Map<String, Integer> planted = new HashMap<>();

    @BeforeAll
    static void buildFolder() throws IOException {
        Path data = TestData.requireSharedData();
        folder = tmp.resolve("mixed");
        Path photos = data.resolve("photos");
        List<Path> sources = new ArrayList<>();
        try (var s = Files.walk(photos)) {
            s.filter(p -> p.toString().matches("(?i).*\\.(png|jpe?g)$")).sorted().forEach(sources::add);
        }
        for (Path p : sources) {
            String rel = photos.relativize(p).toString().replace('\\', '/');
            Path target = folder.resolve("photos").resolve(rel);
            Files.createDirectories(target.getParent());
            Files.copy(p, target);
        }
        for (int i = 0; i < 20; i++) {
            Path p = data.resolve("tiny-imagenet-val/val/images/val_" + (i * 37) + ".JPEG");
            Path target = folder.resolve("tiny/val_" + (i * 37) + ".JPEG");
            Files.createDirectories(target.getParent());
            Files.copy(p, target);
        }
        for (int set = 0; set < PLANTED.length; set++) {
            BufferedImage img = rgb(ImageIO.read(photos.resolve(PLANTED[set]).toFile()));
            String stem = PLANTED[set].replaceAll("^.*/|\\.[a-z]+$", "");
            Path copies = folder.resolve("copies");
            Files.createDirectories(copies);
            writeJpeg(img, copies.resolve(stem + "_q70.jpg"), 0.70f);
            ImageIO.write(resize(img, img.getWidth() / 2, img.getHeight() / 2), "png", copies.resolve(stem + "_half.png").toFile());
            int dx = Math.round(img.getWidth() * 0.025f), dy = Math.round(img.getHeight() * 0.025f);
            ImageIO.write(img.getSubimage(dx, dy, img.getWidth() - 2 * dx, img.getHeight() - 2 * dy), "png",
                    copies.resolve(stem + "_crop5.png").toFile());
            planted.put("photos/" + PLANTED[set], set);
            for (String suffix : new String[] {"_q70.jpg", "_half.png", "_crop5.png"}) planted.put("copies/" + stem + suffix, set);
        }
    }

    private static BufferedImage rgb(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    private static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static void writeJpeg(BufferedImage img, Path file, float quality) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(quality);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
    }

    /** Pair counts of a grouping against the planted sets. */
    record Score(double threshold, int truePairs, int predictedPairs, int correctPairs) {
        double recall() {
            return truePairs == 0 ? 1 : (double) correctPairs / truePairs;
        }

        double precision() {
            return predictedPairs == 0 ? 1 : (double) correctPairs / predictedPairs;
        }
    }

    static Score score(List<String> paths, float[][] e, double threshold) {
        int n = paths.size();
        int[] group = new int[n];
        java.util.Arrays.fill(group, -1);
        List<NearDuplicates.Group> groups = NearDuplicates.find(e, threshold);
        for (int g = 0; g < groups.size(); g++) for (int m : groups.get(g).members()) group[m] = g;
        int truePairs = 0, predicted = 0, correct = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                Integer si = planted.get(paths.get(i)), sj = planted.get(paths.get(j));
                boolean isTrue = si != null && si.equals(sj);
                boolean isPredicted = group[i] >= 0 && group[i] == group[j];
                if (isTrue) truePairs++;
                if (isPredicted) predicted++;
                if (isTrue && isPredicted) correct++;
            }
        }
        return new Score(threshold, truePairs, predicted, correct);
    }

    /** The threshold this test chooses for the tiny random-weight model (see the sweep it prints). */
    static final double CHOSEN = 0.99;

    @Test
    void plantedCopiesAreFoundOnRealPhotos() throws IOException {
        String model = Fixtures.path("reg4/official.pth").toString();
        // JPEG draft decoding: the large camera-trap photos decode several times faster; the planted copies are PNG
        // or small, so the edits under test are unchanged.
        AnalysisSettings settings = AnalysisSettings.defaults(model).with(b -> b.jpegDraft = true);
        FolderEmbeddings fe;
        try (DefaultStudioEngine engine = new DefaultStudioEngine(null, new ModelResolver())) {
            fe = engine.embed(folder, settings, org.itaestudio.progress.ProgressListener.NONE, new Cancellation());
        }
        assertEquals(28 + 20 + 24, fe.paths().size(), "every image embedded: " + fe.skipped());
        StringBuilder report = new StringBuilder("near-duplicates, tiny random-weight model (CLS), " + fe.paths().size()
                + " images, " + PLANTED.length + " planted sets of 4 (48 planted pairs):\n");
        for (double t : new double[] {0.90, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999}) {
            Score s = score(fe.paths(), fe.embeddings(), t);
            report.append(String.format(Locale.ROOT, "  threshold %.3f: recall %.3f (%d/%d pairs), precision %.3f (%d/%d)%n",
                    t, s.recall(), s.correctPairs(), s.truePairs(), s.precision(), s.correctPairs(), s.predictedPairs()));
        }
        // per edit: is the copy in its original's set at the chosen threshold?
        List<NearDuplicates.Group> groups = NearDuplicates.find(fe.embeddings(), CHOSEN);
        int[] group = new int[fe.paths().size()];
        java.util.Arrays.fill(group, -1);
        for (int g = 0; g < groups.size(); g++) for (int m : groups.get(g).members()) group[m] = g;
        for (String suffix : new String[] {"_q70.jpg", "_half.png", "_crop5.png"}) {
            int found = 0;
            for (String original : PLANTED) {
                String stem = original.replaceAll("^.*/|\\.[a-z]+$", "");
                int o = fe.paths().indexOf("photos/" + original), c = fe.paths().indexOf("copies/" + stem + suffix);
                if (group[o] >= 0 && group[o] == group[c]) found++;
            }
            report.append(String.format(Locale.ROOT, "  at %.2f, copies %s in their original's set: %d/%d%n", CHOSEN,
                    suffix, found, PLANTED.length));
        }
        System.out.print(report);
        Score chosen = score(fe.paths(), fe.embeddings(), CHOSEN);
        assertTrue(chosen.recall() >= 0.8 && chosen.precision() >= 0.6, report.toString());
        // the sweep is monotone where it must be: a lower threshold never loses a planted pair
        assertTrue(score(fe.paths(), fe.embeddings(), 0.95).correctPairs() >= chosen.correctPairs(), report.toString());
    }
}
