package org.itaestudio.model.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Minimal read-only zip reader over a {@link FileChannel}: parses the central directory (ZIP64 included, as
 * torch writes for checkpoints over 4 GB) and finds where each entry's bytes start, so that stored entries can
 * be memory-mapped in place. java.util.zip cannot tell data offsets, hence this class. Deflated entries (torch
 * never writes them, but a re-zipped file may have them) are inflated into the heap.
 */
final class ZipArchive {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIR = 0x06054b50;
    private static final int ZIP64_END_OF_CENTRAL_DIR = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final long MAX_CENTRAL_DIRECTORY = 64L << 20;

    static final int STORED = 0;
    static final int DEFLATED = 8;

    /** One entry; {@code dataOffset} is where its (possibly compressed) bytes start in the file. */
    record Entry(String name, int method, long compressedSize, long size, int crc32, long dataOffset) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private ZipArchive(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    /** Where the central directory lies, from the end record (or its ZIP64 version). */
    private record CentralDirectory(long entryCount, long size, long offset, long endRecordPosition) {
    }

    /** One central-directory header, sizes and offset already widened by a ZIP64 extra field. */
    private record CentralHeader(String name, int flags, int method, int crc, long compressed, long size, long localOffset,
                                 int length) {
    }

    /** Reads the central directory. The channel stays owned by the caller. */
    static ZipArchive open(Path file, FileChannel channel) throws IOException {
        CentralDirectory dir = findCentralDirectory(file, channel);
        ByteBuffer directory = read(channel, dir.offset(), (int) dir.size()).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long n = 0; n < dir.entryCount(); n++) {
            CentralHeader h = centralHeader(file, directory, p, n);
            p += h.length();
            Entry entry = entry(file, channel, h, dir.offset());
            if (entries.put(h.name(), entry) != null) {
                throw new WeightFormatException(file, "zip archive holds entry " + h.name() + " twice");
            }
        }
        return new ZipArchive(file, channel, Collections.unmodifiableMap(entries));
    }

    /** Finds the end-of-central-directory record near the end of the file and checks what it says. */
    private static CentralDirectory findCentralDirectory(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        boolean startsLikeZip = fileSize >= 4
                && read(channel, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == LOCAL_HEADER;
        // The end record is 22 bytes plus a comment of at most 65535 bytes at the very end of the file.
        int tailLength = (int) Math.min(fileSize, 22 + 65535);
        ByteBuffer tail = read(channel, fileSize - tailLength, tailLength).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == END_OF_CENTRAL_DIR && i + 22 + (tail.getShort(i + 20) & 0xffff) == tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new WeightFormatException(file, startsLikeZip
                    ? "truncated zip archive (no end-of-central-directory record)"
                    : "not a zip archive (torch checkpoints are zip files)");
        }
        long eocdPosition = fileSize - tailLength + eocd;
        CentralDirectory dir = new CentralDirectory(tail.getShort(eocd + 10) & 0xffff, tail.getInt(eocd + 12) & 0xffffffffL,
                tail.getInt(eocd + 16) & 0xffffffffL, eocdPosition);
        if (dir.entryCount() == 0xffff || dir.size() == 0xffffffffL || dir.offset() == 0xffffffffL) {
            dir = zip64CentralDirectory(file, channel, eocdPosition);
        }
        if (dir.offset() < 0 || dir.size() < 0 || dir.offset() + dir.size() > eocdPosition) {
            throw new WeightFormatException(file, "truncated zip archive (central directory at " + dir.offset()
                    + " + " + dir.size() + " bytes lies beyond the end record at " + eocdPosition + ")");
        }
        if (dir.size() > MAX_CENTRAL_DIRECTORY) {
            throw new WeightFormatException(file, "zip central directory of " + dir.size() + " bytes is too large");
        }
        return dir;
    }

