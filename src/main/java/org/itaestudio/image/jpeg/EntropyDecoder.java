package org.itaestudio.image.jpeg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.itaestudio.image.jpeg.ScaledJpegDecoder.CorruptJpegException;

/**
 * Huffman decoding of one scan's entropy-coded data into coefficient blocks (jdhuff.c: the bit buffer,
 * {@code decode_mcu}, {@code process_restart}). The data is first copied with byte stuffing removed and split at
 * its RSTn markers into restart segments, so the per-block loop reads plain bytes eight at a time.
 */
final class EntropyDecoder {

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Unstuffed entropy-coded bytes, followed by at least 16 zero bytes. */
    private final byte[] entropy;
    /** Start of each restart segment in {@link #entropy}, plus one entry for the end of the last. */
    private final int[] segmentStart;
    /** The RSTn number (0..7) that opened each segment; -1 for the first. */
    private final int[] segmentMarker;
    private final int segments;
    /** Where in the file the marker that ended the data starts (its 0xFF byte). */
    private final int markerPosition;

    private int segment;
    private int segmentEnd;
    private long bitBuf;
    private int bitCount;
    private int bytePos;
    /** The block being decoded, natural order; all zeros between blocks (see {@link #clearBlock}). */
    private final int[] block = new int[64];
    /** Bit z set when the last decoded block wrote coefficient z (natural order) besides the DC; 0: DC only. */
    private long touchedMask;

    private EntropyDecoder(byte[] entropy, int[] segmentStart, int[] segmentMarker, int segments,
            int markerPosition) {
        this.entropy = entropy;
        this.segmentStart = segmentStart;
        this.segmentMarker = segmentMarker;
        this.segments = segments;
        this.markerPosition = markerPosition;
        startSegment(0);
    }

    /**
     * Copies the entropy-coded data that starts at {@code from} in {@code data} up to the next non-RST marker,
     * removing byte stuffing and splitting it into restart segments.
     *
     * @throws CorruptJpegException "truncated JPEG" when the file ends before that marker
     */
    static EntropyDecoder read(byte[] data, int from) throws CorruptJpegException {
        int length = data.length;
        byte[] out = new byte[length - from + 16];
        int[] starts = new int[16];
        int[] markers = new int[16];
        int count = 1;
        starts[0] = 0;
        markers[0] = -1;
        int o = 0;
        int p = from;
        while (true) {
            int ff = findFF(data, p);
            if (ff < 0) {
                throw CorruptJpegException.truncated();
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
                throw CorruptJpegException.truncated();
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
                int[] segmentStart = Arrays.copyOf(starts, count + 1);
                segmentStart[count] = o;
                return new EntropyDecoder(out, segmentStart, markers, count, q - 1); // the 0xFF before the code
            }
        }
    }

