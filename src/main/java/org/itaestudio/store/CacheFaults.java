package org.itaestudio.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A seam that makes cache operations fail on purpose, so tests can show that a full disk, an I/O error or a
 * locked database degrades a run instead of failing it. Nothing in the product installs a fault: with no rule the
 * check is one look at an empty list.
 *
 * <p>A rule applies to files under one directory only, so tests running in parallel on their own temporary
 * directories do not see each other's faults.
 */
public final class CacheFaults {

    /** What a cache is doing with a file when the fault strikes. */
    public enum Op {
        /** Opening (or creating) a cache file. */
        OPEN,
        /** Reading from it. */
        READ,
        /** Writing to it. */
        WRITE
    }

    private record Rule(Path under, Op op, Supplier<IOException> fault) {
    }

    private static final List<Rule> RULES = new CopyOnWriteArrayList<>();

    private CacheFaults() {
    }

    /**
     * Makes every {@code op} on a cache file under {@code under} throw {@code fault.get()} until the returned handle
     * is closed.
     */
    public static AutoCloseable inject(Path under, Op op, Supplier<IOException> fault) {
        Rule rule = new Rule(under.toAbsolutePath().normalize(), op, fault);
        RULES.add(rule);
        return () -> RULES.remove(rule);
    }

    /** A "No space left on device" error, worded as Java reports the file system's ENOSPC. */
    public static IOException diskFull() {
        return new IOException("No space left on device");
    }

    /** Throws the injected fault when a rule matches this file and operation. */
    static void check(Path file, Op op) throws IOException {
        if (RULES.isEmpty()) {
            return;
        }
        Path abs = file.toAbsolutePath().normalize();
        for (Rule r : RULES) {
            if (r.op == op && abs.startsWith(r.under)) {
                throw r.fault.get();
            }
        }
    }
}
