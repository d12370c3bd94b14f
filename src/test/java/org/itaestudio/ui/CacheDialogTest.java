package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.prefs.Preferences;
import org.itaestudio.store.CacheBudget;
import org.itaestudio.store.CacheUsage;
import org.junit.jupiter.api.Test;

/** The cache dialog's text and budget preference, without JavaFX. */
class CacheDialogTest {

    @Test
    void sizesPerKindTotalAndBudget() {
        CacheUsage u = new CacheUsage(Path.of("/c"), 3 << 20, 40 << 10, 512L << 20);
        String text = CacheDialog.describe(Optional.of(u), Optional.of(new CacheBudget(5L << 30, "preference 5G")));
        assertTrue(text.contains("Embeddings"), text);
        assertTrue(text.contains("Register neurons"), text);
        long columns = text.lines().filter(l -> l.endsWith(" B") || l.endsWith("B")).map(String::length).distinct().count();
        assertEquals(1, columns, "sizes end in one column:\n" + text);
        assertTrue(text.contains("3.0 MB"), text);
        assertTrue(text.contains("40.0 KB"), text);
        assertTrue(text.contains("512.0 MB"), text);
        assertTrue(text.contains("Total") && text.contains("515.0 MB"), text);
        assertTrue(text.contains("Budget: 5.0 GB (preference 5G)"), text);
        assertEquals("This session runs without caches.", CacheDialog.describe(Optional.empty(), Optional.empty()));
        assertTrue(CacheDialog.confirmation(u).startsWith("Clearing frees about 515.0 MB (embeddings 3.0 MB"));
    }

    @Test
    void theBudgetPreferenceIsCheckedBeforeItIsStored() throws Exception {
        Preferences node = Preferences.userRoot().node("itae-studio-test-" + System.nanoTime());
        try {
            StudioPreferences prefs = new StudioPreferences(node);
            assertNull(CacheDialog.storeBudget(prefs, " 5G "));
            assertEquals("5G", node.get(CacheDialog.MAX_SIZE_PREFERENCE, null));
            assertTrue(CacheDialog.storeBudget(prefs, "lots").contains("'lots'"));
            assertEquals("5G", node.get(CacheDialog.MAX_SIZE_PREFERENCE, null), "a bad value changes nothing");
            assertNull(CacheDialog.storeBudget(prefs, ""));
            assertNull(node.get(CacheDialog.MAX_SIZE_PREFERENCE, null), "empty: back to the default");
        } finally {
            node.removeNode();
        }
    }

    @Test
    void adjustedFilesAreNamedAsEmbeddedInTheSkippedList() {
        java.util.List<org.itaestudio.pipeline.SkippedFile> files = java.util.List.of(
                new org.itaestudio.pipeline.SkippedFile("a.jpg", "truncated JPEG"),
                org.itaestudio.pipeline.SkippedFile.adjusted("pano.jpg", "decoded at 1/2 scale (x)"));
        assertEquals("1 file was skipped; 1 file was embedded after an adjustment", SkippedFilesDialog.header(files));
        assertEquals("embedded, decoded at 1/2 scale (x)", SkippedFilesDialog.reasonText(files.get(1)));
        assertEquals("truncated JPEG", SkippedFilesDialog.reasonText(files.get(0)));
        assertEquals("2 files were skipped", SkippedFilesDialog.header(java.util.List.of(files.get(0), files.get(0))));
    }
}
