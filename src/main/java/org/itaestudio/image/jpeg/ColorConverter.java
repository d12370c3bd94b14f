package org.itaestudio.image.jpeg;

/** jdcolor.c: YCbCr to RGB with libjpeg's integer tables, and grayscale to RGB (R = G = B). */
final class ColorConverter {

    // build_ycc_rgb_table (SCALEBITS 16)
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        long oneHalf = 1L << 15;
        for (int i = 0; i < 256; i++) {
            long x = i - 128;
            CR_R[i] = (int) ((fix(1.40200) * x + oneHalf) >> 16);
            CB_B[i] = (int) ((fix(1.77200) * x + oneHalf) >> 16);
            CR_G[i] = (int) (-fix(0.71414) * x);
            CB_G[i] = (int) (-fix(0.34414) * x + oneHalf);
        }
    }

    private ColorConverter() {
    }

    private static long fix(double x) {
        return (long) (x * (1L << 16) + 0.5);
    }

    /**
     * ycc_rgb_convert for one row of {@code w} samples: Y, Cb and Cr from their arrays at their offsets, RGB into
     * {@code rgb} from {@code o}.
     */
    static void yccRow(byte[] ys, int yo, byte[] cbs, int cbo, byte[] crs, int cro, byte[] rgb, int o, int w) {
        for (int x = 0; x < w; x++) {
            int yv = ys[yo + x] & 0xFF;
            int cbv = cbs[cbo + x] & 0xFF;
            int crv = crs[cro + x] & 0xFF;
            rgb[o] = clamp(yv + CR_R[crv]);
            rgb[o + 1] = clamp(yv + ((CB_G[cbv] + CR_G[crv]) >> 16));
            rgb[o + 2] = clamp(yv + CB_B[cbv]);
            o += 3;
        }
    }

    /** gray_rgb_convert for one row of {@code w} samples from {@code plane} at {@code row}. */
    static void grayRow(byte[] plane, int row, byte[] rgb, int o, int w) {
        for (int x = 0; x < w; x++) {
            byte v = plane[row + x];
            rgb[o] = v;
            rgb[o + 1] = v;
            rgb[o + 2] = v;
            o += 3;
        }
    }

    /** The range limit after colour conversion (libjpeg's range_limit table within 0..255). */
    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }
}
