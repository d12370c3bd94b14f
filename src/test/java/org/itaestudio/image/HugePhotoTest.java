package org.itaestudio.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Photos over the pixel cap: a baseline JPEG is decoded at the largest DCT scale that fits under the cap (the same
 * pixels as Pillow's draft decoding at that scale, with a note); other formats are still refused with the reason.
 */
class HugePhotoTest {

    @TempDir
    Path tmp;

    /** 131x67 4:1:1 JPEG with Pillow draft() goldens at 1/2, 1/4 and 1/8 (tools/jpeg_draft_reference.py). */
    private static final String JPEG = "enc_411_q90_131x67";

    private static Path jpegFixture(String name) {
        return ScaledJpegDecoderTest.dir().resolve(name);
    }

    @Test
    void anOverCapJpegIsDecodedAtTheLargestScaleThatFits() throws Exception {
        Path file = jpegFixture(JPEG + ".jpg");
        long full = 131L * 67;
        int[][] cases = {{(int) full - 1, 2}, {66 * 34 - 1, 4}, {17 * 9, 8}};
        for (int[] c : cases) {
            List<String> notes = new ArrayList<>();
            RgbImage image = new ImageDecoder(c[0]).decode(file, notes::add);
            RgbImage expected = Fixtures.readRgbPng(jpegFixture(JPEG + ".s" + c[1] + ".png"));
            assertTrue(image.samePixels(expected), "cap " + c[0] + ": Pillow's 1/" + c[1] + " draft pixels");
            assertEquals(List.of("decoded at 1/" + c[1] + " scale (131x67 is over the " + c[0] + " pixel cap)"), notes);
        }
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> new ImageDecoder(17 * 9 - 1).decode(file, n -> { }));
        assertTrue(e.reason().contains("even at 1/8 scale"), e.reason());
        List<String> none = new ArrayList<>();
        assertTrue(new ImageDecoder(full).decode(file, none::add).width() == 131 && none.isEmpty(), "under the cap: as is");
    }

    @Test
    void otherFormatsOverTheCapAreStillSkippedWithTheReason() {
        Path png = Fixtures.file("fmt_1.png");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> new ImageDecoder(10).decode(png, n -> { }));
        assertTrue(e.reason().startsWith("image too large: "), e.reason());
    }

    @Test
    void theScaleIsTheSmallestDivisorWhoseOutputFits() {
        assertEquals(2, ImageDecoder.overCapScale(20_000, 10_000, 100_000_000L));
        assertEquals(4, ImageDecoder.overCapScale(30_000, 20_000, 100_000_000L));
        assertEquals(8, ImageDecoder.overCapScale(60_000, 40_000, 100_000_000L));
        assertEquals(0, ImageDecoder.overCapScale(65_000, 65_000, 50_000_000L));
        // libjpeg rounds the scaled size up: 3x3 at 1/2 is 2x2
        assertEquals(4, ImageDecoder.overCapScale(3, 3, 3));
    }

    /**
     * A 20,000 x 10,000 (200 MP) grey baseline JPEG, written by hand: one component, one-code Huffman tables, every
     * block "DC difference 0, end of block" (two bits), so the file is ~0.8 MB and costs nothing to make.
     */
    static void writeHugeGreyJpeg(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(new byte[] {(byte) 0xFF, (byte) 0xD8});
        // DQT: table 0, all ones
        header.write(new byte[] {(byte) 0xFF, (byte) 0xDB, 0, 67, 0});
        byte[] q = new byte[64];
        Arrays.fill(q, (byte) 1);
        header.write(q);
        // SOF0: 8 bits, height, width, 1 component (id 1, 1x1 sampling, table 0)
        header.write(new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 11, 8, (byte) (height >> 8), (byte) height,
                (byte) (width >> 8), (byte) width, 1, 1, 0x11, 0});
        // DHT: DC table 0 and AC table 0, each a single 1-bit code "0" for symbol 0 (DC: category 0; AC: EOB)
        for (int tableClass : new int[] {0x00, 0x10}) {
            header.write(new byte[] {(byte) 0xFF, (byte) 0xC4, 0, 20, (byte) tableClass, 1});
            header.write(new byte[15]);
            header.write(0);
        }
        // SOS: 1 component, id 1, tables 0/0, spectral 0..63, approximation 0
        header.write(new byte[] {(byte) 0xFF, (byte) 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0});
        long blocks = (long) ((width + 7) / 8) * ((height + 7) / 8);
        long bytes = (blocks * 2 + 7) / 8;
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header.toByteArray());
            byte[] zeros = new byte[1 << 16];
            for (long left = bytes; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            out.write(new byte[] {(byte) 0xFF, (byte) 0xD9});
        }
    }

    @Test
    void aTwentyThousandByTenThousandJpegIsDecodedAtHalfScaleInBoundedMemory() throws Exception {
        Path file = tmp.resolve("panorama.jpg");
        writeHugeGreyJpeg(file, 20_000, 10_000);
        assertTrue(Files.size(file) < 1_000_000, "cheap to make: " + Files.size(file));
        List<String> notes = new ArrayList<>();
        RgbImage image = new ImageDecoder().decode(file, notes::add);
        assertEquals(10_000, image.width());
        assertEquals(5_000, image.height());
        for (int i : new int[] {0, 1, 2, image.rgb().length / 2, image.rgb().length - 1}) {
            assertEquals(128, image.rgb()[i] & 0xFF, "DC 0 is mid-grey");
        }
        assertEquals(List.of("decoded at 1/2 scale (20000x10000 is over the 100 MP cap)"), notes);
        // the same preprocessing follows: DINOv2's 256 resize and 224 crop
        ModelInput input = new Preprocessor(PreprocessConfig.DINOV2_EVAL).apply(image);
        assertEquals(224, input.width());
        assertEquals(224, input.height());
    }
}
