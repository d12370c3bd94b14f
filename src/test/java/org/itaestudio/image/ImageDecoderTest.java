package org.itaestudio.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.itaestudio.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding against PIL 9.4 {@code Image.open(f).convert("RGB")} (+ {@code ImageOps.exif_transpose}).
 * Tolerances come from the manifest: 0 for lossless formats; JPEG 2 levels (PIL uses libjpeg-turbo, the JDK
 * libjpeg 6b; measured identical here, the slack is for other JDK builds); lossy WebP 20 levels max with mean
 * &lt; 2 because TwelveMonkeys' VP8 decoder upsamples chroma differently from libwebp (measured 14 / 1.3).
 */
class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder();

    @TempDir
    Path temp;

    @TestFactory
    List<DynamicTest> formatsMatchPilConvertRgb() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonArray("decode")) {
            JsonObject c = element.getAsJsonObject();
            String file = c.get("file").getAsString();
            tests.add(DynamicTest.dynamicTest(file, () -> {
                RgbImage expected = Fixtures.readRgbPng(c.get("expected").getAsString());
                RgbImage actual = decoder.decode(Fixtures.file(file));
                int tolerance = c.get("max_diff").getAsInt();
                int maxDiff = Fixtures.maxDiff(expected, actual);
                assertTrue(maxDiff <= tolerance, file + ": max diff " + maxDiff + " > " + tolerance);
                if (tolerance > 0) {
                    double mean = Fixtures.meanDiff(expected, actual);
                    assertTrue(mean < 2.0, file + ": mean diff " + mean);
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> exifOrientationMatchesPilExifTranspose() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonArray("orientation")) {
            JsonObject c = element.getAsJsonObject();
            int orientation = c.get("orientation").getAsInt();
            tests.add(DynamicTest.dynamicTest("orientation " + orientation, () -> {
                Path png = Fixtures.file(c.get("png").getAsString());
                Path jpg = Fixtures.file(c.get("jpg").getAsString());
                assertEquals(orientation, ImageDecoder.readExifOrientation(png), "PNG eXIf tag");
                assertEquals(orientation, ImageDecoder.readExifOrientation(jpg), "JPEG EXIF tag");
                // lossless: exact
                RgbImage expectedPng = Fixtures.readRgbPng(c.get("png_expected").getAsString());
                assertEquals(0, Fixtures.maxDiff(expectedPng, decoder.decode(png)), "PNG pixels");
                // JPEG: decoder differences only (same 2-level tolerance as above; measured 0)
                RgbImage expectedJpg = Fixtures.readRgbPng(c.get("jpg_expected").getAsString());
                RgbImage actualJpg = decoder.decode(jpg);
                assertEquals(orientation >= 5 ? 48 : 64, actualJpg.width(), "upright width");
                int maxDiff = Fixtures.maxDiff(expectedJpg, actualJpg);
                assertTrue(maxDiff <= 2, "JPEG max diff " + maxDiff);
            }));
        }
        return tests;
    }

    @Test
    void oddCameraTrapImages() throws Exception {
        Path data = TestData.requireSharedData();
        Path odd = data.resolve("odd-images");
        RgbImage plain = decoder.decode(data.resolve("photos/cameratrap_cdla/african_elephants.jpg"));
        assertEquals(2048, plain.width());
        assertEquals(1536, plain.height());

        // stored 1536x2048 with orientation 6: comes out upright, like the plain photo (PIL: mean diff 1.73)
        Path rotatedFile = odd.resolve("african_elephants_with_exif_orientation.jpg");
        assertEquals(6, ImageDecoder.readExifOrientation(rotatedFile));
        RgbImage rotated = decoder.decode(rotatedFile);
        assertEquals(2048, rotated.width());
        assertEquals(1536, rotated.height());
        double rotatedDiff = Fixtures.meanDiff(plain, rotated);
        assertTrue(rotatedDiff < 3.0, "rotated vs plain mean diff " + rotatedDiff);
        // and it is not a coincidence of flat content: the unrotated decode would not even fit
        RgbImage stored = ExifOrientation.apply(rotated, 8);
        assertEquals(1536, stored.width());

        // grayscale: R = G = B, close to the photo's luminance (PIL: mean diff 1.11 vs convert("L"))
        RgbImage gray = decoder.decode(odd.resolve("african_elephants_bw.jpg"));
        assertEquals(2048, gray.width());
        double lumaDiff = 0;
        for (int i = 0; i < gray.rgb().length; i += 3) {
            int g = gray.rgb()[i] & 0xFF;
            assertEquals(g, gray.rgb()[i + 1] & 0xFF);
            assertEquals(g, gray.rgb()[i + 2] & 0xFF);
            double luma = ((plain.rgb()[i] & 0xFF) * 299 + (plain.rgb()[i + 1] & 0xFF) * 587
                    + (plain.rgb()[i + 2] & 0xFF) * 114) / 1000.0;
            lumaDiff += Math.abs(g - luma);
        }
        lumaDiff /= gray.width() * gray.height();
        assertTrue(lumaDiff < 2.5, "gray vs luma mean diff " + lumaDiff);

        // CMYK (Adobe, no ICC profile): close to the RGB photo (PIL's conversion: mean diff 1.17)
        RgbImage cmyk = decoder.decode(odd.resolve("african_elephants_cmyk.jpg"));
        double cmykDiff = Fixtures.meanDiff(plain, cmyk);
        assertTrue(cmykDiff < 3.0, "CMYK vs RGB mean diff " + cmykDiff);

        ImageDecodeException truncated = assertThrows(ImageDecodeException.class,
                () -> decoder.decode(odd.resolve("african_elephants_truncated_file.jpg")));
        assertEquals("truncated JPEG", truncated.reason());
        assertTrue(truncated.getMessage().startsWith(odd.resolve("african_elephants_truncated_file.jpg") + ": "));
    }

    /**
     * The shared odd images against PIL's decode + exif_transpose, summarised in the manifest as 128x128 block
     * means (the photos themselves are not copied into the project). Tolerance 1.0 level per block mean: the
     * decoders agree exactly here (measured max 0.0005, the rounding of the stored means), and a wrong
     * orientation or colour conversion moves block means by tens of levels.
     */
    @TestFactory
    List<DynamicTest> sharedOddImagesMatchPil() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonArray("shared_reference")) {
            JsonObject c = element.getAsJsonObject();
            String rel = c.get("path").getAsString();
            tests.add(DynamicTest.dynamicTest(rel, () -> {
                RgbImage image = decoder.decode(TestData.requireSharedData().resolve(rel));
                assertEquals(c.getAsJsonArray("size").get(0).getAsInt(), image.width(), "upright width");
                assertEquals(c.getAsJsonArray("size").get(1).getAsInt(), image.height(), "upright height");
                int block = c.get("block").getAsInt();
                int bw = c.getAsJsonArray("blocks").get(0).getAsInt();
                int bh = c.getAsJsonArray("blocks").get(1).getAsInt();
                double worst = 0;
                for (int by = 0; by < bh; by++) {
                    for (int bx = 0; bx < bw; bx++) {
                        for (int ch = 0; ch < 3; ch++) {
                            long sum = 0;
                            for (int y = by * block; y < (by + 1) * block; y++) {
                                for (int x = bx * block; x < (bx + 1) * block; x++) {
                                    sum += image.get(x, y, ch);
                                }
                            }
                            double expected = c.getAsJsonArray("means").get((by * bw + bx) * 3 + ch).getAsDouble();
                            worst = Math.max(worst, Math.abs((double) sum / (block * block) - expected));
                        }
                    }
                }
                assertTrue(worst <= 1.0, rel + ": block mean differs from PIL by " + worst);
            }));
        }
        return tests;
    }

    @Test
    void truncatedFilesAreReportedAsTruncatedInEveryFormat() throws Exception {
        String[][] cases = {
            {"fmt_rgb.jpg", "JPEG"}, {"fmt_cmyk.jpg", "JPEG"}, {"orient_6.jpg", "JPEG"}, {"fmt_rgb.png", "PNG"},
            {"fmt_p.png", "PNG"}, {"fmt_p.gif", "GIF"}, {"fmt_rgb.bmp", "BMP"}, {"fmt_rgb.tif", "TIFF"},
            {"fmt_lzw.tif", "TIFF"}, {"fmt_lossless.webp", "WebP"}, {"fmt_lossy.webp", "WebP"},
            {"fmt_rgba_lossless.webp", "WebP"},
        };
        for (String[] c : cases) {
            byte[] bytes = Files.readAllBytes(Fixtures.file(c[0]));
            for (double fraction : new double[] {0.1, 0.5, 0.8, 0.97, 0.999}) {
                Path cut = temp.resolve("cut_" + fraction + "_" + c[0]);
                Files.write(cut, Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
                ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(cut),
                        c[0] + " cut to " + fraction);
                assertEquals("truncated " + c[1], e.reason(), c[0] + " cut to " + fraction);
                assertEquals(cut + ": truncated " + c[1], e.getMessage());
            }
        }
    }

    @Test
    void reasonsForFilesThatAreNotImages() throws Exception {
        Path text = temp.resolve("notes.jpg");
        Files.writeString(text, "these are not the pixels you are looking for\n");
        assertEquals("not an image", reason(text));

        Path empty = temp.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertEquals("empty file", reason(empty));

        assertEquals("file not found", reason(temp.resolve("missing.jpg")));
        assertEquals("is a directory", reason(temp));

        Path heic = temp.resolve("phone.heic");
        Files.write(heic, "\u0000\u0000\u0000\u0018ftypheic\u0000\u0000\u0000\u0000mif1heic"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("unsupported format (HEIF)", reason(heic));

        // a JPEG header followed by garbage
        byte[] garbage = new byte[4000];
        new java.util.Random(1).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        garbage[1] = (byte) 0xD8;
        garbage[2] = (byte) 0xFF;
        garbage[3] = (byte) 0xE0;
        Path broken = temp.resolve("broken.jpg");
        Files.write(broken, garbage);
        String brokenReason = reason(broken);
        assertTrue(brokenReason.startsWith("corrupt JPEG") || brokenReason.startsWith("truncated JPEG"),
                brokenReason);
    }

    @Test
    void permissionDenied() throws Exception {
        Path locked = temp.resolve("locked.png");
        Files.copy(Fixtures.file("fmt_rgb.png"), locked);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(locked), "running as root: permissions are not enforced");
        assertEquals("permission denied", reason(locked));
    }

    /** The same through a fault seam, so it runs where permissions are not enforced (root on CI). */
    @Test
    void permissionDeniedOnOpening() throws Exception {
        Path locked = temp.resolve("locked.png").toAbsolutePath();
        Files.copy(Fixtures.file("fmt_rgb.png"), locked);
        ImageDecoder denying = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, new DenyingFileAccess(locked));
        assertEquals("permission denied",
                assertThrows(ImageDecodeException.class, () -> denying.decode(locked)).reason());
        assertEquals("permission denied",
                assertThrows(ImageDecodeException.class, () -> denying.decodeForResize(locked, 256)).reason());
    }

    @Test
    void pixelCapIsCheckedFromTheHeaderBeforeDecoding() throws Exception {
        // a PNG that announces 20000x20000 and carries no pixel data: only the header can have been read
        Path huge = temp.resolve("huge.png");
        Files.write(huge, pngHeaderOnly(20000, 20000));
        assertEquals("image too large: 20000x20000 > 100 MP cap", reason(huge));

        ImageDecoder small = new ImageDecoder(1000);
        assertEquals("image too large: 48x32 > 1000 pixel cap",
                assertThrows(ImageDecodeException.class, () -> small.decode(Fixtures.file("fmt_rgb.png"))).reason());
        assertEquals(48 * 32, new ImageDecoder(48 * 32).decode(Fixtures.file("fmt_rgb.png")).rgb().length / 3);
    }

    @Test
    void decodingAndPreprocessingAreThreadSafe() throws Exception {
        List<Path> files = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonArray("decode")) {
            files.add(Fixtures.file(element.getAsJsonObject().get("file").getAsString()));
        }
        Preprocessor preprocessor = new Preprocessor(new PreprocessConfig(40, 28));
        List<float[]> sequential = new ArrayList<>();
        for (Path f : files) {
            sequential.add(preprocessor.apply(decoder.decode(f)).chw());
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (Path f : files) {
                    futures.add(pool.submit(() -> preprocessor.apply(decoder.decode(f)).chw()));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertTrue(Arrays.equals(sequential.get(i % files.size()), futures.get(i).get()),
                        files.get(i % files.size()).getFileName() + " differs when run in parallel");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private String reason(Path file) {
        return assertThrows(ImageDecodeException.class, () -> decoder.decode(file)).reason();
    }

    private static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeBytes("IHDR");
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        out.writeInt(0);
        out.writeBytes("IEND");
        CRC32 endCrc = new CRC32();
        endCrc.update("IEND".getBytes(StandardCharsets.US_ASCII));
        out.writeInt((int) endCrc.getValue());
        return bytes.toByteArray();
    }
}
