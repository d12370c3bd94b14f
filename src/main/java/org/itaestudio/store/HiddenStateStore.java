package org.itaestudio.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hidden states of one transformer layer per image (a {@code tokens x dim} float matrix, row-major), kept so that a
 * new ITAE setting re-runs only the blocks it changes, starting from the stored input of the first changed block.
 *
 * <p>Layout, under {@code cacheDir/}{@value #DIR_NAME}: one append-only data file per state key,
 * {@code <sha1(stateKey)>.f16} (or {@code .f32}), holding the little-endian values of each image back to back, and an
 * index {@value #INDEX_FILE} (SQLite): (state key, content hash) to file, offset, tokens, dim, bytes per value, and a
 * CRC-32C of the bytes. Reads are served from memory-mapped data files.
 *
 * <p>The <b>state key is owned by the caller</b>, like {@link EmbeddingCache}'s config key: it must change whenever the
 * stored matrix would, i.e. model identity, preprocessing (which fixes the token count), the layer index, and the ITAE
 * settings of every block before that layer.
 *
 * <p>Precision is chosen per store: {@link Precision#FP16} halves the size (relative error at most 2^-11 for values
 * within the half range, |x| &lt;= 65504; larger magnitudes become infinite); {@link Precision#FP32} is exact. Each
 * entry records its own precision, so entries written by a store of the other precision still read back correctly.
 *
 * <p>Crash safety: the bytes are appended and forced to disk before the index rows are committed (one transaction
 * per batch). A crash in between leaves unreferenced bytes at the end of the file, never an index row that points at
 * missing data; an index row whose bytes are missing or fail the CRC is treated as a miss. Space of replaced entries
 * and torn appends is reclaimed by {@link #evict}; unreferenced data files are deleted when a store is opened.
 *
 * <p>Size: one ViT-S/14 image at 224 px is 257 tokens x 384 (261 with 4 registers) = 197,376 bytes in fp16
 * (200,448 with registers), so 2,000 images take about 395 MB (401 MB) per stored layer, twice that in fp32; ViT-B
 * doubles it again.
 *
 * <p>Thread-safe; reads run in parallel, writes are exclusive. Use one store per directory per process (appends from
 * several processes are serialised by a file lock, but two stores over the same directory in one JVM are not).
 */
public final class HiddenStateStore implements AutoCloseable {

    /** How values are stored. */
    public enum Precision {
        FP16(2, "f16"), FP32(4, "f32");

        private final int bytesPerValue;
        private final String extension;

        Precision(int bytesPerValue, String extension) {
            this.bytesPerValue = bytesPerValue;
            this.extension = extension;
        }

        public int bytesPerValue() {
            return bytesPerValue;
        }

        String extension() {
            return extension;
        }

        static Precision ofBytes(int bytesPerValue) {
            for (Precision p : values()) {
                if (p.bytesPerValue == bytesPerValue) {
                    return p;
                }
            }
            return null;
        }
    }

    public static final String DIR_NAME = "hidden-states";
    public static final String INDEX_FILE = "index.sqlite";
    static final int SCHEMA_VERSION = 1;
    /** Largest region mapped at once (a MappedByteBuffer holds at most 2 GiB). */
    static final long DEFAULT_CHUNK_BYTES = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(HiddenStateStore.class);
    /** When each state key was last read or written, for least-recently-used eviction (added without a new version). */
    private static final String USE_TABLE =
            "CREATE TABLE IF NOT EXISTS key_use (state_key TEXT PRIMARY KEY, last_used INTEGER NOT NULL)";
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE state_blob ("
                    + " state_key TEXT NOT NULL,"
                    + " content_hash TEXT NOT NULL,"
                    + " file TEXT NOT NULL,"
                    + " offset INTEGER NOT NULL,"
                    + " tokens INTEGER NOT NULL,"
                    + " dim INTEGER NOT NULL,"
                    + " value_bytes INTEGER NOT NULL,"
                    + " crc32c INTEGER NOT NULL,"
                    + " PRIMARY KEY (state_key, content_hash))",
            USE_TABLE);
    /** An advisory lock on one byte far past any data serialises appends between processes. */
    private static final long APPEND_LOCK_POSITION = Long.MAX_VALUE - 1;

    private final Path dir;
    private final Precision precision;
    private final long chunkBytes;
    private final SqliteCacheFile index;
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final Map<String, MappedDataFile> mapped = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Most bytes the store may take on disk (index included), read before each append; null: no limit. */
    private volatile java.util.function.LongSupplier byteLimit;
    private volatile boolean overLimitLogged;
    /** Test hook run after the data is forced and before the index commit (simulates a crash there). */
    volatile Runnable afterDataWritten;

    HiddenStateStore(Path dir, Precision precision, long chunkBytes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.precision = Objects.requireNonNull(precision, "precision");
        if (chunkBytes <= 0 || chunkBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunk size must be in (0, 2^31), got " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
        this.index = new SqliteCacheFile(this.dir.resolve(INDEX_FILE), SCHEMA_VERSION, SCHEMA);
        index.ensureTable("key_use", USE_TABLE);
        deleteUnreferencedDataFiles();
    }

    /** Opens (creating if needed) the store in {@code cacheDir/hidden-states}, writing new entries in {@code precision}. */
    public static HiddenStateStore open(Path cacheDir, Precision precision) {
        return new HiddenStateStore(cacheDir.resolve(DIR_NAME), precision, DEFAULT_CHUNK_BYTES);
    }

    /** The store's directory. */
    public Path directory() {
        return dir;
    }

    /**
     * Sets the most bytes the store may take on disk. Before an append that would go over it, the least recently
     * used other state keys are evicted; if the batch still does not fit, it is not stored ({@link #putAll} returns
     * false) and the states of those images are simply not kept.
     *
     * @param maxBytes read before each append (the budget may depend on the other caches' sizes); null: no limit
     */
    public void setByteLimit(java.util.function.LongSupplier maxBytes) {
        this.byteLimit = maxBytes;
    }

    /** Stores (or replaces) the {@code tokens x dim} states of one image; false when over the byte limit. */
    public boolean put(String stateKey, String hash, int tokens, int dim, float[] states) {
        return putAll(stateKey, tokens, dim, Collections.singletonMap(hash, states));
    }

    /**
     * Stores (or replaces) the states of several images of the same shape: the bytes are appended and forced, then
     * all index rows are committed in one transaction, so either the whole batch becomes visible or none of it.
     *
     * @return false when the batch did not fit under the byte limit (nothing stored)
     * @throws IllegalArgumentException for a bad shape, a null hash or an array of the wrong length (nothing stored)
     */
    public boolean putAll(String stateKey, int tokens, int dim, Map<String, float[]> statesByHash) {
        requireKey(stateKey);
        Objects.requireNonNull(statesByHash, "statesByHash");
        if (tokens <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Hidden states need tokens > 0 and dim > 0, got " + tokens + " x " + dim);
        }
        int values = Math.multiplyExact(tokens, dim);
        int blobBytes = Math.multiplyExact(values, precision.bytesPerValue());
        List<Map.Entry<String, float[]>> entries = new ArrayList<>(statesByHash.entrySet());
        for (Map.Entry<String, float[]> e : entries) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("Hidden-state batch for " + stateKey + " has a null content hash");
            }
            float[] s = e.getValue();
            if (s == null || s.length != values) {
                throw new IllegalArgumentException("Hidden states for " + e.getKey() + " have " + (s == null ? "no array"
                        : s.length + " values") + ", expected " + tokens + " x " + dim + " = " + values);
            }
        }
        if (entries.isEmpty()) {
            return true;
        }
        String fileName = dataFileName(stateKey, precision);
        rw.writeLock().lock();
        try {
            ensureOpen();
            if (!makeRoom(stateKey, (long) blobBytes * entries.size())) {
                return false;
            }
            List<IndexRow> rows = appendAndForce(fileName, tokens, dim, blobBytes, entries);
            Runnable hook = afterDataWritten;
            if (hook != null) {
                hook.run();
            }
            index.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO state_blob"
                        + " (state_key, content_hash, file, offset, tokens, dim, value_bytes, crc32c) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, stateKey);
                    for (IndexRow r : rows) {
                        ps.setString(2, r.hash);
                        ps.setString(3, r.file);
                        ps.setLong(4, r.offset);
                        ps.setInt(5, r.tokens);
                        ps.setInt(6, r.dim);
                        ps.setInt(7, r.valueBytes);
                        ps.setLong(8, r.crc);
                        ps.executeUpdate();
                    }
                }
                markUsed(c, stateKey);
                return null;
            });
            return true;
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Evicts least recently used other keys until {@code bytes} more fit under the limit; false if they never do. */
    private boolean makeRoom(String stateKey, long bytes) {
        java.util.function.LongSupplier limit = byteLimit;
        if (limit == null) {
            return true;
        }
        long max = limit.getAsLong();
        while (sizeOnDisk() + bytes > max) {
            String victim = leastRecentlyUsedKey(stateKey);
            if (victim == null) {
                if (!overLimitLogged) {
                    overLimitLogged = true;
                    LOG.info("Hidden-state store {}: the disk budget ({} bytes) is used up; further states are not kept"
                            + " (incremental ITAE then re-runs the whole model for those images)", dir, max);
                }
                return false;
            }
            LOG.info("Hidden-state store {}: evicting the least recently used states ({}) to stay within {} bytes",
                    dir, victim, max);
            evict(victim);
        }
        return true;
    }

    /** The state key used least recently, other than {@code keep}; null when there is none. */
    String leastRecentlyUsedKey(String keep) {
        return index.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT s.state_key FROM"
                    + " (SELECT DISTINCT state_key FROM state_blob) s LEFT JOIN key_use u ON u.state_key = s.state_key"
                    + " WHERE s.state_key <> ? ORDER BY COALESCE(u.last_used, 0), s.state_key LIMIT 1")) {
                ps.setString(1, keep == null ? "" : keep);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }, null);
    }

    /**
     * Evicts the least recently used state key (all of its data files).
     *
     * @return the evicted key, or null when the store is empty
     */
    public String evictLeastRecentlyUsed() {
        rw.writeLock().lock();
        try {
            ensureOpen();
            String victim = leastRecentlyUsedKey(null);
            if (victim != null) {
                evict(victim);
                index.vacuum(); // the index and its WAL shrink too, so the budget sees the space come back
            }
            return victim;
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Removes every entry and data file and compacts the index. */
    public void clear() {
        rw.writeLock().lock();
        try {
            ensureOpen();
            index.write(c -> {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("DELETE FROM state_blob");
                    s.execute("DELETE FROM key_use");
                }
                return null;
            });
            for (String name : new ArrayList<>(mapped.keySet())) {
                closeMapping(name);
            }
            deleteUnreferencedDataFiles();
            index.vacuum();
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Bytes the store takes on disk: its data files (dead space included) and its index. */
    public long sizeOnDisk() {
        return sizeOnDisk(dir);
    }

    /** Bytes of everything in a store directory (0 when it does not exist). */
    static long sizeOnDisk(Path dir) {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                try {
                    total += Files.size(p);
                } catch (IOException e) {
                    // vanished meanwhile
                }
            }
        } catch (IOException e) {
            return total;
        }
        return total;
    }

    private static void markUsed(java.sql.Connection c, String stateKey) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT OR REPLACE INTO key_use (state_key, last_used) VALUES (?, ?)")) {
            ps.setString(1, stateKey);
            ps.setLong(2, UseClock.next());
            ps.executeUpdate();
        }
    }

    /** Records a read for eviction order; a failure only costs that order, so it is ignored. */
    private void touch(String stateKey) {
        try {
            index.write(c -> {
                markUsed(c, stateKey);
                return null;
            });
        } catch (CacheException e) {
            LOG.debug("Hidden-state store {}: last use of {} not recorded: {}", dir, stateKey, e.toString());
        }
    }

    /** The stored states ({@code tokens * dim} values, row-major) of one image, or null. */
    public float[] get(String stateKey, String hash) {
        return getAll(stateKey, List.of(Objects.requireNonNull(hash, "hash"))).get(hash);
    }

    /** The stored states among {@code hashes}: hits only, in the order of {@code hashes}. */
    public Map<String, float[]> getAll(String stateKey, Collection<String> hashes) {
        requireKey(stateKey);
        Objects.requireNonNull(hashes, "hashes");
        Map<String, float[]> hits = new LinkedHashMap<>();
        if (hashes.isEmpty()) {
            return hits;
        }
        LinkedHashSet<String> wanted = new LinkedHashSet<>(hashes);
        List<IndexRow> bad = new ArrayList<>();
        rw.readLock().lock();
        try {
            ensureOpen();
            List<IndexRow> rows = index.read(c -> {
                List<IndexRow> found = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT file, offset, tokens, dim, value_bytes, crc32c"
                        + " FROM state_blob WHERE state_key = ? AND content_hash = ?")) {
                    ps.setString(1, stateKey);
                    for (String hash : wanted) {
                        if (hash == null) {
                            continue;
                        }
                        ps.setString(2, hash);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) {
                                found.add(new IndexRow(hash, rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getInt(4),
                                        rs.getInt(5), rs.getLong(6)));
                            }
                        }
                    }
                }
                return found;
            }, List.of());
            if (!rows.isEmpty()) {
                touch(stateKey);
            }
            for (IndexRow r : rows) {
                float[] states = read(r);
                if (states == null) {
                    // a retry with a fresh mapping, in case the file was replaced by an evict elsewhere
                    closeMapping(r.file);
                    states = read(r);
                }
                if (states != null) {
                    hits.put(r.hash, states);
                } else {
                    bad.add(r);
                }
            }
        } finally {
            rw.readLock().unlock();
        }
        if (!bad.isEmpty()) {
            LOG.warn("Hidden-state store {}: {} entr{} for {} missing or damaged on disk, ignored and removed", dir,
                    bad.size(), bad.size() == 1 ? "y" : "ies", stateKey);
            removeRows(stateKey, bad);
        }
        return hits;
    }

    /** Number of images stored under this state key. */
    public int count(String stateKey) {
        requireKey(stateKey);
        return index.countRows("state_blob", "state_key", stateKey);
    }

    /** Payload bytes of the entries stored under this state key (what the index references, not dead space). */
    public long bytes(String stateKey) {
        requireKey(stateKey);
        return index.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(SUM(tokens * dim * value_bytes), 0) FROM state_blob WHERE state_key = ?")) {
                ps.setString(1, stateKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        }, 0L);
    }

    /** Removes every entry of this state key and deletes its data files (reclaiming all their space). */
    public void evict(String stateKey) {
        requireKey(stateKey);
        rw.writeLock().lock();
        try {
            ensureOpen();
            index.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM state_blob WHERE state_key = ?")) {
                    ps.setString(1, stateKey);
                    return ps.executeUpdate();
                }
            });
            for (Precision p : Precision.values()) {
                String name = dataFileName(stateKey, p);
                closeMapping(name);
                try {
                    Files.deleteIfExists(dir.resolve(name));
                } catch (IOException e) {
                    // e.g. still mapped on Windows: unreferenced now, deleted when a store is next opened
                    LOG.debug("Could not delete {} yet: {}", name, e.toString());
                }
            }
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        rw.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (String name : new ArrayList<>(mapped.keySet())) {
                closeMapping(name);
            }
            index.close();
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** {@code <sha1(stateKey)>.<ext>}: a fixed-length, file-system-safe name. */
    static String dataFileName(String stateKey, Precision precision) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(stateKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha1) + "." + precision.extension();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e); // every Java SE has it
        }
    }

    @SuppressWarnings("try") // the lock is held for the try block's duration, not referenced in it
    private List<IndexRow> appendAndForce(String fileName, int tokens, int dim, int blobBytes,
                                          List<Map.Entry<String, float[]>> entries) {
        Path file = dir.resolve(fileName);
        List<IndexRow> rows = new ArrayList<>(entries.size());
        ByteBuffer buffer = ByteBuffer.allocate(blobBytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        try {
            Files.createDirectories(dir);
            CacheFaults.check(file, CacheFaults.Op.WRITE);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock appendLock = ch.lock(APPEND_LOCK_POSITION, 1, false)) {
                long position = ch.size();
                for (Map.Entry<String, float[]> e : entries) {
                    buffer.clear();
                    encode(e.getValue(), buffer);
                    buffer.flip();
                    crc.reset();
                    crc.update(buffer.duplicate());
                    long offset = position;
                    while (buffer.hasRemaining()) {
                        position += ch.write(buffer, position);
                    }
                    rows.add(new IndexRow(e.getKey(), fileName, offset, tokens, dim, precision.bytesPerValue(), crc.getValue()));
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new CacheException("Cannot write hidden states to " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private void encode(float[] values, ByteBuffer out) {
        if (precision == Precision.FP16) {
            Half.encode(values, 0, values.length, out);
        } else {
            out.asFloatBuffer().put(values);
            out.position(out.position() + values.length * Float.BYTES);
        }
    }

    /** The decoded states of one index row, or null when its bytes are missing or fail the CRC. */
    private float[] read(IndexRow r) {
        Precision p = Precision.ofBytes(r.valueBytes);
        if (p == null || r.tokens <= 0 || r.dim <= 0 || r.offset < 0) {
            return null;
        }
        long values = (long) r.tokens * r.dim;
        long length = values * p.bytesPerValue();
        if (length > Integer.MAX_VALUE) {
            return null;
        }
        ByteBuffer bytes;
        try {
            MappedDataFile f = mapping(r.file);
            bytes = f == null ? null : f.slice(r.offset, (int) length);
        } catch (IOException e) {
            LOG.debug("Cannot read {}: {}", r.file, e.toString());
            return null;
        }
        if (bytes == null) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        if (crc.getValue() != r.crc) {
            return null;
        }
        float[] out = new float[(int) values];
        if (p == Precision.FP16) {
            Half.decode(bytes, 0, out, 0, out.length);
        } else {
            bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        }
        return out;
    }

    private MappedDataFile mapping(String fileName) throws IOException {
        MappedDataFile f = mapped.get(fileName);
        if (f != null) {
            return f;
        }
        synchronized (mapped) {
            f = mapped.get(fileName);
            if (f == null) {
                try {
                    f = new MappedDataFile(dir.resolve(fileName), chunkBytes);
                } catch (NoSuchFileException e) {
                    return null;
                }
                mapped.put(fileName, f);
            }
            return f;
        }
    }

    private void closeMapping(String fileName) {
        synchronized (mapped) {
            MappedDataFile f = mapped.remove(fileName);
            if (f != null) {
                f.close();
            }
        }
    }

    private void removeRows(String stateKey, List<IndexRow> rows) {
        rw.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            index.write(c -> {
                // only if still the same entry: a concurrent put may have replaced it meanwhile
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM state_blob"
                        + " WHERE state_key = ? AND content_hash = ? AND file = ? AND offset = ? AND crc32c = ?")) {
                    ps.setString(1, stateKey);
                    for (IndexRow r : rows) {
                        ps.setString(2, r.hash);
                        ps.setString(3, r.file);
                        ps.setLong(4, r.offset);
                        ps.setLong(5, r.crc);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Deletes data files no index row points to (after an index rebuild, an evict that could not delete, ...). */
    private void deleteUnreferencedDataFiles() {
        Set<String> referenced = index.read(c -> {
            Set<String> names = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT file FROM state_blob");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }, Set.of());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{f16,f32}")) {
            for (Path p : files) {
                if (!referenced.contains(p.getFileName().toString())) {
                    try {
                        Files.deleteIfExists(p);
                        LOG.debug("Deleted unreferenced hidden-state file {}", p);
                    } catch (IOException e) {
                        LOG.debug("Could not delete unreferenced {}: {}", p, e.toString());
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not list {}: {}", dir, e.toString());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Hidden-state store " + dir + " is closed");
        }
    }

    private static void requireKey(String stateKey) {
        if (stateKey == null || stateKey.isEmpty()) {
            throw new IllegalArgumentException("Hidden-state key must not be empty");
        }
    }

    private record IndexRow(String hash, String file, long offset, int tokens, int dim, int valueBytes, long crc) {
    }

    /**
     * A data file mapped read-only in chunks of at most {@code chunkBytes}; the mapping grows as the file does.
     * Old chunk buffers stay valid (Java unmaps them when they are collected).
     */
    private static final class MappedDataFile {
        private final Path path;
        private final FileChannel channel;
        private final long chunkBytes;
        private final List<MappedByteBuffer> chunks = new ArrayList<>();
        private long mappedEnd;

        MappedDataFile(Path path, long chunkBytes) throws IOException {
            this.path = path;
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            this.chunkBytes = chunkBytes;
        }

        /** A read-only view of {@code [offset, offset+length)} (position 0), or null past the end of the file. */
        synchronized ByteBuffer slice(long offset, int length) throws IOException {
            long end = offset + length;
            if (end > mappedEnd && !extendTo(end)) {
                return null;
            }
            if (length == 0) {
                return ByteBuffer.allocate(0);
            }
            int first = (int) (offset / chunkBytes);
            int last = (int) ((end - 1) / chunkBytes);
            if (first == last) {
                int start = (int) (offset - first * chunkBytes);
                return chunks.get(first).duplicate().position(start).limit(start + length).slice();
            }
            // straddles chunks: copy the pieces
            ByteBuffer copy = ByteBuffer.allocate(length);
            long at = offset;
            while (copy.hasRemaining()) {
                int c = (int) (at / chunkBytes);
                int start = (int) (at - c * chunkBytes);
                ByteBuffer chunk = chunks.get(c).duplicate();
                int n = Math.min(copy.remaining(), chunk.limit() - start);
                copy.put(chunk.position(start).limit(start + n));
                at += n;
            }
            return copy.flip();
        }

        private boolean extendTo(long end) throws IOException {
            long size = channel.size();
            if (end > size) {
                return false;
            }
            if (!chunks.isEmpty() && mappedEnd % chunkBytes != 0) {
                chunks.remove(chunks.size() - 1); // the partial last chunk is remapped at its new length
            }
            for (long start = chunks.size() * chunkBytes; start < size; start += chunkBytes) {
                chunks.add(channel.map(FileChannel.MapMode.READ_ONLY, start, Math.min(chunkBytes, size - start)));
            }
            mappedEnd = size;
            return true;
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing {}: {}", path, e.toString());
            }
        }
    }
}
