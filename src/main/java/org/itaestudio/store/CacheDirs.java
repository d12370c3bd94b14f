package org.itaestudio.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the app keeps its caches (embeddings, content hashes, hidden states) and its log files: the platform's
 * per-user cache and state/log directories, never the photo folder.
 *
 * <ul>
 *   <li>Linux and other Unix: {@code $XDG_CACHE_HOME/itae-studio} (default {@code ~/.cache/itae-studio}) and
 *       {@code $XDG_STATE_HOME/itae-studio} (default {@code ~/.local/state/itae-studio}) for logs. Relative XDG
 *       values are ignored, as the XDG spec says.</li>
 *   <li>macOS: {@code ~/Library/Caches/ITAE Studio} and {@code ~/Library/Logs/ITAE Studio}.</li>
 *   <li>Windows: {@code %LOCALAPPDATA%\ITAE Studio\Cache} and {@code %LOCALAPPDATA%\ITAE Studio\Logs}
 *       ({@code %LOCALAPPDATA%} defaults to {@code ~\AppData\Local}).</li>
 * </ul>
 * The system property {@value #CACHE_DIR_PROPERTY} (first) or the environment variable {@value #CACHE_DIR_ENV}
 * overrides the cache directory; logs then go to its {@code logs} sub-directory, so tests that set the property
 * write nothing under the home directory.
 *
 * @param cache directory for cache files (created on demand by {@link #createCache()})
 * @param logs  directory for log files
 */
public record CacheDirs(Path cache, Path logs) {

    public static final String CACHE_DIR_PROPERTY = "itae.cacheDir";
    public static final String CACHE_DIR_ENV = "ITAE_STUDIO_CACHE";

    static final String UNIX_NAME = "itae-studio";
    static final String DISPLAY_NAME = "ITAE Studio";

    public CacheDirs {
        cache = cache.toAbsolutePath().normalize();
        logs = logs.toAbsolutePath().normalize();
    }

    /** The directories for this user on this machine, honouring the overrides. */
    public static CacheDirs resolve() {
        return resolve(System::getProperty, System.getenv(), System.getProperty("os.name", ""),
                Paths.get(System.getProperty("user.home")));
    }

    /**
     * The directories for the given environment (testable without touching the real one).
     *
     * @param systemProperty looks up a system property (null when unset)
     * @param env            environment variables
     * @param osName         the {@code os.name} value
     * @param home           the user's home directory
     */
    public static CacheDirs resolve(Function<String, String> systemProperty, Map<String, String> env, String osName,
                                    Path home) {
        String override = nonBlank(systemProperty.apply(CACHE_DIR_PROPERTY));
        if (override == null) {
            override = nonBlank(env.get(CACHE_DIR_ENV));
        }
        if (override != null) {
            Path cache = Paths.get(override);
            // an override that is a file cannot hold the logs either: they go where they would without it (the
            // caches are then off with one warning, and the log file still says why)
            Path logs = Files.exists(cache) && !Files.isDirectory(cache)
                    ? platform(env, osName, home).logs() : cache.resolve("logs");
            return new CacheDirs(cache, logs);
        }
        return platform(env, osName, home);
    }

    private static CacheDirs platform(Map<String, String> env, String osName, Path home) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String localAppData = nonBlank(env.get("LOCALAPPDATA"));
            Path base = (localAppData != null ? Paths.get(localAppData) : home.resolve("AppData").resolve("Local"))
                    .resolve(DISPLAY_NAME);
            return new CacheDirs(base.resolve("Cache"), base.resolve("Logs"));
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            Path library = home.resolve("Library");
            return new CacheDirs(library.resolve("Caches").resolve(DISPLAY_NAME), library.resolve("Logs").resolve(DISPLAY_NAME));
        }
        Path cacheHome = xdg(env, "XDG_CACHE_HOME", home.resolve(".cache"));
        Path stateHome = xdg(env, "XDG_STATE_HOME", home.resolve(".local").resolve("state"));
        return new CacheDirs(cacheHome.resolve(UNIX_NAME), stateHome.resolve(UNIX_NAME));
    }

    /** Creates the cache directory if needed and returns it. */
    public Path createCache() {
        return create(cache);
    }

    /** True when the cache or log directory lies inside {@code folder} (or is it). */
    public boolean isInside(Path folder) {
        Path f = canonical(folder);
        return canonical(cache).startsWith(f) || canonical(logs).startsWith(f);
    }

    /**
     * Refuses a configuration that would write cache files into the photo folder being opened (the folder scan
     * would see them, and the user did not ask for files there).
     *
     * @throws IllegalArgumentException naming both directories
     */
    public void requireOutside(Path photoFolder) {
        if (isInside(photoFolder)) {
            throw new IllegalArgumentException("Cache directory " + cache + " is inside the photo folder " + photoFolder
                    + "; set -D" + CACHE_DIR_PROPERTY + " or " + CACHE_DIR_ENV + " to a directory outside it");
        }
    }

    private static Path xdg(Map<String, String> env, String name, Path fallback) {
        String value = nonBlank(env.get(name));
        if (value == null) {
            return fallback;
        }
        Path p = Paths.get(value);
        return p.isAbsolute() ? p : fallback;
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static Path create(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Real path where the file exists (resolves symlinks), else the normalised absolute path. */
    private static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            Path name = existing.getFileName();
            rest = rest == null ? name : name.resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            Path real = existing.toRealPath();
            return rest == null ? real : real.resolve(rest);
        } catch (IOException e) {
            return abs;
        }
    }
}
