package org.itaestudio.image.jpeg;

import static org.itaestudio.image.jpeg.Idct.CONST_BITS;
import static org.itaestudio.image.jpeg.Idct.PASS1_BITS;
import static org.itaestudio.image.jpeg.Idct.descale;
import static org.itaestudio.image.jpeg.Idct.rangeLimit;

/**
 * jidctred.c: the reduced-size ISLOW IDCTs that produce 4x4, 2x2 and 1x1 samples from an 8x8 coefficient block
 * (scales 1/2, 1/4 and 1/8 of the stored size). Each takes the coefficients in natural order and the
 * quantization table, and writes {@code size} rows of {@code size} samples at {@code off}, rows {@code stride}
 * apart.
 *
 * <p>The 4x4 and 2x2 versions leave out libjpeg's zero-AC shortcuts: for a column (row) whose AC terms are zero
 * the full formula gives exactly the shortcut's value ({@code dc << 2}; {@code DESCALE(x << 15, 20) ==
 * DESCALE(x, 5)}), so computing every column and row gives the same bytes with fewer unpredictable branches.
 * Column 4 does not contribute to either output size and is skipped, as in the C code.
 */
final class ReducedIdct {

    private ReducedIdct() {
    }

    /** jpeg_idct_1x1: the DC term alone. */
    static void idct1x1(int[] in, int[] q, byte[] out, int off) {
        out[off] = rangeLimit(descale(in[0] * q[0], 3));
    }

    /** jpeg_idct_4x4. */
    static void idct4x4(int[] in, int[] q, byte[] out, int off, int stride, int[] ws) {
        column4(in, q, 0, ws);
        column4(in, q, 1, ws);
        column4(in, q, 2, ws);
        column4(in, q, 3, ws);
        column4(in, q, 5, ws);
        column4(in, q, 6, ws);
        column4(in, q, 7, ws);
        row4(ws, 0, out, off);
        row4(ws, 8, out, off + stride);
        row4(ws, 16, out, off + 2 * stride);
        row4(ws, 24, out, off + 3 * stride);
    }

    private static void column4(int[] in, int[] q, int c, int[] ws) {
        long tmp0 = ((long) (in[c] * q[c])) << (CONST_BITS + 1);
        long z2 = in[16 + c] * q[16 + c];
        long z3 = in[48 + c] * q[48 + c];
        long tmp2 = z2 * 15137 + z3 * -6270;
        long tmp10 = tmp0 + tmp2;
        long tmp12 = tmp0 - tmp2;
        long z1 = in[56 + c] * q[56 + c];
        z2 = in[40 + c] * q[40 + c];
        z3 = in[24 + c] * q[24 + c];
        long z4 = in[8 + c] * q[8 + c];
        tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
        tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
        int n = CONST_BITS - PASS1_BITS + 1;
        ws[c] = (int) descale(tmp10 + tmp2, n);
        ws[24 + c] = (int) descale(tmp10 - tmp2, n);
        ws[8 + c] = (int) descale(tmp12 + tmp0, n);
        ws[16 + c] = (int) descale(tmp12 - tmp0, n);
    }

    private static void row4(int[] ws, int w, byte[] out, int o) {
        long tmp0 = ((long) ws[w]) << (CONST_BITS + 1);
        long tmp2 = (long) ws[w + 2] * 15137 + (long) ws[w + 6] * -6270;
        long tmp10 = tmp0 + tmp2;
        long tmp12 = tmp0 - tmp2;
        long z1 = ws[w + 7];
        long z2 = ws[w + 5];
        long z3 = ws[w + 3];
        long z4 = ws[w + 1];
        tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
        tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
        int n = CONST_BITS + PASS1_BITS + 3 + 1;
        out[o] = rangeLimit(descale(tmp10 + tmp2, n));
        out[o + 3] = rangeLimit(descale(tmp10 - tmp2, n));
        out[o + 1] = rangeLimit(descale(tmp12 + tmp0, n));
        out[o + 2] = rangeLimit(descale(tmp12 - tmp0, n));
    }

    /** jpeg_idct_2x2: only the odd columns 1, 3, 5, 7 and column 0 contribute. */
    static void idct2x2(int[] in, int[] q, byte[] out, int off, int stride, int[] ws) {
        column2(in, q, 0, ws);
        column2(in, q, 1, ws);
        column2(in, q, 3, ws);
        column2(in, q, 5, ws);
        column2(in, q, 7, ws);
        row2(ws, 0, out, off);
        row2(ws, 8, out, off + stride);
    }

    private static void column2(int[] in, int[] q, int c, int[] ws) {
        long tmp10 = ((long) (in[c] * q[c])) << (CONST_BITS + 2);
        long tmp0 = (long) (in[56 + c] * q[56 + c]) * -5906
                + (long) (in[40 + c] * q[40 + c]) * 6967
                + (long) (in[24 + c] * q[24 + c]) * -10426
                + (long) (in[8 + c] * q[8 + c]) * 29692;
        ws[c] = (int) descale(tmp10 + tmp0, CONST_BITS - PASS1_BITS + 2);
        ws[8 + c] = (int) descale(tmp10 - tmp0, CONST_BITS - PASS1_BITS + 2);
    }

    private static void row2(int[] ws, int w, byte[] out, int o) {
        long tmp10 = ((long) ws[w]) << (CONST_BITS + 2);
        long tmp0 = (long) ws[w + 7] * -5906 + (long) ws[w + 5] * 6967 + (long) ws[w + 3] * -10426
                + (long) ws[w + 1] * 29692;
        int n = CONST_BITS + PASS1_BITS + 3 + 2;
        out[o] = rangeLimit(descale(tmp10 + tmp0, n));
        out[o + 1] = rangeLimit(descale(tmp10 - tmp0, n));
    }
}
