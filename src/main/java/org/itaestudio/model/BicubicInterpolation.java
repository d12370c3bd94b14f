package org.itaestudio.model;

/**
 * Bicubic resampling of a [C, H, W] float32 array that reproduces PyTorch's
 * {@code F.interpolate(mode="bicubic", align_corners=False)} on CPU, with and without {@code antialias}.
 *
 * <p>Plain bicubic (Keys a = -0.75): source index {@code scale * (dst + 0.5) - 0.5}, 4 taps clamped at the border,
 * evaluated as sum over rows of w_y * (sum over columns of w_x * in), in float32. Antialiased bicubic (a = -0.5,
 * like PIL): separable, width first then height; each output pixel averages the input over a support of
 * {@code 2 * max(scale, 1)} with normalised weights, in float32. {@code scale} is {@code 1 / scaleFactor} when a
 * scale factor is given (PyTorch passes it through to the kernel) and {@code in / out} otherwise.
 */
public final class BicubicInterpolation {

    private BicubicInterpolation() {
    }

    /**
     * @param scaleFactorH the scale factor passed to F.interpolate, or null when a size was given
     * @param scaleFactorW likewise for the width
     */
    public static float[] resize(float[] in, int channels, int inH, int inW, int outH, int outW,
                                 Double scaleFactorH, Double scaleFactorW, boolean antialias) {
        if (in.length != channels * inH * inW) {
            throw new IllegalArgumentException("input length " + in.length + " != " + channels + "x" + inH + "x" + inW);
        }
        float scaleH = scale(inH, outH, scaleFactorH);
        float scaleW = scale(inW, outW, scaleFactorW);
        return antialias
                ? resizeAntialiased(in, channels, inH, inW, outH, outW, scaleH, scaleW)
                : resizePlain(in, channels, inH, inW, outH, outW, scaleH, scaleW);
    }

    /** PyTorch's area_pixel_compute_scale for align_corners=False, in float32. */
    static float scale(int in, int out, Double scaleFactor) {
        if (scaleFactor != null && scaleFactor > 0) {
            return (float) (1.0 / scaleFactor);
        }
        return (float) in / out;
    }

    // ---- plain bicubic -------------------------------------------------------------------------------------

    private static final float A_PLAIN = -0.75f;

    private static float cubic1(float x, float a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static float cubic2(float x, float a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    /** Tap indices (clamped) and weights for every output position along one axis. */
    private record Taps(int[][] index, float[][] weight) {
    }

    private static Taps plainTaps(int in, int out, float scale) {
        int[][] idx = new int[out][4];
        float[][] w = new float[out][4];
        for (int o = 0; o < out; o++) {
            // The source index in double and t in float32 tracks PyTorch's kernel to ~1e-6 (float index: ~8e-6).
            double real = (double) scale * (o + 0.5) - 0.5;
            int i0 = (int) Math.floor(real);
            float t = (float) (real - i0);
            w[o][0] = cubic2(t + 1.0f, A_PLAIN);
            w[o][1] = cubic1(t, A_PLAIN);
            w[o][2] = cubic1(1.0f - t, A_PLAIN);
            w[o][3] = cubic2(2.0f - t, A_PLAIN);
            for (int k = 0; k < 4; k++) {
                idx[o][k] = Math.max(Math.min(i0 - 1 + k, in - 1), 0);
            }
        }
        return new Taps(idx, w);
    }

    private static float[] resizePlain(float[] in, int channels, int inH, int inW, int outH, int outW,
                                       float scaleH, float scaleW) {
        Taps ty = plainTaps(inH, outH, scaleH);
        Taps tx = plainTaps(inW, outW, scaleW);
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            int cin = c * inH * inW;
            int cout = c * outH * outW;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float acc = 0;
                    for (int ky = 0; ky < 4; ky++) {
                        int row = cin + ty.index[oy][ky] * inW;
                        float t = in[row + tx.index[ox][0]] * tx.weight[ox][0];
                        for (int kx = 1; kx < 4; kx++) {
                            t += in[row + tx.index[ox][kx]] * tx.weight[ox][kx];
                        }
                        acc = ky == 0 ? t * ty.weight[oy][0] : acc + t * ty.weight[oy][ky];
                    }
                    out[cout + oy * outW + ox] = acc;
                }
            }
        }
        return out;
    }

    // ---- antialiased bicubic ------------------------------------------------------------------------------

    private static final float A_AA = -0.5f;

    private static float aaFilter(float x) {
        x = Math.abs(x);
        if (x < 1.0f) {
            return cubic1(x, A_AA);
        }
        if (x < 2.0f) {
            return cubic2(x, A_AA);
        }
        return 0.0f;
    }

    /** Start index (xmin) and normalised weights of each output position, as PyTorch's AA kernel computes them. */
    private record Window(int[] start, float[][] weight) {
    }

    private static Window aaWindow(int in, int out, float scale) {
        float support = scale >= 1.0f ? 2.0f * scale : 2.0f;
        float invScale = scale >= 1.0f ? 1.0f / scale : 1.0f;
        int[] start = new int[out];
        float[][] w = new float[out][];
        for (int o = 0; o < out; o++) {
            float center = scale * (o + 0.5f);
            int xmin = Math.max((int) (center - support + 0.5f), 0);
            int xsize = Math.min((int) (center + support + 0.5f), in) - xmin;
            float[] ws = new float[Math.max(xsize, 0)];
            float total = 0;
            for (int j = 0; j < ws.length; j++) {
                ws[j] = aaFilter((j + xmin - center + 0.5f) * invScale);
                total += ws[j];
            }
            if (total != 0) {
                for (int j = 0; j < ws.length; j++) {
                    ws[j] /= total;
                }
            }
            start[o] = xmin;
            w[o] = ws;
        }
        return new Window(start, w);
    }

    private static float[] resizeAntialiased(float[] in, int channels, int inH, int inW, int outH, int outW,
                                             float scaleH, float scaleW) {
        float[] cur = in;
        int curW = inW;
        if (outW != inW) { // horizontal pass first, as PyTorch's separable kernel does
            Window wx = aaWindow(inW, outW, scaleW);
            float[] next = new float[channels * inH * outW];
            for (int r = 0; r < channels * inH; r++) {
                for (int ox = 0; ox < outW; ox++) {
                    float[] ws = wx.weight[ox];
                    int base = r * inW + wx.start[ox];
                    float t = ws.length > 0 ? cur[base] * ws[0] : 0f;
                    for (int j = 1; j < ws.length; j++) {
                        t += cur[base + j] * ws[j];
                    }
                    next[r * outW + ox] = t;
                }
            }
            cur = next;
            curW = outW;
        }
        if (outH != inH) {
            Window wy = aaWindow(inH, outH, scaleH);
            float[] next = new float[channels * outH * curW];
            for (int c = 0; c < channels; c++) {
                int cin = c * inH * curW;
                int cout = c * outH * curW;
                for (int oy = 0; oy < outH; oy++) {
                    float[] ws = wy.weight[oy];
                    for (int x = 0; x < curW; x++) {
                        int base = cin + wy.start[oy] * curW + x;
                        float t = ws.length > 0 ? cur[base] * ws[0] : 0f;
                        for (int j = 1; j < ws.length; j++) {
                            t += cur[base + j * curW] * ws[j];
                        }
                        next[cout + oy * curW + x] = t;
                    }
                }
            }
            cur = next;
        }
        return cur == in ? in.clone() : cur;
    }
}
