package org.itaestudio.image;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A pure-Java decoder for baseline JPEGs that decodes straight to 1/2, 1/4 or 1/8 of the stored size in the DCT
 * domain, bit-identical to what Pillow's {@code Image.draft()} produces.
 *
 * <h2>What it equals</h2>
 * The output is byte for byte the RGB image of
 * <pre>
 *   im = Image.open(f); im.draft("RGB", size); im = im.convert("RGB")
 * </pre>
 * with Pillow 9.4 on libjpeg-turbo 2.1.5 (Debian bookworm, SIMD build) when {@code draft()} chose the scale given
 * here (see {@link #draftScale}): {@code draft()} only sets {@code scale_num/scale_denom} and leaves libjpeg-turbo's
 * defaults ({@code JDCT_ISLOW}, fancy upsampling on, so no merged upsampling), and this class ports exactly what
 * libjpeg-turbo then runs:
 * <ul>
 *   <li>jdmaster.c: output size {@code ceil(size * scaled / 8)}, per-component IDCT size chosen by the
 *       "scale chroma up through a larger IDCT instead of upsampling" loop;</li>
 *   <li>jidctred.c {@code jpeg_idct_4x4}, {@code jpeg_idct_2x2}, {@code jpeg_idct_1x1} and jidctint.c
 *       {@code jpeg_idct_islow} (8x8, for chroma at 1/2 of 4:2:0 and for scale 1), with the same
 *       {@code RANGE_MASK} wrap-around range-limit table;</li>
 *   <li>jdsample.c: h2v1/h1v2/h2v2 "fancy" (triangle) upsampling when the smallest IDCT is larger than 1x1,
 *       plain replication otherwise (1/8, odd ratios), edges replicated as jdmainct.c does;</li>
 *   <li>jdcolor.c: the integer YCbCr-&gt;RGB tables; grayscale files give R=G=B (PIL's mode L then
 *       {@code convert("RGB")}).</li>
 * </ul>
 * At scale 1 the same code equals PIL's plain {@code Image.open(f).convert("RGB")} (tested, but not used by
 * {@link ImageDecoder#decodeForResize}, which leaves scale 1 to the normal decoder).
 *
 * <p>libjpeg-turbo's SIMD versions of these steps are written to give the C results; the tests check the whole
 * output against PIL (tools/jpeg_draft_reference.py): every fixture at 1/1, 1/2, 1/4, 1/8 and the shared photos
 * are bit-identical. This class follows the C code (64-bit intermediates, {@code RANGE_MASK} wrap-around); the
 * SIMD IDCTs PIL actually runs use 16-bit lanes, so for coefficient data no real encoder writes (IDCT sums far
 * outside the sample range) PIL's pixels may differ from these.
 *
 * <h2>What it decodes, and what it leaves to the full decoder</h2>
 * Baseline and extended-sequential Huffman JPEGs (SOF0, SOF1) with 8-bit samples, one component (gray) or three
 * components in YCbCr (JFIF, Adobe transform 1, or no marker), any sampling factors libjpeg accepts that give
 * integral upsampling ratios (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, ...), interleaved and non-interleaved scans,
 * restart intervals. It throws {@link UnsupportedJpegException} (the caller then runs the normal full decode) for
 * progressive (SOF2), lossless, hierarchical and arithmetic-coded frames, 12-bit samples, 2 or 4 components
 * (CMYK/YCCK), RGB-coded files (Adobe transform 0, component ids 'R','G','B'), missing Huffman tables
 * (Motion-JPEG), DNL heights, unknown markers and scans with an odd spectral selection. It throws
 * {@link CorruptJpegException} with a one-line reason for files that end early, including a missing EOI marker
 * ({@code "truncated JPEG"}), broken entropy-coded data ({@code "corrupt JPEG data (...)"}: bad Huffman code,
 * premature end of a data segment, wrong restart marker) or broken marker segments ({@code "corrupt JPEG (...)"}),
 * where libjpeg would warn and fill in gray; it never hangs and never throws unchecked exceptions on bad input.
 *
 * <h2>Why</h2>
 * Issue 6: a full decode of a 2048x1536 photo plus the exact bicubic resize costs far more than the model
 * forward on a small CPU. Decoding at 1/4 in the DCT domain skips most of both, and because it is exactly what
 * Pillow's {@code draft()} does, a Python user can reproduce the pixels. It is opt-in (the default pipeline stays
 * full decode + PIL-exact resize). Used through {@link ImageDecoder#decodeForResize}.
 *
 * <p>Stateless and thread-safe: every call works on its own buffers.
 */
public final class ScaledJpegDecoder {

    /** The file is a JPEG this decoder does not handle; decode it the normal way. */
    public static final class UnsupportedJpegException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnsupportedJpegException(String message) {
            super(message);
        }
    }

    /** The JPEG is truncated or corrupt; {@link #reason()} is a short phrase for the user. */
    public static final class CorruptJpegException extends Exception {
        private static final long serialVersionUID = 1L;

        public CorruptJpegException(String reason) {
            super(reason);
        }

        public CorruptJpegException(String reason, Throwable cause) {
            super(reason, cause);
        }

        public String reason() {
            return getMessage();
        }
    }

    /** Frame header: stored size, component count and the SOF marker (0xC0..0xCF). */
    public record Header(int width, int height, int components, int sofMarker) {
    }

    private ScaledJpegDecoder() {
    }

    /** True when the bytes start with a JPEG SOI marker. */
    public static boolean isJpeg(byte[] head, int length) {
        return length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8;
    }

    /**
     * The scale Pillow 9.4's {@code JpegImageFile.draft(mode, (targetWidth, targetHeight))} picks for a JPEG
     * stored at {@code width x height}: {@code min(width // tw, height // th)}, then the largest of 8, 4, 2, 1 not
     * above it.
     */
    public static int draftScale(int width, int height, int targetWidth, int targetHeight) {
        if (targetWidth <= 0 || targetHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + targetWidth + "x" + targetHeight);
        }
        int scale = Math.min(width / targetWidth, height / targetHeight);
        for (int s = 8; s > 1; s >>= 1) {
            if (scale >= s) {
                return s;
            }
        }
        return 1;
    }

    /**
     * Reads the markers up to the frame header.
     *
     * @throws UnsupportedJpegException when the data is not a JPEG or has no supported frame marker
     * @throws CorruptJpegException     when the file ends or is malformed before the frame header
     */
    public static Header readHeader(byte[] data) throws UnsupportedJpegException, CorruptJpegException {
        try {
            Decoder d = new Decoder(data, 8);
            return d.readUpToFrame();
        } catch (RuntimeException e) { // a bug, never expected: report, do not crash the caller
            throw new CorruptJpegException("corrupt JPEG (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Decodes {@code data} scaled by {@code 1/scale} ({@code scale} 1, 2, 4 or 8) to RGB, as Pillow's draft mode
     * does. EXIF orientation is not applied, and there is no pixel cap here: check {@link #readHeader}'s size first
     * (as {@link ImageDecoder#decodeForResize} does) before decoding files from strangers.
     */
    public static RgbImage decode(byte[] data, int scale) throws UnsupportedJpegException, CorruptJpegException {
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale must be 1, 2, 4 or 8: " + scale);
        }
        try {
            return new Decoder(data, scale).decode();
        } catch (RuntimeException e) { // a bug, never expected: report, do not crash the caller
            throw new CorruptJpegException("corrupt JPEG (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    // ------------------------------------------------------------------------------------------ constants

    /** Natural order of zig-zag index k, with 16 extra entries like libjpeg's jpeg_natural_order (k overflow). */
    private static final int[] NATURAL = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
        60, 61, 54, 47, 55, 62, 63,
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63};

    /**
     * libjpeg's post-IDCT range limit ({@code IDCT_range_limit(cinfo)[x & RANGE_MASK]}, 8-bit): x in -128..127
     * maps to x + 128, larger values to 255 up to 511 and then wrap around to 0, as the C table does.
     */
    private static final byte[] RANGE = new byte[1024];

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
            RANGE[i] = (byte) v;
        }
    }

    // jdcolor.c build_ycc_rgb_table (SCALEBITS 16)
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

    private static long fix(double x) {
        return (long) (x * (1L << 16) + 0.5);
    }

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    // upsampling methods (jdsample.c)
    private static final int UP_FULL = 0;
    private static final int UP_H2V1_FANCY = 1;
    private static final int UP_H1V2_FANCY = 2;
    private static final int UP_H2V2_FANCY = 3;
    private static final int UP_REPLICATE = 4;

    // ------------------------------------------------------------------------------------------ Huffman tables

    /** A derived decoding table (jdhuff.c jpeg_make_d_derived_tbl), with a 10-bit lookahead. */
    private static final class Huffman {
        static final int LOOKAHEAD = 10;
        /** (code length << 8) | symbol for codes of at most LOOKAHEAD bits, 0 otherwise. */
        final int[] lookup = new int[1 << LOOKAHEAD];
        /**
         * AC only: for codes whose length plus the following magnitude bits fit in LOOKAHEAD bits, the decoded
         * coefficient:
         * (value << 16) | (run << 8) | total bits; 0 when not applicable.
         */
        final int[] fastAc = new int[1 << LOOKAHEAD];
        /** Largest code of each length 1..16 (-1 if none), and symbol index offset. */
        final int[] maxCode = new int[18];
        final int[] valOffset = new int[17];
        final int[] symbols;

        Huffman(int[] counts, int[] symbols, boolean dc) throws CorruptJpegException {
            this.symbols = symbols;
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                total += counts[l];
            }
            if (total > 256 || total != symbols.length) {
                throw new CorruptJpegException("corrupt JPEG (bad Huffman table)");
            }
            int[] sizes = new int[total];
            int[] codes = new int[total];
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
                    throw new CorruptJpegException("corrupt JPEG (bad Huffman table)");
                }
                code <<= 1;
            }
            k = 0;
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
            for (int i = 0; i < total; i++) {
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
            if (dc) {
                for (int sym : symbols) {
                    if (sym > 15) { // libjpeg-turbo rejects DC symbols above 15
                        throw new CorruptJpegException("corrupt JPEG (bad Huffman table)");
                    }
                }
            }
        }
    }

    private static int extend(int bits, int size) {
        return bits < (1 << (size - 1)) ? bits + (-1 << size) + 1 : bits;
    }

    // ------------------------------------------------------------------------------------------ components

    private static final class Component {
        int id;
        int h;
        int v;
        int quantSelector;
        /** Latched at the component's first scan (libjpeg latch_quant_tables), natural order, as 16-bit values. */
        int[] quant;
        boolean seen;
        int dcTable;
        int acTable;
        int pred;
        // geometry
        int scaledSize;
        int widthInBlocks;
        int heightInBlocks;
        int downsampledWidth;
        int downsampledHeight;
        int stride;
        byte[] plane;
        int upsample;
        int hExpand;
        int vExpand;
    }

    // ------------------------------------------------------------------------------------------ the decoder

    private static final class Decoder {
        final byte[] data;
        final int length;
        final int scale;
        int pos;

        final int[][] quantTables = new int[4][];
        final Huffman[] dcTables = new Huffman[4];
        final Huffman[] acTables = new Huffman[4];
        int restartInterval;
        boolean sawJfif;
        boolean sawAdobe;
        int adobeTransform;

        Header header;
        Component[] comps;
        int maxH;
        int maxV;
        int minScaled;
        int outWidth;
        int outHeight;
        int mcusPerRow;
        int mcuRows;
        boolean planesReady;
        int scans;

        // entropy decoding state
        byte[] entropy;
        int[] segmentStart;
        int[] segmentMarker;
        int segments;
        int segment;
        int segmentEnd;
        long bitBuf;
        int bitCount;
        int bytePos;
        final int[] block = new int[64];
        /** Bit z set when the last decoded block wrote coefficient z (natural order) besides the DC; 0: DC only. */
        long touchedMask;
        final int[] workspace = new int[64];

        Decoder(byte[] data, int scale) {
            this.data = data;
            this.length = data.length;
            this.scale = scale;
        }

        // -------------------------------------------------------------------------------- markers

        private CorruptJpegException truncated() {
            return new CorruptJpegException("truncated JPEG");
        }

        private static CorruptJpegException corrupt(String detail) {
            return new CorruptJpegException("corrupt JPEG (" + detail + ")");
        }

        private void checkSoi() throws UnsupportedJpegException {
            if (!isJpeg(data, length)) {
                throw new UnsupportedJpegException("not a JPEG file");
            }
            pos = 2;
        }

        /** libjpeg next_marker: skip garbage and fill bytes up to the next marker code. */
        private int nextMarker() throws CorruptJpegException {
            while (true) {
                while (pos < length && data[pos] != (byte) 0xFF) {
                    pos++;
                }
                while (pos < length && data[pos] == (byte) 0xFF) {
                    pos++;
                }
                if (pos >= length) {
                    throw truncated();
                }
                int marker = data[pos++] & 0xFF;
                if (marker != 0) { // FF 00 outside entropy data is garbage
                    return marker;
                }
            }
        }

        /** Reads a marker segment's length and returns the end of its payload; pos moves to the payload. */
        private int segmentEnd() throws CorruptJpegException {
            if (pos + 2 > length) {
                throw truncated();
            }
            int len = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            if (len < 2) {
                throw corrupt("bad marker length");
            }
            int end = pos + len;
            if (end > length) {
                throw truncated();
            }
            pos += 2;
            return end;
        }

        Header readUpToFrame() throws UnsupportedJpegException, CorruptJpegException {
            checkSoi();
            while (header == null) {
                int marker = nextMarker();
                if (!handleMarker(marker, false)) {
                    throw corrupt("no image data");
                }
            }
            return header;
        }

        RgbImage decode() throws UnsupportedJpegException, CorruptJpegException {
            checkSoi();
            while (true) {
                int marker = nextMarker();
                if (!handleMarker(marker, true)) {
                    break;
                }
            }
            if (header == null || scans == 0) {
                throw corrupt("no image data");
            }
            for (Component c : comps) {
                if (!c.seen) {
                    throw new UnsupportedJpegException("component without a scan");
                }
            }
            return output();
        }

        /** Handles one marker; false at EOI. */
        private boolean handleMarker(int marker, boolean decodeScans)
                throws UnsupportedJpegException, CorruptJpegException {
            switch (marker) {
                case 0xD9: // EOI
                    return false;
                case 0xD8:
                    throw corrupt("two SOI markers");
                case 0xC0:
                case 0xC1:
                    readFrame(marker);
                    return true;
                case 0xC2:
                    throw new UnsupportedJpegException("progressive JPEG");
                case 0xC3:
                case 0xC5:
                case 0xC6:
                case 0xC7:
                case 0xC9:
                case 0xCA:
                case 0xCB:
                case 0xCD:
                case 0xCE:
                case 0xCF:
                    throw new UnsupportedJpegException(String.format("JPEG process SOF%d", marker - 0xC0));
                case 0xC4:
                    readHuffmanTables();
                    return true;
                case 0xDB:
                    readQuantTables();
                    return true;
                case 0xDD:
                    readRestartInterval();
                    return true;
                case 0xDA:
                    if (header == null) {
                        throw corrupt("scan before frame header");
                    }
                    if (!decodeScans) { // not reached: readUpToFrame stops at the frame header
                        return false;
                    }
                    readScan();
                    return true;
                case 0xDC:
                    throw new UnsupportedJpegException("DNL marker");
                case 0xE0:
                    readApp0();
                    return true;
                case 0xEE:
                    readApp14();
                    return true;
                case 0x01:
                case 0xD0:
                case 0xD1:
                case 0xD2:
                case 0xD3:
                case 0xD4:
                case 0xD5:
                case 0xD6:
                case 0xD7:
                    return true; // parameterless markers outside a scan are ignored, as libjpeg does
                default:
                    if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) { // APPn, COM
                        pos = segmentEnd();
                        return true;
                    }
                    throw new UnsupportedJpegException(String.format("marker 0x%02X", marker));
            }
        }

        private void readApp0() throws CorruptJpegException {
            int end = segmentEnd();
            // libjpeg examine_app0: at least 14 bytes starting "JFIF\0"
            if (end - pos >= 14 && data[pos] == 'J' && data[pos + 1] == 'F' && data[pos + 2] == 'I'
                    && data[pos + 3] == 'F' && data[pos + 4] == 0) {
                sawJfif = true;
            }
            pos = end;
        }

        private void readApp14() throws CorruptJpegException {
            int end = segmentEnd();
            // libjpeg examine_app14: at least 12 bytes starting "Adobe"
            if (end - pos >= 12 && data[pos] == 'A' && data[pos + 1] == 'd' && data[pos + 2] == 'o'
                    && data[pos + 3] == 'b' && data[pos + 4] == 'e') {
                sawAdobe = true;
                adobeTransform = data[pos + 11] & 0xFF;
            }
            pos = end;
        }

        private void readRestartInterval() throws CorruptJpegException {
            int end = segmentEnd();
            if (end - pos != 2) {
                throw corrupt("bad DRI length");
            }
            restartInterval = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            pos = end;
        }

        private void readQuantTables() throws CorruptJpegException {
            int end = segmentEnd();
            while (pos < end) {
                int pqTq = data[pos++] & 0xFF;
                int precision = pqTq >> 4;
                int id = pqTq & 15;
                if (id > 3 || precision > 1) {
                    throw corrupt("bad quantization table");
                }
                int n = precision == 0 ? 64 : 128;
                if (pos + n > end) {
                    throw corrupt("bad DQT length");
                }
                int[] table = new int[64];
                for (int k = 0; k < 64; k++) {
                    int q = precision == 0 ? data[pos + k] & 0xFF
                            : ((data[pos + 2 * k] & 0xFF) << 8) | (data[pos + 2 * k + 1] & 0xFF);
                    table[NATURAL[k]] = (short) q; // ISLOW_MULT_TYPE is a short in libjpeg-turbo's SIMD build
                }
                pos += n;
                quantTables[id] = table;
            }
            pos = end;
        }

        private void readHuffmanTables() throws CorruptJpegException {
            int end = segmentEnd();
            while (pos < end) {
                if (pos + 17 > end) {
                    throw corrupt("bad DHT length");
                }
                int tcTh = data[pos++] & 0xFF;
                int tableClass = tcTh >> 4;
                int id = tcTh & 15;
                if (tableClass > 1 || id > 3) {
                    throw corrupt("bad Huffman table");
                }
                int[] counts = new int[17];
                int total = 0;
                for (int l = 1; l <= 16; l++) {
                    counts[l] = data[pos++] & 0xFF;
                    total += counts[l];
                }
                if (total > 256 || pos + total > end) {
                    throw corrupt("bad Huffman table");
                }
                int[] symbols = new int[total];
                for (int i = 0; i < total; i++) {
                    symbols[i] = data[pos++] & 0xFF;
                }
                Huffman table = new Huffman(counts, symbols, tableClass == 0);
                if (tableClass == 0) {
                    dcTables[id] = table;
                } else {
                    acTables[id] = table;
                }
            }
            pos = end;
        }

        private void readFrame(int marker) throws UnsupportedJpegException, CorruptJpegException {
            if (header != null) {
                throw corrupt("two frame headers");
            }
            int end = segmentEnd();
            if (end - pos < 6) {
                throw corrupt("bad SOF length");
            }
            int precision = data[pos] & 0xFF;
            int height = ((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF);
            int width = ((data[pos + 3] & 0xFF) << 8) | (data[pos + 4] & 0xFF);
            int n = data[pos + 5] & 0xFF;
            if (end - pos != 6 + 3 * n || n == 0) {
                throw corrupt("bad SOF length");
            }
            if (precision != 8) {
                throw new UnsupportedJpegException(precision + "-bit samples");
            }
            if (width == 0 || height == 0) {
                throw new UnsupportedJpegException("image size in a DNL marker");
            }
            if (n != 1 && n != 3) {
                throw new UnsupportedJpegException(n + " components");
            }
            comps = new Component[n];
            int p = pos + 6;
            for (int i = 0; i < n; i++) {
                Component c = new Component();
                c.id = data[p] & 0xFF;
                c.h = (data[p + 1] & 0xFF) >> 4;
                c.v = data[p + 1] & 15;
                c.quantSelector = data[p + 2] & 0xFF;
                if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4) {
                    throw new UnsupportedJpegException("sampling factors " + c.h + "x" + c.v);
                }
                if (c.quantSelector > 3) {
                    throw corrupt("bad quantization table selector");
                }
                comps[i] = c;
                p += 3;
            }
            pos = end;
            header = new Header(width, height, n, marker);
        }

        /** jdmaster.c jpeg_calc_output_dimensions and jdsample.c jinit_upsampler for the chosen scale. */
        private void setUpGeometry() throws UnsupportedJpegException {
            int width = header.width();
            int height = header.height();
            if (comps.length == 3) {
                boolean rgb;
                if (sawJfif) {
                    rgb = false;
                } else if (sawAdobe) {
                    rgb = adobeTransform == 0;
                } else {
                    rgb = comps[0].id == 82 && comps[1].id == 71 && comps[2].id == 66;
                }
                if (rgb) {
                    throw new UnsupportedJpegException("RGB-coded JPEG");
                }
            }
            maxH = 1;
            maxV = 1;
            for (Component c : comps) {
                maxH = Math.max(maxH, c.h);
                maxV = Math.max(maxV, c.v);
            }
            minScaled = 8 / scale;
            outWidth = (int) ceilDiv((long) width * minScaled, 8);
            outHeight = (int) ceilDiv((long) height * minScaled, 8);
            mcusPerRow = (int) ceilDiv(width, 8L * maxH);
            mcuRows = (int) ceilDiv(height, 8L * maxV);
            boolean fancy = minScaled > 1;
            for (Component c : comps) {
                int ssize = minScaled;
                while (ssize < 8 && (maxH * minScaled) % (c.h * ssize * 2) == 0
                        && (maxV * minScaled) % (c.v * ssize * 2) == 0) {
                    ssize *= 2;
                }
                c.scaledSize = ssize;
                c.widthInBlocks = (int) ceilDiv((long) width * c.h, 8L * maxH);
                c.heightInBlocks = (int) ceilDiv((long) height * c.v, 8L * maxV);
                c.downsampledWidth = (int) ceilDiv((long) width * c.h * ssize, 8L * maxH);
                c.downsampledHeight = (int) ceilDiv((long) height * c.v * ssize, 8L * maxV);
                int hIn = c.h * ssize / minScaled;
                int vIn = c.v * ssize / minScaled;
                if (hIn == maxH && vIn == maxV) {
                    c.upsample = UP_FULL;
                } else if (hIn * 2 == maxH && vIn == maxV && fancy && c.downsampledWidth > 2) {
                    c.upsample = UP_H2V1_FANCY;
                } else if (hIn == maxH && vIn * 2 == maxV && fancy) {
                    c.upsample = UP_H1V2_FANCY;
                } else if (hIn * 2 == maxH && vIn * 2 == maxV && fancy && c.downsampledWidth > 2) {
                    c.upsample = UP_H2V2_FANCY;
                } else if (maxH % hIn == 0 && maxV % vIn == 0) {
                    c.upsample = UP_REPLICATE;
                    c.hExpand = maxH / hIn;
                    c.vExpand = maxV / vIn;
                } else {
                    throw new UnsupportedJpegException("fractional sampling ratio");
                }
            }
            for (Component c : comps) {
                c.stride = mcusPerRow * c.h * c.scaledSize;
                c.plane = new byte[Math.multiplyExact(c.stride, mcuRows * c.v * c.scaledSize)];
            }
            planesReady = true;
        }

        // -------------------------------------------------------------------------------- scans

        private void readScan() throws UnsupportedJpegException, CorruptJpegException {
            int end = segmentEnd();
            if (end - pos < 1) {
                throw corrupt("bad SOS length");
            }
            int n = data[pos] & 0xFF;
            if (n < 1 || n > 4 || end - pos != 4 + 2 * n) {
                throw corrupt("bad SOS length");
            }
            if (!planesReady) {
                setUpGeometry();
            }
            Component[] inScan = new Component[n];
            int p = pos + 1;
            for (int i = 0; i < n; i++) {
                int id = data[p] & 0xFF;
                int tables = data[p + 1] & 0xFF;
                Component found = null;
                for (Component c : comps) {
                    if (c.id == id) {
                        found = c;
                        break;
                    }
                }
                if (found == null) {
                    throw corrupt("bad component id in scan");
                }
                for (int j = 0; j < i; j++) {
                    if (inScan[j] == found) {
                        throw corrupt("component twice in one scan");
                    }
                }
                found.dcTable = tables >> 4;
                found.acTable = tables & 15;
                if (found.dcTable > 3 || found.acTable > 3) {
                    throw corrupt("bad Huffman table selector");
                }
                if (dcTables[found.dcTable] == null || acTables[found.acTable] == null) {
                    throw new UnsupportedJpegException("missing Huffman table");
                }
                inScan[i] = found;
                p += 2;
            }
            int ss = data[p] & 0xFF;
            int se = data[p + 1] & 0xFF;
            int ahAl = data[p + 2] & 0xFF;
            if (ss != 0 || se != 63 || ahAl != 0) {
                throw new UnsupportedJpegException("non-sequential scan parameters");
            }
            int blocksInMcu = 0;
            for (Component c : inScan) {
                blocksInMcu += n == 1 ? 1 : c.h * c.v;
            }
            if (blocksInMcu > 10) {
                throw new UnsupportedJpegException("MCU too large");
            }
            for (Component c : inScan) {
                if (c.quant == null) {
                    int[] q = quantTables[c.quantSelector];
                    if (q == null) {
                        throw corrupt("missing quantization table");
                    }
                    c.quant = q.clone();
                }
                c.seen = true;
            }
            pos = end;
            readEntropyData();
            decodeScan(inScan);
            scans++;
        }

        /**
         * Copies the entropy-coded data up to the next non-RST marker, removing byte stuffing and splitting it into
         * restart segments. pos is left on the terminating marker.
         */
        private void readEntropyData() throws CorruptJpegException {
            byte[] out = new byte[length - pos + 16];
            int[] starts = new int[16];
            int[] markers = new int[16];
            int count = 1;
            starts[0] = 0;
            markers[0] = -1;
            int o = 0;
            int p = pos;
            while (true) {
                int ff = findFF(p);
                if (ff < 0) {
                    throw truncated();
                }
                int run = ff - p;
                System.arraycopy(data, p, out, o, run);
                o += run;
                p = ff;
                // at 0xFF: skip fill bytes
                int q = p + 1;
                while (q < length && data[q] == (byte) 0xFF) {
                    q++;
                }
                if (q >= length) {
                    throw truncated();
                }
                int code = data[q] & 0xFF;
                if (code == 0) {
                    out[o++] = (byte) 0xFF;
                    p = q + 1;
                } else if (code >= 0xD0 && code <= 0xD7) {
                    if (count == starts.length) {
                        starts = Arrays.copyOf(starts, count * 2);
                        markers = Arrays.copyOf(markers, count * 2);
                    }
                    starts[count] = o;
                    markers[count] = code - 0xD0;
                    count++;
                    p = q + 1;
                } else {
                    pos = q - 1; // the 0xFF before the marker code
                    break;
                }
            }
            entropy = out;
            segmentStart = Arrays.copyOf(starts, count + 1);
            segmentStart[count] = o;
            segmentMarker = markers;
            segments = count;
        }

        /** Index of the next 0xFF byte at or after p, or -1. */
        private int findFF(int p) {
            int n = length;
            while (p + 8 <= n) {
                long w = (long) LONG_BE.get(data, p);
                long x = ~w; // a 0xFF byte of w is a zero byte of x
                if (((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0) {
                    break;
                }
                p += 8;
            }
            while (p < n) {
                if (data[p] == (byte) 0xFF) {
                    return p;
                }
                p++;
            }
            return -1;
        }

        private void startSegment(int s) {
            segment = s;
            bytePos = segmentStart[s];
            segmentEnd = segmentStart[s + 1];
            bitBuf = 0;
            bitCount = 0;
        }

        /** After a segment (restart interval or scan): did decoding consume bits the segment does not have? */
        private void checkSegmentEnd() throws CorruptJpegException {
            long consumed = (long) bytePos * 8 - bitCount;
            if (consumed > (long) segmentEnd * 8) {
                throw new CorruptJpegException("corrupt JPEG data (premature end of data segment)");
            }
        }

        private void decodeScan(Component[] inScan) throws CorruptJpegException {
            for (Component c : inScan) {
                c.pred = 0;
            }
            startSegment(0);
            int restartsToGo = restartInterval;
            int nextRst = 0;
            int[] blk = block;
            if (inScan.length == 1) {
                Component c = inScan[0];
                Huffman dc = dcTables[c.dcTable];
                Huffman ac = acTables[c.acTable];
                for (int by = 0; by < c.heightInBlocks; by++) {
                    for (int bx = 0; bx < c.widthInBlocks; bx++) {
                        if (restartInterval > 0) {
                            if (restartsToGo == 0) {
                                nextRst = restart(inScan, nextRst);
                                restartsToGo = restartInterval;
                            }
                            restartsToGo--;
                        }
                        c.pred = decodeBlock(dc, ac, c.pred);
                        idct(c, bx, by);
                    }
                }
            } else {
                for (int my = 0; my < mcuRows; my++) {
                    for (int mx = 0; mx < mcusPerRow; mx++) {
                        if (restartInterval > 0) {
                            if (restartsToGo == 0) {
                                nextRst = restart(inScan, nextRst);
                                restartsToGo = restartInterval;
                            }
                            restartsToGo--;
                        }
                        for (Component c : inScan) {
                            Huffman dc = dcTables[c.dcTable];
                            Huffman ac = acTables[c.acTable];
                            for (int yy = 0; yy < c.v; yy++) {
                                int by = my * c.v + yy;
                                for (int xx = 0; xx < c.h; xx++) {
                                    int bx = mx * c.h + xx;
                                    c.pred = decodeBlock(dc, ac, c.pred);
                                    if (bx < c.widthInBlocks && by < c.heightInBlocks) {
                                        idct(c, bx, by);
                                    } else {
                                        clearBlock(blk);
                                    }
                                }
                            }
                        }
                    }
                    if (bytePos > segmentEnd + 64 && (long) bytePos * 8 - bitCount > (long) segmentEnd * 8) {
                        checkSegmentEnd(); // stop early in a stream that ran out of data
                    }
                }
            }
            checkSegmentEnd();
        }

        /** libjpeg process_restart: the segment must end with the expected RSTn marker. */
        private int restart(Component[] inScan, int expected) throws CorruptJpegException {
            checkSegmentEnd();
            int next = segment + 1;
            if (next >= segments) {
                throw new CorruptJpegException("corrupt JPEG data (premature end of data segment)");
            }
            if (segmentMarker[next] != expected) {
                throw new CorruptJpegException("corrupt JPEG data (found marker instead of RST" + expected + ")");
            }
            startSegment(next);
            for (Component c : inScan) {
                c.pred = 0;
            }
            return (expected + 1) & 7;
        }

        // -------------------------------------------------------------------------------- entropy decoding

        /**
         * Decodes one block into {@link #block} (natural order; {@link #touchedMask} marks the AC coefficients
         * written).
         * Returns the new DC predictor.
         */
        private int decodeBlock(Huffman dcTable, Huffman acTable, int pred) throws CorruptJpegException {
            long buf = bitBuf;
            int bits = bitCount;
            int p = bytePos;
            final byte[] src = entropy;
            final int[] blk = block;
            long mask = 0;

            // DC
            if (bits < 32) {
                if (p + 8 <= src.length) {
                    buf |= ((long) LONG_BE.get(src, p)) >>> bits;
                    p += (63 - bits) >>> 3;
                    bits |= 56;
                } else {
                    bitBuf = buf;
                    bitCount = bits;
                    bytePos = p;
                    slowRefill();
                    buf = bitBuf;
                    bits = bitCount;
                    p = bytePos;
                }
            }
            int e = dcTable.lookup[(int) (buf >>> (64 - Huffman.LOOKAHEAD))];
            int len;
            int s;
            if (e != 0) {
                len = e >>> 8;
                s = e & 0xFF;
            } else {
                len = slowLength(dcTable, buf);
                s = dcTable.symbols[(int) (buf >>> (64 - len)) + dcTable.valOffset[len]];
            }
            buf <<= len;
            bits -= len;
            int dc = pred;
            if (s != 0) {
                int r = (int) (buf >>> (64 - s));
                buf <<= s;
                bits -= s;
                dc += extend(r, s);
            }
            blk[0] = (short) dc;

            // AC
            final int[] fast = acTable.fastAc;
            final int[] lookup = acTable.lookup;
            for (int k = 1; k < 64; ) {
                if (bits < 32) {
                    if (p + 8 <= src.length) {
                        buf |= ((long) LONG_BE.get(src, p)) >>> bits;
                        p += (63 - bits) >>> 3;
                        bits |= 56;
                    } else {
                        bitBuf = buf;
                        bitCount = bits;
                        bytePos = p;
                        slowRefill();
                        buf = bitBuf;
                        bits = bitCount;
                        p = bytePos;
                    }
                }
                int peek = (int) (buf >>> (64 - Huffman.LOOKAHEAD));
                int f = fast[peek];
                if (f != 0) {
                    int total = f & 0xFF;
                    buf <<= total;
                    bits -= total;
                    k += (f >> 8) & 15;
                    int z = NATURAL[k];
                    blk[z] = f >> 16;
                    mask |= 1L << z;
                    k++;
                    continue;
                }
                e = lookup[peek];
                if (e != 0) {
                    len = e >>> 8;
                    s = e & 0xFF;
                } else {
                    len = slowLength(acTable, buf);
                    s = acTable.symbols[(int) (buf >>> (64 - len)) + acTable.valOffset[len]];
                }
                buf <<= len;
                bits -= len;
                int run = s >> 4;
                s &= 15;
                if (s != 0) {
                    k += run;
                    int r = (int) (buf >>> (64 - s));
                    buf <<= s;
                    bits -= s;
                    int z = NATURAL[k];
                    blk[z] = extend(r, s);
                    mask |= 1L << z;
                    k++;
                } else if (run == 15) {
                    k += 16;
                } else {
                    break;
                }
            }
            bitBuf = buf;
            bitCount = bits;
            bytePos = p;
            touchedMask = mask;
            return dc;
        }

        /** Code length of a code longer than the lookahead (canonical decode); corrupt when no code matches. */
        private static int slowLength(Huffman table, long buf) throws CorruptJpegException {
            for (int l = Huffman.LOOKAHEAD + 1; l <= 16; l++) {
                int code = (int) (buf >>> (64 - l));
                if (code <= table.maxCode[l]) {
                    return l;
                }
            }
            // also shorter codes that the lookahead did not hold (tables with no code of some short lengths)
            throw new CorruptJpegException("corrupt JPEG data (bad Huffman code)");
        }

        /** Refill near the end of the entropy buffer: bytes past the end read as zeros (they fail the end check). */
        private void slowRefill() {
            long buf = bitBuf;
            int bits = bitCount;
            int p = bytePos;
            byte[] src = entropy;
            while (bits <= 56) {
                int b = p < src.length ? src[p] & 0xFF : 0;
                buf |= ((long) b) << (56 - bits);
                bits += 8;
                p++;
            }
            bitBuf = buf;
            bitCount = bits;
            bytePos = p;
        }

        private void clearBlock(int[] blk) {
            blk[0] = 0;
            for (long m = touchedMask; m != 0; m &= m - 1) {
                blk[Long.numberOfTrailingZeros(m)] = 0;
            }
        }

        // -------------------------------------------------------------------------------- IDCT

        private void idct(Component c, int bx, int by) {
            int[] blk = block;
            int[] q = c.quant;
            int size = c.scaledSize;
            byte[] out = c.plane;
            int stride = c.stride;
            int off = by * size * stride + bx * size;
            if (touchedMask == 0) {
                // DC only: every IDCT size gives range_limit[DESCALE(dc * q, 3)] everywhere (checked against the
                // full formulas: the pass-1 shortcut stores dc << 2, pass 2 descales by 5)
                int dcq = blk[0] * q[0];
                long dv = size == 1 ? ((long) dcq + 4) >> 3 : ((long) (dcq << PASS1_BITS) + 16) >> 5;
                byte v = RANGE[(int) dv & 1023];
                for (int r = 0; r < size; r++) {
                    int o = off + r * stride;
                    for (int x = 0; x < size; x++) {
                        out[o + x] = v;
                    }
                }
                blk[0] = 0;
                return;
            }
            switch (size) {
                case 1:
                    out[off] = RANGE[(int) descale(blk[0] * q[0], 3) & 1023];
                    break;
                case 2:
                    idct2x2(blk, q, out, off, stride, workspace);
                    break;
                case 4:
                    idct4x4(blk, q, out, off, stride, workspace);
                    break;
                default:
                    idctIslow(blk, q, out, off, stride, workspace);
                    break;
            }
            clearBlock(blk);
        }

        // -------------------------------------------------------------------------------- output

        private RgbImage output() {
            int w = outWidth;
            int h = outHeight;
            byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
            if (comps.length == 1) {
                Component c = comps[0]; // a single component is always full size
                int o = 0;
                for (int y = 0; y < h; y++) {
                    int row = y * c.stride;
                    for (int x = 0; x < w; x++) {
                        byte v = c.plane[row + x];
                        rgb[o] = v;
                        rgb[o + 1] = v;
                        rgb[o + 2] = v;
                        o += 3;
                    }
                }
                return new RgbImage(w, h, rgb);
            }
            byte[][] rows = new byte[3][w];
            int[] sums = new int[w];
            byte[][] src = new byte[3][];
            int[] srcOff = new int[3];
            Component cy = comps[0];
            Component cb = comps[1];
            Component cr = comps[2];
            int o = 0;
            for (int y = 0; y < h; y++) {
                for (int ci = 0; ci < 3; ci++) {
                    Component c = comps[ci];
                    if (c.upsample == UP_FULL) {
                        src[ci] = c.plane;
                        srcOff[ci] = y * c.stride;
                    } else {
                        upsampleRow(c, y, rows[ci], w, sums);
                        src[ci] = rows[ci];
                        srcOff[ci] = 0;
                    }
                }
                byte[] ys = src[0];
                byte[] cbs = src[1];
                byte[] crs = src[2];
                int yo = srcOff[0];
                int cbo = srcOff[1];
                int cro = srcOff[2];
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
            assert cy != null && cb != null && cr != null;
            return new RgbImage(w, h, rgb);
        }

        private static byte clamp(int v) {
            return (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
        }

        /** One output row of an upsampled component (jdsample.c; rows and columns past the data replicate). */
        private static void upsampleRow(Component c, int y, byte[] out, int w, int[] sums) {
            byte[] plane = c.plane;
            int stride = c.stride;
            int lastCol = c.downsampledWidth - 1;
            int lastRow = c.downsampledHeight - 1;
            switch (c.upsample) {
                case UP_H2V1_FANCY: {
                    int row = y * stride;
                    for (int x = 0; x < w; x++) {
                        int col = x >> 1;
                        int near = (plane[row + col] & 0xFF) * 3;
                        if ((x & 1) == 0) {
                            out[x] = (byte) ((near + (plane[row + Math.max(col - 1, 0)] & 0xFF) + 1) >> 2);
                        } else {
                            out[x] = (byte) ((near + (plane[row + Math.min(col + 1, lastCol)] & 0xFF) + 2) >> 2);
                        }
                    }
                    break;
                }
                case UP_H1V2_FANCY: {
                    int r = y >> 1;
                    int far = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, lastRow);
                    int nearRow = r * stride;
                    int farRow = far * stride;
                    int bias = (y & 1) == 0 ? 1 : 2;
                    for (int x = 0; x < w; x++) {
                        out[x] = (byte) (((plane[nearRow + x] & 0xFF) * 3 + (plane[farRow + x] & 0xFF) + bias) >> 2);
                    }
                    break;
                }
                case UP_H2V2_FANCY: {
                    int r = y >> 1;
                    int far = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, lastRow);
                    int nearRow = r * stride;
                    int farRow = far * stride;
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
                    break;
                }
                default: { // UP_REPLICATE
                    int row = (y / c.vExpand) * stride;
                    int hx = c.hExpand;
                    for (int x = 0; x < w; x++) {
                        out[x] = plane[row + x / hx];
                    }
                    break;
                }
            }
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    // ------------------------------------------------------------------------------------------ IDCTs (ISLOW family)

    private static final int CONST_BITS = 13;
    private static final int PASS1_BITS = 2;

    private static long descale(long x, int n) {
        return (x + (1L << (n - 1))) >> n;
    }

    /** jidctred.c jpeg_idct_4x4, without its zero-AC shortcuts (they equal the full formulas, see idct2x2). */
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
        out[o] = RANGE[(int) descale(tmp10 + tmp2, n) & 1023];
        out[o + 3] = RANGE[(int) descale(tmp10 - tmp2, n) & 1023];
        out[o + 1] = RANGE[(int) descale(tmp12 + tmp0, n) & 1023];
        out[o + 2] = RANGE[(int) descale(tmp12 - tmp0, n) & 1023];
    }

    /**
     * jidctred.c jpeg_idct_2x2, without its zero-AC shortcuts: for a column (row) whose AC terms are zero the full
     * formula gives exactly the shortcut's value ({@code dc << 2}; {@code DESCALE(x << 15, 20) == DESCALE(x, 5)}),
     * so computing every column and row gives the same bytes with fewer unpredictable branches.
     */
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
        out[o] = RANGE[(int) descale(tmp10 + tmp0, n) & 1023];
        out[o + 1] = RANGE[(int) descale(tmp10 - tmp0, n) & 1023];
    }

    /** jidctint.c jpeg_idct_islow (8x8). */
    static void idctIslow(int[] in, int[] q, byte[] out, int off, int stride, int[] ws) {
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
        for (int r = 0; r < 8; r++) {
            int w = r * 8;
            int o = off + r * stride;
            if (ws[w + 1] == 0 && ws[w + 2] == 0 && ws[w + 3] == 0 && ws[w + 4] == 0 && ws[w + 5] == 0
                    && ws[w + 6] == 0 && ws[w + 7] == 0) {
                byte v = RANGE[(int) descale(ws[w], PASS1_BITS + 3) & 1023];
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
            out[o] = RANGE[(int) descale(tmp10 + tmp3, n) & 1023];
            out[o + 7] = RANGE[(int) descale(tmp10 - tmp3, n) & 1023];
            out[o + 1] = RANGE[(int) descale(tmp11 + tmp2, n) & 1023];
            out[o + 6] = RANGE[(int) descale(tmp11 - tmp2, n) & 1023];
            out[o + 2] = RANGE[(int) descale(tmp12 + tmp1, n) & 1023];
            out[o + 5] = RANGE[(int) descale(tmp12 - tmp1, n) & 1023];
            out[o + 3] = RANGE[(int) descale(tmp13 + tmp0, n) & 1023];
            out[o + 4] = RANGE[(int) descale(tmp13 - tmp0, n) & 1023];
        }
    }
}
