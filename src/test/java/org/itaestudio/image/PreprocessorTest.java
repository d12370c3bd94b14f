package org.itaestudio.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resize / crop / normalise against PIL 9.4 + torch 1.13 goldens (tools/make_image_fixtures.py).
 * Tolerance: none. Resized and cropped pixels must be identical (max diff 0, or equal SHA-256 where the golden
 * stores only a hash), and floats must be bit-identical.
 */
class PreprocessorTest {

    private final ImageDecoder decoder = new ImageDecoder();

    @TestFactory
    List<DynamicTest> resizeAndCropMatchPilPixelExactly() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonArray("resize")) {
            JsonObject c = element.getAsJsonObject();
            int resize = c.get("resize").getAsInt();
            Integer crop = c.get("crop").isJsonNull() ? null : c.get("crop").getAsInt();
            String name = c.get("source").getAsString() + " resize " + resize + " crop " + crop;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                RgbImage source = decoder.decode(Fixtures.file(c.get("source").getAsString()));
                RgbImage resized = Preprocessor.resizeShorterSide(source, resize);
                assertEquals(c.getAsJsonArray("resized_size").get(0).getAsInt(), resized.width(), "resized width");
                assertEquals(c.getAsJsonArray("resized_size").get(1).getAsInt(), resized.height(), "resized height");
                if (c.has("resized")) {
                    assertEquals(0, Fixtures.maxDiff(Fixtures.readRgbPng(c.get("resized").getAsString()), resized),
                            "max diff to PIL resize");
                }
                assertEquals(c.get("resized_sha256").getAsString(), Fixtures.sha256(resized), "PIL resize hash");

                RgbImage out = new Preprocessor(new PreprocessConfig(resize, crop)).resizeAndCrop(source);
                assertEquals(c.getAsJsonArray("output_size").get(0).getAsInt(), out.width(), "output width");
                assertEquals(c.getAsJsonArray("output_size").get(1).getAsInt(), out.height(), "output height");
                if (c.has("output")) {
                    assertEquals(0, Fixtures.maxDiff(Fixtures.readRgbPng(c.get("output").getAsString()), out),
                            "max diff to PIL resize + torchvision crop");
                }
                assertEquals(c.get("output_sha256").getAsString(), Fixtures.sha256(out), "output hash");
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> bicubicMatchesPilOnNoise() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonArray("bicubic")) {
            JsonObject c = element.getAsJsonObject();
            int w = c.get("width").getAsInt();
            int h = c.get("height").getAsInt();
            tests.add(DynamicTest.dynamicTest(c.get("source").getAsString() + " -> " + w + "x" + h, () -> {
                RgbImage source = Fixtures.readRgbPng(c.get("source").getAsString());
                RgbImage expected = Fixtures.readRgbPng(c.get("expected").getAsString());
                assertEquals(0, Fixtures.maxDiff(expected, PilBicubic.resize(source, w, h)), "max diff to PIL");
            }));
        }
        return tests;
    }

    @Test
    void normalizationIsBitExactForEveryChannelAndValue() {
        byte[] ramp = new byte[256 * 3];
        for (int x = 0; x < 256; x++) {
            ramp[3 * x] = ramp[3 * x + 1] = ramp[3 * x + 2] = (byte) x;
        }
        float[] actual = Preprocessor.normalize(new RgbImage(256, 1, ramp));
        float[] expected = Fixtures.readFloats(Fixtures.manifest().getAsJsonObject("float").get("table").getAsString());
        assertEquals(768, expected.length);
        for (int i = 0; i < 768; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "channel " + i / 256 + " value " + i % 256 + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @TestFactory
    List<DynamicTest> wholePipelineIsBitExactAgainstTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : Fixtures.manifest().getAsJsonObject("float").getAsJsonArray("pipelines")) {
            JsonObject c = element.getAsJsonObject();
            int resize = c.get("resize").getAsInt();
            Integer crop = c.get("crop").isJsonNull() ? null : c.get("crop").getAsInt();
            tests.add(DynamicTest.dynamicTest("resize " + resize + " crop " + crop, () -> {
                RgbImage source = decoder.decode(Fixtures.file(c.get("source").getAsString()));
                ModelInput input = new Preprocessor(new PreprocessConfig(resize, crop)).apply(source);
                int[] shape = new int[] {3, input.height(), input.width()};
                int[] expectedShape = new int[3];
                for (int i = 0; i < 3; i++) {
                    expectedShape[i] = c.getAsJsonArray("shape").get(i).getAsInt();
                }
                assertArrayEquals(expectedShape, shape, "CHW shape");
                float[] expected = Fixtures.readFloats(c.get("tensor").getAsString());
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(input.chw()[i]),
                            "element " + i);
                }
            }));
        }
        return tests;
    }

    @Test
    void inputAlreadyAtModelSizePassesThroughUnchanged() {
        RgbImage image = randomImage(224, 224, 1);
        Preprocessor preprocessor = new Preprocessor(PreprocessConfig.of(224, 224));
        assertSame(image, preprocessor.resizeAndCrop(image), "no resize, no crop");
        ModelInput input = preprocessor.apply(image);
        assertEquals(224, input.height());
        assertEquals(224, input.width());
        assertArrayEquals(Preprocessor.normalize(image), input.chw());
        // spot check the float formula itself on one pixel of each channel
        int x = 17;
        int y = 101;
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        for (int c = 0; c < 3; c++) {
            float v = image.get(x, y, c) / 255f;
            assertEquals((v - mean[c]) / std[c], input.at(c, y, x));
        }
    }

    @Test
    void cropNoneKeepsA280x224InputWhole() {
        RgbImage image = randomImage(280, 224, 2);
        Preprocessor preprocessor = new Preprocessor(PreprocessConfig.noCrop(224));
        RgbImage out = preprocessor.resizeAndCrop(image);
        assertSame(image, out, "already 224 on the short side and whole patches: unchanged");
        ModelInput input = preprocessor.apply(image);
        assertEquals(224, input.height());
        assertEquals(280, input.width());
        assertEquals(16, input.height() / 14);
        assertEquals(20, input.width() / 14);
    }

    @Test
    void cropNoneTrimsCentrallyToWholePatches() {
        // 300 wide -> 294 (remainder 6, offset 3); 229 high -> 224 (remainder 5, 2.5 rounds half-even to 2)
        RgbImage image = randomImage(300, 229, 3);
        Preprocessor preprocessor = new Preprocessor(PreprocessConfig.noCrop(229));
        assertEquals(new Preprocessor.Geometry(300, 229, 3, 2, 294, 224), preprocessor.geometry(300, 229));
        RgbImage trimmed = preprocessor.resizeAndCrop(image);
        assertEquals(294, trimmed.width());
        assertEquals(224, trimmed.height());
        assertEquals(image.rgbAt(3, 2), trimmed.rgbAt(0, 0));
        assertEquals(image.rgbAt(3 + 293, 2 + 223), trimmed.rgbAt(293, 223));
    }

    @Test
    void torchvisionSizeAndOffsetRules() {
        assertArrayEquals(new int[] {341, 256}, Preprocessor.resizedSize(2048, 1536, 256));
        assertArrayEquals(new int[] {256, 341}, Preprocessor.resizedSize(1536, 2048, 256));
        assertArrayEquals(new int[] {392, 256}, Preprocessor.resizedSize(333, 217, 256)); // int(392.84)
        assertArrayEquals(new int[] {256, 256}, Preprocessor.resizedSize(64, 64, 256));
        // Python: int(round(16.5)) = 16, int(round(17.5)) = 18 (half to even)
        assertEquals(16, Preprocessor.centerOffset(257, 224));
        assertEquals(18, Preprocessor.centerOffset(259, 224));
        assertEquals(0, Preprocessor.centerOffset(224, 224));
        // crop larger than the image: torchvision pads (crop - size) // 2 on the left/top
        assertEquals(-12, Preprocessor.centerOffset(200, 224));
        assertEquals(-11, Preprocessor.centerOffset(201, 224));
    }

    @Test
    void geometryDescribesTheCrop() {
        Preprocessor.Geometry g = new Preprocessor(PreprocessConfig.DINOV2_EVAL).geometry(2048, 1536);
        assertEquals(new Preprocessor.Geometry(341, 256, 58, 16, 224, 224), g); // round(58.5) = 58
        Preprocessor.Geometry none = new Preprocessor(PreprocessConfig.noCrop(224)).geometry(2048, 1536);
        assertEquals(new Preprocessor.Geometry(298, 224, 2, 0, 294, 224), none);
    }

    @Test
    void padsWithBlackWhenTheCropIsLarger() {
        RgbImage image = randomImage(10, 6, 4);
        RgbImage out = Preprocessor.centerCrop(image, 13, 6);
        assertEquals(0, out.rgbAt(0, 0)); // left pad (13 - 10) // 2 = 1 column
        assertEquals(image.rgbAt(0, 0), out.rgbAt(1, 0));
        assertEquals(image.rgbAt(9, 5), out.rgbAt(10, 5));
        assertEquals(0, out.rgbAt(11, 3));
        assertEquals(0, out.rgbAt(12, 3));
    }

    @Test
    void resamplerKeepsFlatImagesFlatAndSkipsUnchangedAxes() {
        byte[] flat = new byte[37 * 23 * 3];
        for (int i = 0; i < flat.length; i += 3) {
            flat[i] = (byte) 200;
            flat[i + 1] = 17;
            flat[i + 2] = (byte) 255;
        }
        RgbImage up = PilBicubic.resize(new RgbImage(37, 23, flat), 101, 64);
        RgbImage down = PilBicubic.resize(new RgbImage(37, 23, flat), 5, 3);
        for (RgbImage img : List.of(up, down)) {
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    assertEquals(0xC811FF, img.rgbAt(x, y));
                }
            }
        }
        RgbImage image = randomImage(30, 20, 5);
        RgbImage widthOnly = PilBicubic.resize(image, 45, 20);
        assertEquals(20, widthOnly.height());
        assertTrue(widthOnly.width() == 45);
    }

    @Test
    void resizeWindowEqualsResizeThenCrop() {
        java.util.Random random = new java.util.Random(7);
        int[][] sizes = { // in w, in h, out w, out h: shrink, enlarge, one axis unchanged, both, photo-like ratios
            {97, 61, 40, 25}, {31, 45, 70, 90}, {64, 50, 64, 21}, {64, 50, 19, 50}, {50, 40, 50, 40}, {205, 154, 34, 25}};
        for (int[] s : sizes) {
            byte[] px = new byte[s[0] * s[1] * 3];
            random.nextBytes(px);
            RgbImage image = new RgbImage(s[0], s[1], px);
            RgbImage full = PilBicubic.resize(image, s[2], s[3]);
            for (int trial = 0; trial < 20; trial++) {
                int w = 1 + random.nextInt(s[2]);
                int h = 1 + random.nextInt(s[3]);
                int left = random.nextInt(s[2] - w + 1);
                int top = random.nextInt(s[3] - h + 1);
                RgbImage window = PilBicubic.resizeWindow(image, s[2], s[3], left, top, w, h);
                assertArrayEquals(full.crop(left, top, w, h).rgb(), window.rgb(),
                        java.util.Arrays.toString(s) + " window " + w + "x" + h + "+" + left + "+" + top);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> PilBicubic.resizeWindow(new RgbImage(4, 4, new byte[48]), 8, 8, 5, 0, 4, 4));
    }

    @Test
    void rejectsBadConfigs() {
        assertThrows(IllegalArgumentException.class, () -> new PreprocessConfig(0, 224));
        assertThrows(IllegalArgumentException.class, () -> new PreprocessConfig(256, 0));
        assertThrows(IllegalArgumentException.class, () -> new PreprocessConfig(10, null));
    }

    static RgbImage randomImage(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }
}
