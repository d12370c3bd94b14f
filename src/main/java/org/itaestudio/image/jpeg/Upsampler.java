package org.itaestudio.image.jpeg;

import org.itaestudio.image.jpeg.ScaledJpegDecoder.UnsupportedJpegException;

/**
 * jdsample.c: brings a component plane to the output size, one output row at a time; rows and columns past the
 * plane's data replicate the last ones, as jdmainct.c's edge handling does.
 */
final class Upsampler {

    private Upsampler() {
    }

    /**
     * jinit_upsampler: picks how {@code c} reaches the output size. Fancy (triangle) upsampling for 2x ratios when
     * the smallest IDCT is larger than 1x1 (and, across, the plane is wider than 2 samples), replication for the
     * other integral ratios.
     *
     * @throws UnsupportedJpegException for a fractional ratio
     */
    static void configure(Component c, int maxH, int maxV, int minScaled) throws UnsupportedJpegException {
        boolean fancy = minScaled > 1;
        int hIn = c.h * c.scaledSize / minScaled;
        int vIn = c.v * c.scaledSize / minScaled;
        if (hIn == maxH && vIn == maxV) {
            c.upsample = UpsampleMethod.FULL;
        } else if (hIn * 2 == maxH && vIn == maxV && fancy && c.downsampledWidth > 2) {
            c.upsample = UpsampleMethod.H2V1_FANCY;
        } else if (hIn == maxH && vIn * 2 == maxV && fancy) {
            c.upsample = UpsampleMethod.H1V2_FANCY;
        } else if (hIn * 2 == maxH && vIn * 2 == maxV && fancy && c.downsampledWidth > 2) {
            c.upsample = UpsampleMethod.H2V2_FANCY;
        } else if (maxH % hIn == 0 && maxV % vIn == 0) {
            c.upsample = UpsampleMethod.REPLICATE;
            c.hExpand = maxH / hIn;
            c.vExpand = maxV / vIn;
        } else {
            throw new UnsupportedJpegException("fractional sampling ratio");
        }
    }

    /**
     * Output row {@code y} of {@code c}, {@code w} samples, into {@code out}; {@code sums} holds one int per plane
     * column of scratch. Not for {@link UpsampleMethod#FULL}, whose plane rows are used directly.
     */
    static void row(Component c, int y, byte[] out, int w, int[] sums) {
        switch (c.upsample) {
            case H2V1_FANCY -> h2v1(c, y, out, w);
            case H1V2_FANCY -> h1v2(c, y, out, w);
            case H2V2_FANCY -> h2v2(c, y, out, w, sums);
            default -> replicate(c, y, out, w);
        }
    }

    /** h2v1_fancy_upsample: each output sample is 3/4 the nearer input sample plus 1/4 the further. */
    private static void h2v1(Component c, int y, byte[] out, int w) {
        byte[] plane = c.plane;
        int lastCol = c.downsampledWidth - 1;
        int row = y * c.stride;
        for (int x = 0; x < w; x++) {
            int col = x >> 1;
            int near = (plane[row + col] & 0xFF) * 3;
            if ((x & 1) == 0) {
                out[x] = (byte) ((near + (plane[row + Math.max(col - 1, 0)] & 0xFF) + 1) >> 2);
            } else {
                out[x] = (byte) ((near + (plane[row + Math.min(col + 1, lastCol)] & 0xFF) + 2) >> 2);
            }
        }
    }

    /** h1v2_fancy_upsample: the same triangle filter between the nearer and the further input row. */
    private static void h1v2(Component c, int y, byte[] out, int w) {
        byte[] plane = c.plane;
        int r = y >> 1;
        int far = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, c.downsampledHeight - 1);
        int nearRow = r * c.stride;
        int farRow = far * c.stride;
        int bias = (y & 1) == 0 ? 1 : 2;
        for (int x = 0; x < w; x++) {
            out[x] = (byte) (((plane[nearRow + x] & 0xFF) * 3 + (plane[farRow + x] & 0xFF) + bias) >> 2);
        }
    }

    /** h2v2_fancy_upsample: the vertical filter into {@code sums}, then the horizontal one across them. */
    private static void h2v2(Component c, int y, byte[] out, int w, int[] sums) {
        byte[] plane = c.plane;
        int lastCol = c.downsampledWidth - 1;
        int r = y >> 1;
        int far = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, c.downsampledHeight - 1);
        int nearRow = r * c.stride;
        int farRow = far * c.stride;
        int cols = c.downsampledWidth;
        for (int col = 0; col < cols; col++) {
            sums[col] = (plane[nearRow + col] & 0xFF) * 3 + (plane[farRow + col] & 0xFF);
        }
        for (int x = 0; x < w; x++) {
            int col = x >> 1;
            int t = sums[col] * 3;
            if ((x & 1) == 0) {
                out[x] = (byte) ((t + sums[Math.max(col - 1, 0)] + 8) >> 4);
            } else {
                out[x] = (byte) ((t + sums[Math.min(col + 1, lastCol)] + 7) >> 4);
            }
        }
    }

    /** int_upsample: each sample repeated hExpand times across and vExpand times down. */
    private static void replicate(Component c, int y, byte[] out, int w) {
        byte[] plane = c.plane;
        int row = (y / c.vExpand) * c.stride;
        int hx = c.hExpand;
        for (int x = 0; x < w; x++) {
            out[x] = plane[row + x / hx];
        }
    }
}
