package org.itaestudio.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * An 8-bit sRGB image as interleaved bytes {@code R,G,B,R,G,B,...}, row by row, top row first.
 * This is the one pixel representation of the image pipeline (decode, EXIF orientation, resize, crop):
 * it holds exactly what PIL's {@code Image.convert("RGB")} holds, so preprocessing can be byte-exact.
 *
 * <p>The array is not copied: treat it as read-only once the image is built. Records compare arrays by
 * reference; use {@link #samePixels(RgbImage)} to compare contents.
 *
 * @param width  columns, &gt; 0
 * @param height rows, &gt; 0
 * @param rgb    {@code width * height * 3} bytes (unsigned: read with {@code & 0xFF})
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (rgb == null || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + ((long) width * height * 3) + " RGB bytes for "
                    + width + "x" + height + ", got " + (rgb == null ? "null" : rgb.length));
        }
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Pixel (x, y) as {@code 0xRRGGBB}. */
    public int rgbAt(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }

    /** True when both images have the same size and the same bytes. */
    public boolean samePixels(RgbImage other) {
        return width == other.width && height == other.height && java.util.Arrays.equals(rgb, other.rgb);
    }

    /** A rectangle of this image (must lie inside it); the whole image returns {@code this}. */
    public RgbImage crop(int left, int top, int cropWidth, int cropHeight) {
        if (left < 0 || top < 0 || cropWidth <= 0 || cropHeight <= 0
                || left + cropWidth > width || top + cropHeight > height) {
            throw new IllegalArgumentException("crop " + cropWidth + "x" + cropHeight + " at (" + left + ","
                    + top + ") is outside the " + width + "x" + height + " image");
        }
        if (left == 0 && top == 0 && cropWidth == width && cropHeight == height) {
            return this;
        }
        byte[] out = new byte[cropWidth * cropHeight * 3];
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * cropWidth * 3, cropWidth * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    /** A {@link BufferedImage#TYPE_INT_RGB} copy, for display (thumbnails, overlays). */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        for (int p = 0, i = 0; p < dst.length; p++, i += 3) {
            dst[p] = (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
        }
        return image;
    }
}
