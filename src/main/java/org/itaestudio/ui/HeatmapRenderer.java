package org.itaestudio.ui;

import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/**
 * Pure functions from per-patch values to pixels. Each value is min-max normalised over the map, looked up in a
 * {@link ColorMap} and drawn as a block over its patch (nearest-neighbour: one patch, one colour, so the grid stays
 * honest). The int[] functions need no JavaFX toolkit and are what the tests compare with a numpy/matplotlib golden.
 */
final class HeatmapRenderer {

    private HeatmapRenderer() {
    }

    /**
     * ARGB pixels of a heatmap.
     *
     * @param values  gridH * gridW values, row-major over the patch grid
     * @param width   output width in pixels (the photo's)
     * @param height  output height in pixels
     * @param opacity 0..1, stored in every pixel's alpha as round(opacity * 255)
     */
    public static int[] heatArgb(float[] values, int gridH, int gridW, int width, int height, ColorMap map, double opacity) {
        if (values.length != gridH * gridW) {
            throw new IllegalArgumentException("heatmap has " + values.length + " values for a " + gridH + "x" + gridW + " grid");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            if (Float.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double range = max - min;
        int alpha = (int) Math.round(Math.max(0, Math.min(1, opacity)) * 255) << 24;
        int[] colour = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double t = range > 0 ? (values[i] - min) / range : 0;
            colour[i] = alpha | (map.rgb(t) & 0xFFFFFF);
        }
        int[] colOf = new int[width];
        for (int x = 0; x < width; x++) {
            colOf[x] = (int) ((long) x * gridW / width);
        }
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            int rowBase = (int) ((long) y * gridH / height) * gridW;
            int o = y * width;
            for (int x = 0; x < width; x++) {
                out[o + x] = colour[rowBase + colOf[x]];
            }
        }
        return out;
    }

    /** The heatmap laid over an opaque photo: out = photo * (1 - a) + heat * a per channel, rounded; opaque. */
    public static int[] composite(int[] photoRgb, int[] heatArgb) {
        if (photoRgb.length != heatArgb.length) {
            throw new IllegalArgumentException("photo and heatmap differ in size");
        }
        int[] out = new int[photoRgb.length];
        for (int i = 0; i < out.length; i++) {
            int h = heatArgb[i];
            int p = photoRgb[i];
            double a = ((h >>> 24) & 0xFF) / 255.0;
            int r = (int) Math.round(((p >> 16) & 0xFF) * (1 - a) + ((h >> 16) & 0xFF) * a);
            int g = (int) Math.round(((p >> 8) & 0xFF) * (1 - a) + ((h >> 8) & 0xFF) * a);
            int b = (int) Math.round((p & 0xFF) * (1 - a) + (h & 0xFF) * a);
            out[i] = 0xFF000000 | (r << 16) | (g << 8) | b;
        }
        return out;
    }

    /** Nearest-neighbour resize of packed pixels. */
    public static int[] resizeNearest(int[] pixels, int width, int height, int newWidth, int newHeight) {
        int[] out = new int[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++) {
            int sy = (int) ((long) y * height / newHeight);
            for (int x = 0; x < newWidth; x++) {
                out[y * newWidth + x] = pixels[sy * width + (int) ((long) x * width / newWidth)];
            }
        }
        return out;
    }

    /** Mean over heads, per patch. */
    public static float[] headMean(float[][] heads) {
        float[] mean = new float[heads[0].length];
        for (float[] h : heads) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += h[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= heads.length;
        }
        return mean;
    }

    /** Packed 0xRRGGBB (alpha ignored and set opaque) or ARGB pixels as an image. */
    public static WritableImage toImage(int[] argb, int width, int height, boolean forceOpaque) {
        int[] px = argb;
        if (forceOpaque) {
            px = new int[argb.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = 0xFF000000 | argb[i];
            }
        }
        WritableImage img = new WritableImage(width, height);
        img.getPixelWriter().setPixels(0, 0, width, height, PixelFormat.getIntArgbInstance(), px, 0, width);
        return img;
    }

    /** Convenience: a heatmap image for an ImageView stacked over the photo. */
    public static WritableImage render(float[] values, int gridH, int gridW, int width, int height, ColorMap map, double opacity) {
        return toImage(heatArgb(values, gridH, gridW, width, height, map, opacity), width, height, false);
    }
}
