package org.itaestudio.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.itaestudio.cluster.NearDuplicates;
import org.itaestudio.image.ImageHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A duplicate set's initial keep: most pixels, then largest file, then first in path order. */
class DuplicateKeepTest {

    @TempDir
    Path dir;

    private void image(String name, int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 7 + y * 13) * 2654435761L > 0 ? x * y : 0x123456 ^ x);
        }
        ImageIO.write(img, format, dir.resolve(name).toFile());
    }

    @Test
    void theImageWithTheMostPixelsIsKept() throws IOException {
        image("a_half.png", 40, 30, "png");
        image("b_full.png", 80, 60, "png");
        image("c_crop.jpg", 76, 57, "jpg");
        image("d.png", 50, 50, "png");
        image("e.png", 50, 50, "png");
        Files.write(dir.resolve("e_padded.png"), Files.readAllBytes(dir.resolve("e.png")));
        Files.write(dir.resolve("e_padded.png"), new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        assertEquals(80 * 60, ImageHeader.pixels(dir.resolve("b_full.png")));
        assertEquals(76 * 57, ImageHeader.pixels(dir.resolve("c_crop.jpg")));
        assertEquals(0, ImageHeader.pixels(dir.resolve("missing.png")));
        List<String> paths = List.of("a_half.png", "b_full.png", "c_crop.jpg", "d.png", "e.png", "e_padded.png",
                "missing1.png", "missing2.png");
        List<NearDuplicates.Group> groups = List.of(
                new NearDuplicates.Group(new int[] {0, 1, 2}, new double[] {1, .99, .98}),
                new NearDuplicates.Group(new int[] {4, 5}, new double[] {1, 1}), // same pixels: the larger file
                new NearDuplicates.Group(new int[] {6, 7}, new double[] {1, .99})); // nothing readable: the first
        assertArrayEquals(new int[] {1, 1, 0}, DuplicateKeep.choose(dir, paths, groups, null));
    }

    @Test
    void tiesGoToTheFirstInPathOrder() {
        assertEquals(0, DuplicateKeep.best(new long[] {10, 10}, new long[] {5, 5}));
        assertEquals(1, DuplicateKeep.best(new long[] {10, 10}, new long[] {5, 6}));
        assertEquals(2, DuplicateKeep.best(new long[] {10, 10, 11}, new long[] {5, 60, 1}));
    }
}
