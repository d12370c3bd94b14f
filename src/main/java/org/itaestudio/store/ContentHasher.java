package org.itaestudio.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SHA-256 of a file's content (lower-case hex), the identity under which the caches store an image's results, so a
 * renamed or moved image is recognised and an edited one is not.
 *
 * <p>Hashes are memoised in {@value #FILE_NAME} (in the cache directory) by (absolute path, size, modification time
 * in nanoseconds): an unchanged file is not read again. As in git's index, a memo recorded less than
 * {@link #RACY_WINDOW_NANOS} after the file's modification time is not trusted (the file might have changed again
 * within the timestamp's granularity); such a file is re-read once more, after which the memo holds. A change that keeps
 * the size and restores the exact mtime is not detected (that is what the key means).
 *
 * <p>Thread-safe: files are read outside any lock, so several threads hash in parallel.
 */
public final class ContentHasher implements AutoCloseable {

    public static final String FILE_NAME = "file-hashes.sqlite";
    static final int SCHEMA_VERSION = 1;
    /** 2 s: covers FAT's 2-second timestamps and coarse network file systems. */
    static final long RACY_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final int BUFFER_BYTES = 1 << 16;
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE file_hash ("
                    + " path TEXT PRIMARY KEY,"
                    + " size INTEGER NOT NULL,"
                    + " mtime_ns INTEGER NOT NULL,"
                    + " recorded_ns INTEGER NOT NULL,"
                    + " sha256 TEXT NOT NULL)");

    private final SqliteCacheFile db;
    private final AtomicLong filesRead = new AtomicLong();
    private final AtomicLong memoHits = new AtomicLong();

    private ContentHasher(Path file) {
        this.db = new SqliteCacheFile(file, SCHEMA_VERSION, SCHEMA);
    }

    /** Opens (creating if needed) the memo {@code cacheDir/file-hashes.sqlite}. */
    public static ContentHasher open(Path cacheDir) {
        return new ContentHasher(cacheDir.resolve(FILE_NAME));
    }

    /** Opens the memo in the user's cache directory ({@link CacheDirs#resolve()}). */
    public static ContentHasher openDefault() {
        return open(CacheDirs.resolve().createCache());
    }

    /**
     * The SHA-256 (64 lower-case hex digits) of the file's bytes, from the memo when the file is unchanged.
     *
     * @throws IOException when the file cannot be read (message names the file)
     */
    public String hash(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        String key = abs.toString();
        FileStamp before = stamp(abs);
        String memo = lookup(key, before);
        if (memo != null) {
            memoHits.incrementAndGet();
            return memo;
        }
        for (int attempt = 0; ; attempt++) {
            String hash = sha256Hex(abs);
            filesRead.incrementAndGet();
            FileStamp after = stamp(abs);
            if (after.equals(before)) {
                record(key, after, hash);
                return hash;
            }
            if (attempt == 1) {
                return hash; // still being written: answer, but do not memoise a hash of a moving target
            }
            before = after;
        }
    }

    /** SHA-256 (lower-case hex) of a file's bytes, streamed, with no memo. */
    public static String sha256Hex(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** How many times a file's bytes were actually read (memo misses), since this hasher was opened. */
    public long filesRead() {
        return filesRead.get();
    }

    /** How many hashes came from the memo, since this hasher was opened. */
    public long memoHits() {
        return memoHits.get();
    }

    @Override
    public void close() {
        db.close();
    }

    private String lookup(String key, FileStamp stamp) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT size, mtime_ns, recorded_ns, sha256 FROM file_hash WHERE path = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    long size = rs.getLong(1);
                    long mtime = rs.getLong(2);
                    long recorded = rs.getLong(3);
                    boolean unchanged = size == stamp.size && mtime == stamp.mtimeNanos;
                    boolean trusted = recorded - mtime >= RACY_WINDOW_NANOS;
                    return unchanged && trusted ? rs.getString(4) : null;
                }
            }
        }, null);
    }

    private void record(String key, FileStamp stamp, String hash) {
        long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO file_hash (path, size, mtime_ns, recorded_ns, sha256) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, key);
                ps.setLong(2, stamp.size);
                ps.setLong(3, stamp.mtimeNanos);
                ps.setLong(4, now);
                ps.setString(5, hash);
                return ps.executeUpdate();
            }
        });
    }

    private static FileStamp stamp(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, new LinkOption[0]);
        } catch (IOException e) {
            throw new IOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!a.isRegularFile()) {
            throw new IOException("Cannot hash " + file + ": not a regular file");
        }
        return new FileStamp(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e); // every Java SE has it
        }
    }

    private record FileStamp(long size, long mtimeNanos) {
    }
}
