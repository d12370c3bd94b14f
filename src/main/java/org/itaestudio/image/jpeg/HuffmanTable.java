package org.itaestudio.image.jpeg;

import org.itaestudio.image.jpeg.ScaledJpegDecoder.CorruptJpegException;

/** A derived Huffman decoding table (jdhuff.c {@code jpeg_make_d_derived_tbl}), with a 10-bit lookahead. */
final class HuffmanTable {
    static final int LOOKAHEAD = 10;
    /** (code length << 8) | symbol for codes of at most LOOKAHEAD bits, 0 otherwise. */
    private final int[] lookup = new int[1 << LOOKAHEAD];
    /**
     * AC only: for codes whose length plus the following magnitude bits fit in LOOKAHEAD bits, the decoded
     * coefficient:
     * (value << 16) | (run << 8) | total bits; 0 when not applicable.
     */
    final int[] fastAc = new int[1 << LOOKAHEAD];
    /** Largest code of each length 1..16 (-1 if none), and symbol index offset. */
    private final int[] maxCode = new int[18];
    private final int[] valOffset = new int[17];
    private final int[] symbols;

    /**
     * @param counts  number of codes of each length 1..16 (index 0 unused), as in the DHT segment
     * @param symbols the symbols in code order
     * @param dc      a DC table (symbols are magnitude categories up to 15) rather than an AC table
     */
    HuffmanTable(int[] counts, int[] symbols, boolean dc) throws CorruptJpegException {
        this.symbols = symbols;
        int total = 0;
        for (int l = 1; l <= 16; l++) {
            total += counts[l];
        }
        if (total > 256 || total != symbols.length) {
            throw CorruptJpegException.badSegment("bad Huffman table");
        }
        int[] sizes = new int[total];
        int[] codes = new int[total];
        assignCanonicalCodes(counts, sizes, codes);
        int k = 0;
        for (int l = 1; l <= 16; l++) {
            if (counts[l] > 0) {
                valOffset[l] = k - codes[k];
                k += counts[l];
                maxCode[l] = codes[k - 1];
            } else {
                maxCode[l] = -1;
            }
        }
        maxCode[17] = Integer.MAX_VALUE;
        fillLookahead(sizes, codes, dc);
        if (dc) {
            for (int sym : symbols) {
                if (sym > 15) { // libjpeg-turbo rejects DC symbols above 15
                    throw CorruptJpegException.badSegment("bad Huffman table");
                }
            }
        }
    }

    /** jdhuff.c: code lengths and canonical codes in symbol order (Figures C.1 and C.2 of the JPEG standard). */
    private static void assignCanonicalCodes(int[] counts, int[] sizes, int[] codes) throws CorruptJpegException {
        int k = 0;
        int code = 0;
        for (int l = 1; l <= 16; l++) {
            for (int i = 0; i < counts[l]; i++) {
                sizes[k] = l;
                codes[k] = code;
                k++;
                code++;
            }
            // libjpeg: the codes of each length must fit in that length (JERR_BAD_HUFF_TABLE)
            if (code >= (1 << l)) {
                throw CorruptJpegException.badSegment("bad Huffman table");
            }
            code <<= 1;
        }
    }

    /** The lookahead tables: every LOOKAHEAD-bit prefix that starts with a short code, and for AC its value. */
    private void fillLookahead(int[] sizes, int[] codes, boolean dc) {
        for (int i = 0; i < sizes.length; i++) {
            int l = sizes[i];
            if (l > LOOKAHEAD) {
                continue;
            }
            int sym = symbols[i];
            int first = codes[i] << (LOOKAHEAD - l);
            int n = 1 << (LOOKAHEAD - l);
            for (int j = 0; j < n; j++) {
                lookup[first + j] = (l << 8) | sym;
                if (!dc) {
                    int run = sym >> 4;
                    int size = sym & 15;
                    if (size != 0 && l + size <= LOOKAHEAD) {
                        int extra = (j >> (LOOKAHEAD - l - size)) & ((1 << size) - 1);
                        int value = extend(extra, size);
                        fastAc[first + j] = (value << 16) | (run << 8) | (l + size);
                    }
                }
            }
        }
    }

    /**
     * The code at the top of {@code buf} (at least 16 valid bits) as (code length << 8) | symbol: from the
     * lookahead table, else by {@link #decodeLong}.
     *
     * @throws CorruptJpegException when no code matches
     */
    int decode(long buf) throws CorruptJpegException {
        int e = lookup[(int) (buf >>> (64 - LOOKAHEAD))];
        return e != 0 ? e : decodeLong(buf);
    }

    /**
     * {@link #decode} for a code the lookahead does not hold: the canonical decode (jdhuff.c jpeg_huff_decode).
     */
    private int decodeLong(long buf) throws CorruptJpegException {
        for (int l = LOOKAHEAD + 1; l <= 16; l++) {
            int code = (int) (buf >>> (64 - l));
            if (code <= maxCode[l]) {
                return (l << 8) | symbols[code + valOffset[l]];
            }
        }
        // also shorter codes that the lookahead did not hold (tables with no code of some short lengths)
        throw CorruptJpegException.badData("bad Huffman code");
    }

    /** jdhuff.c HUFF_EXTEND: the signed value of {@code size} magnitude bits. */
    static int extend(int bits, int size) {
        return bits < (1 << (size - 1)) ? bits + (-1 << size) + 1 : bits;
    }
}
