package org.itaestudio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.itaestudio.Fixtures;
import org.itaestudio.store.CacheDirs;
import org.itaestudio.store.CacheFaults;
import org.itaestudio.store.CsvReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache never fails a run: {@code embed} with the cache on a full disk, or with the cache path pointing at a
 * file, exits 0 with the output written and one warning; {@code cache info|clear} report sizes per kind.
 */
class CacheResilienceCliTest {

    @TempDir
    static Path tmp;
    static String model;
    static Path folder;
    private String savedCacheDir;

    @BeforeAll
    static void setUp() throws Exception {
        model = Fixtures.path("reg4/official.pth").toString();
        folder = tmp.resolve("photos");
        Files.createDirectories(folder);
        for (int i = 0; i < 4; i++) {
            writePng(folder.resolve("img" + i + ".png"), i);
        }
    }

    /** A small image with distinct content per seed. */
    static void writePng(Path file, int seed) throws IOException {
        BufferedImage im = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                im.setRGB(x, y, ((x * 7 + seed * 31) & 0xFF) << 16 | ((y * 5 + seed * 13) & 0xFF) << 8 | (seed * 50 & 0xFF));
            }
        }
        ImageIO.write(im, "png", file.toFile());
    }

    private void useCache(Path dir) {
        savedCacheDir = System.getProperty(CacheDirs.CACHE_DIR_PROPERTY);
        System.setProperty(CacheDirs.CACHE_DIR_PROPERTY, dir.toString());
    }

    @AfterEach
    void restore() {
        if (savedCacheDir == null) {
            System.clearProperty(CacheDirs.CACHE_DIR_PROPERTY);
        } else {
            System.setProperty(CacheDirs.CACHE_DIR_PROPERTY, savedCacheDir);
        }
    }

    private static CliRunner.Run embed(Path input, Path out) {
        return CliRunner.run("embed", "--model", model, "--input", input.toString(), "--output", out.toString(),
                "--image-size", "28", "--crop", "28", "--itae-threshold", "auto");
    }

    private static List<String> warnings(CliRunner.Run r) {
        return r.err().lines().filter(l -> l.startsWith("itae-studio: warning:")).toList();
    }

    private static int rows(Path csv) throws IOException {
        return CsvReader.read(csv).rows().size();
    }

    @Test
    void aCachePathThatIsAFileGivesOneWarningAndTheOutput() throws Exception {
        Path file = tmp.resolve("cache-is-a-file");
        Files.writeString(file, "not a directory");
        useCache(file);
        Path out = tmp.resolve("file-cache.csv");
        CliRunner.Run r = embed(folder, out);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(4, rows(out));
        assertEquals(1, warnings(r).size(), r.err());
        assertTrue(warnings(r).get(0).contains(file.toString()), r.err());
    }

    @Test
    void aFullDiskUnderTheCacheGivesOneWarningAndALaterRunReusesWhatWasWrittenBefore() throws Exception {
        Path cache = tmp.resolve("cache-full");
        useCache(cache);
        Path first = tmp.resolve("first");
        Files.createDirectories(first);
        Files.copy(folder.resolve("img0.png"), first.resolve("img0.png"));
        Files.copy(folder.resolve("img1.png"), first.resolve("img1.png"));
        assertEquals(0, embed(first, tmp.resolve("first.csv")).exitCode());

        Path out = tmp.resolve("full.csv");
        CliRunner.Run r;
        try (AutoCloseable fault = CacheFaults.inject(cache, CacheFaults.Op.WRITE, CacheFaults::diskFull)) {
            r = embed(folder, out);
        }
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(4, rows(out));
        assertEquals(1, warnings(r).size(), r.err());
        assertTrue(warnings(r).get(0).contains("No space left on device"), r.err());
        assertTrue(r.err().contains("(2 from cache)"), "the two images cached before: " + r.err());

        CliRunner.Run later = embed(folder, tmp.resolve("later.csv"));
        assertEquals(0, later.exitCode(), later.err());
        assertTrue(warnings(later).isEmpty(), later.err());
        assertTrue(later.err().contains("(2 from cache)"), "what was written before the failure: " + later.err());
        assertEquals(Files.readString(out), Files.readString(tmp.resolve("later.csv")), "same output");
    }

    /** A real full file system: a small tmpfs (needs root and mount; skipped with a message elsewhere). */
    @Test
    void aRealFullFileSystemUnderTheCache() throws Exception {
        Path mnt = tmp.resolve("tmpfs");
        Files.createDirectories(mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        boolean mounted = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        String why = mounted ? "" : new String(p.getInputStream().readAllBytes()).trim();
        Assumptions.assumeTrue(mounted, "skipped: cannot mount a tmpfs here (needs root): " + why);
        try {
            Path cache = mnt.resolve("cache");
            useCache(cache);
            Path first = tmp.resolve("first-real");
            Files.createDirectories(first);
            Files.copy(folder.resolve("img0.png"), first.resolve("img0.png"));
            assertEquals(0, embed(first, tmp.resolve("first-real.csv")).exitCode());
            // fill the file system to the last byte
            try (OutputStream o = Files.newOutputStream(mnt.resolve("filler"))) {
                byte[] block = new byte[4096];
                while (true) {
                    o.write(block);
                }
            } catch (IOException full) {
                assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
            }
            Path out = tmp.resolve("real-full.csv");
            CliRunner.Run r = embed(folder, out);
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(4, rows(out));
            assertEquals(1, warnings(r).size(), r.err());
            assertTrue(warnings(r).get(0).contains("cache disk is full"), r.err());
            // SQLite cannot even create its shared-memory file on a disk this full, so nothing was read from the
            // cache; once there is space again, what the first run wrote is used
            Files.delete(mnt.resolve("filler"));
            CliRunner.Run later = embed(folder, tmp.resolve("real-later.csv"));
            assertEquals(0, later.exitCode(), later.err());
            assertTrue(warnings(later).isEmpty(), later.err());
            assertTrue(later.err().contains("(1 from cache)"), later.err());
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHugeJpegIsEmbeddedWithANoteAndAHugePngIsSkippedWithTheReason() throws Exception {
        useCache(tmp.resolve("cache-huge"));
        Path huge = tmp.resolve("huge");
        Files.createDirectories(huge);
        org.itaestudio.image.HugePhotoTestSupport.writeHugeGreyJpeg(huge.resolve("panorama.jpg"), 20_000, 10_000);
        Files.copy(folder.resolve("img0.png"), huge.resolve("small.png"));
        Path out = tmp.resolve("huge.csv");
        CliRunner.Run r = embed(huge, out);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(2, rows(out), "the panorama is embedded");
        assertTrue(r.err().contains("adjusted 1 file(s):\n  panorama.jpg: decoded at 1/2 scale (20000x10000 is over the"
                + " 100 MP cap)"), r.err());
        assertTrue(!r.err().contains("skipped"), r.err());
    }

    @Test
    void cacheInfoAndClearReportSizesPerKind() throws Exception {
        Path cache = tmp.resolve("cache-info");
        useCache(cache);
        assertEquals(0, embed(folder, tmp.resolve("info.csv")).exitCode());
        CliRunner.Run info = CliRunner.run("cache", "info");
        assertEquals(0, info.exitCode(), info.err());
        for (String kind : new String[] {"embeddings", "file hashes", "hidden states", "total", "budget:"}) {
            assertTrue(info.out().contains(kind), info.out());
        }
        assertTrue(info.out().contains(cache.toString()), info.out());
        CliRunner.Run clear = CliRunner.run("cache", "clear", "--kind", "hidden-states");
        assertEquals(0, clear.exitCode(), clear.err());
        assertTrue(clear.out().startsWith("freed "), clear.out());
        assertTrue(clear.out().contains("hidden states"), clear.out());
        assertTrue(!clear.out().contains("embeddings"), "only the kind asked: " + clear.out());
        CliRunner.Run again = embed(folder, tmp.resolve("info2.csv"));
        assertTrue(again.err().contains("(4 from cache)"), "embeddings kept: " + again.err());
        CliRunner.Run all = CliRunner.run("cache", "clear");
        assertEquals(0, all.exitCode(), all.err());
        assertTrue(embed(folder, tmp.resolve("info3.csv")).err().contains("(0 from cache)"));
        CliRunner.Run bad = CliRunner.run("cache", "clear", "--kind", "thumbnails");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--kind must be"), bad.err());
    }
}
