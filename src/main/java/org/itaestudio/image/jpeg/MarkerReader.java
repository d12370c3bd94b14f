package org.itaestudio.image.jpeg;

import org.itaestudio.image.jpeg.ScaledJpegDecoder.CorruptJpegException;
import org.itaestudio.image.jpeg.ScaledJpegDecoder.Header;
import org.itaestudio.image.jpeg.ScaledJpegDecoder.UnsupportedJpegException;

/**
 * Reads the marker segments of a JPEG held in memory (jdmarker.c): tables, restart interval, the JFIF/Adobe
 * markers that decide the colour space, the frame header and the scan headers. It keeps what they define for the
 * rest of the decode and hands the entropy-coded data that follows a scan header to {@link EntropyDecoder}.
 */
final class MarkerReader {

    /** Where {@link #readMarkers} stopped (jdmarker.c read_markers' return codes, and the frame header). */
    enum Reached {
        /** A frame header (SOF0/SOF1) has been read: {@link #header()} and {@link #components()} are set. */
        FRAME_HEADER,
        /** An SOS marker: its segment is next, read it with {@link #readScanComponentCount}. */
        SCAN_HEADER,
        /** The EOI marker. */
        END_OF_IMAGE
    }

    private final byte[] data;
    private final int length;
    private int pos;

    private final int[][] quantTables = new int[4][];
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private int restartInterval;
    private boolean sawJfif;
    private boolean sawAdobe;
    private int adobeTransform;

    private Header header;
    private Component[] components;

    MarkerReader(byte[] data) {
        this.data = data;
        this.length = data.length;
    }

    /** The frame header; null before {@link Reached#FRAME_HEADER}. */
    Header header() {
        return header;
    }

    /** The frame's components in frame-header order; null before {@link Reached#FRAME_HEADER}. */
    Component[] components() {
        return components;
    }

    /** MCUs per restart interval (DRI), 0 for none. */
    int restartInterval() {
        return restartInterval;
    }

    /** Checks the SOI marker at the start (jdmarker.c first_marker). */
    void readSoi() throws UnsupportedJpegException {
        if (!ScaledJpegDecoder.isJpeg(data, length)) {
            throw new UnsupportedJpegException("not a JPEG file");
        }
        pos = 2;
    }

    /** SOI and the markers up to the frame header. */
    Header readFrameHeader() throws UnsupportedJpegException, CorruptJpegException {
        readSoi();
        if (readMarkers() != Reached.FRAME_HEADER) {
            throw CorruptJpegException.badSegment("no image data");
        }
        return header;
    }

    /**
     * Reads markers, storing what tables and parameters they define, up to the next frame header (read), scan
     * header (not yet read) or EOI.
     */
    Reached readMarkers() throws UnsupportedJpegException, CorruptJpegException {
        while (true) {
            int marker = nextMarker();
            switch (marker) {
                case 0xD9 -> { // EOI
                    return Reached.END_OF_IMAGE;
                }
                case 0xD8 -> throw CorruptJpegException.badSegment("two SOI markers");
                case 0xC0, 0xC1 -> {
                    readFrame(marker);
                    return Reached.FRAME_HEADER;
                }
                case 0xC2 -> throw new UnsupportedJpegException("progressive JPEG");
                case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
                        throw new UnsupportedJpegException(String.format("JPEG process SOF%d", marker - 0xC0));
                case 0xC4 -> readHuffmanTables();
                case 0xDB -> readQuantTables();
                case 0xDD -> readRestartInterval();
                case 0xDA -> {
                    if (header == null) {
                        throw CorruptJpegException.badSegment("scan before frame header");
                    }
                    return Reached.SCAN_HEADER;
                }
                case 0xDC -> throw new UnsupportedJpegException("DNL marker");
                case 0xE0 -> readApp0();
                case 0xEE -> readApp14();
                case 0x01, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7 -> {
                    // parameterless markers outside a scan are ignored, as libjpeg does
                }
                default -> {
                    if (!((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE)) { // APPn, COM are skipped
                        throw new UnsupportedJpegException(String.format("marker 0x%02X", marker));
                    }
                    pos = segmentEnd();
                }
            }
        }
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
                throw CorruptJpegException.truncated();
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
            throw CorruptJpegException.truncated();
        }
        int len = readUint16(pos);
        if (len < 2) {
            throw CorruptJpegException.badSegment("bad marker length");
        }
        int end = pos + len;
        if (end > length) {
            throw CorruptJpegException.truncated();
        }
        pos += 2;
        return end;
    }