    /** Index of the next 0xFF byte at or after p, or -1. */
    private static int findFF(byte[] data, int p) {
        int n = data.length;
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

    /** Where the marker that ended the entropy-coded data starts in the file. */
    int markerPosition() {
        return markerPosition;
    }

    /** The block {@link #decodeBlock} wrote; clear it with {@link #clearBlock} before the next. */
    int[] block() {
        return block;
    }

    /** Bit z set when the last decoded block has a nonzero AC coefficient at natural index z; 0: DC only. */
    long touchedMask() {
        return touchedMask;
    }

    private void startSegment(int s) {
        segment = s;
        bytePos = segmentStart[s];
        segmentEnd = segmentStart[s + 1];
        bitBuf = 0;
        bitCount = 0;
    }

    /** After a segment (restart interval or scan): did decoding consume bits the segment does not have? */
    void checkSegmentEnd() throws CorruptJpegException {
        long consumed = (long) bytePos * 8 - bitCount;
        if (consumed > (long) segmentEnd * 8) {
            throw CorruptJpegException.badData("premature end of data segment");
        }
    }

    /**
     * {@link #checkSegmentEnd} once decoding is well past the segment's end, so that a stream that ran out of
     * data stops early instead of decoding zeros to the end of the scan.
     */
    void stopIfFarPastSegmentEnd() throws CorruptJpegException {
        if (bytePos > segmentEnd + 64 && (long) bytePos * 8 - bitCount > (long) segmentEnd * 8) {
            checkSegmentEnd();
        }
    }

    /**
     * libjpeg process_restart: the segment must end with the expected RSTn marker; decoding goes on in the next
     * segment with an empty bit buffer (the caller resets the DC predictors).
     */
    void restart(int expected) throws CorruptJpegException {
        checkSegmentEnd();
        int next = segment + 1;
        if (next >= segments) {
            throw CorruptJpegException.badData("premature end of data segment");
        }
        if (segmentMarker[next] != expected) {
            throw CorruptJpegException.badData("found marker instead of RST" + expected);
        }
        startSegment(next);
    }

    /**
     * Decodes one block into {@link #block()} (natural order; {@link #touchedMask()} marks the AC coefficients
     * written). Returns the new DC predictor.
     *
     * <p>The per-block hot path: it keeps the bit buffer, its bit count and the read position in locals throughout
     * (written back once at the end), so the three-line refill stands where the DC and each AC coefficient need it
     * rather than in a method that would have to pass the three values through fields. The refill loads the next eight bytes whole; the bits of the
     * last byte it does not count are loaded again, to the same place, by the next refill.
     */
    int decodeBlock(HuffmanTable dcTable, HuffmanTable acTable, int pred) throws CorruptJpegException {
        long buf = bitBuf;
        int bits = bitCount;
        int p = bytePos;
        final byte[] src = entropy;
        final int[] blk = block;
        long mask = 0;

        // DC
        if (bits < 32) { // refill: at least 56 bits
            buf |= (p + 8 <= src.length ? (long) LONG_BE.get(src, p) : zeroPaddedLong(src, p)) >>> bits;
            p += (63 - bits) >>> 3;
            bits |= 56;
        }
        int e = dcTable.decode(buf);
        int len = e >>> 8;
        int s = e & 0xFF;
        buf <<= len;
        bits -= len;
        int dc = pred;
        if (s != 0) {
            int r = (int) (buf >>> (64 - s));
            buf <<= s;
            bits -= s;
            dc += HuffmanTable.extend(r, s);
        }
        blk[0] = (short) dc;

        // AC
        final int[] fast = acTable.fastAc;
        for (int k = 1; k < 64; ) {
            if (bits < 32) {
                buf |= (p + 8 <= src.length ? (long) LONG_BE.get(src, p) : zeroPaddedLong(src, p)) >>> bits;
                p += (63 - bits) >>> 3;
                bits |= 56;
            }
            int peek = (int) (buf >>> (64 - HuffmanTable.LOOKAHEAD));
            int f = fast[peek];
            if (f != 0) {
                int total = f & 0xFF;
                buf <<= total;
                bits -= total;
                k += (f >> 8) & 15;
                int z = NaturalOrder.OF_ZIGZAG[k];
                blk[z] = f >> 16;
                mask |= 1L << z;
                k++;
                continue;
            }
            e = acTable.decode(buf);
            len = e >>> 8;
            s = e & 0xFF;
            buf <<= len;
            bits -= len;
            int run = s >> 4;
            s &= 15;
            if (s != 0) {
                k += run;
                int r = (int) (buf >>> (64 - s));
                buf <<= s;
                bits -= s;
                int z = NaturalOrder.OF_ZIGZAG[k];
                blk[z] = HuffmanTable.extend(r, s);
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

    /**
     * The eight bytes at {@code p} as a big-endian long, bytes past the end of {@code src} reading as zeros: the
     * refill near the end of the entropy buffer (a stream that decodes past its data fails the segment-end check).
     */
    private static long zeroPaddedLong(byte[] src, int p) {
        long word = 0;
        for (int i = 0; i < 8; i++) {
            word = (word << 8) | (p + i < src.length ? src[p + i] & 0xFF : 0);
        }
        return word;
    }

    /** Zeros what the last block wrote, so the next block starts from an all-zero array. */
    void clearBlock() {
        int[] blk = block;
        blk[0] = 0;
        for (long m = touchedMask; m != 0; m &= m - 1) {
            blk[Long.numberOfTrailingZeros(m)] = 0;
        }
    }
}