    /** ZIP64: a locator right before the end record points at the ZIP64 end record, which holds the 8-byte values. */
    private static CentralDirectory zip64CentralDirectory(Path file, FileChannel channel, long eocdPosition) throws IOException {
        if (eocdPosition < 20) {
            throw new WeightFormatException(file, "corrupt zip archive (ZIP64 locator missing)");
        }
        ByteBuffer locator = read(channel, eocdPosition - 20, 20).order(ByteOrder.LITTLE_ENDIAN);
        if (locator.getInt(0) != ZIP64_LOCATOR) {
            throw new WeightFormatException(file, "corrupt zip archive (ZIP64 locator missing)");
        }
        long zip64Position = locator.getLong(8);
        if (zip64Position < 0 || zip64Position + 56 > eocdPosition) {
            throw new WeightFormatException(file, "truncated zip archive (ZIP64 end record out of range)");
        }
        ByteBuffer zip64 = read(channel, zip64Position, 56).order(ByteOrder.LITTLE_ENDIAN);
        if (zip64.getInt(0) != ZIP64_END_OF_CENTRAL_DIR) {
            throw new WeightFormatException(file, "corrupt zip archive (bad ZIP64 end record)");
        }
        return new CentralDirectory(zip64.getLong(32), zip64.getLong(40), zip64.getLong(48), eocdPosition);
    }

    /** Parses the central header of entry {@code n} at byte {@code p} of the directory. */
    private static CentralHeader centralHeader(Path file, ByteBuffer directory, int p, long n) throws IOException {
        long directorySize = directory.limit();
        if (p + 46 > directorySize || directory.getInt(p) != CENTRAL_HEADER) {
            throw new WeightFormatException(file, "corrupt zip central directory (entry " + n + ")");
        }
        int nameLength = directory.getShort(p + 28) & 0xffff;
        int extraLength = directory.getShort(p + 30) & 0xffff;
        int commentLength = directory.getShort(p + 32) & 0xffff;
        if (p + 46L + nameLength + extraLength + commentLength > directorySize) {
            throw new WeightFormatException(file, "corrupt zip central directory (entry " + n + ")");
        }
        byte[] nameBytes = new byte[nameLength];
        directory.get(p + 46, nameBytes);
        long[] sizes = {directory.getInt(p + 24) & 0xffffffffL, directory.getInt(p + 20) & 0xffffffffL,
            directory.getInt(p + 42) & 0xffffffffL}; // size, compressed size, local header offset
        widenFromZip64Extra(directory, p + 46 + nameLength, p + 46 + nameLength + extraLength, sizes);
        return new CentralHeader(new String(nameBytes, StandardCharsets.UTF_8), directory.getShort(p + 8) & 0xffff,
                directory.getShort(p + 10) & 0xffff, directory.getInt(p + 16), sizes[1], sizes[0], sizes[2],
                46 + nameLength + extraLength + commentLength);
    }

    /**
     * ZIP64 extended information: 8-byte values for exactly the fields saturated at 0xffffffff, in the order size,
     * compressed size, local header offset (the order of {@code sizes}).
     */
    private static void widenFromZip64Extra(ByteBuffer directory, int extra, int extraEnd, long[] sizes) {
        while (extra + 4 <= extraEnd) {
            int id = directory.getShort(extra) & 0xffff;
            int length = directory.getShort(extra + 2) & 0xffff;
            if (id == 0x0001) {
                int q = extra + 4;
                int end = Math.min(q + length, extraEnd);
                for (int i = 0; i < sizes.length; i++) {
                    if (sizes[i] == 0xffffffffL && q + 8 <= end) {
                        sizes[i] = directory.getLong(q);
                        q += 8;
                    }
                }
            }
            extra += 4 + length;
        }
    }

