package org.itaestudio.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite file used as a cache: WAL journal, a busy timeout for other processes, one connection guarded by a lock
 * (so it is safe from any number of threads), a schema version in {@code PRAGMA user_version}, and self-repair.
 *
 * <ul>
 *   <li>Another schema version (older or newer) drops every table and recreates the schema: it is only a cache.</li>
 *   <li>A corrupt file ("file is not a database", malformed pages, a failed {@code quick_check} at open) is moved aside
 *       as {@code NAME.corrupt-<timestamp>} (with its {@code -wal}), a warning is logged and an empty database is
 *       created. Corruption found later, during a read, gives "not cached"; during a write, the write is retried
 *       once on the rebuilt file. Callers never see an exception for corruption.</li>
 * </ul>
 * Other SQL failures are reported as {@link CacheException}.
 */
final class SqliteCacheFile implements AutoCloseable {

    /** Work done with the connection; the caller's lock is held. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SqliteCacheFile.class);
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;
    private static final int BUSY_TIMEOUT_MS = 10_000;
    private static final int CORRUPT_COPIES_KEPT = 3;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private final Path file;
    private final int schemaVersion;
    private final List<String> schema;
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;
    private boolean closed;

    /**
     * Opens (creating, upgrading or repairing as needed) the database.
     *
     * @param schemaVersion the version this code writes; any other stored version is dropped and rebuilt
     * @param schema        statements that create the schema in an empty database
     */
    SqliteCacheFile(Path file, int schemaVersion, List<String> schema) {
        if (schemaVersion <= 0) {
            throw new IllegalArgumentException("schema version must be positive, got " + schemaVersion);
        }
        this.file = file.toAbsolutePath().normalize();
        this.schemaVersion = schemaVersion;
        this.schema = List.copyOf(schema);
        try {
            Files.createDirectories(this.file.getParent());
        } catch (IOException e) {
            throw new CacheException("Cannot create cache directory " + this.file.getParent() + ": " + e.getMessage(), e);
        }
        fault(CacheFaults.Op.OPEN, "open");
        lock.lock();
        try {
            connection = openRepairing();
        } finally {
            lock.unlock();
        }
    }

    Path file() {
        return file;
    }

    /** Runs read-only work in one (deferred) transaction; returns {@code afterCorruption} if the file was corrupt. */
    <T> T read(SqlWork<T> work, T afterCorruption) {
        lock.lock();
        try {
            ensureOpen();
            fault(CacheFaults.Op.READ, "read");
            try {
                return inTransaction("BEGIN", work);
            } catch (SQLException e) {
                if (!isCorruption(e)) {
                    throw new CacheException("Cannot read cache " + file + ": " + e.getMessage(), e);
                }
                repair(e);
                return afterCorruption;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Rows of {@code table} whose {@code column} equals {@code key}; 0 after a corruption (the file is rebuilt). */
    int countRows(String table, String column, String key) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE " + column + " = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        }, 0);
    }

    /**
     * Runs work in one write transaction: all of it is committed or none of it (any exception rolls back). A corrupt
     * file is repaired and the work retried once.
     */
    <T> T write(SqlWork<T> work) {
        lock.lock();
        try {
            ensureOpen();
            fault(CacheFaults.Op.WRITE, "write");
            try {
                return inTransaction("BEGIN IMMEDIATE", work);
            } catch (SQLException e) {
                if (!isCorruption(e)) {
                    throw new CacheException("Cannot write cache " + file + ": " + e.getMessage(), e);
                }
                repair(e);
                try {
                    return inTransaction("BEGIN IMMEDIATE", work);
                } catch (SQLException again) {
                    throw new CacheException("Cannot write cache " + file + " even after rebuilding it: " + again.getMessage(), again);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Creates a table added after the schema version was set, when it is missing; a database that has it is only
     * read (so a cache on a full disk still opens for reading).
     */
    void ensureTable(String name, String ddl) {
        boolean present = read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }, false);
        if (!present) {
            write(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute(ddl);
                }
                return null;
            });
        }
    }