    private int readUint16(int at) {
        return ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
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
            throw CorruptJpegException.badSegment("bad DRI length");
        }
        restartInterval = readUint16(pos);
        pos = end;
    }

    private void readQuantTables() throws CorruptJpegException {
        int end = segmentEnd();
        while (pos < end) {
            int pqTq = data[pos++] & 0xFF;
            int precision = pqTq >> 4;
            int id = pqTq & 15;
            if (id > 3 || precision > 1) {
                throw CorruptJpegException.badSegment("bad quantization table");
            }
            int n = precision == 0 ? 64 : 128;
            if (pos + n > end) {
                throw CorruptJpegException.badSegment("bad DQT length");
            }
            int[] table = new int[64];
            for (int k = 0; k < 64; k++) {
                int q = precision == 0 ? data[pos + k] & 0xFF : readUint16(pos + 2 * k);
                table[NaturalOrder.OF_ZIGZAG[k]] = (short) q; // ISLOW_MULT_TYPE is a short in the SIMD build
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
                throw CorruptJpegException.badSegment("bad DHT length");
            }
            int tcTh = data[pos++] & 0xFF;
            int tableClass = tcTh >> 4;
            int id = tcTh & 15;
            if (tableClass > 1 || id > 3) {
                throw CorruptJpegException.badSegment("bad Huffman table");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = data[pos++] & 0xFF;
                total += counts[l];
            }
            if (total > 256 || pos + total > end) {
                throw CorruptJpegException.badSegment("bad Huffman table");
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = data[pos++] & 0xFF;
            }
            HuffmanTable table = new HuffmanTable(counts, symbols, tableClass == 0);
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
            throw CorruptJpegException.badSegment("two frame headers");
        }
        int end = segmentEnd();
        if (end - pos < 6) {
            throw CorruptJpegException.badSegment("bad SOF length");
        }
        int precision = data[pos] & 0xFF;
        int height = readUint16(pos + 1);
        int width = readUint16(pos + 3);
        int n = data[pos + 5] & 0xFF;
        if (end - pos != 6 + 3 * n || n == 0) {
            throw CorruptJpegException.badSegment("bad SOF length");
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
        components = new Component[n];
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
                throw CorruptJpegException.badSegment("bad quantization table selector");
            }
            components[i] = c;
            p += 3;
        }
        pos = end;
        header = new Header(width, height, n, marker);
    }

    /**
     * True when a three-component frame holds RGB rather than YCbCr, decided as jdapimin.c default_decompress_parms
     * does: a JFIF marker means YCbCr, else an Adobe marker's transform flag, else component ids 'R', 'G', 'B'.
     */
    boolean rgbCoded() {
        if (components.length != 3) {
            return false;
        }
        if (sawJfif) {
            return false;
        }
        if (sawAdobe) {
            return adobeTransform == 0;
        }
        return components[0].id == 82 && components[1].id == 71 && components[2].id == 66;
    }

    // -------------------------------------------------------------------------------- scan header (SOS)

    /**
     * The first part of a scan header, after {@link Reached#SCAN_HEADER}: checks the segment length and returns
     * the number of components in the scan; {@link #readScanComponents} reads the rest.
     */
    int readScanComponentCount() throws CorruptJpegException {
        int end = segmentEnd();
        if (end - pos < 1) {
            throw CorruptJpegException.badSegment("bad SOS length");
        }
        int n = data[pos] & 0xFF;
        if (n < 1 || n > 4 || end - pos != 4 + 2 * n) {
            throw CorruptJpegException.badSegment("bad SOS length");
        }
        return n;
    }

    /**
     * The rest of the scan header: the {@code n} components in the scan with their Huffman tables set, their
     * quantization tables latched on their first scan; only sequential full-spectrum scans are accepted. Leaves
     * pos on the entropy-coded data.
     */
    Component[] readScanComponents(int n) throws UnsupportedJpegException, CorruptJpegException {
        int end = pos + 4 + 2 * n;
        Component[] inScan = new Component[n];
        int p = pos + 1;
        for (int i = 0; i < n; i++) {
            inScan[i] = selectScanComponent(data[p] & 0xFF, data[p + 1] & 0xFF, inScan, i);
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
                    throw CorruptJpegException.badSegment("missing quantization table");
                }
                c.quant = q.clone();
            }
            c.seen = true;
        }
        pos = end;
        return inScan;
    }

    /** The frame component with scan selector {@code id}, given its Huffman tables ({@code tables}: Td << 4 | Ta). */
    private Component selectScanComponent(int id, int tables, Component[] inScan, int before)
            throws UnsupportedJpegException, CorruptJpegException {
        Component found = null;
        for (Component c : components) {
            if (c.id == id) {
                found = c;
                break;
            }
        }
        if (found == null) {
            throw CorruptJpegException.badSegment("bad component id in scan");
        }
        for (int j = 0; j < before; j++) {
            if (inScan[j] == found) {
                throw CorruptJpegException.badSegment("component twice in one scan");
            }
        }
        int dc = tables >> 4;
        int ac = tables & 15;
        if (dc > 3 || ac > 3) {
            throw CorruptJpegException.badSegment("bad Huffman table selector");
        }
        if (dcTables[dc] == null || acTables[ac] == null) {
            throw new UnsupportedJpegException("missing Huffman table");
        }
        found.dcTable = dcTables[dc];
        found.acTable = acTables[ac];
        return found;
    }

    /**
     * The entropy-coded data after a scan header, up to the next marker other than RSTn; pos moves to that marker.
     */
    EntropyDecoder readEntropyCodedData() throws CorruptJpegException {
        EntropyDecoder entropy = EntropyDecoder.read(data, pos);
        pos = entropy.markerPosition();
        return entropy;
    }
}
