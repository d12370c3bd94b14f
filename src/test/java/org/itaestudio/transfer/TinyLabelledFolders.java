package org.itaestudio.transfer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small PNG folders for transfer tests: one colour per class, with a little per-image variation. */
public final class TinyLabelledFolders {

    private static final int[] COLOURS = {0xD03020, 0x20A040, 0x3050D0, 0xE0C030};

    private TinyLabelledFolders() {
    }

    /** {@code root/class<c>/img<i>.png}, {@code perClass} images of {@code classes} classes, {@code size} px square. */
    public static Path write(Path root, int classes, int perClass, int size) throws IOException {
        for (int c = 0; c < classes; c++) {
            Path dir = Files.createDirectories(root.resolve("class" + c));
            for (int i = 0; i < perClass; i++) {
                writePng(dir.resolve("img" + i + ".png"), COLOURS[c % COLOURS.length], i, size);
            }
        }
        return root;
    }

    public static void writePng(Path file, int rgb, int variant, int size) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int shade = ((x + 3 * y + 7 * variant) % 16) * 2;
                image.setRGB(x, y, rgb + (x < size / 2 ? shade : -shade) * 0x010101 & 0xFFFFFF);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }
}