    /** Rewrites the file without its free pages, so deleted rows give their space back to the disk. */
    void vacuum() {
        lock.lock();
        try {
            ensureOpen();
            fault(CacheFaults.Op.WRITE, "write");
            try (Statement s = connection.createStatement()) {
                s.execute("VACUUM");
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException e) {
                throw new CacheException("Cannot compact cache " + file + ": " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the database takes on disk: the file, its WAL and its shared-memory index. */
    long sizeOnDisk() {
        return sizeOnDisk(file);
    }

    /** Bytes of a SQLite database on disk with its {@code -wal} and {@code -shm} files (0 for missing ones). */
    static long sizeOnDisk(Path db) {
        long total = 0;
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            try {
                total += Files.size(db.resolveSibling(db.getFileName() + suffix));
            } catch (IOException e) {
                // missing: nothing to count
            }
        }
        return total;
    }

    private void fault(CacheFaults.Op op, String verb) {
        try {
            CacheFaults.check(file, op);
        } catch (IOException e) {
            throw new CacheException("Cannot " + verb + " cache " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(connection);
            connection = null;
        } finally {
            lock.unlock();
        }
    }

    /** True when the exception (or a cause) says the database file is damaged or not a database at all. */
    static boolean isCorruption(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CorruptFile) {
                return true;
            }
            if (c instanceof SQLException) {
                int primary = ((SQLException) c).getErrorCode() & 0xff;
                if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
                    return true;
                }
            }
        }
        return false;
    }

    private <T> T inTransaction(String begin, SqlWork<T> work) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(begin);
        }
        boolean committed = false;
        try {
            T result = work.run(connection);
            try (Statement s = connection.createStatement()) {
                s.execute("COMMIT");
            }
            committed = true;
            return result;
        } finally {
            if (!committed) {
                rollbackQuietly();
            }
        }
    }

    private void rollbackQuietly() {
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // no transaction active (SQLite already rolled back) or the connection is gone: nothing to undo
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Cache " + file + " is closed");
        }
    }

    private Connection openRepairing() {
        try {
            return openAndPrepare();
        } catch (SQLException e) {
            if (!isCorruption(e)) {
                throw new CacheException("Cannot open cache " + file + ": " + e.getMessage(), e);
            }
            moveAside(e);
            try {
                return openAndPrepare();
            } catch (SQLException again) {
                throw new CacheException("Cannot open cache " + file + " even after moving the corrupt file aside: "
                        + again.getMessage(), again);
            }
        }
    }

    private void repair(SQLException cause) {
        closeQuietly(connection);
        connection = null;
        moveAside(cause);
        connection = openRepairing();
    }

    private Connection openAndPrepare() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL in WAL mode: a power cut may lose the last commits, never consistency; right for a cache
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        Connection c = config.createConnection("jdbc:sqlite:" + file);
        try {
            checkIntegrity(c);
            prepareSchema(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private void checkIntegrity(Connection c) throws SQLException {
        // quick_check is O(file size) but the caches are small (MBs); it catches truncated and scribbled files
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            String first = rs.next() ? rs.getString(1) : "no result";
            if (!"ok".equalsIgnoreCase(first)) {
                throw new CorruptFile("quick_check: " + first);
            }
        }
    }

    private void prepareSchema(Connection c) throws SQLException {
        if (storedVersion(c) == schemaVersion) {
            return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            boolean committed = false;
            try {
                int stored = storedVersion(c); // another process may have rebuilt it meanwhile
                if (stored != schemaVersion) {
                    List<String[]> objects = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery(
                            "SELECT type, name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'")) {
                        while (rs.next()) {
                            objects.add(new String[]{rs.getString(1), rs.getString(2)});
                        }
                    }
                    if (stored != 0 || !objects.isEmpty()) {
                        LOG.info("Cache {} has schema version {}, this version uses {}: rebuilding it", file, stored, schemaVersion);
                    }
                    for (String[] o : objects) {
                        s.execute("DROP " + ("view".equals(o[0]) ? "VIEW" : "TABLE") + " IF EXISTS \"" + o[1].replace("\"", "\"\"") + "\"");
                    }
                    for (String ddl : schema) {
                        s.execute(ddl);
                    }
                    s.execute("PRAGMA user_version = " + schemaVersion);
                }
                s.execute("COMMIT");
                committed = true;
            } finally {
                if (!committed) {
                    try {
                        s.execute("ROLLBACK");
                    } catch (SQLException ignored) {
                        // nothing to roll back
                    }
                }
            }
        }
    }

    private static int storedVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Moves the damaged file (and its WAL) aside so the next open starts empty; keeps a few copies for diagnosis. */
    private void moveAside(Throwable cause) {
        String stamp = LocalDateTime.now().format(STAMP);
        Path target = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp);
        for (int n = 2; Files.exists(target); n++) {
            target = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp + "-" + n);
        }
        try {
            if (Files.exists(file)) {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            }
            Path wal = sibling("-wal");
            if (Files.exists(wal)) {
                Files.move(wal, target.resolveSibling(target.getFileName() + "-wal"), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(sibling("-shm"));
            Files.deleteIfExists(sibling("-journal"));
        } catch (IOException e) {
            throw new CacheException("Cache " + file + " is corrupt (" + cause.getMessage() + ") and cannot be moved aside: "
                    + e.getMessage(), e);
        }
        LOG.warn("Cache {} was corrupt ({}); moved it to {} and started an empty one", file, cause.getMessage(), target.getFileName());
        pruneOldCorruptCopies();
    }

    private Path sibling(String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private void pruneOldCorruptCopies() {
        String prefix = file.getFileName() + ".corrupt-";
        List<Path> copies = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent(), prefix + "*")) {
            for (Path p : dir) {
                if (!p.getFileName().toString().endsWith("-wal")) {
                    copies.add(p);
                }
            }
        } catch (IOException e) {
            return; // best effort
        }
        copies.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        for (Path old : copies.subList(Math.min(CORRUPT_COPIES_KEPT, copies.size()), copies.size())) {
            try {
                Files.deleteIfExists(old);
                Files.deleteIfExists(old.resolveSibling(old.getFileName() + "-wal"));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection
        }
    }

    /** quick_check found damage SQLite itself did not raise as an error code. */
    private static final class CorruptFile extends SQLException {
        private static final long serialVersionUID = 1L;

        CorruptFile(String message) {
            super(message);
        }
    }
}
