package org.itaestudio.store;

import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs cache operations so that a cache failure never fails the run: a failure to open, read or write a cache
 * (full disk, a cache path that is a file or unwritable, a database locked past its timeout, an I/O error) is
 * logged with its cause, reported once to the user through the sink, and that cache is left alone for the rest of
 * the session, which goes on without it.
 *
 * <ul>
 *   <li>Open or read failure: the cache is {@link State#OFF} (reads give "not cached", writes are skipped).</li>
 *   <li>Write failure: the cache is {@link State#READ_ONLY}: what it already holds is still used.</li>
 *   <li>A full disk makes every cache read-only at once, with one warning, since writing to any of them
 *       would fail the same way.</li>
 * </ul>
 * Caller errors ({@link IllegalArgumentException}) and cancellation still propagate: they are not cache faults.
 *
 * <p>Thread-safe.
 */
public final class CacheGuard {

    /** How far a cache is still used. */
    public enum State {
        OK, READ_ONLY, OFF
    }

    private static final Logger LOG = LoggerFactory.getLogger(CacheGuard.class);

    private final Consumer<String> sink;
    private final boolean userSink;
    private final Map<CacheKind, State> states = new EnumMap<>(CacheKind.class);
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private boolean diskFull;
    /** Where the caches live, to tell a full disk from other failures whatever error SQLite reports; may be null. */
    private volatile java.nio.file.Path watched;

    /** @param sink where the user sees a warning (one line each): stderr in the CLI, the status bar in the app */
    public CacheGuard(Consumer<String> sink) {
        this.userSink = sink != null;
        this.sink = sink == null ? w -> { } : sink;
    }

    /** A guard whose warnings only go to the log (and {@link #warnings()}). */
    public static CacheGuard logOnly() {
        return new CacheGuard(null);
    }

    /** Opens a cache; on failure warns, marks it off and returns null. */
    public <T> T open(CacheKind kind, Supplier<T> opener) {
        try {
            return opener.get();
        } catch (RuntimeException e) {
            failed(kind, State.OFF, "cannot be opened", rethrowIfNotCacheFault(e));
            return null;
        }
    }

    /** Reads from a cache; gives {@code fallback} (a miss) when it is off or the read fails (then it is off). */
    public <T> T read(CacheKind kind, Supplier<T> op, T fallback) {
        if (state(kind) == State.OFF) {
            return fallback;
        }
        try {
            return op.get();
        } catch (RuntimeException e) {
            failed(kind, State.OFF, "cannot be read", rethrowIfNotCacheFault(e));
            return fallback;
        }
    }

    /** Writes to a cache unless it is read-only or off; a failure makes it read-only. True when it was written. */
    public boolean write(CacheKind kind, Runnable op) {
        if (state(kind) != State.OK) {
            return false;
        }
        try {
            op.run();
            return true;
        } catch (RuntimeException e) {
            failed(kind, State.READ_ONLY, "cannot be written", rethrowIfNotCacheFault(e));
            return false;
        }
    }

    /**
     * The cache directory itself cannot be used (cannot be created, is a file): every cache is off, one warning.
     */
    public void directoryUnusable(java.nio.file.Path dir, RuntimeException cause) {
        String message = "cache directory " + dir + " cannot be used (" + causeText(cause) + "); running without caches";
        synchronized (this) {
            for (CacheKind k : CacheKind.values()) {
                states.put(k, State.OFF);
            }
        }
        warn(message, cause);
    }

    /**
     * Treats any failure as a full disk while the file system holding {@code dir} has less than
     * {@link #NEARLY_FULL_BYTES} free: SQLite reports a full disk in several ways (SQLITE_FULL, but also
     * SQLITE_IOERR_SHMSIZE when its shared-memory file cannot grow), and they all call for the same one warning.
     */
    public void watchDisk(java.nio.file.Path dir) {
        this.watched = dir;
    }

    /** Free space below which a cache failure counts as a full disk: 1 MiB. */
    static final long NEARLY_FULL_BYTES = 1L << 20;

    private boolean diskNearlyFull() {
        java.nio.file.Path dir = watched;
        if (dir == null) {
            return false;
        }
        try {
            java.nio.file.Path p = dir;
            while (p != null && !java.nio.file.Files.exists(p)) {
                p = p.getParent();
            }
            return p != null && java.nio.file.Files.getFileStore(p).getUsableSpace() < NEARLY_FULL_BYTES;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** A warning about the caches that is not a failure (e.g. a budget setting that is not a size). */
    public void notice(String message) {
        warn(message, null);
    }

    /** The cache's current state (OK until something failed). */
    public synchronized State state(CacheKind kind) {
        return states.getOrDefault(kind, State.OK);
    }

    /** The warnings given so far, in order. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private void failed(CacheKind kind, State to, String what, RuntimeException cause) {
        boolean full = isDiskFull(cause) || diskNearlyFull();
        String message;
        synchronized (this) {
            State before = state(kind);
            if (full) {
                if (diskFull) {
                    demote(kind, to);
                    LOG.debug("Cache {} also failed on the full disk: {}", kind.label(), cause.toString());
                    return;
                }
                diskFull = true;
                for (CacheKind k : CacheKind.values()) {
                    demote(k, State.READ_ONLY);
                }
                demote(kind, to);
                message = "cache disk is full (" + causeText(cause) + "); nothing more is written to the caches"
                        + " in this run";
            } else {
                demote(kind, to);
                if (before != State.OK) { // already reported for this cache
                    LOG.debug("Cache {} failed again: {}", kind.label(), cause.toString());
                    return;
                }
                message = "cache of " + kind.label() + " " + what + " (" + causeText(cause) + "); continuing without "
                        + (to == State.OFF ? "it" : "writing to it");
            }
        }
        warn(message, cause);
    }

    private void demote(CacheKind kind, State to) {
        if (to.ordinal() > state(kind).ordinal()) {
            states.put(kind, to);
        }
    }

    private void warn(String message, Throwable cause) {
        warnings.add(message);
        if (userSink) {
            // the user sees the sink's one line; the log file keeps it with the cause (the console shows WARN,
            // which would print it twice)
            LOG.info("{}", message, cause);
        } else {
            LOG.warn("{}", message, cause);
        }
        sink.accept(message);
    }

    /** True when the error (or a cause) says the disk or the database is full. */
    public static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m == null) {
                continue;
            }
            String lower = m.toLowerCase(Locale.ROOT);
            if (lower.contains("no space left") || lower.contains("sqlite_full") || lower.contains("disk is full")
                    || lower.contains("disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    /** Cancellation and caller errors are not cache faults: they go on up. */
    private static RuntimeException rethrowIfNotCacheFault(RuntimeException e) {
        if (e instanceof CancellationException || e instanceof IllegalArgumentException) {
            throw e;
        }
        return e;
    }

    private static String causeText(Throwable e) {
        Throwable shown = e instanceof UncheckedIOException && e.getCause() != null && e.getMessage() == null
                ? e.getCause() : e;
        String m = shown.getMessage();
        return (m == null ? shown.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
