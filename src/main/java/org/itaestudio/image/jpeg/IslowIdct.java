package org.itaestudio.image.jpeg;

import static org.itaestudio.image.jpeg.Idct.CONST_BITS;
import static org.itaestudio.image.jpeg.Idct.PASS1_BITS;
import static org.itaestudio.image.jpeg.Idct.descale;
import static org.itaestudio.image.jpeg.Idct.rangeLimit;

/**
 * jidctint.c {@code jpeg_idct_islow}: the full 8x8 ISLOW IDCT, used at scale 1 and for chroma that jdmaster.c
 * scales up through a larger IDCT instead of upsampling (4:2:0 chroma at 1/2).
 *
 * <p>The column and row passes repeat the same even/odd butterfly, as the C code does: a shared helper would
 * carry eight values in and out through memory for each of the sixteen 1-D transforms of every block.
 */
final class IslowIdct {

    private IslowIdct() {
    }

    /**
     * Coefficients {@code in} (natural order) times quantization table {@code q} to 8 rows of 8 samples at
     * {@code off}, rows {@code stride} apart; {@code ws} holds 64 ints of scratch.
     */
    static void idct8x8(int[] in, int[] q, byte[] out, int off, int stride, int[] ws) {
        columns(in, q, ws);
        rows(ws, out, off, stride);
    }

    /** Pass 1: columns from the coefficients into the workspace, scaled up by PASS1_BITS. */
    private static void columns(int[] in, int[] q, int[] ws) {
        for (int c = 0; c < 8; c++) {
            if (in[8 + c] == 0 && in[16 + c] == 0 && in[24 + c] == 0 && in[32 + c] == 0 && in[40 + c] == 0
                    && in[48 + c] == 0 && in[56 + c] == 0) {
                int dc = (in[c] * q[c]) << PASS1_BITS;
                for (int r = 0; r < 64; r += 8) {
                    ws[r + c] = dc;
                }
                continue;
            }
            long z2 = in[16 + c] * q[16 + c];
            long z3 = in[48 + c] * q[48 + c];
            long z1 = (z2 + z3) * 4433;
            long tmp2 = z1 + z3 * -15137;
            long tmp3 = z1 + z2 * 6270;
            z2 = in[c] * q[c];
            z3 = in[32 + c] * q[32 + c];
            long tmp0 = (z2 + z3) << CONST_BITS;
            long tmp1 = (z2 - z3) << CONST_BITS;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;
            tmp0 = in[56 + c] * q[56 + c];
            tmp1 = in[40 + c] * q[40 + c];
            tmp2 = in[24 + c] * q[24 + c];
            tmp3 = in[8 + c] * q[8 + c];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            long z4 = tmp1 + tmp3;
            long z5 = (z3 + z4) * 9633;
            tmp0 = tmp0 * 2446;
            tmp1 = tmp1 * 16819;
            tmp2 = tmp2 * 25172;
            tmp3 = tmp3 * 12299;
            z1 = z1 * -7373;
            z2 = z2 * -20995;
            z3 = z3 * -16069;
            z4 = z4 * -3196;
            z3 += z5;
            z4 += z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;
            int n = CONST_BITS - PASS1_BITS;
            ws[c] = (int) descale(tmp10 + tmp3, n);
            ws[56 + c] = (int) descale(tmp10 - tmp3, n);
            ws[8 + c] = (int) descale(tmp11 + tmp2, n);
            ws[48 + c] = (int) descale(tmp11 - tmp2, n);
            ws[16 + c] = (int) descale(tmp12 + tmp1, n);
            ws[40 + c] = (int) descale(tmp12 - tmp1, n);
            ws[24 + c] = (int) descale(tmp13 + tmp0, n);
            ws[32 + c] = (int) descale(tmp13 - tmp0, n);
        }
    }

    /** Pass 2: rows from the workspace to range-limited samples. */
    private static void rows(int[] ws, byte[] out, int off, int stride) {
        for (int r = 0; r < 8; r++) {
            int w = r * 8;
            int o = off + r * stride;
            if (ws[w + 1] == 0 && ws[w + 2] == 0 && ws[w + 3] == 0 && ws[w + 4] == 0 && ws[w + 5] == 0
                    && ws[w + 6] == 0 && ws[w + 7] == 0) {
                byte v = rangeLimit(descale(ws[w], PASS1_BITS + 3));
                for (int x = 0; x < 8; x++) {
                    out[o + x] = v;
                }
                continue;
            }
            long z2 = ws[w + 2];
            long z3 = ws[w + 6];
            long z1 = (z2 + z3) * 4433;
            long tmp2 = z1 + z3 * -15137;
            long tmp3 = z1 + z2 * 6270;
            long tmp0 = ((long) ws[w] + (long) ws[w + 4]) << CONST_BITS;
            long tmp1 = ((long) ws[w] - (long) ws[w + 4]) << CONST_BITS;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;
            tmp0 = ws[w + 7];
            tmp1 = ws[w + 5];
            tmp2 = ws[w + 3];
            tmp3 = ws[w + 1];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            long z4 = tmp1 + tmp3;
            long z5 = (z3 + z4) * 9633;
            tmp0 = tmp0 * 2446;
            tmp1 = tmp1 * 16819;
            tmp2 = tmp2 * 25172;
            tmp3 = tmp3 * 12299;
            z1 = z1 * -7373;
            z2 = z2 * -20995;
            z3 = z3 * -16069;
            z4 = z4 * -3196;
            z3 += z5;
            z4 += z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;
            int n = CONST_BITS + PASS1_BITS + 3;
            out[o] = rangeLimit(descale(tmp10 + tmp3, n));
            out[o + 7] = rangeLimit(descale(tmp10 - tmp3, n));
            out[o + 1] = rangeLimit(descale(tmp11 + tmp2, n));
            out[o + 6] = rangeLimit(descale(tmp11 - tmp2, n));
            out[o + 2] = rangeLimit(descale(tmp12 + tmp1, n));
            out[o + 5] = rangeLimit(descale(tmp12 - tmp1, n));
            out[o + 3] = rangeLimit(descale(tmp13 + tmp0, n));
            out[o + 4] = rangeLimit(descale(tmp13 - tmp0, n));
        }
    }
}