    /** Checks a central header against its local header and the data area, and locates the entry's data. */
    private static Entry entry(Path file, FileChannel channel, CentralHeader h, long directoryOffset) throws IOException {
        String name = h.name();
        if ((h.flags() & 1) != 0) {
            throw new WeightFormatException(file, "zip entry " + name + " is encrypted");
        }
        if (h.method() != STORED && h.method() != DEFLATED) {
            throw new WeightFormatException(file, "zip entry " + name + " uses unsupported compression method "
                    + h.method());
        }
        if (h.size() < 0 || h.compressed() < 0 || h.localOffset() < 0 || h.localOffset() + 30 > directoryOffset) {
            throw new WeightFormatException(file, "corrupt zip central directory (entry " + name + ")");
        }
        ByteBuffer local = read(channel, h.localOffset(), 30).order(ByteOrder.LITTLE_ENDIAN);
        if (local.getInt(0) != LOCAL_HEADER) {
            throw new WeightFormatException(file, "corrupt zip archive (no local header for " + name + ")");
        }
        long dataOffset = h.localOffset() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
        if (dataOffset + h.compressed() > directoryOffset) {
            throw new WeightFormatException(file, "truncated zip archive (entry " + name + " extends beyond "
                    + "the data area)");
        }
        if (h.method() == STORED && h.compressed() != h.size()) {
            throw new WeightFormatException(file, "corrupt zip archive (stored entry " + name
                    + " has compressed size " + h.compressed() + " != size " + h.size() + ")");
        }
        return new Entry(name, h.method(), h.compressed(), h.size(), h.crc(), dataOffset);
    }

    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * {@code length} bytes of a stored entry starting {@code offset} bytes into it, memory-mapped; for a
     * deflated entry, the whole entry is inflated and sliced.
     */
    ByteBuffer slice(Entry e, long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > e.size()) {
            throw new WeightFormatException(file, "range " + offset + "+" + length + " outside zip entry "
                    + e.name() + " of " + e.size() + " bytes");
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(file, "a tensor view of " + length
                    + " bytes is over 2 GiB, which is not supported");
        }
        if (e.method() == STORED) {
            return channel.map(FileChannel.MapMode.READ_ONLY, e.dataOffset() + offset, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer all = inflate(e);
        return all.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The whole entry in the heap (for small entries such as data.pkl). */
    byte[] readAll(Entry e, long limit) throws IOException {
        if (e.size() > limit) {
            throw new WeightFormatException(file, "zip entry " + e.name() + " is " + e.size()
                    + " bytes, more than the limit of " + limit);
        }
        ByteBuffer b = e.method() == STORED ? read(channel, e.dataOffset(), (int) e.size()) : inflate(e);
        byte[] out = new byte[(int) e.size()];
        b.get(0, out);
        verify(e, ByteBuffer.wrap(out));
        return out;
    }

    /** Checks the entry's CRC-32, reading it through mappings of at most 1 GiB. */
    void verifyCrc(Entry e) throws IOException {
        if (e.method() != STORED) {
            verify(e, inflate(e));
            return;
        }
        CRC32 crc = new CRC32();
        long chunk = 1L << 30;
        for (long at = 0; at < e.size(); at += chunk) {
            long length = Math.min(chunk, e.size() - at);
            crc.update(channel.map(FileChannel.MapMode.READ_ONLY, e.dataOffset() + at, length));
        }
        if ((int) crc.getValue() != e.crc32()) {
            throw new WeightFormatException(file, "zip entry " + e.name() + " is corrupt (CRC-32 mismatch)");
        }
    }

    private void verify(Entry e, ByteBuffer bytes) throws WeightFormatException {
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        if ((int) crc.getValue() != e.crc32()) {
            throw new WeightFormatException(file, "zip entry " + e.name() + " is corrupt (CRC-32 mismatch)");
        }
    }

    private ByteBuffer inflate(Entry e) throws IOException {
        if (e.size() > Integer.MAX_VALUE - 8 || e.compressedSize() > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(file, "compressed zip entry " + e.name() + " is over 2 GiB");
        }
        ByteBuffer compressed = channel.map(FileChannel.MapMode.READ_ONLY, e.dataOffset(), e.compressedSize());
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            ByteBuffer out = ByteBuffer.allocate((int) e.size());
            while (out.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(out) == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (out.hasRemaining()) {
                throw new WeightFormatException(file, "zip entry " + e.name() + " inflates to fewer bytes than "
                        + e.size());
            }
            return out.flip();
        } catch (DataFormatException ex) {
            throw new WeightFormatException(file, "zip entry " + e.name() + " is corrupt: " + ex.getMessage(), ex);
        } finally {
            inflater.end();
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }
}
