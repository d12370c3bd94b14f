package org.itaestudio.image;

import org.itaestudio.TestData;
import org.itaestudio.image.jpeg.ScaledJpegDecoder;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ScaledJpegDecoder} and {@link ImageDecoder#decodeForResize} against Pillow 9.4 + libjpeg-turbo 2.1.5
 * {@code draft()} goldens written by tools/jpeg_draft_reference.py (src/test/resources/jpeg-fixtures).
 */
class ScaledJpegDecoderTest {

    private static final int[] SCALES = {2, 4, 8};

    @TempDir
    Path temp;

    private final ImageDecoder decoder = new ImageDecoder();

    static Path dir() {
        try {
            return Path.of(ScaledJpegDecoderTest.class.getResource("/jpeg-fixtures/draft_resize.tsv").toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String[]> tsv(String name) {
        try {
            List<String[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(dir().resolve(name))) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split("\t"));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fixture names the scaled decoder must decode (every .jpg not listed in fallback.tsv). */
    static List<String> decodableFixtures() throws IOException {
        List<String> fallbacks = tsv("fallback.tsv").stream().map(r -> r[0]).toList();
        List<String> names = new ArrayList<>();
        try (var files = Files.list(dir())) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jpg")).sorted()
                    .map(n -> n.substring(0, n.length() - 4)).filter(n -> !fallbacks.contains(n)).forEach(names::add);
        }
        return names;
    }

    /** Asserts identical pixels; on failure the message gives the max difference and where it first occurs. */
    static void assertSamePixels(RgbImage expected, RgbImage actual, String what) {
        assertEquals(expected.width() + "x" + expected.height(), actual.width() + "x" + actual.height(),
                what + ": size");
        int max = 0;
        int first = -1;
        int count = 0;
        byte[] e = expected.rgb();
        byte[] a = actual.rgb();
        for (int i = 0; i < e.length; i++) {
            int d = Math.abs((e[i] & 0xFF) - (a[i] & 0xFF));
            if (d > 0) {
                count++;
                if (first < 0) {
                    first = i;
                }
                max = Math.max(max, d);
            }
        }
        if (max != 0) {
            int px = first / 3;
            fail(what + ": max abs diff " + max + " in " + count + " samples; first at x=" + px % expected.width()
                    + " y=" + px / expected.width() + " channel " + first % 3 + " (expected " + (e[first] & 0xFF)
                    + ", got " + (a[first] & 0xFF) + ")");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ exactness

    @TestFactory
    List<DynamicTest> bitExactAgainstPilDraftAtEveryScale() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : decodableFixtures()) {
            for (int scale : SCALES) {
                tests.add(DynamicTest.dynamicTest(name + " 1/" + scale, () -> {
                    byte[] jpeg = Files.readAllBytes(dir().resolve(name + ".jpg"));
                    RgbImage expected = Fixtures.readRgbPng(dir().resolve(name + ".s" + scale + ".png"));
                    RgbImage actual = ScaledJpegDecoder.decode(jpeg, scale);
                    assertSamePixels(expected, actual, name + " at 1/" + scale);
                }));
            }
        }
        return tests;
    }

    @Test
    void sharedPhotosMatchPilDraftHashes() throws Exception {
        Path data = TestData.requireSharedData();
        int checked = 0;
        for (String[] row : tsv("shared_photos_draft.tsv")) {
            Path file = data.resolve(row[0]);
            String label = row[1];
            int scale = Integer.parseInt(row[2]);
            int width = Integer.parseInt(row[3]);
            int height = Integer.parseInt(row[4]);
            if (!Files.isRegularFile(file)) {
                fail("missing shared photo " + file);
            }
            if (label.equals("forresize256")) { // the public path: draft scale, decode, EXIF orientation
                RgbImage upright = decoder.decodeForResize(file, 256);
                assertEquals(width + "x" + height, upright.width() + "x" + upright.height(), row[0] + " " + label);
                assertEquals(row[5], sha256(upright.rgb()), row[0] + " decodeForResize(256)");
                checked++;
                continue;
            }
            byte[] jpeg = Files.readAllBytes(file);
            ScaledJpegDecoder.Header header = ScaledJpegDecoder.readHeader(jpeg);
            if (label.equals("resize256")) {
                int[] target = Preprocessor.resizedSize(header.width(), header.height(), 256);
                assertEquals(scale, ScaledJpegDecoder.draftScale(header.width(), header.height(), target[0],
                        target[1]), row[0] + ": draft scale for Resize(256)");
            }
            RgbImage image = ScaledJpegDecoder.decode(jpeg, scale);
            assertEquals(width + "x" + height, image.width() + "x" + image.height(), row[0] + " " + label);
            assertEquals(row[5], sha256(image.rgb()), row[0] + " " + label + " at 1/" + scale);
            checked++;
        }
        assertTrue(checked > 0, "no shared-photo rows");
    }

    /** Not used by decodeForResize (scale 1 goes to decode()), but the same code at 1/1 equals PIL's plain decode. */
    @Test
    void fullScaleEqualsPilPlainDecode() throws Exception {
        for (String[] row : tsv("full_decode.tsv")) {
            RgbImage image = ScaledJpegDecoder.decode(Files.readAllBytes(dir().resolve(row[0] + ".jpg")), 1);
            assertEquals(row[1] + "x" + row[2], image.width() + "x" + image.height(), row[0]);
            assertEquals(row[3], sha256(image.rgb()), row[0] + " at 1/1");
        }
    }

    @Test
    void sharedTruncatedPhotoIsReportedAsTruncated() {
        Path data = TestData.requireSharedData();
        Path cut = data.resolve("odd-images/african_elephants_truncated_file.jpg");
        assertEquals("truncated JPEG",
                assertThrows(ImageDecodeException.class, () -> decoder.decodeForResize(cut, 256)).reason());
    }

    // ------------------------------------------------------------------------------------------------ decodeForResize

    @Test
    void decodeForResizePicksPilDraftScaleAndAppliesExifOrientation() throws Exception {
        for (String[] row : tsv("draft_resize.tsv")) {
            Path file = dir().resolve(row[0] + ".jpg");
            int resize = Integer.parseInt(row[1]);
            String what = row[0] + " resize " + resize;
            RgbImage actual = decoder.decodeForResize(file, resize);
            assertEquals(row[3] + "x" + row[4], actual.width() + "x" + actual.height(), what);
            if (row[5].equals("-")) {
                assertTrue(decoder.decode(file).samePixels(actual), what + ": scale 1 must be decode()");
            } else {
                assertSamePixels(Fixtures.readRgbPng(dir().resolve(row[5])), actual, what);
            }
        }
    }

    @Test
    void draftScaleFollowsPillow() {
        assertEquals(4, ScaledJpegDecoder.draftScale(2048, 1536, 341, 256));
        assertEquals(8, ScaledJpegDecoder.draftScale(3264, 2448, 341, 256));
        assertEquals(2, ScaledJpegDecoder.draftScale(1046, 802, 333, 256));
        assertEquals(1, ScaledJpegDecoder.draftScale(640, 427, 383, 256));
        assertEquals(1, ScaledJpegDecoder.draftScale(100, 100, 256, 256)); // upscaling: min(0, 0) -> 1
        assertEquals(2, ScaledJpegDecoder.draftScale(1000, 600, 426, 256)); // 2.34, 2.34 -> 2
        assertEquals(4, ScaledJpegDecoder.draftScale(7000, 1100, 1629, 256)); // min(4, 4) -> 4
        assertEquals(2, ScaledJpegDecoder.draftScale(4000, 800, 1280, 256)); // min(3, 3) -> 2
    }

    @Test
    void fallbacksReturnExactlyDecode() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String[] row : tsv("fallback.tsv")) {
            Path file = dir().resolve(row[0] + ".jpg");
            byte[] jpeg = Files.readAllBytes(file);
            assertThrows(ScaledJpegDecoder.UnsupportedJpegException.class, () -> ScaledJpegDecoder.decode(jpeg, 2),
                    row[0]);
            files.add(file);
        }
        BufferedImage png = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                png.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | ((x + y) & 0xFF));
            }
        }
        Path pngFile = temp.resolve("plain.png");
        ImageIO.write(png, "png", pngFile.toFile());
        files.add(pngFile);
        for (Path file : files) {
            RgbImage full = decoder.decode(file);
            RgbImage forResize = decoder.decodeForResize(file, 4);
            assertTrue(full.samePixels(forResize), file.getFileName() + " must fall back to decode()");
        }
    }

    @Test
    void pixelCapIsCheckedOnTheHeaderSize() {
        // over the cap even at 1/8 scale (17x9): refused by both paths (a JPEG that fits at some scale is decoded
        // at that scale instead, see HugePhotoTest)
        ImageDecoder small = new ImageDecoder(100);
        Path file = dir().resolve("pil_422_q50_131x67.jpg");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> small.decodeForResize(file, 8));
        assertEquals("image too large: 131x67 > 100 pixel cap even at 1/8 scale", e.reason());
        ImageDecodeException full = assertThrows(ImageDecodeException.class, () -> small.decode(file));
        assertEquals(full.reason(), e.reason());
    }

    @Test
    void missingFileAndDirectoryAreReportedLikeDecode() {
        Path missing = temp.resolve("nope.jpg");
        assertEquals("file not found",
                assertThrows(ImageDecodeException.class, () -> decoder.decodeForResize(missing, 8)).reason());
        assertEquals("is a directory",
                assertThrows(ImageDecodeException.class, () -> decoder.decodeForResize(temp, 8)).reason());
    }

    // ------------------------------------------------------------------------------------------------ broken files

    @Test
    void truncatedFilesAreReportedAsTruncated() throws Exception {
        for (String name : List.of("pil_420_q95_131x67", "enc_420_rst3_q90_131x67", "pil_gray_q95_131x67",
                "enc_420_noninterleaved_q85_131x67")) {
            byte[] jpeg = Files.readAllBytes(dir().resolve(name + ".jpg"));
            for (double fraction : new double[] {0.6, 0.9, 0.999}) {
                int n = (int) (jpeg.length * fraction);
                Path cut = temp.resolve(name + "_" + n + ".jpg");
                Files.write(cut, Arrays.copyOf(jpeg, n));
                ImageDecodeException e = assertThrows(ImageDecodeException.class,
                        () -> decoder.decodeForResize(cut, 8), name + " cut to " + n);
                assertEquals("truncated JPEG", e.reason(), name + " cut to " + n);
                assertEquals(cut + ": truncated JPEG", e.getMessage());
            }
            // without its EOI marker only
            Path noEoi = temp.resolve(name + "_no_eoi.jpg");
            Files.write(noEoi, Arrays.copyOf(jpeg, jpeg.length - 2));
            assertEquals("truncated JPEG",
                    assertThrows(ImageDecodeException.class, () -> decoder.decodeForResize(noEoi, 8)).reason());
        }
    }

    /**
     * Seeded random corruption of fixtures: the decoder either returns an image or throws its checked exceptions,
     * never anything else, never a bug caught by its safety net, and always terminates.
     */
    @Test
    void corruptDataNeverThrowsUncheckedOrHangs() throws Exception {
        List<String> names = decodableFixtures();
        Random random = new Random(20240606L);
        int[] outcomes = new int[3];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int variant = 0; variant < 240; variant++) {
                String name = names.get(random.nextInt(names.size()));
                byte[] jpeg = Files.readAllBytes(dir().resolve(name + ".jpg"));
                int changes = 1 + random.nextInt(8);
                for (int c = 0; c < changes; c++) {
                    int at = random.nextInt(jpeg.length);
                    switch (random.nextInt(4)) {
                        case 0 -> jpeg[at] = (byte) random.nextInt(256);
                        case 1 -> jpeg[at] = (byte) 0xFF;
                        case 2 -> jpeg[at] ^= (byte) (1 << random.nextInt(8));
                        default -> jpeg[at] = 0;
                    }
                }
                int scale = SCALES[random.nextInt(SCALES.length)];
                String what = "variant " + variant + " of " + name + " at 1/" + scale;
                try {
                    ScaledJpegDecoder.decode(jpeg, scale);
                    outcomes[0]++;
                } catch (ScaledJpegDecoder.UnsupportedJpegException e) {
                    outcomes[1]++;
                } catch (ScaledJpegDecoder.CorruptJpegException e) {
                    assertFalse(e.getCause() instanceof RuntimeException, what + ": decoder bug " + e.getCause());
                    assertFalse(e.reason().isBlank() || e.reason().contains("\n"), what);
                    outcomes[2]++;
                }
                if (variant % 8 == 0) { // the public path: only ImageDecodeException
                    Path file = temp.resolve("fuzz" + variant + ".jpg");
                    Files.write(file, jpeg);
                    try {
                        decoder.decodeForResize(file, 8);
                    } catch (ImageDecodeException expected) {
                        assertFalse(expected.reason().contains("\n"), what);
                    }
                }
            }
        });
        System.out.println("fuzz outcomes: decoded " + outcomes[0] + ", unsupported " + outcomes[1] + ", corrupt "
                + outcomes[2]);
        assertTrue(outcomes[2] > 0, "no variant was detected as corrupt");
    }

    @Test
    void notAJpegIsUnsupported() {
        assertThrows(ScaledJpegDecoder.UnsupportedJpegException.class,
                () -> ScaledJpegDecoder.decode(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, 2));
        assertThrows(ScaledJpegDecoder.CorruptJpegException.class,
                () -> ScaledJpegDecoder.decode(new byte[] {(byte) 0xFF, (byte) 0xD8}, 2));
        byte[] soiEoi = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9};
        assertThrows(ScaledJpegDecoder.CorruptJpegException.class, () -> ScaledJpegDecoder.decode(soiEoi, 2));
    }
}
