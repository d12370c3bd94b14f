package org.itaestudio.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many bytes the caches may take on disk together. Hidden states are evicted first (least recently used state
 * key first), embeddings last; see {@link Caches}.
 *
 * <p>Where the number comes from, first match wins: the system property {@value #MAX_PROPERTY}, the environment
 * variable {@value #MAX_ENV}, the app's preference, else the default: {@value #FREE_SPACE_PERCENT}% of the space
 * the caches could use (free space on their file system plus what they already take), at least
 * {@link #DEFAULT_FLOOR_BYTES} (256 MiB) and at most {@link #DEFAULT_CAP_BYTES} (20 GiB). Sizes are written like {@code 500M}, {@code 2G}, {@code 1.5GB} or a plain
 * number of bytes (binary units: 1K = 1024).
 *
 * @param maxBytes the budget
 * @param origin   where it came from, for {@code cache info} ("ITAE_STUDIO_CACHE_MAX", "10% of free space ...")
 */
public record CacheBudget(long maxBytes, String origin) {

    public static final String MAX_PROPERTY = "itae.cacheMax";
    public static final String MAX_ENV = "ITAE_STUDIO_CACHE_MAX";
    /** Share of the usable space taken by default. */
    public static final int FREE_SPACE_PERCENT = 10;
    /** Largest default budget: 20 GiB (about 100,000 ViT-S/14 images' hidden states in fp16). */
    public static final long DEFAULT_CAP_BYTES = 20L << 30;
    /**
     * Smallest default budget: 256 MiB, so a nearly full disk does not make the app evict embeddings that took hours
     * to compute in order to save a few MB (writes that do not fit then fail with one warning and the run goes on).
     */
    public static final long DEFAULT_FLOOR_BYTES = 256L << 20;

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b)?");

    public CacheBudget {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("cache budget must not be negative: " + maxBytes);
        }
    }

    /**
     * The budget for this environment.
     *
     * @param preference     the app's stored preference (null or blank: none)
     * @param systemProperty looks up a system property
     * @param env            environment variables
     * @param freeBytes      usable space on the cache's file system
     * @param cacheBytes     what the caches take now
     * @throws IllegalArgumentException naming the setting when a given value is not a size
     */
    public static CacheBudget resolve(String preference, Function<String, String> systemProperty, Map<String, String> env,
                                      long freeBytes, long cacheBytes) {
        String prop = systemProperty.apply(MAX_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return new CacheBudget(parse(prop, "-D" + MAX_PROPERTY), "-D" + MAX_PROPERTY + "=" + prop.trim());
        }
        String fromEnv = env.get(MAX_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new CacheBudget(parse(fromEnv, MAX_ENV), MAX_ENV + "=" + fromEnv.trim());
        }
        if (preference != null && !preference.isBlank()) {
            return new CacheBudget(parse(preference, "the cache size preference"), "preference " + preference.trim());
        }
        long usable = Math.max(0, freeBytes) + Math.max(0, cacheBytes);
        long share = usable / 100 * FREE_SPACE_PERCENT;
        return new CacheBudget(Math.min(DEFAULT_CAP_BYTES, Math.max(DEFAULT_FLOOR_BYTES, share)), FREE_SPACE_PERCENT
                + "% of free space (" + format(usable) + " usable), at least " + format(DEFAULT_FLOOR_BYTES)
                + ", at most " + format(DEFAULT_CAP_BYTES));
    }

    /** The budget for the real environment and the file system holding {@code cacheDir}. */
    public static CacheBudget resolve(Path cacheDir, String preference, long cacheBytes) {
        return resolve(preference, System::getProperty, System.getenv(), usableSpace(cacheDir), cacheBytes);
    }

    /** The default budget (no setting consulted) for the file system holding {@code cacheDir}. */
    public static CacheBudget byDefault(Path cacheDir, long cacheBytes) {
        return resolve(null, k -> null, Map.of(), usableSpace(cacheDir), cacheBytes);
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(existingAncestor(dir)).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Parses a size such as {@code 500M}, {@code 2G}, {@code 1.5GiB} or {@code 1048576}. */
    public static long parseSize(String text) {
        return parse(text, "size");
    }

    private static long parse(String text, String what) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " must be a size such as 500M or 2G, got '" + text.trim() + "'");
        }
        double value = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = value * (1L << shift);
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException(what + " is too large: '" + text.trim() + "'");
        }
        return (long) bytes;
    }

    /** "0 B", "512 B", "1.5 KB", "197.4 MB", "20.0 GB" (binary units). */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static Path existingAncestor(Path p) {
        Path a = p.toAbsolutePath();
        while (a != null && !Files.exists(a)) {
            a = a.getParent();
        }
        return a == null ? p.toAbsolutePath().getRoot() : a;
    }
}
