package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.itaestudio.AppInfo;
import org.itaestudio.store.CacheDirs;
import org.junit.jupiter.api.Test;

/** The About text names the version, the log file (or why there is none) and the cache folder. */
class AboutDialogTest {
    @Test
    void namesVersionLogAndCaches() {
        String t = AboutDialog.text("tiny.safetensors on CPU");
        assertTrue(t.startsWith("ITAE Studio " + AppInfo.version()), t);
        assertTrue(t.contains("Log file: "), t);
        assertTrue(t.contains("Caches: " + CacheDirs.resolve().cache()), t);
        assertTrue(t.contains("Engine: tiny.safetensors on CPU"), t);
    }
}
