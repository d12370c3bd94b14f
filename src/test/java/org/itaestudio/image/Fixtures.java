package org.itaestudio.image;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Access to src/test/resources/image-fixtures (written by tools/make_image_fixtures.py with PIL/torch). */
final class Fixtures {

    private Fixtures() {
    }

    static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/image-fixtures/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    static JsonObject manifest() {
        try {
            return JsonParser.parseString(Files.readString(file("manifest.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an 8-bit RGB PNG written by PIL straight from its raster (independent of {@link ImageDecoder}'s
     * conversion code).
     */
    static RgbImage readRgbPng(String name) {
        return readRgbPng(file(name));
    }

    /** An 8-bit RGB PNG's pixels as they are stored. */
    static RgbImage readRgbPng(Path png) {
        try {
            BufferedImage image = ImageIO.read(png.toFile());
            Raster raster = image.getRaster();
            if (raster.getNumBands() != 3 || raster.getSampleModel().getSampleSize(0) != 8) {
                throw new IllegalStateException(png + " is not an 8-bit RGB PNG");
            }
            int[] samples = raster.getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
            byte[] rgb = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                rgb[i] = (byte) samples[i];
            }
            return new RgbImage(image.getWidth(), image.getHeight(), rgb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] readFloats(String name) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file(name))).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[buffer.remaining() / 4];
            buffer.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(RgbImage image) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image.rgb()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Largest absolute difference of any channel value; images must have the same size. */
    static int maxDiff(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        int max = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            max = Math.max(max, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
        }
        return max;
    }

    static double meanDiff(RgbImage a, RgbImage b) {
        requireSameSize(a, b);
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return (double) sum / a.rgb().length;
    }

    private static void requireSameSize(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new AssertionError("size " + a.width() + "x" + a.height() + " != " + b.width() + "x" + b.height());
        }
    }
}
