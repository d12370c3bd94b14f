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
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

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

    private final SqliteCacheFile db;         // null: no memo, every file is read
    private final CacheGuard guard;           // null: memo failures propagate
    private final Clock clock;
    private final AtomicLong filesRead = new AtomicLong();
    private final AtomicLong memoHits = new AtomicLong();

    private ContentHasher(SqliteCacheFile db, CacheGuard guard, Clock clock) {
        this.db = db;
        this.guard = guard;
        this.clock = clock;
    }

    /**
     * Opens the memo under a guard: if it cannot be opened, read or written, the guard warns once and hashing goes
     * on without it (every file is then read).
     */
    public static ContentHasher open(Path cacheDir, CacheGuard guard) {
        SqliteCacheFile db = guard.open(CacheKind.FILE_HASHES,
                () -> new SqliteCacheFile(cacheDir.resolve(FILE_NAME), SCHEMA_VERSION, SCHEMA));
        return new ContentHasher(db, guard, Clock.systemUTC());
    }

    /** A hasher without a memo: every call reads the file. */
    public static ContentHasher withoutMemo() {
        return new ContentHasher(null, null, Clock.systemUTC());
    }

    /** Opens (creating if needed) the memo {@code cacheDir/file-hashes.sqlite}. */
    public static ContentHasher open(Path cacheDir) {
        return open(cacheDir, Clock.systemUTC());
    }

    /**
     * @param clock when a memo is recorded; the racy window is measured from the file's mtime to this clock, so tests
     *              pass a fixed one instead of racing the wall clock
     */
    static ContentHasher open(Path cacheDir, Clock clock) {
        return new ContentHasher(new SqliteCacheFile(cacheDir.resolve(FILE_NAME), SCHEMA_VERSION, SCHEMA), null, clock);
    }

    /**
     * The SHA-256 (64 lower-case hex digits) of the file's bytes, from the memo when the file is unchanged.
     *
     * @throws IOException when the file cannot be read (message names the file)
     */
    public String hash(Path file) throws IOException {
        IOException[] failure = new IOException[1];
        Map<Path, String> result = hashAll(List.of(file), (f, e) -> failure[0] = e);
        if (failure[0] != null) {
            throw failure[0];
        }
        return result.get(file);
    }

    /**
     * Hashes of several files, with one memo lookup and one memo update for the whole batch (much cheaper than
     * {@link #hash} per file when opening a folder). A file that cannot be read is passed to {@code onFailure} (the
     * exception's message names it) and left out of the result; the others are still hashed.
     *
     * @return hashes by the paths as given, in their order
     */
    public Map<Path, String> hashAll(Collection<Path> files, BiConsumer<Path, IOException> onFailure) {
        Map<Path, String> hashes = new LinkedHashMap<>();
        Map<Path, FileStamp> stamps = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                stamps.put(f, stamp(key(f)));
            } catch (IOException e) {
                onFailure.accept(f, e);
            }
        }
        Map<String, String> memo = lookup(stamps);
        List<Memo> fresh = new ArrayList<>();
        for (Map.Entry<Path, FileStamp> e : stamps.entrySet()) {
            Path f = e.getKey();
            String key = key(f).toString();
            String known = memo.get(key);
            if (known != null) {
                memoHits.incrementAndGet();
                hashes.put(f, known);
                continue;
            }
            try {
                hashes.put(f, read(key(f), e.getValue(), fresh));
            } catch (IOException ex) {
                onFailure.accept(f, ex);
            }
        }
        record(fresh);
        return hashes;
    }

    /** Reads and hashes the file; queues a memo unless the file changed while being read. */
    private String read(Path abs, FileStamp before, List<Memo> fresh) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String hash = sha256Hex(abs);
            filesRead.incrementAndGet();
            FileStamp after = stamp(abs);
            if (after.equals(before)) {
                fresh.add(new Memo(abs.toString(), after, hash));
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

    /** SHA-256 (lower-case hex) of bytes already in memory: the same value {@link #sha256Hex(Path)} gives their file. */
    public static String sha256Hex(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    /** How many times a file's bytes were actually read (memo misses), since this hasher was opened. */
    public long filesRead() {
        return filesRead.get();
    }

    /** How many hashes came from the memo, since this hasher was opened. */
    public long memoHits() {
        return memoHits.get();
    }

    /** Forgets every memo (files are read again next time) and compacts the file. */
    public void clear() {
        if (db == null) {
            return;
        }
        db.write(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("DELETE FROM file_hash");
            }
            return null;
        });
        db.vacuum();
    }

    /** Bytes the memo takes on disk (0 without one). */
    public long sizeOnDisk() {
        return db == null ? 0 : db.sizeOnDisk();
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
        }
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    /** Trusted memo entries (hash by absolute path) for files whose size and mtime are unchanged. */
    private Map<String, String> lookup(Map<Path, FileStamp> stamps) {
        if (stamps.isEmpty() || db == null) {
            return Map.of();
        }
        if (guard != null) {
            return guard.read(CacheKind.FILE_HASHES, () -> queryMemo(stamps), Map.of());
        }
        return queryMemo(stamps);
    }

    private Map<String, String> queryMemo(Map<Path, FileStamp> stamps) {
        return db.read(c -> {
            Map<String, String> found = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT size, mtime_ns, recorded_ns, sha256 FROM file_hash WHERE path = ?")) {
                for (Map.Entry<Path, FileStamp> e : stamps.entrySet()) {
                    String key = key(e.getKey()).toString();
                    FileStamp stamp = e.getValue();
                    ps.setString(1, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        long size = rs.getLong(1);
                        long mtime = rs.getLong(2);
                        long recorded = rs.getLong(3);
                        boolean unchanged = size == stamp.size && mtime == stamp.mtimeNanos;
                        boolean trusted = recorded - mtime >= RACY_WINDOW_NANOS;
                        if (unchanged && trusted) {
                            found.put(key, rs.getString(4));
                        }
                    }
                }
            }
            return found;
        }, Map.of());
    }

    private void record(List<Memo> memos) {
        if (memos.isEmpty() || db == null) {
            return;
        }
        if (guard != null) {
            guard.write(CacheKind.FILE_HASHES, () -> storeMemo(memos));
        } else {
            storeMemo(memos);
        }
    }

    private void storeMemo(List<Memo> memos) {
        long now = TimeUnit.MILLISECONDS.toNanos(clock.millis());
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO file_hash (path, size, mtime_ns, recorded_ns, sha256) VALUES (?, ?, ?, ?, ?)")) {
                for (Memo m : memos) {
                    ps.setString(1, m.path);
                    ps.setLong(2, m.stamp.size);
                    ps.setLong(3, m.stamp.mtimeNanos);
                    ps.setLong(4, now);
                    ps.setString(5, m.hash);
                    ps.executeUpdate();
                }
            }
            return null;
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

    private record Memo(String path, FileStamp stamp, String hash) {
    }
}
