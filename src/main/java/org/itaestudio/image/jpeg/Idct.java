package org.itaestudio.image.jpeg;

/**
 * The inverse DCT of one dequantized block into its component's plane at the component's scaled size (jddctmgr.c
 * picks {@link ReducedIdct} for 1, 2 and 4, {@link IslowIdct} for 8), and what the ISLOW family shares: its
 * fixed-point constants and the post-IDCT range limit (jdmaster.c prepare_range_limit_table).
 */
final class Idct {

    static final int CONST_BITS = 13;
    static final int PASS1_BITS = 2;

    /**
     * libjpeg's post-IDCT range limit ({@code IDCT_range_limit(cinfo)[x & RANGE_MASK]}, 8-bit): x in -128..127
     * maps to x + 128, larger values to 255 up to 511 and then wrap around to 0, as the C table does. Index with
     * {@code x & RANGE_MASK}.
     */
    static final byte[] RANGE_LIMIT = new byte[1024];
    static final int RANGE_MASK = 1023;

    static {
        for (int i = 0; i < 1024; i++) {
            int v;
            if (i < 128) {
                v = i + 128;
            } else if (i < 512) {
                v = 255;
            } else if (i < 896) {
                v = 0;
            } else {
                v = i - 896;
            }
            RANGE_LIMIT[i] = (byte) v;
        }
    }

    private Idct() {
    }

    /** jdct.h DESCALE: {@code x / 2^n} rounded half up. */
    static long descale(long x, int n) {
        return (x + (1L << (n - 1))) >> n;
    }

    /** The range-limited sample of an IDCT output {@code x} already descaled to 8-bit. */
    static byte rangeLimit(long x) {
        return RANGE_LIMIT[(int) x & RANGE_MASK];
    }

    /**
     * Runs the IDCT of {@code block} (coefficients in natural order, {@code touchedMask} as
     * {@link EntropyDecoder#touchedMask()}) for block ({@code bx}, {@code by}) of {@code c} and writes it to the
     * plane. Leaves {@code block} as it was; {@code workspace} holds 64 ints of scratch.
     */
    static void toPlane(int[] block, long touchedMask, Component c, int bx, int by, int[] workspace) {
        int[] q = c.quant;
        int size = c.scaledSize;
        byte[] out = c.plane;
        int stride = c.stride;
        int off = by * size * stride + bx * size;
        if (touchedMask == 0) {
            // DC only: every IDCT size gives range_limit[DESCALE(dc * q, 3)] everywhere (checked against the
            // full formulas: the pass-1 shortcut stores dc << 2, pass 2 descales by 5)
            int dcq = block[0] * q[0];
            long dv = size == 1 ? ((long) dcq + 4) >> 3 : ((long) (dcq << PASS1_BITS) + 16) >> 5;
            byte v = rangeLimit(dv);
            for (int r = 0; r < size; r++) {
                int o = off + r * stride;
                for (int x = 0; x < size; x++) {
                    out[o + x] = v;
                }
            }
            return;
        }
        switch (size) {
            case 1 -> ReducedIdct.idct1x1(block, q, out, off);
            case 2 -> ReducedIdct.idct2x2(block, q, out, off, stride, workspace);
            case 4 -> ReducedIdct.idct4x4(block, q, out, off, stride, workspace);
            default -> IslowIdct.idct8x8(block, q, out, off, stride, workspace);
        }
    }
}
