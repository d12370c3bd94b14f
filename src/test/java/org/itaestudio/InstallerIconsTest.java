package org.itaestudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed installer icons (installer/icons, made by installer/MakeIcons.java) are what jpackage needs on each
 * OS - a 256 px PNG, an .ico and an .icns whose entries decode to their declared sizes - and are what the generator
 * draws today.
 */
class InstallerIconsTest {

    static final Path ICONS = Path.of("installer", "icons");

    @TempDir
    Path tmp;

    @Test
    void pngIs256PixelsWithTransparentCornersAndAnOpaqueBody() throws IOException {
        BufferedImage png = ImageIO.read(ICONS.resolve("itae-studio.png").toFile());
        assertEquals(256, png.getWidth());
        assertEquals(256, png.getHeight());
        assertEquals(0, png.getRGB(0, 0) >>> 24, "rounded corner is transparent");
        assertEquals(255, png.getRGB(20, 128) >>> 24, "body is opaque");
    }

    @Test
    void icoHoldsSevenPngSizesUpTo256() throws IOException {
        assertEquals(List.of(16, 24, 32, 48, 64, 128, 256), icoSizes(Files.readAllBytes(ICONS.resolve("itae-studio.ico"))));
    }

    @Test
    void icnsHoldsPngEntriesFrom16To1024() throws IOException {
        Map<String, Integer> entries = icnsEntries(Files.readAllBytes(ICONS.resolve("itae-studio.icns")));
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("icp4", 16);
        expected.put("icp5", 32);
        expected.put("icp6", 64);
        expected.put("ic07", 128);
        expected.put("ic08", 256);
        expected.put("ic09", 512);
        expected.put("ic10", 1024);
        assertEquals(expected, entries);
    }

    @Test
    void committedIconsAreWhatTheGeneratorDraws() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Djava.awt.headless=true", "installer/MakeIcons.java",
                tmp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "generator finished");
        assertEquals(0, p.exitValue(), out);
        // Same pixels (anti-aliasing may differ by a step between JDK builds: tolerance 2/255 per channel).
        assertSimilar(ImageIO.read(ICONS.resolve("itae-studio.png").toFile()),
                ImageIO.read(tmp.resolve("itae-studio.png").toFile()), 2);
        assertEquals(icoSizes(Files.readAllBytes(ICONS.resolve("itae-studio.ico"))),
                icoSizes(Files.readAllBytes(tmp.resolve("itae-studio.ico"))));
        assertEquals(icnsEntries(Files.readAllBytes(ICONS.resolve("itae-studio.icns"))),
                icnsEntries(Files.readAllBytes(tmp.resolve("itae-studio.icns"))));
    }

    /** Sizes of the entries of an .ico, checking that each is a PNG of its declared size inside the file. */
    private static List<Integer> icoSizes(byte[] ico) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(ico).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.getShort(0));
        assertEquals(1, b.getShort(2), "type 1 = icon");
        int count = b.getShort(4);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int entry = 6 + 16 * i;
            int width = ico[entry] == 0 ? 256 : ico[entry] & 0xFF;
            int length = b.getInt(entry + 8);
            int offset = b.getInt(entry + 12);
            assertTrue(offset + length <= ico.length, "entry " + i + " inside the file");
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(ico, offset, length));
            assertNotNull(img, "entry " + i + " is a PNG");
            assertEquals(width, img.getWidth());
            assertEquals(width, img.getHeight());
            sizes.add(width);
        }
        return sizes;
    }

    /** Entry type -> decoded PNG size, checking the container lengths. */
    private static Map<String, Integer> icnsEntries(byte[] icns) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(icns); // big-endian
        assertEquals("icns", new String(icns, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(icns.length, b.getInt(4), "total length");
        Map<String, Integer> entries = new LinkedHashMap<>();
        int pos = 8;
        while (pos < icns.length) {
            String type = new String(icns, pos, 4, StandardCharsets.US_ASCII);
            int length = b.getInt(pos + 4);
            assertTrue(length > 8 && pos + length <= icns.length, type + " length");
            byte[] png = Arrays.copyOfRange(icns, pos + 8, pos + length);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(img, type + " is a PNG");
            assertEquals(img.getWidth(), img.getHeight());
            entries.put(type, img.getWidth());
            pos += length;
        }
        return entries;
    }

    private static void assertSimilar(BufferedImage a, BufferedImage b, int tolerance) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        int worst = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int pa = a.getRGB(x, y);
                int pb = b.getRGB(x, y);
                for (int shift = 0; shift < 32; shift += 8) {
                    worst = Math.max(worst, Math.abs(((pa >>> shift) & 0xFF) - ((pb >>> shift) & 0xFF)));
                }
            }
        }
        assertTrue(worst <= tolerance, "max channel difference " + worst + " > " + tolerance);
    }
}
