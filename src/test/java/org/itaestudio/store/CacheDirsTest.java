package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheDirsTest {

    private static final Path HOME = Paths.get("/home/ada");
    private static final Function<String, String> NO_PROPS = k -> null;

    @Test
    void linuxDefaultsFollowXdg() {
        CacheDirs d = CacheDirs.resolve(NO_PROPS, Map.of(), "Linux", HOME);
        assertEquals(Paths.get("/home/ada/.cache/itae-studio"), d.cache());
        assertEquals(Paths.get("/home/ada/.local/state/itae-studio"), d.logs());
    }

    @Test
    void linuxHonoursAbsoluteXdgVariablesAndIgnoresRelativeOnes() {
        CacheDirs d = CacheDirs.resolve(NO_PROPS, Map.of("XDG_CACHE_HOME", "/var/cache/ada", "XDG_STATE_HOME", "/var/state/ada"),
                "Linux", HOME);
        assertEquals(Paths.get("/var/cache/ada/itae-studio"), d.cache());
        assertEquals(Paths.get("/var/state/ada/itae-studio"), d.logs());
        CacheDirs relative = CacheDirs.resolve(NO_PROPS, Map.of("XDG_CACHE_HOME", "rel/cache", "XDG_STATE_HOME", " "),
                "Linux", HOME);
        assertEquals(Paths.get("/home/ada/.cache/itae-studio"), relative.cache());
        assertEquals(Paths.get("/home/ada/.local/state/itae-studio"), relative.logs());
    }

    @Test
    void macOsUsesLibraryCachesAndLogs() {
        CacheDirs d = CacheDirs.resolve(NO_PROPS, Map.of("XDG_CACHE_HOME", "/ignored"), "Mac OS X", HOME);
        assertEquals(Paths.get("/home/ada/Library/Caches/ITAE Studio"), d.cache());
        assertEquals(Paths.get("/home/ada/Library/Logs/ITAE Studio"), d.logs());
    }

    @Test
    void windowsUsesLocalAppData() {
        CacheDirs d = CacheDirs.resolve(NO_PROPS, Map.of("LOCALAPPDATA", "/appdata/local"), "Windows 11", HOME);
        assertEquals(Paths.get("/appdata/local/ITAE Studio/Cache"), d.cache());
        assertEquals(Paths.get("/appdata/local/ITAE Studio/Logs"), d.logs());
        CacheDirs fallback = CacheDirs.resolve(NO_PROPS, Map.of(), "Windows 10", HOME);
        assertEquals(Paths.get("/home/ada/AppData/Local/ITAE Studio/Cache"), fallback.cache());
    }

    @Test
    void systemPropertyBeatsEnvironmentAndBothBeatThePlatform() {
        Map<String, String> env = new HashMap<>(Map.of(CacheDirs.CACHE_DIR_ENV, "/env/cache", "XDG_CACHE_HOME", "/xdg"));
        CacheDirs fromProperty = CacheDirs.resolve(k -> CacheDirs.CACHE_DIR_PROPERTY.equals(k) ? "/prop/cache" : null, env,
                "Linux", HOME);
        assertEquals(Paths.get("/prop/cache"), fromProperty.cache());
        assertEquals(Paths.get("/prop/cache/logs"), fromProperty.logs());
        CacheDirs fromEnv = CacheDirs.resolve(NO_PROPS, env, "Windows 10", HOME);
        assertEquals(Paths.get("/env/cache"), fromEnv.cache());
        assertEquals(Paths.get("/env/cache/logs"), fromEnv.logs());
    }

    @Test
    void resolveReadsTheRealSystemProperty(@TempDir Path tmp) {
        String before = System.getProperty(CacheDirs.CACHE_DIR_PROPERTY);
        System.setProperty(CacheDirs.CACHE_DIR_PROPERTY, tmp.resolve("c").toString());
        try {
            CacheDirs d = CacheDirs.resolve();
            assertEquals(tmp.resolve("c"), d.cache());
            assertTrue(Files.isDirectory(d.createCache()));
        } finally {
            if (before == null) {
                System.clearProperty(CacheDirs.CACHE_DIR_PROPERTY);
            } else {
                System.setProperty(CacheDirs.CACHE_DIR_PROPERTY, before);
            }
        }
    }

    @Test
    void aCacheInsideThePhotoFolderIsRefused(@TempDir Path tmp) throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        CacheDirs inside = new CacheDirs(photos.resolve(".cache"), tmp.resolve("logs"));
        assertTrue(inside.isInside(photos));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inside.requireOutside(photos));
        assertTrue(e.getMessage().contains(photos.toString()), e.getMessage());

        CacheDirs logsInside = new CacheDirs(tmp.resolve("cache"), photos);
        assertTrue(logsInside.isInside(photos));

        CacheDirs outside = new CacheDirs(tmp.resolve("photos-cache"), tmp.resolve("logs")); // a sibling sharing a prefix
        assertFalse(outside.isInside(photos));
        assertDoesNotThrow(() -> outside.requireOutside(photos));
    }

    @Test
    void aSymlinkIntoThePhotoFolderIsSeenThrough(@TempDir Path tmp) throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Files.createDirectories(photos.resolve("cache"));
        Path link;
        try {
            link = Files.createSymbolicLink(tmp.resolve("link"), photos.resolve("cache"));
        } catch (UnsupportedOperationException | java.io.IOException e) {
            Assumptions.assumeTrue(false, "no symbolic links on this file system: " + e);
            return;
        }
        assertTrue(new CacheDirs(link.resolve("itae"), tmp.resolve("logs")).isInside(photos));
    }
}
