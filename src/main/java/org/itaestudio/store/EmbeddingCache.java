package org.itaestudio.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings of images already computed, in one SQLite file ({@value #FILE_NAME} in the cache directory), so reopening
 * a folder, or going back to an ITAE setting tried before, costs no forward passes.
 *
 * <p>Key: (content hash, config key). The content hash is the image file's SHA-256 ({@link ContentHasher}), so a moved
 * or renamed file is still found. The <b>config key is owned by the caller</b>: an opaque string that must change
 * whenever anything that changes the vector changes: model identity (e.g. the SHA-256 of the weights file, or the
 * model name plus revision), preprocessing (size/crop), pooling, and the ITAE settings; e.g.
 * {@code "model=<sha256 of weights>|pre=256/224|pool=cls|" + itaeConfig.key()}. This class never parses it.
 *
 * <p>Value: the float32 vector, stored little-endian as a BLOB with its dimension. {@link #putAll} writes in one
 * transaction, so a cancelled or failed batch leaves only the rows of earlier, complete batches.
 *
 * <p>Thread-safe (one connection behind a lock), safe with other processes (WAL, busy timeout). A corrupt file is
 * moved aside and rebuilt (see {@link SqliteCacheFile}); a vector whose stored size does not match its dimension is
 * treated as a miss.
 */
public final class EmbeddingCache implements AutoCloseable {

    public static final String FILE_NAME = "embeddings.sqlite";
    /** Bump when the table layout or the value encoding changes; other versions are dropped and rebuilt. */
    static final int SCHEMA_VERSION = 1;

    private static final int QUERY_CHUNK = 500;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);
    /** When each config key was last read or written, for least-recently-used eviction (added without a new version). */
    private static final String USE_TABLE =
            "CREATE TABLE IF NOT EXISTS config_use (config_key TEXT PRIMARY KEY, last_used INTEGER NOT NULL)";
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE embedding ("
                    + " config_key TEXT NOT NULL,"
                    + " content_hash TEXT NOT NULL,"
                    + " dim INTEGER NOT NULL,"
                    + " vector BLOB NOT NULL,"
                    + " PRIMARY KEY (config_key, content_hash))",
            USE_TABLE);

    private final SqliteCacheFile db;

    private EmbeddingCache(Path file) {
        this.db = new SqliteCacheFile(file, SCHEMA_VERSION, SCHEMA);
        db.ensureTable("config_use", USE_TABLE);
    }

    /** Opens (creating if needed) {@code cacheDir/embeddings.sqlite}. */
    public static EmbeddingCache open(Path cacheDir) {
        return new EmbeddingCache(cacheDir.resolve(FILE_NAME));
    }

    /** The database file. */
    public Path file() {
        return db.file();
    }

    /**
     * The cached vectors among {@code hashes} for this config key: hits only, in the order of {@code hashes}
     * (duplicates once). Each returned array is a fresh copy.
     */
    public Map<String, float[]> getAll(String configKey, Collection<String> hashes) {
        requireKey(configKey);
        Objects.requireNonNull(hashes, "hashes");
        if (hashes.isEmpty()) {
            return new LinkedHashMap<>();
        }
        List<String> wanted = new ArrayList<>(new LinkedHashSet<>(hashes));
        wanted.remove(null);
        Map<String, float[]> found = db.read(c -> {
            Map<String, float[]> rows = new HashMap<>();
            // IN (...) in chunks: one statement per chunk rather than one query per hash
            for (int start = 0; start < wanted.size(); start += QUERY_CHUNK) {
                List<String> chunk = wanted.subList(start, Math.min(wanted.size(), start + QUERY_CHUNK));
                String sql = "SELECT content_hash, dim, vector FROM embedding WHERE config_key = ? AND content_hash IN ("
                        + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, configKey);
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String hash = rs.getString(1);
                            float[] v = decode(rs.getInt(2), rs.getBytes(3));
                            if (v != null) {
                                rows.put(hash, v);
                            } else {
                                LOG.warn("Cache {}: damaged vector for {} / {} ignored", db.file(), hash, configKey);
                            }
                        }
                    }
                }
            }
            return rows;
        }, Map.of());
        touch(configKey);
        Map<String, float[]> hits = new LinkedHashMap<>();
        for (String hash : wanted) {
            float[] v = found.get(hash);
            if (v != null) {
                hits.put(hash, v);
            }
        }
        return hits;
    }

    /** One cached vector, or null. */
    public float[] get(String configKey, String hash) {
        return getAll(configKey, List.of(Objects.requireNonNull(hash, "hash"))).get(hash);
    }

    /**
     * Stores (or replaces) vectors under this config key, all in one transaction: if anything fails part-way (a null
     * or empty vector, an exception from the map's iterator, a full disk) nothing of this batch is stored.
     *
     * @throws IllegalArgumentException for a null hash or a null/empty vector (nothing stored)
     */
    public void putAll(String configKey, Map<String, float[]> vectors) {
        requireKey(configKey);
        Objects.requireNonNull(vectors, "vectors");
        if (vectors.isEmpty()) {
            return;
        }
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO embedding (config_key, content_hash, dim, vector) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, configKey);
                for (Map.Entry<String, float[]> e : vectors.entrySet()) {
                    String hash = e.getKey();
                    float[] v = e.getValue();
                    if (hash == null) {
                        throw new IllegalArgumentException("Embedding batch for " + configKey + " has a null content hash");
                    }
                    if (v == null || v.length == 0) {
                        throw new IllegalArgumentException("Embedding for " + hash + " is " + (v == null ? "null" : "empty"));
                    }
                    ps.setString(2, hash);
                    ps.setInt(3, v.length);
                    ps.setBytes(4, encode(v));
                    ps.executeUpdate();
                }
            }
            markUsed(c, configKey);
            return null;
        });
    }

    /** Stores one vector (its own transaction). */
    public void put(String configKey, String hash, float[] vector) {
        putAll(configKey, Collections.singletonMap(hash, vector));
    }

    /** Number of vectors cached under this config key. */
    public int count(String configKey) {
        requireKey(configKey);
        return db.countRows("embedding", "config_key", configKey);
    }

    /** Removes every vector cached under this config key. */
    public void evict(String configKey) {
        requireKey(configKey);
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM config_use WHERE config_key = ?")) {
                ps.setString(1, configKey);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM embedding WHERE config_key = ?")) {
                ps.setString(1, configKey);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Removes the vectors of the least recently used config key other than {@code keep} and compacts the file.
     *
     * @return the evicted key, or null when there is no other key
     */
    public String evictLeastRecentlyUsed(String keep) {
        String victim = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT e.config_key FROM"
                    + " (SELECT DISTINCT config_key FROM embedding) e LEFT JOIN config_use u ON u.config_key = e.config_key"
                    + " WHERE e.config_key <> ? ORDER BY COALESCE(u.last_used, 0), e.config_key LIMIT 1")) {
                ps.setString(1, keep == null ? "" : keep);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }, null);
        if (victim != null) {
            evict(victim);
            db.vacuum();
            LOG.info("Cache {}: evicted the least recently used embeddings ({})", db.file(), victim);
        }
        return victim;
    }

    /** Removes every vector and compacts the file. */
    public void clear() {
        db.write(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("DELETE FROM embedding");
                s.execute("DELETE FROM config_use");
            }
            return null;
        });
        db.vacuum();
    }

    /** Bytes on disk (database, WAL and shared-memory files). */
    public long sizeOnDisk() {
        return db.sizeOnDisk();
    }

    /** Records a read of this config key for eviction; a failure here only costs eviction order, so it is ignored. */
    private void touch(String configKey) {
        try {
            db.write(c -> {
                markUsed(c, configKey);
                return null;
            });
        } catch (CacheException e) {
            LOG.debug("Cache {}: last use of {} not recorded: {}", db.file(), configKey, e.toString());
        }
    }

    private static void markUsed(java.sql.Connection c, String configKey) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT OR REPLACE INTO config_use (config_key, last_used) VALUES (?, ?)")) {
            ps.setString(1, configKey);
            ps.setLong(2, UseClock.next());
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        db.close();
    }

    static byte[] encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** The vector, or null when the blob does not hold exactly {@code dim} floats. */
    static float[] decode(int dim, byte[] blob) {
        if (dim <= 0 || blob == null || blob.length != (long) dim * Float.BYTES) {
            return null;
        }
        float[] v = new float[dim];
        ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static void requireKey(String configKey) {
        if (configKey == null || configKey.isEmpty()) {
            throw new IllegalArgumentException("Embedding cache config key must not be empty");
        }
    }
}
